"""An audit entry. Entries are only ever added: the ORM refuses to change or delete one, and a
change made behind its back (raw SQL) breaks the chain, which ``verify_chain`` finds. Each
entry is chained by an HMAC-SHA256 under the audit key (settings.AUDIT_KEY, kept outside the
web database), so someone who can write the database cannot recompute the chain after an edit;
entries made before the key (``scheme`` sha256) verify by plain SHA-256, and only before the
first keyed one."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any, ClassVar, NoReturn

from django.db import models

GENESIS = "0" * 64
"""The previous hash of the first entry."""
KEYED = "hmac-sha256"
UNKEYED = "sha256"  # entries recorded before the trail had a key


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
    scheme: models.CharField[str, str] = models.CharField(max_length=16, default=KEYED)

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

    def compute_hash(self, key: bytes) -> str:
        """The entry's link in the chain: HMAC-SHA256 under ``key`` of the previous hash and
        the canonical fields (plain SHA-256 for an entry recorded before the key)."""
        text = f"{self.prev_hash}\n{self.canonical()}".encode()
        if self.scheme == UNKEYED:
            return hashlib.sha256(text).hexdigest()
        return hmac.new(key, text, hashlib.sha256).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("audit entries cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")
