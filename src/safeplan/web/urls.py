"""Every URL of the web app; each app brings its own under a namespace."""

from __future__ import annotations

from django.urls import include, path

from safeplan.web.public import views as public_views

urlpatterns = [
    path("", include("safeplan.web.public.urls")),
]

handler404 = public_views.not_found
handler500 = public_views.server_error
