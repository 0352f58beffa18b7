"""The plan editor app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class EditorConfig(AppConfig):
    name = "safeplan.web.editor"
    label = "editor"
    verbose_name = "Plan editor"
