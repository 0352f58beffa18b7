"""The audit trail: append-only and tamper-evident, each entry chained to the one before by an
HMAC-SHA256 under a key kept outside the web database. ``record(actor, action, target,
detail)`` is the one way in; ``verify_chain()`` checks that no entry was edited, removed or
inserted out of order, and that no exported head was cut off.

Sign-ins, failures and sign-outs are recorded from Django's auth signals (``signals.py``), so
any way of signing in (a password, single sign-on) is audited the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from safeplan.web.audit.models import Entry
    from safeplan.web.audit.trail import Verification


def record(actor: Any, action: str, target: str = "", detail: Any = None, **kw: Any) -> Entry:
    """Append an entry (see ``trail.record``; imported late so that apps can load first)."""
    from safeplan.web.audit import trail

    return trail.record(actor, action, target, detail, **kw)


def verify_chain() -> Verification:
    from safeplan.web.audit import trail

    return trail.verify_chain()
