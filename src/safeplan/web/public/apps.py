"""The public app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "safeplan.web.public"
    label = "public"
    verbose_name = "Public plan on a page"
