"""Saving a plan from the web, all or nothing: a new version in the history, the plan file
written (``library.save``), and an audit entry, in one database transaction.

The file stays the plan's truth (the CLI, the scorecard and the public pages read it); the
history is the record of how it got there. A plan's first edit first records the file as it
was (the bundled or imported plan) as version 1, so a revert can always go back to it; a file
changed outside the web editor since the last version is recorded the same way before the next
change, so the history never skips a state the plan was in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from safeplan.plans import library
from safeplan.plans.model import Plan
from safeplan.plans.yamlio import PlanFileError, dump_plan, parse_plan
from safeplan.web.audit.trail import record
from safeplan.web.editor import changes
from safeplan.web.editor.models import SUMMARY_CHARS, PlanVersion

PLAN_CHANGE = "plan-change"  # the audit action of every save, revert, import and new plan
FROM_BUNDLED = "The bundled plan file, as it was before any edit on the web"
FROM_IMPORTED = "The imported plan file, as it was before any edit on the web"
FROM_OUTSIDE = (
    "The plan file as changed outside the web editor (for example by a command-line import)"
)


class SaveError(Exception):
    """A save that changed nothing, with a message for the person who tried."""


def digest(text: str) -> str:
    """A short fingerprint of a plan's YAML: forms carry the one they were drawn from, so a
    save over someone else's newer change is refused rather than silently undoing it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class Current:
    """A plan as it is now: the parsed plan, its canonical YAML and where the file came from."""

    plan: Plan
    text: str
    bundled: bool
    modified: datetime

    @property
    def digest(self) -> str:
        return digest(self.text)


def current(plan_id: str) -> Current:
    """The plan as the library has it now; raises library.UnknownPlanError."""
    for entry in library.entries():
        if entry.plan.id == plan_id:
            stamp = datetime.fromtimestamp(entry.path.stat().st_mtime, tz=UTC)
            return Current(entry.plan, dump_plan(entry.plan), entry.bundled, stamp)
    raise library.UnknownPlanError(plan_id, [e.plan.id for e in library.entries()])


def _find(plan_id: str) -> Current | None:
    try:
        return current(plan_id)
    except library.UnknownPlanError:
        return None


def _baseline(now: Current, number: int) -> PlanVersion:
    """The plan file as it is, as an (unsaved) version made by nobody on the web."""
    what = (FROM_BUNDLED if now.bundled else FROM_IMPORTED) if number == 1 else FROM_OUTSIDE
    return PlanVersion(
        plan_id=now.plan.id, number=number, text=now.text, summary=what, made_at=now.modified
    )


def history(plan_id: str, now: Current | None = None) -> list[PlanVersion]:
    """Every version, newest first. A plan never edited on the web has one: its file, shown as
    version 1 (not stored until the first edit). A file changed outside the editor since the
    last version shows as the newest version, also not stored until the next save."""
    found = list(
        PlanVersion.objects.filter(plan_id=plan_id).select_related("made_by").order_by("-number")
    )
    now = now or _find(plan_id)
    if now is not None and (not found or found[0].text != now.text):
        found.insert(0, _baseline(now, found[0].number + 1 if found else 1))
    return found


def version(plan_id: str, number: int) -> PlanVersion | None:
    """One version by number, including one shown but not yet stored (see ``history``)."""
    return next((v for v in history(plan_id) if v.number == number), None)


def _record_outside_state(now: Current) -> PlanVersion:
    """Store the file as it is if the history does not end with it; the history's newest."""
    latest = PlanVersion.objects.filter(plan_id=now.plan.id).order_by("-number").first()
    if latest is not None and latest.text == now.text:
        return latest
    shown = _baseline(now, latest.number + 1 if latest else 1)
    shown.save()
    return shown


def save(
    user: Any,
    plan: Plan,
    request: HttpRequest | None,
    *,
    summary: str | None = None,
    restores: int | None = None,
    detail: dict[str, Any] | None = None,
) -> PlanVersion | None:
    """Version, write and audit a plan that has passed validation (a ``Plan`` cannot exist
    otherwise). None when it is the same as the plan now: nothing is saved or recorded.

    Raises SaveError when someone saved the same plan at the same moment, or the file cannot
    be written; then nothing has changed."""
    text = dump_plan(plan)
    try:
        with transaction.atomic():
            now = _find(plan.id)
            if now is not None:
                latest: PlanVersion | None = _record_outside_state(now)
                if now.text == text:
                    return None
            else:
                latest = PlanVersion.objects.filter(plan_id=plan.id).order_by("-number").first()
            what = summary or changes.summary(now.plan if now else None, plan)
            if len(what) > SUMMARY_CHARS:
                what = what[: SUMMARY_CHARS - 1] + "…"
            made = PlanVersion.objects.create(
                plan_id=plan.id,
                number=latest.number + 1 if latest else 1,
                text=text,
                made_by=user,
                summary=what,
                restores=restores,
            )
            record(
                user,
                PLAN_CHANGE,
                plan.id,
                {"version": made.number, "summary": what, **(detail or {})},
                request=request,
            )
            library.save(plan)  # last: if writing fails, the version and audit entry roll back
    except IntegrityError as exc:
        raise SaveError(
            "Someone else saved this plan at the same moment. Nothing was saved: check the "
            "plan's history, then make your change again."
        ) from exc
    except OSError as exc:
        raise SaveError(
            f"The plan file could not be written ({exc.strerror}). Nothing was saved."
        ) from exc
    return made


def revert(user: Any, plan_id: str, number: int, request: HttpRequest | None) -> PlanVersion | None:
    """Save an older version's YAML as a new version (the history only grows). None when the
    plan is already the same as that version."""
    old = version(plan_id, number)
    if old is None:
        raise SaveError(f"The plan has no version {number}.")
    try:
        plan = parse_plan(old.text, f"version {number} of {plan_id}")
    except PlanFileError as exc:  # the plan rules have changed since it was saved
        first = exc.problems[0]
        raise SaveError(
            f"Version {number} is not a valid plan under today's rules ({first.path}: "
            f"{first.message}), so it cannot be restored."
        ) from exc
    now = _find(plan_id)
    what = changes.summary(now.plan if now else None, plan)
    return save(
        user, plan, request, summary=f"Reverted to version {number}: {what}", restores=number
    )
