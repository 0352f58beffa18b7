"""Login rate limiting, read from the audit trail (so every web process agrees, with no cache
server to run): five failed sign-ins for one username from one address within 15 minutes lock
that username at that address until the failures age out of the 15-minute window; a success
clears them. One address failing 50 times within 15 minutes, across any usernames (credential
stuffing), is locked too. Locking per address as well as per username means an attacker
elsewhere cannot lock a user out of their own office.

Written here rather than with django-axes: the audit trail already records every failure with
its address, so the limiter is two indexed queries; axes would add its own tables, middleware
and an authentication backend, and render its lockout page with Django templates.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from django.utils import timezone

from safeplan.web.audit.models import Entry
from safeplan.web.audit.trail import Action

WINDOW: Final = timedelta(minutes=15)
PER_ACCOUNT: Final = 5
PER_ADDRESS: Final = 50


def locked(username: str, ip: str | None) -> bool:
    """Is signing in as this username from this address refused for now?"""
    since = timezone.now() - WINDOW
    failures = Entry.objects.filter(action=Action.sign_in_failed, at__gte=since, ip=ip)
    if failures.count() >= PER_ADDRESS:
        return True
    last_success = (
        Entry.objects.filter(action=Action.sign_in, target__iexact=username, ip=ip)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    mine = failures.filter(target__iexact=username)
    if last_success is not None:
        mine = mine.filter(seq__gt=last_success)
    return mine.count() >= PER_ACCOUNT
