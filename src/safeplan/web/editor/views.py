"""The plan editor's pages, for administrators only: the plans, a plan's overview, a priority,
a key measure, the enablers, the history with its diffs and reverts, and YAML in and out.

Every form carries the fingerprint of the plan it was drawn from (``base``): a save over a
newer change by someone else is refused, because the editor addresses priorities by id and
key measures by position, and a position may since point at another measure. Every save goes
through ``versions.save`` (history, file and audit together) after the whole plan validates.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from safeplan.measures.catalogue import catalogue
from safeplan.plans import library
from safeplan.plans.model import Plan
from safeplan.plans.yamlio import MAX_PLAN_BYTES, PlanFileError, dump_plan, parse_plan
from safeplan.web.accounts.access import allow
from safeplan.web.accounts.models import Role
from safeplan.web.audit.trail import Action, record
from safeplan.web.editor import changes, forms, versions
from safeplan.web.editor.models import PlanVersion
from safeplan.web.uploads import limits

EDITORS = (Role.admin,)
FORM_METHODS = ["GET", "HEAD", "POST"]
STALE = (
    "Someone else changed this plan since you opened this page, so your changes were not "
    "saved. The form now shows the plan as it is: check the plan's history, then make your "
    "changes again."
)


def radio_items(names: dict[Any, str]) -> list[dict[str, str]]:
    """A choice's values and words as GOV.UK radio items."""
    return [{"value": str(value), "text": text} for value, text in names.items()]


COMMON: dict[str, Any] = {
    "nav": "editor",
    "status_names": forms.STATUS_NAMES,
    "direction_names": forms.DIRECTION_NAMES,
    "measure_status_names": forms.MEASURE_STATUS_NAMES,
    "radio_items": radio_items,
    "text_chars": forms.TEXT_CHARS,
}


def _current(plan_id: str) -> versions.Current:
    try:
        return versions.current(plan_id)
    except library.UnknownPlanError as exc:
        raise Http404(f"no plan has the id {plan_id!r}") from exc


def _data(now: versions.Current) -> dict[str, Any]:
    """A copy of the plan as plain data for a form to change (the library's plan is shared)."""
    return now.plan.model_dump(mode="json")


def _priority_index(plan: Plan, priority_id: str) -> int:
    for n, priority in enumerate(plan.priorities):
        if priority.id == priority_id:
            return n
    raise Http404(f"the plan has no priority {priority_id!r}")


def _stale(request: HttpRequest, now: versions.Current, errors: forms.Errors, field: str) -> bool:
    if request.POST.get("base") == now.digest:
        return False
    errors.add(field, STALE)
    return True


def _saved_banner(request: HttpRequest, plan_id: str) -> dict[str, Any] | None:
    """After a save the page says what was saved (``?saved=<version>``, 0 for no change)."""
    number = request.GET.get("saved", "")
    if not number.isdigit():
        return None
    if number == "0":
        return {"number": 0, "summary": "Nothing was changed: the plan was already like that."}
    found = PlanVersion.objects.filter(plan_id=plan_id, number=int(number)).first()
    return {"number": found.number, "summary": found.summary} if found else None


def _save(
    request: HttpRequest,
    plan: Plan,
    errors: forms.Errors,
    field: str,
    then: str,
    **options: Any,
) -> HttpResponseBase | None:
    """Save and go to ``then`` with the version saved; None (and an error) if it failed."""
    try:
        made = versions.save(request.user, plan, request, **options)
    except versions.SaveError as exc:
        errors.add(field, str(exc))
        return None
    return HttpResponseRedirect(f"{then}?saved={made.number if made else 0}")


def _page(
    request: HttpRequest, template: str, errors: forms.Errors, **context: Any
) -> HttpResponse:
    full = {
        **COMMON,
        **context,
        "errors": errors.summary(),
        "field_errors": errors.by_field(),
    }
    return render(request, f"editor/{template}", full, status=400 if errors else 200)


# The plans ---------------------------------------------------------------------------------


@allow(*EDITORS)
@never_cache
@require_safe
def plans(request: HttpRequest) -> HttpResponse:
    edited = dict(
        PlanVersion.objects.values("plan_id")
        .annotate(latest=Max("number"))
        .values_list("plan_id", "latest")
    )
    context = {"entries": library.entries(), "edited": edited}
    return _page(request, "plans.html", forms.Errors(), **context)


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(FORM_METHODS)
def new_plan(request: HttpRequest) -> HttpResponseBase:
    """A new draft plan with its first priority; the rest is added on its pages."""
    errors = forms.Errors()
    values = dict.fromkeys(forms.NEW_PLAN_FIELDS, "")
    if request.method == "POST":
        values = forms.read_new_plan(request.POST)
        known = {e.plan.id for e in library.entries()}
        data, locate = forms.new_plan_data(values, known, errors)
        plan = forms.validate(data, errors, locate, forms.NEW_PLAN_LABELS)
        if plan is not None:
            then = reverse("editor:plan", kwargs={"plan_id": plan.id})
            done = _save(request, plan, errors, "id", then, summary=f"Plan '{plan.id}' created")
            if done is not None:
                return done
    return _page(request, "new_plan.html", errors, values=values)


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(FORM_METHODS)
def import_plan(request: HttpRequest) -> HttpResponseBase:
    """A plan YAML file, checked exactly as ``safeplan plans import`` checks one: a plan with
    an id that exists is replaced only when asked, and a refused file changes nothing."""
    errors = forms.Errors()
    replace = False
    if request.method == "POST":
        upload = request.FILES.get("file")  # read first: it is what marks an upload too big
        replace = request.POST.get("replace") == "yes"
        size = (upload.size or 0) if upload else 0
        if getattr(request, limits.MARK, False) or size > MAX_PLAN_BYTES:
            errors.add("file", f"The file must be {MAX_PLAN_BYTES // 1_000_000} MB or smaller")
        elif upload is None or not size:
            errors.add("file", "Select a plan file (YAML)")
        else:
            name = (upload.name or "plan.yaml").rsplit("/", 1)[-1][:100]
            done = _import(request, upload.read(), name, replace, errors)
            if done is not None:
                return done
    return _page(request, "import.html", errors, replace=replace, max_bytes=MAX_PLAN_BYTES)


def _import(
    request: HttpRequest, raw: bytes, name: str, replace: bool, errors: forms.Errors
) -> HttpResponseBase | None:
    try:
        plan = parse_plan(raw.decode("utf-8"), name)
    except UnicodeDecodeError as exc:
        errors.add(
            "file",
            f"{name} is not UTF-8 text (byte {exc.start} cannot be read): save it as UTF-8",
        )
        return None
    except PlanFileError as exc:
        for problem in exc.problems:
            where = f"line {problem.line}" if problem.line else "the file"
            path = f" ({problem.path})" if problem.path else ""
            errors.add("file", f"{name}, {where}{path}: {forms.sentence(problem.message)}")
        return None
    known = {e.plan.id for e in library.entries()}
    if plan.id in forms.RESERVED_PLAN_IDS:
        errors.add("file", f"'{plan.id}' cannot be a plan's id: give the plan another id")
        return None
    if plan.id in known and not replace:
        errors.add(
            "file",
            f"A plan with the id '{plan.id}' already exists: to replace it, choose "
            "'Replace the plan with the same id'",
        )
        return None
    old = versions.current(plan.id).plan if plan.id in known else None
    summary = f"Imported from {name}: {changes.summary(old, plan)}"
    then = reverse("editor:plan", kwargs={"plan_id": plan.id})
    return _save(request, plan, errors, "file", then, summary=summary, detail={"file": name})


# A plan ------------------------------------------------------------------------------------


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(FORM_METHODS)
def plan(request: HttpRequest, plan_id: str) -> HttpResponseBase:
    """The plan's title, vision, status and period, and links to its parts."""
    now = _current(plan_id)
    errors = forms.Errors()
    values = forms.overview_values(now.plan)
    if request.method == "POST" and not _stale(request, now, errors, "title"):
        values = forms.read_overview(request.POST)
        data = _data(now)
        locate = forms.apply_overview(data, values, errors)
        changed = forms.validate(data, errors, locate, forms.OVERVIEW_LABELS)
        if changed is not None:
            then = reverse("editor:plan", kwargs={"plan_id": plan_id})
            done = _save(request, changed, errors, "title", then)
            if done is not None:
                return done
    return _page(
        request,
        "plan.html",
        errors,
        plan=now.plan,
        now=now,
        values=values,
        saved=_saved_banner(request, plan_id),
    )


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(FORM_METHODS)
def priority(
    request: HttpRequest, plan_id: str, priority_id: str | None = None
) -> HttpResponseBase:
    """A priority's words, commitments, interventions and linked strategies (or a new one)."""
    now = _current(plan_id)
    index = _priority_index(now.plan, priority_id) if priority_id else len(now.plan.priorities)
    saved = now.plan.priorities[index] if priority_id else None
    errors = forms.Errors()
    values = forms.priority_values(saved.model_dump(mode="json") if saved else None)
    action = request.POST.get("action", "save")
    if request.method == "POST" and not _stale(request, now, errors, "title"):
        values = forms.read_priority(request.POST)
        data = _data(now)
        here = reverse("editor:plan", kwargs={"plan_id": plan_id})
        if action == "remove" and saved is not None:
            if len(now.plan.priorities) == 1:
                errors.add("remove", "A plan needs at least one priority: add another first")
            else:
                del data["priorities"][index]
                changed = forms.validate(data, errors, lambda _: ("remove", True), {})
                if changed is not None and (
                    done := _save(request, changed, errors, "remove", here)
                ):
                    return done
        else:
            locate = forms.apply_priority(data, index, values, errors)
            changed = forms.validate(data, errors, locate, forms.PRIORITY_LABELS)
            if changed is not None:
                new_id = changed.priorities[index].id
                then = reverse(
                    "editor:priority", kwargs={"plan_id": plan_id, "priority_id": new_id}
                )
                done = _save(request, changed, errors, "title", then)
                if done is not None:
                    return done
    values["interventions"] = forms.with_blank(values["interventions"], forms.INTERVENTION_FIELDS)
    return _page(
        request,
        "priority.html",
        errors,
        plan=now.plan,
        now=now,
        priority=saved,
        values=values,
        measures=catalogue(),
        saved=_saved_banner(request, plan_id),
    )


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(FORM_METHODS)
def measure(
    request: HttpRequest, plan_id: str, priority_id: str, index: int | None = None
) -> HttpResponseBase:
    """A key measure: the catalogue measure, the plan's wording, direction, status and a
    target per financial year (or a new key measure of the priority)."""
    now = _current(plan_id)
    p = _priority_index(now.plan, priority_id)
    refs = now.plan.priorities[p].measures
    if index is not None and index >= len(refs):
        raise Http404(f"the priority has no key measure {index}")
    position = len(refs) if index is None else index
    saved = refs[index] if index is not None else None
    measures = catalogue()
    errors = forms.Errors()
    values = forms.measure_values(saved.model_dump(mode="json") if saved else None)
    action = request.POST.get("action", "save")
    if request.method == "POST" and not _stale(request, now, errors, "measure"):
        values = forms.read_measure(request.POST)
        data = _data(now)
        back = reverse("editor:priority", kwargs={"plan_id": plan_id, "priority_id": priority_id})
        if action == "remove" and saved is not None:
            del data["priorities"][p]["measures"][position]
            changed = forms.validate(data, errors, lambda _: ("remove", True), {})
            if changed is not None and (done := _save(request, changed, errors, "remove", back)):
                return done
        else:
            saved_id = (saved.measure or "") if saved else ""
            locate = forms.apply_measure(data, p, position, values, errors, measures, saved_id)
            changed = forms.validate(data, errors, locate, forms.MEASURE_LABELS)
            if changed is not None:
                done = _save(request, changed, errors, "measure", back)
                if done is not None:
                    return done
    values["targets"] = forms.with_blank(values["targets"], forms.TARGET_FIELDS)
    chosen = values["measure"]
    return _page(
        request,
        "measure.html",
        errors,
        plan=now.plan,
        now=now,
        priority=now.plan.priorities[p],
        ref=saved,
        index=index,
        values=values,
        choices=forms.measure_choices(measures, values["measure"]),
        unit_words=forms.UNIT_WORDS.get(measures[chosen].unit, "") if chosen in measures else "",
        years=forms.financial_years(now.plan),
    )


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(FORM_METHODS)
def enablers(request: HttpRequest, plan_id: str) -> HttpResponseBase:
    """The plan's cross-cutting enablers: a title and a description each."""
    now = _current(plan_id)
    errors = forms.Errors()
    found = forms.enabler_values(now.plan)
    if request.method == "POST" and not _stale(request, now, errors, "enabler-0-title"):
        found = forms.rows(request.POST, "enabler", forms.ENABLER_FIELDS)
        data = _data(now)
        locate = forms.apply_enablers(data, found, errors)
        changed = forms.validate(data, errors, locate, {})
        if changed is not None:
            then = reverse("editor:plan", kwargs={"plan_id": plan_id})
            done = _save(request, changed, errors, "enabler-0-title", then)
            if done is not None:
                return done
    rows = forms.with_blank(found, forms.ENABLER_FIELDS)
    return _page(request, "enablers.html", errors, plan=now.plan, now=now, rows=rows)


# History, revert and export ----------------------------------------------------------------


@allow(*EDITORS)
@never_cache
@require_safe
def history(request: HttpRequest, plan_id: str) -> HttpResponse:
    """Every version, newest first, each with what changed from the one before."""
    now = _current(plan_id)
    found = versions.history(plan_id, now)
    shown = []
    for n, version in enumerate(found):
        before = found[n + 1] if n + 1 < len(found) else None
        lines = (
            changes.diff(
                before.text, version.text, f"version {before.number}", f"version {version.number}"
            )
            if before is not None
            else []
        )
        shown.append({"version": version, "diff": lines, "current": version.text == now.text})
    return _page(
        request,
        "history.html",
        forms.Errors(),
        plan=now.plan,
        versions=shown,
        now_digest=now.digest,
        saved=_saved_banner(request, plan_id),
    )


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(FORM_METHODS)
def revert(request: HttpRequest, plan_id: str, number: int) -> HttpResponseBase:
    """Asks first (what going back would change), then saves the old version as a new one."""
    now = _current(plan_id)
    old = versions.version(plan_id, number)
    if old is None:
        raise Http404(f"the plan has no version {number}")
    errors = forms.Errors()
    if request.method == "POST" and not _stale(request, now, errors, "revert"):
        try:
            made = versions.revert(request.user, plan_id, number, request)
        except versions.SaveError as exc:
            errors.add("revert", str(exc))
        else:
            then = reverse("editor:history", kwargs={"plan_id": plan_id})
            return HttpResponseRedirect(f"{then}?saved={made.number if made else 0}")
    return _page(
        request,
        "revert.html",
        errors,
        plan=now.plan,
        now=now,
        old=old,
        diff=changes.diff(now.text, old.text, "the plan now", f"version {number}"),
    )


@allow(*EDITORS)
@never_cache
@require_safe
def export(request: HttpRequest, plan_id: str) -> HttpResponse:
    """The plan's canonical YAML, byte for byte what ``safeplan plans export`` writes."""
    now = _current(plan_id)
    record(request.user, Action.export, f"plan/{plan_id}", {"format": "yaml"}, request=request)
    response = HttpResponse(
        dump_plan(now.plan).encode("utf-8"), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{plan_id}.yaml"'
    return response
