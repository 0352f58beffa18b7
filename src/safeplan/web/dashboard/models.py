"""Commentary: what the owning agency says about a measure's figure for a quarter.

One piece per plan × measure × quarter × agency. It is written as a draft, submitted, then
approved by an administrator before the board sees it; until approved it is seen only by the
agency that writes it and the administrators (``commentary.py`` holds the rules). Approval is for
the partners; the public board report prints a piece only if the approver also confirmed it for
the public (``public``, with who and when) and its text passes the small-number check.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from safeplan.web.accounts.models import Agency

MAX_WORDS = 300
MAX_CHARS = 3000


class Status(models.TextChoices):
    draft = "draft", "Draft"
    submitted = "submitted", "Submitted for approval"
    approved = "approved", "Approved"


class Commentary(models.Model):
    plan_id: models.CharField[str, str] = models.CharField(max_length=100)
    measure_id: models.CharField[str, str] = models.CharField(max_length=100)
    period: models.CharField[str, str] = models.CharField(max_length=20)  # e.g. "2025-Q1"
    agency: models.ForeignKey[Agency, Agency] = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="commentary"
    )
    text: models.TextField[str, str] = models.TextField(max_length=MAX_CHARS)
    status: models.CharField[str, str] = models.CharField(
        max_length=20, choices=Status.choices, default=Status.draft
    )
    written_by: models.ForeignKey[object, object] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at: models.DateTimeField[object, object] = models.DateTimeField(auto_now=True)
    approved_by: models.ForeignKey[object | None, object | None] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at: models.DateTimeField[object | None, object | None] = models.DateTimeField(
        null=True
    )
    public: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    public_by: models.ForeignKey[object | None, object | None] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    public_at: models.DateTimeField[object | None, object | None] = models.DateTimeField(null=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-period", "agency__name"]
        verbose_name_plural = "commentary"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["plan_id", "measure_id", "period", "agency"], name="one_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.period} ({self.agency})"
