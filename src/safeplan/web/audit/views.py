"""The audit trail for administrators: a page at a time, and the whole trail as CSV. Both are
themselves recorded (a view, an export)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from safeplan.web.accounts.access import allow
from safeplan.web.accounts.models import Role
from safeplan.web.audit.models import Entry
from safeplan.web.audit.trail import Action, head, record, verify_chain

PAGE_SIZE = 50
CSV_COLUMNS = ("seq", "at", "actor", "action", "target", "detail", "ip", "prev_hash", "hash")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@allow(Role.admin)
@never_cache
@require_safe
def trail(request: HttpRequest) -> HttpResponse:
    record(
        request.user,
        Action.view,
        "audit",
        {"page": request.GET.get("page", "1")[:10]},
        request=request,
    )
    pages = Paginator(Entry.objects.order_by("-seq"), PAGE_SIZE)
    page = pages.get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "verification": verify_chain(),
        "head": head(),
        "nav": "audit",
        "previous_url": f"?page={page.previous_page_number()}" if page.has_previous() else "",
        "next_url": f"?page={page.next_page_number()}" if page.has_next() else "",
    }
    return render(request, "audit/trail.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@allow(Role.admin)
@never_cache
@require_safe
def export(request: HttpRequest) -> StreamingHttpResponse:
    """Every entry, oldest first, with both hashes: the chain can be re-checked from the file."""
    record(request.user, Action.export, "audit", {"format": "csv"}, request=request)
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(CSV_COLUMNS)
        for entry in Entry.objects.order_by("seq").iterator(chunk_size=2000):
            values = [getattr(entry, c) for c in CSV_COLUMNS]
            values[1] = entry.at.isoformat(timespec="microseconds")
            yield writer.writerow([safe_cell(v) for v in values])

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="safeplan-audit-{stamp}.csv"'
    return response
