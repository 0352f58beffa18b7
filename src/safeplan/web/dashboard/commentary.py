"""Who may read and write commentary, and how it moves from draft to approved.

- The owning agency writes: a contributor, analyst or administrator whose agency is of the
  kind that owns the measure (``Measure.owner``: the police for repeat missing episodes,
  health for initial health assessments, the council for the statutory returns...).
- Drafts and submitted pieces are seen by that agency's writers and by administrators only;
  approved pieces by every signed-in user (and later the board report). A board member sees
  only approved pieces, their own agency's included: the board reads what was approved.
- Draft → submitted (by the writer) → approved (by an administrator) or sent back to draft.
  Editing approved text puts it back to draft, so nothing unapproved reaches the board.
- Approval is for the partners. The public board report prints a piece only when the approver,
  having seen the small-number check's findings (``publish.smallnumbers``), also confirms it for
  the public; text with a finding cannot be confirmed and stays partner-only. The report checks
  again as it prints (``publish.report.printed``), so a confirmation never carries failing text.
Every change is written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from safeplan.measures.model import Measure
from safeplan.publish import report
from safeplan.publish.smallnumbers import Finding, findings
from safeplan.web.accounts.access import role_of
from safeplan.web.accounts.models import Role
from safeplan.web.audit.trail import record
from safeplan.web.dashboard.models import Commentary, Status

WRITERS = frozenset({Role.contributor, Role.analyst, Role.admin})
ACTION = "commentary"


class NotPublishable(ValueError):
    """A confirmation for the public refused: the text has small numbers, or is not approved."""


def public_preview(agency: str, text: str) -> tuple[report.Note, list[Finding]]:
    """What the public board report would print for this text once confirmed for the public,
    and the check's findings: the report's own ``printed``, so the preview cannot differ."""
    return report.printed(report.Note(agency, text, public=True), public=True), findings(text)


def may_write(user: Any, measure: Measure) -> bool:
    agency = getattr(user, "agency", None)
    return role_of(user) in WRITERS and agency is not None and agency.kind == measure.owner


def may_approve(user: Any) -> bool:
    return role_of(user) is Role.admin


def visible(user: Any, plan_id: str, measure_id: str) -> QuerySet[Commentary]:
    """The measure's commentary this user may read, newest quarter first."""
    pieces = Commentary.objects.filter(plan_id=plan_id, measure_id=measure_id).select_related(
        "agency"
    )
    if role_of(user) is Role.admin:
        return pieces
    writer = role_of(user) in WRITERS and getattr(user, "agency_id", None)
    own = Q(agency_id=user.agency_id) if writer else Q(pk__in=[])
    return pieces.filter(Q(status=Status.approved) | own)


def mine(user: Any, plan_id: str, measure_id: str, period: str) -> Commentary | None:
    """The user's agency's piece for the quarter, if there is one."""
    return Commentary.objects.filter(
        plan_id=plan_id, measure_id=measure_id, period=period, agency_id=user.agency_id
    ).first()


def save(
    user: Any, plan_id: str, measure_id: str, period: str, text: str, submit: bool, request: Any
) -> Commentary:
    """Write the agency's piece as a draft, or submit it for approval."""
    piece = mine(user, plan_id, measure_id, period) or Commentary(
        plan_id=plan_id, measure_id=measure_id, period=period, agency=user.agency
    )
    piece.text = text
    piece.written_by = user
    piece.status = Status.submitted if submit else Status.draft
    piece.approved_by, piece.approved_at = None, None
    piece.public, piece.public_by, piece.public_at = False, None, None
    piece.save()
    _audit(request, piece, "submitted" if submit else "saved as draft")
    return piece


def decide(piece: Commentary, approve: bool, request: Any, *, public: bool = False) -> None:
    """An administrator approves a submitted piece, or sends it back to draft; approving, they
    may also confirm it for the public report, which only text passing the check can be."""
    if public and not (approve and not findings(piece.text)):
        raise NotPublishable("only approved text with no small numbers can be made public")
    now = timezone.now()
    if approve:
        piece.status = Status.approved
        piece.approved_by, piece.approved_at = request.user, now
    else:
        piece.status = Status.draft
    piece.public, piece.public_by, piece.public_at = (
        (True, request.user, now) if public else (False, None, None)
    )
    piece.save()
    _audit(request, piece, "approved" if approve else "sent back to draft")
    if public:
        _audit(request, piece, "confirmed for the public report")


def _audit(request: Any, piece: Commentary, what: str) -> None:
    record(
        request.user,
        ACTION,
        f"{piece.plan_id}/{piece.measure_id}/{piece.period}",
        {
            "agency": piece.agency.name,
            "change": what,
            "status": piece.status,
            "public": piece.public,
            "small_numbers": len(findings(piece.text)),
        },
        request=request,
    )
