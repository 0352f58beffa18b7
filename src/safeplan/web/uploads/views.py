"""The upload pages: send files (analysts and administrators), see what became of each,
confirm (or cancel) an upload that replaces earlier loads, download a load's findings in
full, and undo a load (administrators). Every upload, confirmation, undo and download is
audited."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from safeplan.config import settings
from safeplan.ingest.findings import write_findings
from safeplan.web.accounts.access import allow, forbidden, may_see_records, role_of, supplier_of
from safeplan.web.accounts.models import Role
from safeplan.web.audit.trail import Action, record
from safeplan.web.errors import field_errors
from safeplan.web.uploads import limits, service
from safeplan.web.uploads.models import Upload

UPLOADERS = (Role.analyst, Role.admin)
ACCEPT = ".xml,.csv,.xlsx"
STATUS_TAGS = {
    "loaded": ("Loaded", "govuk-tag--green"),
    "unchanged": ("Already loaded", "govuk-tag--grey"),
    "refused": ("Refused", "govuk-tag--red"),
    "held": ("Waiting for you to confirm", "govuk-tag--yellow"),
}
FEWER = "Tick the box to confirm that the files should replace loads with many more records"


def _form(request: HttpRequest, errors: list[dict[str, str]], year: str = "") -> HttpResponse:
    context: dict[str, Any] = {
        "errors": errors,
        "field_errors": field_errors(errors),
        "year": year,
        "accept": ACCEPT,
        "max_mb": settings().max_file_mb,
        "max_files": service.MAX_FILES,
        "recent": [u for u in _recent() if _may_see(request, u)][:10],
        "tags": STATUS_TAGS,
        "nav": "upload",
    }
    return render(request, "uploads/upload.html", context, status=400 if errors else 200)


@allow(*UPLOADERS)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _form(request, [])
    files = request.FILES.getlist("files")  # read first: it is what marks an upload too big
    year = request.POST.get("year", "").strip()
    errors = []
    if getattr(request, limits.MARK, False):
        mb = settings().max_file_mb
        too_big = f"The files must be {mb:,.4g} MB or smaller in all"
        errors.append({"text": too_big, "href": "#files"})
    elif not files:
        errors.append({"text": "Select at least one file", "href": "#files"})
    if year and not re.fullmatch(r"20\d\d", year):
        errors.append({"text": "Enter the collection year as 4 digits, like 2025", "href": "#year"})
    if errors:
        return _form(request, errors, year)
    sent = service.receive(files, year or None)  # type: ignore[arg-type]
    outcomes = sent.outcomes
    done = Upload.objects.create(
        uploaded_by=request.user, outcomes=[o.as_data() for o in outcomes], pending=sent.pending
    )
    for outcome in outcomes:
        detail = {k: v for k, v in outcome.as_data().items() if k != "file" and v not in ("", [])}
        record(request.user, "upload", outcome.file, {"upload": done.pk, **detail}, request=request)
    return HttpResponseRedirect(reverse("uploads:result", kwargs={"pk": done.pk}))


@allow(*UPLOADERS)
@never_cache
@require_safe
def result(request: HttpRequest, pk: int) -> HttpResponse:
    done = get_object_or_404(Upload.objects.select_related("uploaded_by__agency"), pk=pk)
    if not _may_see(request, done):
        return forbidden(request)
    return _result(request, done)


def _recent() -> list[Upload]:
    return list(Upload.objects.select_related("uploaded_by__agency")[:30])


def _may_see(request: HttpRequest, done: Upload) -> bool:
    """An upload's outcome names its children's records: the uploading agency's analysts and
    the administrators see it (`access.may_see_records`)."""
    agency = getattr(done.uploaded_by, "agency", None)
    return may_see_records(request.user, agency.kind if agency is not None else "")


def _result(
    request: HttpRequest, done: Upload, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    outcomes = [service.Outcome.from_data(o) for o in done.outcomes]
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in STATUS_TAGS}
    context = {
        "upload": done,
        "outcomes": outcomes,
        "counts": counts,
        "tags": STATUS_TAGS,
        "changes": [o for o in outcomes if o.change],
        "fewer": any(o.change.get("fewer") for o in outcomes),
        "errors": errors or [],
        "admin": role_of(request.user) == Role.admin,
    }
    status = 400 if errors else 200
    return render(request, "uploads/result.html", {**context, "nav": "upload"}, status=status)


@allow(*UPLOADERS)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Load an upload held for confirmation, replacing exactly the loads the page showed; or
    cancel it (nothing loads). Opened rather than sent, it is the upload's page."""
    done = get_object_or_404(Upload.objects.select_related("uploaded_by__agency"), pk=pk)
    if not _may_see(request, done):
        return forbidden(request)
    if request.method != "POST":
        return _result(request, done)
    if not done.pending:
        return HttpResponseRedirect(reverse("uploads:result", kwargs={"pk": pk}))
    held = [service.Outcome.from_data(o) for o in done.outcomes]
    if request.POST.get("action") == "cancel":
        service.discard(done.pending)
        cancelled = "Not loaded: the replacement was cancelled."
        done.outcomes = [{**o.as_data(), "status": "refused", "message": cancelled} for o in held]
        done.pending = ""
        done.save(update_fields=["outcomes", "pending"])
        record(request.user, "upload-cancelled", f"upload/{pk}", {}, request=request)
        return HttpResponseRedirect(reverse("uploads:result", kwargs={"pk": pk}))
    allow_fewer = request.POST.get("allow_fewer") == "yes"
    if any(o.change.get("fewer") for o in held) and not allow_fewer:
        return _result(request, done, [{"text": FEWER, "href": "#allow_fewer"}])
    agreed = {o.file: list(o.change.get("replaces", [])) for o in held if o.change}
    try:
        outcomes = service.confirm(done.pending, agreed, allow_fewer)
    except LookupError as exc:
        raise Http404(str(exc)) from exc
    done.outcomes = [o.as_data() for o in outcomes]
    done.pending = ""
    done.save(update_fields=["outcomes", "pending"])
    for outcome in outcomes:
        detail = {
            k: v for k, v in outcome.as_data().items() if k != "file" and v not in ("", [], {})
        }
        record(
            request.user,
            "upload-confirmed",
            outcome.file,
            {"upload": pk, **detail},
            request=request,
        )
    return HttpResponseRedirect(reverse("uploads:result", kwargs={"pk": pk}))


@allow(Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def undo(request: HttpRequest, load_id: int) -> HttpResponse:
    """Undo a load, after a page that says what will change."""
    if request.method != "POST":
        return render(request, "uploads/undo.html", {"load_id": load_id, "nav": "upload"})
    try:
        done = service.undo(load_id, f"web:{request.user.get_username()}")
    except LookupError as exc:
        raise Http404(str(exc)) from exc
    except ValueError as exc:
        context = {"load_id": load_id, "errors": [{"text": str(exc), "href": "#undo"}]}
        return render(request, "uploads/undo.html", {**context, "nav": "upload"}, status=400)
    detail = {"removed": done.removed, "restored": list(done.restored), "file": done.file}
    record(request.user, "undo-load", f"load/{load_id}", detail, request=request)
    return render(request, "uploads/undo.html", {"load_id": load_id, "done": done, "nav": "upload"})


@allow(*UPLOADERS)
@never_cache
@require_safe
def findings(request: HttpRequest, load_id: int) -> HttpResponse:
    """A load's findings in full, as CSV safe to open in Excel (no live formulas)."""
    kind = service.kind_of(load_id)
    if kind is None:
        raise Http404("no such load")
    if not may_see_records(request.user, supplier_of(kind)):
        return forbidden(request)
    found = service.findings_of(load_id) or []
    detail = {"rows": len(found)}
    record(request.user, Action.export, f"findings/{load_id}", detail, request=request)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"findings-load-{load_id}.csv"
        write_findings(found, path)
        body = path.read_bytes()
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="findings-load-{load_id}.csv"'
    return response
