"""The audit trail's pages (administrators only)."""

from __future__ import annotations

from django.urls import path

from safeplan.web.audit import views

app_name = "audit"
urlpatterns = [
    path("audit/", views.trail, name="trail"),
    path("audit/export.csv", views.export, name="export"),
]
