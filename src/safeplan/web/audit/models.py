"""An audit entry. Entries are only ever added: the ORM refuses to change or delete one, and a
change made behind its back (raw SQL) breaks the hash chain, which ``verify_chain`` finds."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, ClassVar, NoReturn

from django.db import models

GENESIS = "0" * 64
"""The previous hash of the first entry."""


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete an audit entry."""


class EntryQuerySet(models.QuerySet["Entry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries are added one at a time, by audit.record")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")


class Entry(models.Model):
    seq: models.PositiveBigIntegerField[int, int] = models.PositiveBigIntegerField(unique=True)
    at: models.DateTimeField[datetime, datetime] = models.DateTimeField(db_index=True)
    actor: models.CharField[str, str] = models.CharField(max_length=150, blank=True)
    action: models.CharField[str, str] = models.CharField(max_length=64)
    target: models.CharField[str, str] = models.CharField(max_length=255, blank=True)
    detail: models.TextField[str, str] = models.TextField(
        blank=True
    )  # canonical JSON, hashed exactly as stored
    ip: models.GenericIPAddressField[str | None, str | None] = models.GenericIPAddressField(
        null=True, blank=True
    )
    prev_hash: models.CharField[str, str] = models.CharField(max_length=64)
    hash: models.CharField[str, str] = models.CharField(max_length=64, unique=True)

    objects: ClassVar[models.Manager[Entry]] = EntryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-seq"]
        verbose_name_plural = "entries"
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["action", "target", "at"], name="audit_action_target_at"),
            models.Index(fields=["action", "ip", "at"], name="audit_action_ip_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.target}"

    def canonical(self) -> str:
        """The entry's fields as one canonical JSON text (the hash covers exactly this)."""
        at = self.at.astimezone(UTC).isoformat(timespec="microseconds")
        fields = [self.seq, at, self.actor, self.action, self.target, self.detail, self.ip or ""]
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))

    def compute_hash(self) -> str:
        text = f"{self.prev_hash}\n{self.canonical()}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("audit entries cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")
