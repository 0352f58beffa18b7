"""The upload pages: send files (analysts and administrators), see what became of each,
and download a load's findings in full. Every upload and download is audited."""

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
from safeplan.web.accounts.access import allow
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
}


def _form(request: HttpRequest, errors: list[dict[str, str]], year: str = "") -> HttpResponse:
    context: dict[str, Any] = {
        "errors": errors,
        "field_errors": field_errors(errors),
        "year": year,
        "accept": ACCEPT,
        "max_mb": settings().max_file_mb,
        "max_files": service.MAX_FILES,
        "recent": Upload.objects.select_related("uploaded_by")[:10],
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
    outcomes = service.receive(files, year or None)  # type: ignore[arg-type]
    done = Upload.objects.create(uploaded_by=request.user, outcomes=[o.as_data() for o in outcomes])
    for outcome in outcomes:
        detail = {k: v for k, v in outcome.as_data().items() if k != "file" and v not in ("", [])}
        record(request.user, "upload", outcome.file, {"upload": done.pk, **detail}, request=request)
    return HttpResponseRedirect(reverse("uploads:result", kwargs={"pk": done.pk}))


@allow(*UPLOADERS)
@never_cache
@require_safe
def result(request: HttpRequest, pk: int) -> HttpResponse:
    done = get_object_or_404(Upload.objects.select_related("uploaded_by"), pk=pk)
    outcomes = [service.Outcome.from_data(o) for o in done.outcomes]
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in STATUS_TAGS}
    context = {"upload": done, "outcomes": outcomes, "counts": counts, "tags": STATUS_TAGS}
    return render(request, "uploads/result.html", {**context, "nav": "upload"})


@allow(*UPLOADERS)
@never_cache
@require_safe
def findings(request: HttpRequest, load_id: int) -> HttpResponse:
    """A load's findings in full, as CSV safe to open in Excel (no live formulas)."""
    found = service.findings_of(load_id)
    if found is None:
        raise Http404("no such load")
    detail = {"rows": len(found)}
    record(request.user, Action.export, f"findings/{load_id}", detail, request=request)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"findings-load-{load_id}.csv"
        write_findings(found, path)
        body = path.read_bytes()
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="findings-load-{load_id}.csv"'
    return response
