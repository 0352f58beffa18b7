"""Public pages: the list of plans and each plan on a page."""

from __future__ import annotations

from django.urls import path

from safeplan.web.public import views

app_name = "public"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/<slug:plan_id>/", views.plan_detail, name="plan"),
]
