"""The tracker's pages, under /tracker/."""

from __future__ import annotations

from django.urls import path

from safeplan.web.tracker import views

app_name = "tracker"
urlpatterns = [
    path("tracker/reminders/", views.reminders_view, name="reminders"),
    path("tracker/items/<int:pk>/", views.item, name="item"),
    path("tracker/items/<int:pk>/edit/", views.edit, name="edit"),
    path("tracker/items/<int:pk>/milestones/new/", views.add_milestone, name="add-milestone"),
    path("tracker/items/<int:pk>/update/", views.update, name="update"),
    path("tracker/milestones/<int:pk>/", views.milestone, name="milestone"),
    path("tracker/<slug:plan_id>/", views.plan, name="plan"),
]
