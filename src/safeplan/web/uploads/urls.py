"""Uploading files and their findings."""

from __future__ import annotations

from django.urls import path

from safeplan.web.uploads import views

app_name = "uploads"
urlpatterns = [
    path("uploads/", views.upload, name="upload"),
    path("uploads/<int:pk>/", views.result, name="result"),
    path("uploads/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("uploads/loads/<int:load_id>/undo/", views.undo, name="undo"),
    path("uploads/findings/<int:load_id>.csv", views.findings, name="findings"),
]
