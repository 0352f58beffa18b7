"""Every URL of the web app; each app brings its own under a namespace."""

from __future__ import annotations

from django.urls import include, path

from safeplan.web.accounts import access
from safeplan.web.api.urls import urls as api_urls
from safeplan.web.public import views as public_views

# The public app's pages are open to anyone (every view declares its audience: access.py).
access.public(public_views.plan_list)
access.public(public_views.plan_detail)

urlpatterns = [
    # Before the public pages: /plans/edit/ is the editor, not a plan with the id "edit".
    path("", include("safeplan.web.editor.urls")),
    path("", include("safeplan.web.public.urls")),
    path("", include("safeplan.web.accounts.urls")),
    path("", include("safeplan.web.dashboard.urls")),
    path("", include("safeplan.web.uploads.urls")),
    path("", include("safeplan.web.tracker.urls")),
    path("", include("safeplan.web.survey.urls")),
    path("", include("safeplan.web.audit.urls")),
    path("", include("safeplan.web.returns.urls")),
    path("api/", api_urls()),
]

handler403 = access.forbidden
handler404 = public_views.not_found
handler500 = public_views.server_error
