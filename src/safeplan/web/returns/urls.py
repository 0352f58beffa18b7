"""The data returns pages, under /returns/."""

from __future__ import annotations

from django.urls import path

from safeplan.web.returns import views

app_name = "returns"
urlpatterns = [
    path("returns/", views.calendar_view, name="calendar"),
    path("returns/schedules/", views.schedules, name="schedules"),
    path("returns/schedules/<slug:template>/", views.schedule, name="schedule"),
]
