"""An upload: the files one person sent at once, and what became of each."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class Upload(models.Model):
    uploaded_by: models.ForeignKey[Any, Any] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at: models.DateTimeField[Any, Any] = models.DateTimeField(auto_now_add=True)
    outcomes: models.JSONField[Any, Any] = models.JSONField(default=list)
    """One dict per file, in the order sent: ``service.Outcome`` as data."""
    pending: models.CharField[Any, Any] = models.CharField(max_length=32, blank=True, default="")
    """The token of the files kept while a replacement waits for confirmation; "" if none."""

    class Meta:
        ordering: ClassVar[list[str]] = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"upload {self.pk} by {self.uploaded_by}"
