"""The partners' signed-in pages: the dashboard, each plan's scorecard and measures, the
records behind a figure, commentary, and the data-quality page."""

from __future__ import annotations

from django.urls import path

from safeplan.web.accounts import pages
from safeplan.web.dashboard import views

app_name = "partner"
PLAN = "dashboard/plans/<slug:plan_id>/"
MEASURE = f"{PLAN}measures/<slug:measure_id>/"
urlpatterns = [
    path("dashboard/", pages.dashboard, name="dashboard"),
    path(PLAN, views.scorecard, name="scorecard"),
    path(f"{PLAN}report.<str:fmt>", views.board_report, name="report"),
    path(MEASURE, views.measure, name="measure"),
    path(f"{MEASURE}export.<str:fmt>", views.measure_export, name="measure-export"),
    path(f"{MEASURE}records/", views.records_view, name="records"),
    path(f"{MEASURE}commentary/<str:period>/", views.write_commentary, name="write-commentary"),
    path("dashboard/commentary/approvals/", views.approvals, name="approvals"),
    path("data-quality/", pages.data_quality, name="data-quality"),
]
