"""Agencies and their users. Each user belongs to one agency and has exactly one role; the
role alone decides what the user may see (``access.py``), not Django's staff/superuser flags.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from safeplan.vocabulary import AGENCIES
from safeplan.vocabulary import AgencyKind as AgencyKind  # the kinds, declared once

AGENCY_CHOICES = [(str(kind), label.short) for kind, label in AGENCIES.items()]


class Role(models.TextChoices):
    """What a signed-in user may do. The public needs no account."""

    admin = "admin", "Administrator"
    analyst = "analyst", "Performance analyst"
    contributor = "contributor", "Contributor"
    board = "board", "Board member"


class Agency(models.Model):
    """A partner agency: the council, the ICB, the police, schools, the voluntary sector."""

    name: models.CharField[str, str] = models.CharField(max_length=200, unique=True)
    kind: models.CharField[str, str] = models.CharField(max_length=20, choices=AGENCY_CHOICES)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return str(self.name)


class SafePlanUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("role", Role.admin)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A partner's user: one agency, one role."""

    agency: models.ForeignKey[Agency | None, Agency | None] = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, related_name="users"
    )
    role: models.CharField[str, str] = models.CharField(max_length=20, choices=Role.choices)

    objects: ClassVar[SafePlanUserManager] = SafePlanUserManager()

    REQUIRED_FIELDS: ClassVar[list[str]] = ["email", "role"]
