"""API tokens: a key per user for tools that cannot sign in through a browser.

Only a SHA-256 digest of each key is kept, so a copy of the database does not give access;
the key itself is shown once, when it is made (`python -m safeplan.web api_token USER`).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

PREFIX = "sp_"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Token(models.Model):
    user: models.ForeignKey[Any, Any] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name: models.CharField[str, str] = models.CharField(max_length=100)
    key_digest: models.CharField[str, str] = models.CharField(max_length=64, unique=True)
    made_at: models.DateTimeField[Any, Any] = models.DateTimeField(auto_now_add=True)
    last_used: models.DateTimeField[Any, Any] = models.DateTimeField(null=True)
    revoked: models.BooleanField[bool, bool] = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-made_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @classmethod
    def issue(cls, user: Any, name: str) -> tuple[Token, str]:
        """A new token and its key (the only time the key exists in clear)."""
        key = PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_digest=digest(key)), key
