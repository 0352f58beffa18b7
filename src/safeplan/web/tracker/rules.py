"""The tracker's rules: who may change what, how a plan's interventions become items, and
what needs attention on a given day.

- Everyone signed in reads the tracker.
- The lead agency reports: a contributor, analyst or administrator of the item's lead agency
  posts progress updates and sets the status (administrators for any agency), as the owning
  agency writes commentary (``dashboard/commentary.py``). An item with no lead agency yet is
  reported on by administrators only.
- Analysts and administrators set an item up: its lead agency, owner and milestones.
- A milestone is overdue when it is not done and its due date has passed (and its item is not
  complete). Items at risk or off track, and overdue milestones, need attention.
Every change is written to the audit trail (``ACTION``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet

from safeplan.plans.model import Plan
from safeplan.web.accounts.access import role_of
from safeplan.web.accounts.models import Role
from safeplan.web.audit.trail import record
from safeplan.web.tracker.models import NEEDS_ATTENTION, Item, Milestone, Status

ACTION = "tracker"
REPORTERS = frozenset({Role.contributor, Role.analyst, Role.admin})
EDITORS = frozenset({Role.analyst, Role.admin})
SOON = datetime.timedelta(days=14)
"""Milestones due within this many days are listed for reminders."""


def may_update(user: Any, item: Item) -> bool:
    """May this user post a progress update (and set the status) on the item?"""
    role = role_of(user)
    if role is Role.admin:
        return True
    agency_id = getattr(user, "agency_id", None)
    return role in REPORTERS and agency_id is not None and agency_id == item.lead_agency_id


def may_edit(user: Any) -> bool:
    """May this user set items up (lead agency, owner, milestones)?"""
    return role_of(user) in EDITORS


def audit(request: Any, item: Item, change: str, **detail: Any) -> None:
    record(
        request.user,
        ACTION,
        f"tracker/items/{item.pk}",
        {"plan": item.plan_id, "priority": item.priority_id, "item": item.title, "change": change}
        | detail,
        request=request,
    )


def sync(plan: Plan) -> None:
    """Make an item for every intervention of the plan that has none, so the tracker lists all
    of them. Existing items follow the plan: matched by position and title, then by title (an
    intervention moved), then by position (reworded); items left over are set aside."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                _sync(plan)
            return
        except IntegrityError:  # someone else made the items at the same moment: match theirs
            if attempt:
                raise


def _sync(plan: Plan) -> None:
    existing: dict[str, list[Item]] = {}
    for item in Item.objects.filter(plan_id=plan.id, in_plan=True):
        existing.setdefault(item.priority_id, []).append(item)
    wanted_priorities = {p.id for p in plan.priorities}
    leftover = [i for pid, items in existing.items() if pid not in wanted_priorities for i in items]
    moves: list[tuple[Item, int, str]] = []
    new: list[Item] = []
    for priority in plan.priorities:
        wanted = {pos: i.title for pos, i in enumerate(priority.interventions)}
        mine = existing.get(priority.id, [])
        if len(mine) == len(wanted) and all(wanted.get(i.position) == i.title for i in mine):
            continue  # the usual case: nothing changed
        matched = _match(wanted, mine)
        for pos, title in wanted.items():
            found = matched.get(pos)
            if found is None:
                new.append(
                    Item(plan_id=plan.id, priority_id=priority.id, position=pos, title=title)
                )
            elif (found.position, found.title) != (pos, title):
                moves.append((found, pos, title))
        kept = {id(i) for i in matched.values()}
        leftover += [i for i in mine if id(i) not in kept]
    # Set aside first, so that moving items into freed positions breaks no unique constraint.
    for item in leftover + [m[0] for m in moves]:
        item.in_plan = False
        item.save(update_fields=["in_plan"])
    for item, pos, title in moves:
        item.position, item.title, item.in_plan = pos, title, True
        item.save(update_fields=["position", "title", "in_plan"])
    Item.objects.bulk_create(new)


def _match(wanted: Mapping[int, str], items: Iterable[Item]) -> dict[int, Item]:
    """Each wanted position's existing item: same position and title, else the same title,
    else the same position."""
    free = list(items)
    matched: dict[int, Item] = {}
    for by_position, by_title in ((True, True), (False, True), (True, False)):
        for pos, title in wanted.items():
            if pos in matched:
                continue
            found = next(
                (
                    i
                    for i in free
                    if (not by_position or i.position == pos) and (not by_title or i.title == title)
                ),
                None,
            )
            if found is not None:
                matched[pos] = found
                free.remove(found)
    return matched


def with_milestones(items: QuerySet[Item]) -> QuerySet[Item]:
    """Items with their lead agency and milestones (in due order) fetched at once."""
    return items.select_related("lead_agency").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due", "pk"))
    )


def next_milestone(item: Item) -> Milestone | None:
    """The earliest milestone not yet done."""
    return next((m for m in item.milestones.all() if not m.done), None)


def overdue(item: Item, today: datetime.date) -> list[Milestone]:
    """The item's milestones past their due date and not done (none for a complete item)."""
    if item.status == Status.complete:
        return []
    return [m for m in item.milestones.all() if not m.done and m.due < today]


@dataclass
class Concern:
    """An item that needs attention, and why."""

    item: Item
    overdue: list[Milestone] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.item.status in NEEDS_ATTENTION:
            out.append(str(Status(self.item.status).label))
        out += [f"Milestone overdue: {m.title} (due {m.due:%-d %B %Y})" for m in self.overdue]
        return out

    @property
    def rank(self) -> tuple[int, datetime.date]:
        """Off track first, then overdue, then at risk; older overdue dates first."""
        severity = 0 if self.item.status == Status.off_track else 1 if self.overdue else 2
        return severity, min((m.due for m in self.overdue), default=datetime.date.max)


def concerns(today: datetime.date, plan_ids: Iterable[str] | None = None) -> list[Concern]:
    """Every item (of these plans) at risk, off track or with an overdue milestone, most
    pressing first."""
    items = Item.objects.filter(in_plan=True).exclude(status=Status.complete)
    if plan_ids is not None:
        items = items.filter(plan_id__in=list(plan_ids))
    found = []
    for item in with_milestones(items):
        late = overdue(item, today)
        if late or item.status in NEEDS_ATTENTION:
            found.append(Concern(item, late))
    return sorted(found, key=lambda c: (c.rank, c.item.plan_id, c.item.title))


def due_soon(today: datetime.date, plan_ids: Iterable[str] | None = None) -> list[Milestone]:
    """Milestones not done, due from today to two weeks on, of items still in a plan."""
    milestones = Milestone.objects.filter(
        done_on__isnull=True,
        due__gte=today,
        due__lte=today + SOON,
        item__in_plan=True,
    ).exclude(item__status=Status.complete)
    if plan_ids is not None:
        milestones = milestones.filter(item__plan_id__in=list(plan_ids))
    return list(milestones.select_related("item", "item__lead_agency").order_by("due", "pk"))
