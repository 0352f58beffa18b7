"""What the admin sets for each partner file (how often, how soon after each period), and
which reminders have gone (so that a daily run never sends one twice)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

DEFAULT_WORKING_DAYS = 20  # a partner file is due 20 working days after its period ends


class Frequency(models.IntegerChoices):
    """How many periods a collection year (1 April to 31 March) is cut into."""

    quarterly = 4, "Quarterly"
    half_yearly = 2, "Every six months"
    yearly = 1, "Yearly"


class Schedule(models.Model):
    """A partner template's cadence, as the partnership agreed it with the supplier. A
    template with no row has the defaults (``calendar.DEFAULTS``)."""

    template: models.CharField[str, str] = models.CharField(max_length=60, unique=True)
    frequency: models.IntegerField[int, int] = models.IntegerField(
        choices=Frequency.choices, default=Frequency.quarterly
    )
    working_days: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        default=DEFAULT_WORKING_DAYS
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["template"]


class Stage(models.TextChoices):
    before = "before", "Due soon"
    overdue = "overdue", "Overdue"


class ReminderSent(models.Model):
    """One reminder of one return, for one period, at one stage: sent once, ever."""

    feed: models.CharField[str, str] = models.CharField(max_length=80)
    period: models.CharField[str, str] = models.CharField(max_length=20)
    stage: models.CharField[str, str] = models.CharField(max_length=10, choices=Stage.choices)
    sent_at: models.DateTimeField[Any, Any] = models.DateTimeField(auto_now_add=True)
    recipients: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["feed", "period", "stage"], name="reminder_once")
        ]
