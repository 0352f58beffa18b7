"""The data returns app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "safeplan.web.returns"
    label = "returns"
    verbose_name = "Data returns calendar and reminders"
