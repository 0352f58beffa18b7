"""A version of a plan: its whole canonical YAML as saved, who saved it, when, and what changed.

Versions are only ever added. Keeping the whole text (a plan is a few kilobytes) rather than a
diff means any version can be restored or exported on its own, and a diff between any two is
one ``difflib`` call. Restoring an old version saves its text as a new version, so the history
says who went back and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

SUMMARY_CHARS = 500


class PlanVersion(models.Model):
    plan_id: models.CharField[str, str] = models.CharField(max_length=100)
    number: models.PositiveIntegerField[int, int] = models.PositiveIntegerField()
    """1, 2, 3... per plan; version 1 is the plan as it was before its first edit on the web."""
    text: models.TextField[str, str] = models.TextField()
    """The plan's canonical YAML (``yamlio.dump_plan``): exactly what was saved to the file."""
    made_by: models.ForeignKey[Any, Any] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    """Who saved it; empty for a plan file that was not saved through the web (bundled, or
    imported on the command line)."""
    made_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(default=timezone.now)
    summary: models.CharField[str, str] = models.CharField(max_length=SUMMARY_CHARS)
    """What changed, in one line: "Target for cpp_18m_plus 2024-25: 20 → 15"."""
    restores: models.PositiveIntegerField[int | None, int | None] = models.PositiveIntegerField(
        null=True, blank=True
    )
    """The version this one went back to, for a revert."""

    class Meta:
        ordering: ClassVar[list[str]] = ["plan_id", "-number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["plan_id", "number"], name="one_number_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} version {self.number}"
