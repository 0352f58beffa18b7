"""The partners' signed-in pages (the full scorecard comes later)."""

from __future__ import annotations

from django.urls import path

from safeplan.web.accounts import pages

app_name = "partner"
urlpatterns = [
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("data-quality/", pages.data_quality, name="data-quality"),
]
