"""The audit app's configuration: connects the auth signals."""

from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safeplan.web.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from safeplan.web.audit import signals

        signals.connect()
