"""The tracker app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "safeplan.web.tracker"
    label = "tracker"
    verbose_name = "Intervention and action tracker"
