"""The tracker's pages: a plan's interventions, an item with its milestones and updates,
setting an item up (analysts and administrators), posting a progress update (the lead agency)
and the business manager's reminders (administrators). Every change is audited."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from safeplan.plans import library
from safeplan.plans.model import Priority
from safeplan.web.accounts.access import EVERY_ROLE, allow, forbidden
from safeplan.web.accounts.models import Agency, Role
from safeplan.web.audit.trail import record
from safeplan.web.errors import field_errors
from safeplan.web.plans import plan_or_404
from safeplan.web.returns import reminders as data_returns
from safeplan.web.tracker import forms, reminders, rules
from safeplan.web.tracker.models import MAX_TEXT, Item, Milestone, ProgressUpdate, Status

log = logging.getLogger(__name__)
EDITORS = (Role.analyst, Role.admin)
REPORTERS = (Role.contributor, Role.analyst, Role.admin)
STATUS_TAGS = {
    Status.not_started.value: ("Not started", "govuk-tag--grey"),
    Status.on_track.value: ("On track", "govuk-tag--green"),
    Status.at_risk.value: ("At risk", "govuk-tag--orange"),
    Status.off_track.value: ("Off track", "govuk-tag--red"),
    Status.complete.value: ("Complete", "govuk-tag--blue"),
}
STATUS_HINTS = {
    Status.not_started.value: "Work has not begun.",
    Status.on_track.value: "Going to plan: milestones are being met.",
    Status.at_risk.value: "Could slip without help: say what is needed.",
    Status.off_track.value: "Has slipped: milestones missed or the work stopped.",
    Status.complete.value: "Done: the intervention has been delivered.",
}
SENT_KEY = "tracker_reminders_sent"  # the last "Send reminders" result, shown once
HELPERS: dict[str, Any] = {"status_tags": STATUS_TAGS, "nav": "dashboard"}


def _today() -> datetime.date:
    """Today in the partnership's time zone."""
    return timezone.localdate()


def plan_titles() -> dict[str, str]:
    """The known plans' titles by id."""
    return {entry.plan.id: entry.plan.title for entry in library.entries()}


def _item(pk: int) -> tuple[Item, str]:
    """The item and its plan's title (its id if the plan has gone from the library)."""
    item = get_object_or_404(Item.objects.select_related("lead_agency"), pk=pk)
    return item, plan_titles().get(item.plan_id, item.plan_id)


def _item_url(item: Item) -> str:
    return reverse("tracker:item", kwargs={"pk": item.pk})


@dataclass(frozen=True)
class Row:
    """An item as the plan's tracker lists it."""

    item: Item
    next: Milestone | None
    overdue: list[Milestone]


@allow(*EVERY_ROLE)
@never_cache
@require_safe
def plan(request: HttpRequest, plan_id: str) -> HttpResponse:
    """Every intervention of the plan, by priority; the items are made on the first visit."""
    found = plan_or_404(plan_id)
    rules.sync(found)
    today = _today()
    items = rules.with_milestones(Item.objects.filter(plan_id=found.id, in_plan=True))
    by_key = {(i.priority_id, i.position): i for i in items}
    groups: list[tuple[Priority, list[Row]]] = []
    for priority in found.priorities:
        rows = []
        for position in range(len(priority.interventions)):
            item = by_key[(priority.id, position)]
            rows.append(Row(item, rules.next_milestone(item), rules.overdue(item, today)))
        groups.append((priority, rows))
    every = [row for _, rows in groups for row in rows]
    counts = {key: sum(1 for r in every if r.item.status == key) for key in STATUS_TAGS}
    context = {
        **HELPERS,
        "plan": found,
        "groups": groups,
        "counts": counts,
        "total": len(every),
        "overdue_count": sum(1 for r in every if r.overdue),
        "set_aside": Item.objects.filter(plan_id=found.id, in_plan=False),
        "today": today,
    }
    return render(request, "tracker/plan.html", context)


@allow(*EVERY_ROLE)
@never_cache
@require_safe
def item(request: HttpRequest, pk: int) -> HttpResponse:
    found, title = _item(pk)
    today = _today()
    milestones = list(found.milestones.order_by("due", "pk"))
    context = {
        **HELPERS,
        "item": found,
        "plan_title": title,
        "priority_title": _priority_title(found),
        "milestones": milestones,
        "overdue": {m.pk for m in milestones if m.overdue(today)},
        "updates": found.updates.select_related("author", "author__agency"),
        "may_update": rules.may_update(request.user, found),
        "may_edit": rules.may_edit(request.user),
    }
    return render(request, "tracker/item.html", context)


def _priority_title(found: Item) -> str:
    try:
        plan_ = library.get(found.plan_id)
    except library.UnknownPlanError:
        return found.priority_id
    return next((p.title for p in plan_.priorities if p.id == found.priority_id), found.priority_id)


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Set the lead agency and the owner; the milestones are listed to add and change."""
    found, title = _item(pk)
    errors: forms.Errors = []
    agencies = list(Agency.objects.order_by("name"))
    chosen = str(found.lead_agency_id or "")
    owner = found.owner
    if request.method == "POST":
        chosen = request.POST.get("lead_agency", "")
        known = {str(a.pk): a for a in agencies}
        if chosen and chosen not in known:
            errors.append({"text": "Select the lead agency from the list", "href": "#lead_agency"})
        owner = forms.text(request.POST, "owner", "the owner", errors, limit=200, needed=False)
        if not errors:
            agency = known.get(chosen)
            before = (found.lead_agency.name if found.lead_agency else "", found.owner)
            after = (agency.name if agency else "", owner)
            if before != after:
                found.lead_agency, found.owner = agency, owner
                found.save(update_fields=["lead_agency", "owner", "updated_at"])
                rules.audit(
                    request,
                    found,
                    "set up",
                    lead_agency=after[0],
                    owner=owner,
                    was={"lead_agency": before[0], "owner": before[1]},
                )
            return HttpResponseRedirect(_item_url(found))
    context = {
        **HELPERS,
        "item": found,
        "plan_title": title,
        "agency_items": [{"value": "", "text": "Not set", "selected": not chosen}]
        + [{"value": str(a.pk), "text": a.name, "selected": chosen == str(a.pk)} for a in agencies],
        "owner": owner,
        "milestones": found.milestones.order_by("due", "pk"),
        "errors": errors,
        "field_errors": field_errors(errors),
    }
    return render(request, "tracker/edit.html", context, status=400 if errors else 200)


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def add_milestone(request: HttpRequest, pk: int) -> HttpResponseBase:
    found, title = _item(pk)
    return _milestone_form(request, found, title, Milestone(item=found))


@allow(*EDITORS)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def milestone(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Change a milestone (its title, due date, or the date it was done), or remove it."""
    step = get_object_or_404(Milestone.objects.select_related("item"), pk=pk)
    _, title = _item(step.item_id)
    if request.method == "POST" and request.POST.get("action") == "remove":
        rules.audit(request, step.item, "milestone removed", milestone=step.title, due=step.due)
        step.delete()
        return HttpResponseRedirect(reverse("tracker:edit", kwargs={"pk": step.item_id}))
    return _milestone_form(request, step.item, title, step)


def _milestone_form(
    request: HttpRequest, found: Item, plan_title: str, step: Milestone
) -> HttpResponseBase:
    errors: forms.Errors = []
    name, due, done = step.title, forms.DateEntry.of(step.due), forms.DateEntry.of(step.done_on)
    if request.method == "POST":
        data = request.POST
        name = forms.text(data, "title", "the milestone", errors, limit=200, needed=True)
        due_on, due = forms.date(data, "due", "The due date", errors, needed=True)
        done_on: datetime.date | None = None
        if step.pk:
            done_on, done = forms.date(data, "done", "The date it was done", errors, needed=False)
            if done_on is not None and done_on > _today():
                errors.append(
                    {
                        "text": "The date it was done must be today or in the past",
                        "href": "#done-day",
                    }
                )
                done = forms.DateEntry(done.day, done.month, done.year, forms.PARTS)
        if not errors and due_on is not None:
            change = "milestone changed" if step.pk else "milestone added"
            before = {"milestone": step.title, "due": step.due, "done": step.done_on}
            was = {"was": before} if step.pk else {}
            step.title, step.due, step.done_on = name, due_on, done_on
            step.save()
            rules.audit(request, found, change, milestone=name, due=due_on, done=done_on, **was)
            return HttpResponseRedirect(reverse("tracker:edit", kwargs={"pk": found.pk}))
    context = {
        **HELPERS,
        "item": found,
        "plan_title": plan_title,
        "step": step,
        "name": name,
        "due": due,
        "done": done,
        "errors": errors,
        "field_errors": field_errors(errors),
    }
    return render(request, "tracker/milestone.html", context, status=400 if errors else 200)


@allow(*REPORTERS)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def update(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The lead agency's progress update: what happened, on what date, with evidence, the
    status it leaves the item in, and any milestones it completed."""
    found, title = _item(pk)
    if not rules.may_update(request.user, found):
        return forbidden(request)
    today = _today()
    open_steps = [m for m in found.milestones.order_by("due", "pk") if not m.done]
    errors: forms.Errors = []
    status, words, link = found.status, "", ""
    on = forms.DateEntry.of(today)
    ticked: set[str] = set()
    if request.method == "POST":
        data = request.POST
        status = forms.choice(data, "status", STATUS_TAGS, "Select the status", errors)
        when, on = forms.date(data, "date", "The date of the update", errors, needed=True)
        if when is not None and when > today:
            errors.append(
                {"text": "The date of the update must be today or in the past", "href": "#date-day"}
            )
            on = forms.DateEntry(on.day, on.month, on.year, forms.PARTS)
        words = forms.text(data, "text", "what has happened", errors, limit=MAX_TEXT, needed=True)
        link = forms.evidence_link(data, "evidence_url", errors)
        ticked = set(data.getlist("done")) & {str(m.pk) for m in open_steps}
        if not errors and when is not None:
            _post(
                request,
                found,
                when,
                status,
                words,
                link,
                [m for m in open_steps if str(m.pk) in ticked],
            )
            return HttpResponseRedirect(_item_url(found) + "#updates")
    context = {
        **HELPERS,
        "item": found,
        "plan_title": title,
        "on": on,
        "text": words,
        "link": link,
        "open_steps": open_steps,
        "step_items": [
            {
                "value": str(m.pk),
                "text": m.title,
                "hint": {"text": f"Due {m.due:%-d %B %Y}"},
                "checked": str(m.pk) in ticked,
            }
            for m in open_steps
        ],
        "status_items": [
            {
                "value": key,
                "text": text,
                "hint": {"text": STATUS_HINTS[key]},
                "checked": key == status,
            }
            for key, (text, _) in STATUS_TAGS.items()
        ],
        "max_chars": MAX_TEXT,
        "errors": errors,
        "field_errors": field_errors(errors),
    }
    return render(request, "tracker/update.html", context, status=400 if errors else 200)


@transaction.atomic  # the update, the status and the milestones change together or not at all
def _post(
    request: HttpRequest,
    found: Item,
    when: datetime.date,
    status: str,
    words: str,
    link: str,
    completed: list[Milestone],
) -> None:
    ProgressUpdate.objects.create(
        item=found, date=when, text=words, evidence_url=link, author=request.user, status=status
    )
    was = found.status
    found.status = status
    found.save(update_fields=["status", "updated_at"])
    for step in completed:
        step.done_on = when
        step.save(update_fields=["done_on"])
    rules.audit(
        request,
        found,
        "progress update",
        date=when,
        status=status,
        was=was,
        evidence=link,
        milestones_done=[m.title for m in completed],
    )


@allow(Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reminders_view(request: HttpRequest) -> HttpResponseBase:
    """What is due in the next two weeks, overdue or slipping, across the plans; "Send
    reminders" e-mails each lead agency's reporters its list."""
    titles = plan_titles()
    due = reminders.gather(_today(), titles)
    if request.method == "POST":
        try:
            sent = reminders.send(due, lambda i: request.build_absolute_uri(_item_url(i))).as_data()
            sent["returns"] = data_returns.send(_today(), request.user).as_data()  # audited there
            change = "reminders sent"
        except OSError as exc:  # the mail server did not answer, or refused (SMTPException)
            log.warning("reminders not sent: %s", exc)
            sent, change = {"failed": type(exc).__name__}, "reminders not sent"
        detail = {"change": change} | sent
        record(request.user, rules.ACTION, "tracker/reminders", detail, request=request)
        request.session[SENT_KEY] = sent
        return HttpResponseRedirect(reverse("tracker:reminders"))
    context = {
        **HELPERS,
        "nav": "reminders",
        "due": due,
        "titles": titles,
        "agencies": reminders.who(due),
        "sent": request.session.pop(SENT_KEY, None),
        "console_mail": settings.EMAIL_BACKEND.endswith(".console.EmailBackend"),
        "soon_days": rules.SOON.days,
    }
    return render(request, "tracker/reminders.html", context)
