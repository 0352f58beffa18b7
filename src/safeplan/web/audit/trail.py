"""Appending to the audit trail and checking it.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical fields
(sequence number, time, actor, action, target, detail, IP). Sequence numbers are unique and
contiguous from 1, so two processes appending at once cannot fork the chain: the loser of the
race hits the unique constraint and tries again on the new head.

What the chain proves: an edited entry, a removed entry or one slipped in between no longer
verifies. Removing the newest entries leaves a shorter chain that still verifies: compare the
head (``head()``, shown on the audit page and in every export) with one noted earlier.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from safeplan.web.audit.models import GENESIS, Entry

RETRIES = 5


class Action:
    """The actions the web app records (free text is allowed for new ones)."""

    sign_in = "sign-in"
    sign_in_failed = "sign-in-failed"
    sign_in_refused = "sign-in-refused"  # too many failures: locked out
    sign_out = "sign-out"
    view = "view"
    export = "export"


def actor_name(actor: Any) -> str:
    """A user's username, a name given as text, or "" for nobody (the public, the system)."""
    if actor is None:
        return ""
    if isinstance(actor, str):
        return actor[:150]
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_username())[:150]
    return ""


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or behind the TLS proxy that SAFEPLAN_HTTPS trusts,
    the address that proxy added last to X-Forwarded-For (the only one it vouches for)."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        candidate = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def canonical_detail(detail: Mapping[str, Any] | str | None) -> str:
    if detail is None:
        return ""
    if isinstance(detail, str):
        return detail
    return json.dumps(
        detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


def record(
    actor: Any,
    action: str,
    target: str = "",
    detail: Mapping[str, Any] | str | None = None,
    *,
    request: HttpRequest | None = None,
    ip: str | None = None,
) -> Entry:
    """Append one entry: who (a user, a name, or None), did what, to what, with what detail
    (a small mapping, stored as canonical JSON), from where (the request's client IP)."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    text = canonical_detail(detail)
    address = ip if ip is not None else client_ip(request)
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                last = Entry.objects.order_by("-seq").only("seq", "hash").first()
                entry = Entry(
                    seq=(last.seq + 1) if last else 1,
                    at=timezone.now(),
                    actor=actor_name(actor),
                    action=action[:64],
                    target=target[:255],
                    detail=text,
                    ip=address,
                    prev_hash=last.hash if last else GENESIS,
                )
                entry.hash = entry.compute_hash()
                entry.save()
                return entry
        except IntegrityError:  # another process appended first: chain onto its entry
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    problem: str = ""
    seq: int | None = None  # the first entry that fails


def verify_chain() -> Verification:
    """Walk the whole trail from the first entry: each must follow on from the one before
    (sequence and previous hash) and hash to its stored hash."""
    expected_seq, prev = 1, GENESIS
    count = 0
    for entry in Entry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if entry.seq != expected_seq:
            return Verification(False, count, f"entry {expected_seq} is missing", expected_seq)
        if entry.prev_hash != prev:
            return Verification(False, count, "does not follow on from the entry before", entry.seq)
        if entry.compute_hash() != entry.hash:
            return Verification(False, count, "was changed after it was recorded", entry.seq)
        prev, expected_seq = entry.hash, expected_seq + 1
    return Verification(True, count)


def head() -> tuple[int, str]:
    """The newest entry's sequence number and hash: (0, GENESIS) for an empty trail."""
    last = Entry.objects.order_by("-seq").only("seq", "hash").first()
    return (last.seq, last.hash) if last else (0, GENESIS)
