"""The children's survey app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "safeplan.web.survey"
    label = "survey"
    verbose_name = "Children's survey"
