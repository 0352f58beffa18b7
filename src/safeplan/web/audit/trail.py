"""Appending to the audit trail and checking it.

Each entry's hash is an HMAC-SHA256, under the audit key (settings.AUDIT_KEY: kept outside the
web database), of the previous entry's hash and the entry's canonical fields (sequence number,
time, actor, action, target, detail, IP). Sequence numbers are unique and contiguous from 1,
so two processes appending at once cannot fork the chain: the loser of the race hits the
unique constraint and tries again on the new head.

What the chain proves: an edited entry, a removed entry or one slipped in between no longer
verifies, even if whoever edited it recomputed every later hash, unless they also hold the
key. Removing the newest entries leaves a shorter chain that still verifies, so the head is
exported on a schedule (``export_head``: a line appended to a file the web app cannot write,
``safeplan audit head --export`` from cron) and ``verify_chain`` checks every exported head
is still in the chain.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from safeplan.web.audit.models import GENESIS, KEYED, UNKEYED, Entry

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
                    scheme=KEYED,
                )
                entry.hash = entry.compute_hash(settings.AUDIT_KEY)
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


def verify_chain(heads: Path | None = None) -> Verification:
    """Walk the whole trail from the first entry: each must follow on from the one before
    (sequence and previous hash) and hash, under the audit key, to its stored hash; an entry
    made before the key may use plain SHA-256 only before the first keyed one. Then every
    head exported to ``heads`` (default settings.AUDIT_HEADS) must still be in the chain."""
    expected_seq, prev = 1, GENESIS
    count = 0
    keyed = False
    seen: dict[int, str] = {}
    wanted = _exported(heads or Path(settings.AUDIT_HEADS))
    for entry in Entry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if entry.seq != expected_seq:
            return Verification(False, count, f"entry {expected_seq} is missing", expected_seq)
        if entry.prev_hash != prev:
            return Verification(False, count, "does not follow on from the entry before", entry.seq)
        if (entry.scheme == UNKEYED and keyed) or entry.scheme not in (KEYED, UNKEYED):
            return Verification(False, count, "is not chained by the audit key", entry.seq)
        keyed = keyed or entry.scheme == KEYED
        if not hmac.compare_digest(entry.compute_hash(settings.AUDIT_KEY), entry.hash):
            return Verification(False, count, "was changed after it was recorded", entry.seq)
        if entry.seq in wanted:
            seen[entry.seq] = entry.hash
        prev, expected_seq = entry.hash, expected_seq + 1
    for seq, digest in sorted(wanted.items()):
        if seen.get(seq) != digest:
            why = "is gone: the trail was cut short" if seq not in seen else "was replaced"
            return Verification(False, count, f"the head exported at entry {seq} {why}", seq)
    return Verification(True, count)


def _exported(path: Path) -> dict[int, str]:
    """The heads appended to ``path`` (one JSON object a line): sequence number → hash."""
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            found = json.loads(line)
            out[int(found["seq"])] = str(found["hash"])
    return out


def export_head(path: Path | None = None) -> tuple[int, str]:
    """Append the trail's head (sequence number, hash, time) to ``path`` (default
    settings.AUDIT_HEADS), for ``verify_chain`` to find a tail cut off later. Run it on a
    schedule (``safeplan audit head --export`` from cron), the file kept where the web app
    cannot write."""
    seq, digest = head()
    target = path or Path(settings.AUDIT_HEADS)
    target.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"seq": seq, "hash": digest, "at": timezone.now().isoformat()})
    with target.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    target.chmod(0o600)
    return seq, digest


def head() -> tuple[int, str]:
    """The newest entry's sequence number and hash: (0, GENESIS) for an empty trail."""
    last = Entry.objects.order_by("-seq").only("seq", "hash").first()
    return (last.seq, last.hash) if last else (0, GENESIS)
