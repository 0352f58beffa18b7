"""The uploads app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "safeplan.web.uploads"
    label = "uploads"
    verbose_name = "Uploads"
