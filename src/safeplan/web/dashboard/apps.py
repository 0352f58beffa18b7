"""The dashboard app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "safeplan.web.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard and commentary"
