"""What the tracker keeps: one item per planned intervention of a plan, its milestones and its
dated progress updates.

Interventions have no id in a plan (``plans.model.Intervention``), so an item is keyed by the
plan, the priority and the intervention's position in it, and keeps the title it had, so that
a plan edited later (an intervention moved, reworded or removed) can be matched up again
(``rules.sync``). Items are never deleted: one no longer in the plan is set aside with its
history (``in_plan`` false).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models

from safeplan.web.accounts.models import Agency

if TYPE_CHECKING:  # what Django adds to the classes, for mypy (django-stubs, no plugin)
    from django.db.models.fields.related_descriptors import RelatedManager

MAX_TEXT = 2000
MAX_URL = 500
https_only = URLValidator(schemes=["https"], message="Enter a link that starts with https://")
"""Evidence links must be https: a plain http link can be changed on its way to the reader."""


class Status(models.TextChoices):
    """How an intervention is going, as its lead agency last said."""

    not_started = "not_started", "Not started"
    on_track = "on_track", "On track"
    at_risk = "at_risk", "At risk"
    off_track = "off_track", "Off track"
    complete = "complete", "Complete"


NEEDS_ATTENTION = (Status.off_track, Status.at_risk)


class Item(models.Model):
    """One planned intervention of one plan, as tracked."""

    plan_id: models.CharField[str, str] = models.CharField(max_length=100)
    priority_id: models.CharField[str, str] = models.CharField(max_length=100)
    position: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField()
    title: models.CharField[str, str] = models.CharField(max_length=500)
    in_plan: models.BooleanField[bool, bool] = models.BooleanField(default=True)
    lead_agency: models.ForeignKey[Agency | None, Agency | None] = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="tracker_items"
    )
    owner: models.CharField[str, str] = models.CharField(max_length=200, blank=True)
    status: models.CharField[str, str] = models.CharField(
        max_length=20, choices=Status.choices, default=Status.not_started
    )
    updated_at: models.DateTimeField[Any, Any] = models.DateTimeField(auto_now=True)
    lead_agency_id: int | None
    milestones: RelatedManager[Milestone]
    updates: RelatedManager[ProgressUpdate]

    class Meta:
        ordering: ClassVar[list[str]] = ["plan_id", "priority_id", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["plan_id", "priority_id", "position"],
                condition=models.Q(in_plan=True),
                name="one_item_per_intervention",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.plan_id})"


class Milestone(models.Model):
    """A dated step of an item; done once it has a done date."""

    item: models.ForeignKey[Item, Item] = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="milestones"
    )
    title: models.CharField[str, str] = models.CharField(max_length=200)
    due: models.DateField[datetime.date, datetime.date] = models.DateField()
    done_on: models.DateField[datetime.date | None, datetime.date | None] = models.DateField(
        null=True, blank=True
    )
    item_id: int

    class Meta:
        ordering: ClassVar[list[str]] = ["due", "pk"]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due:%Y-%m-%d})"

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def overdue(self, today: datetime.date) -> bool:
        """Past its due date and not done; a complete item's milestones are never overdue."""
        return not self.done and self.due < today and self.item.status != Status.complete


class ProgressUpdate(models.Model):
    """What the lead agency said had happened, on a date, with the status it set."""

    item: models.ForeignKey[Item, Item] = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="updates"
    )
    date: models.DateField[datetime.date, datetime.date] = models.DateField()
    text: models.TextField[str, str] = models.TextField(max_length=MAX_TEXT)
    evidence_url: models.URLField[str, str] = models.URLField(
        max_length=MAX_URL, blank=True, validators=[https_only]
    )
    author: models.ForeignKey[Any, Any] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status: models.CharField[str, str] = models.CharField(max_length=20, choices=Status.choices)
    created_at: models.DateTimeField[Any, Any] = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-date", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"update on {self.item} ({self.date:%Y-%m-%d})"
