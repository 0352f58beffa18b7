"""The survey's own records in the web app's database: the settings children answer from
(each with an unguessable link), each plan's questions, and a short-lived counter for the rate
limit, and the answers waiting to go to the store (``answers.py``), where the measures read
them.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, ClassVar

from django.db import models, transaction

from safeplan.web.survey.questions import DEFAULT_QUESTIONS


class SettingKind(models.TextChoices):
    school = "school", "School"
    college = "college", "College"
    youth_group = "youth_group", "Youth group"
    other = "other", "Other"


def new_token() -> str:
    """A random link token (144 bits): a setting's link cannot be guessed from another's."""
    return secrets.token_urlsafe(18)


class Setting(models.Model):
    """A school, college or group whose children answer through its own link and QR code.
    Its name is what the results and the measure's breakdown by setting show."""

    name: models.CharField[str, str] = models.CharField(max_length=120, unique=True)
    kind: models.CharField[str, str] = models.CharField(max_length=20, choices=SettingKind.choices)
    plan_id: models.CharField[str, str] = models.CharField(max_length=100)
    token: models.CharField[str, str] = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False
    )
    active: models.BooleanField[bool, bool] = models.BooleanField(default=True)
    created_at: models.DateTimeField[Any, Any] = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return str(self.name)


class Question(models.Model):
    """One question of a plan's survey, answered yes, not sure or no. The key is what the
    store keeps with each answer, so changing the words keeps the answers comparable."""

    plan_id: models.CharField[str, str] = models.CharField(max_length=100)
    key: models.SlugField[str, str] = models.SlugField(max_length=60)
    text: models.CharField[str, str] = models.CharField(max_length=200)
    position: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["plan_id", "position", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["plan_id", "key"], name="survey_question_key_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.key}"


class Attempt(models.Model):
    """One survey sent, for the rate limit only: a keyed hash of the sender's address and the
    setting, and when. Never linked to the answers, and deleted after an hour."""

    key: models.CharField[str, str] = models.CharField(max_length=64, db_index=True)
    at: models.DateTimeField[Any, Any] = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"attempt at {self.at}"


def questions_for(plan_id: str) -> list[Question]:
    """The plan's questions in order; the default four are saved the first time."""
    found = list(Question.objects.filter(plan_id=plan_id))
    if found:
        return found
    with transaction.atomic():
        for position, (key, text) in enumerate(DEFAULT_QUESTIONS):
            Question.objects.get_or_create(
                plan_id=plan_id, key=key, defaults={"text": text, "position": position}
            )
    return list(Question.objects.filter(plan_id=plan_id))


def new_key(plan_id: str, text: str) -> str:
    """A key for a new question, from its words ("Do you feel safe online?" →
    do_you_feel_safe_online), made unique within the plan."""
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:50].strip("_") or "question"
    taken = set(Question.objects.filter(plan_id=plan_id).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


class PendingAnswer(models.Model):
    """A child's answer to one question, kept here first and fed to the store after
    (``answers.feed``): the web app's database takes it at once, so no answer is refused
    while a load writes the store. It holds what the store's row holds, and nothing more.

    ``batch`` names the feed moving it (blank until one takes it). The store records each
    batch it has taken (``sp_survey_batches``), so a feed that stopped half-way is finished by
    the next, and no answer is stored twice."""

    plan_id: models.CharField[str, str] = models.CharField(max_length=100)
    setting: models.CharField[str, str] = models.CharField(max_length=120)
    question: models.CharField[str, str] = models.CharField(max_length=60)
    answer: models.CharField[str, str] = models.CharField(max_length=20)
    age_band: models.CharField[str, str] = models.CharField(max_length=40)
    answered_on: models.DateField[Any, Any] = models.DateField()
    batch: models.CharField[str, str] = models.CharField(
        max_length=32, blank=True, default="", db_index=True
    )

    def __str__(self) -> str:
        return f"answer to {self.question} ({self.batch or 'waiting'})"
