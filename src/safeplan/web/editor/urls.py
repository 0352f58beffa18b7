"""The plan editor (administrators only). Its own ``new`` and ``import`` pages come before the
plan pages, so those words are never plan ids (the forms refuse them)."""

from __future__ import annotations

from django.urls import path

from safeplan.web.editor import views

app_name = "editor"
PLAN = "plans/edit/<slug:plan_id>/"
PRIORITY = f"{PLAN}priorities/<slug:priority_id>/"
urlpatterns = [
    path("plans/edit/", views.plans, name="plans"),
    path("plans/edit/new/", views.new_plan, name="new"),
    path("plans/edit/import/", views.import_plan, name="import"),
    path(PLAN, views.plan, name="plan"),
    path(f"{PLAN}enablers/", views.enablers, name="enablers"),
    path(f"{PLAN}history/", views.history, name="history"),
    path(f"{PLAN}history/<int:number>/revert/", views.revert, name="revert"),
    path(f"{PLAN}export.yaml", views.export, name="export"),
    path(f"{PLAN}priorities/new/", views.priority, name="new-priority"),
    path(PRIORITY, views.priority, name="priority"),
    path(f"{PRIORITY}measures/new/", views.measure, name="new-measure"),
    path(f"{PRIORITY}measures/<int:index>/", views.measure, name="measure"),
]
