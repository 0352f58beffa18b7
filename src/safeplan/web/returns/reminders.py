"""Reminders of data returns: an e-mail to the responsible analysts a few days before a
return is due, and again once it is overdue.

The responsible people are the active analysts of the agencies of the return's supplier
kind (the council's for the statutory returns; each partner template's ``agency``) who have
an e-mail address. Each person gets one e-mail listing their agencies' returns. Each return,
period and stage is reminded once, ever (``ReminderSent``), so a daily run (``safeplan
reminders send`` from cron) does not repeat itself; one with nobody to send to is tried again
the next day. ``send`` is the one way to send them: the command and the tracker's "Send
reminders" button both call it. Mail goes through Django's configured backend.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from safeplan.web.accounts.models import Role, User
from safeplan.web.audit.trail import record
from safeplan.web.returns.calendar import DUE, OVERDUE, Entry
from safeplan.web.returns.current import calendar_on
from safeplan.web.returns.models import ReminderSent, Stage

BEFORE = datetime.timedelta(days=10)  # the first reminder: this long before the due date
ACTION = "reminders"
TARGET = "returns/reminders"
PAGE = "/returns/"  # the calendar page, named in the e-mail (a command has no request)


def stage_of(entry: Entry, today: datetime.date) -> Stage | None:
    """Which reminder an entry calls for on ``today``, if any."""
    if entry.status == OVERDUE:
        return Stage.overdue
    if entry.status == DUE and entry.expected.due - today <= BEFORE:
        return Stage.before
    return None


def responsible(agency_kind: str) -> list[User]:
    """The active analysts of every agency of this kind."""
    return list(
        User.objects.filter(is_active=True, role=Role.analyst, agency__kind=agency_kind)
        .select_related("agency")
        .order_by("username")
    )


@dataclass
class Sent:
    """What sending reminders did."""

    emails: int = 0
    reminders: int = 0  # returns and periods reminded
    nobody: list[str] = field(default_factory=list)  # agency kinds with no analyst to send to
    without_address: int = 0  # responsible analysts with no e-mail address

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


Pending = tuple[Entry, Stage]


def pending(entries: Iterable[Entry], today: datetime.date) -> list[Pending]:
    """The reminders due on ``today`` that have not been sent before."""
    done = set(ReminderSent.objects.values_list("feed", "period", "stage"))
    out = []
    for entry in entries:
        stage = stage_of(entry, today)
        if stage is not None and (entry.ret.feed, entry.expected.period, stage) not in done:
            out.append((entry, stage))
    return out


def send(today: datetime.date, actor: Any = None) -> Sent:
    """Send the day's reminders, each once; recorded in the audit trail as ``actor``'s (a
    user, or a name such as "cron") when any went. Mail server errors (OSError) propagate,
    and nothing is marked sent then."""
    sent = Sent()
    by_kind: dict[str, list[Pending]] = {}
    for item in pending(calendar_on(today).entries, today):
        by_kind.setdefault(item[0].ret.agency, []).append(item)
    messages, reminded = [], []
    for kind, items in sorted(by_kind.items()):
        people = responsible(kind)
        addresses = sorted({u.email for u in people if u.email})
        sent.without_address += sum(1 for u in people if not u.email)
        if not addresses:
            sent.nobody.append(kind)
            continue
        subject, body = _message(items, today)
        messages += [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in addresses]
        reminded += [(entry, stage, len(addresses)) for entry, stage in items]
    if not messages:
        return sent
    with transaction.atomic():
        sent.emails = send_mass_mail(messages, fail_silently=False)
        for entry, stage, count in reminded:
            ReminderSent.objects.create(
                feed=entry.ret.feed, period=entry.expected.period, stage=stage, recipients=count
            )
    sent.reminders = len(reminded)
    record(actor, ACTION, TARGET, {"change": "data return reminders sent"} | sent.as_data())
    return sent


def _message(items: list[Pending], today: datetime.date) -> tuple[str, str]:
    partnership = getattr(settings, "PARTNERSHIP_NAME", "The safeguarding partnership")
    late = sum(1 for _e, stage in items if stage == Stage.overdue)
    count, what = (late, "overdue") if late else (len(items), "due soon")
    subject = f"SafePlan: {count} data {'return is' if count == 1 else 'returns are'} {what}"
    lines = [
        f"These data returns your agency supplies to the partnership are not in yet "
        f"({today:%-d %B %Y}).",
        "Please upload each (sign in to SafePlan, then Upload data), or tell the partnership "
        "when it will come.",
        "",
    ]
    for entry, stage in items:
        when = "overdue since" if stage == Stage.overdue else "due by"
        lines.append(
            f"- {entry.ret.title}, {entry.expected.label}: {when} {entry.expected.due:%-d %B %Y}"
        )
    lines += ["", f"What is missing from whom: {PAGE}", "", f"{partnership}, through SafePlan"]
    return subject, "\n".join(lines)
