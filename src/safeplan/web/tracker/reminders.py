"""Reminders for the business manager: what is due soon, overdue or slipping, and e-mails to
the lead agencies' people who report on it.

Each lead agency's contributors, analysts and administrators with an e-mail address get one
e-mail listing that agency's items: they are the people who can post the update it asks for
(board members are not sent action reminders). Items with no lead agency reach nobody: the page
says so, so that someone sets one. The e-mail goes through Django's configured backend
(``SAFEPLAN_EMAIL_BACKEND``: the console by default, so nothing leaves the machine until a
deployment names a mail server).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail

from safeplan.web.accounts.models import Agency, User
from safeplan.web.tracker.models import Item, Milestone
from safeplan.web.tracker.rules import REPORTERS, Concern, concerns, due_soon

Line = tuple[Item, str]  # an item and why it is listed


@dataclass(frozen=True)
class Reminders:
    """Everything to remind people of on a day."""

    today: datetime.date
    soon: list[Milestone]
    concerns: list[Concern]

    def lines(self) -> dict[Agency | None, list[Line]]:
        """Each lead agency's lines (None: items with no lead agency), most pressing first."""
        found: dict[Agency | None, list[Line]] = {}
        for concern in self.concerns:
            for reason in concern.reasons:
                found.setdefault(concern.item.lead_agency, []).append((concern.item, reason))
        for milestone in self.soon:
            reason = f"Milestone due soon: {milestone.title} (due {milestone.due:%-d %B %Y})"
            found.setdefault(milestone.item.lead_agency, []).append((milestone.item, reason))
        return found

    def __bool__(self) -> bool:
        return bool(self.soon or self.concerns)


def gather(today: datetime.date, plan_ids: Iterable[str] | None = None) -> Reminders:
    ids = list(plan_ids) if plan_ids is not None else None
    return Reminders(today, due_soon(today, ids), concerns(today, ids))


def recipients(agency: Agency) -> tuple[list[str], int]:
    """The agency's reporters' e-mail addresses, and how many of them have none."""
    people = User.objects.filter(
        is_active=True, agency=agency, role__in=[r.value for r in REPORTERS]
    )
    addresses = sorted({u.email for u in people if u.email})
    return addresses, sum(1 for u in people if not u.email)


@dataclass(frozen=True)
class Recipients:
    """Who a lead agency's reminders go to (agency None: items with no lead agency)."""

    agency: Agency | None
    lines: int
    emails: int
    without_address: int


def who(reminders: Reminders) -> list[Recipients]:
    """Each lead agency with something to be reminded of, by name; no lead agency last."""
    out = []
    for agency, lines in reminders.lines().items():
        addresses, missing = recipients(agency) if agency else ([], 0)
        out.append(Recipients(agency, len(lines), len(addresses), missing))
    return sorted(out, key=lambda r: (r.agency is None, r.agency.name if r.agency else ""))


@dataclass
class Sent:
    """What sending reminders did."""

    emails: int = 0
    agencies: list[str] = field(default_factory=list)
    without_address: int = 0  # people who would have been sent one but have no e-mail address
    no_lead_agency: int = 0  # lines nobody could be sent

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


def send(reminders: Reminders, link: Callable[[Item], str]) -> Sent:
    """E-mail each lead agency's reporters its lines, one e-mail per person (no one sees
    another's address); ``link`` gives an item page's full URL. Counts what the backend took."""
    sent = Sent()
    messages = []
    for agency, lines in reminders.lines().items():
        if agency is None:
            sent.no_lead_agency = len(lines)
            continue
        addresses, missing = recipients(agency)
        sent.without_address += missing
        if not addresses:
            continue
        sent.agencies.append(agency.name)
        words = "action needs" if len(lines) == 1 else "actions need"
        subject = f"SafePlan: {len(lines)} {words} attention"
        body = _body(agency, lines, link, reminders.today)
        messages += [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in addresses]
    sent.emails = send_mass_mail(messages, fail_silently=False) if messages else 0
    return sent


def _body(
    agency: Agency, lines: list[Line], link: Callable[[Item], str], today: datetime.date
) -> str:
    partnership = getattr(settings, "PARTNERSHIP_NAME", "The safeguarding partnership")
    out = [
        f"These actions led by {agency.name} need attention ({today:%-d %B %Y}).",
        "Please post a progress update on each: sign in to SafePlan, then open its link.",
        "",
    ]
    for item, reason in lines:
        out += [f"- {item.title}: {reason}", f"  {link(item)}", ""]
    out += [f"{partnership}, through SafePlan"]
    return "\n".join(out)
