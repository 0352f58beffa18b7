"""The People pages (administrators only): the list, add, change, invite and deactivate. The
work is people.py's, shared with ``safeplan users``; these pages are its GOV.UK forms."""

from __future__ import annotations

from typing import Any, Final

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from safeplan.web.accounts import people
from safeplan.web.accounts.access import allow
from safeplan.web.accounts.forms import PersonForm, errors_of
from safeplan.web.accounts.models import Role, User
from safeplan.web.errors import field_errors

DONE: Final = "safeplan_people_done"  # the session key of the banner's words after a change
STATUS_TAGS: Final = {
    "Active": "govuk-tag--green",
    "Invited": "govuk-tag--blue",
    "Deactivated": "govuk-tag--grey",
}


def _done(request: HttpRequest, words: str) -> HttpResponseRedirect:
    request.session[DONE] = words
    return HttpResponseRedirect(reverse("accounts:people"))


def _site(request: HttpRequest) -> str:
    """The address the page was opened at: the invitation's link starts with it."""
    return request.build_absolute_uri("/")


@allow(Role.admin)
@never_cache
@require_safe
def people_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("agency").order_by("-is_active", "agency__name", "username")
    rows = [{"user": u, "status": people.status(u)} for u in users]
    context = {
        "rows": rows,
        "tags": STATUS_TAGS,
        "done": request.session.pop(DONE, ""),
        "nav": "people",
    }
    return render(request, "accounts/people.html", context)


def _form_page(
    request: HttpRequest, form: PersonForm, person: User | None, status: int = 200
) -> HttpResponse:
    errors = errors_of(form) if form.is_bound else []
    context: dict[str, Any] = {
        "form": form,
        "person": person,
        "status": people.status(person) if person else "",
        "tags": STATUS_TAGS,
        "values": form.data if form.is_bound else form.initial,
        "errors": errors,
        "field_errors": field_errors(errors),
        "agency_items": [{"value": "", "text": "Select an agency"}]
        + [{"value": str(a.pk), "text": a.name} for a in form.fields["agency"].queryset],  # type: ignore[attr-defined]
        "nav": "people",
    }
    return render(request, "accounts/person.html", context, status=400 if errors else status)


def _fields(form: PersonForm) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in people.FIELDS}


@allow(Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def person_add(request: HttpRequest) -> HttpResponseBase:
    """Add a person and, unless the administrator unticks it, e-mail them an invitation."""
    form = PersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = people.add(
            request.user, form.cleaned_data["username"], _fields(form), request=request
        )
        if request.POST.get("invite") == "yes":
            people.invite(request.user, user, _site(request), request=request)
            return _done(request, f"{user.get_full_name()} was added and invited by e-mail")
        return _done(request, f"{user.get_full_name()} was added")
    return _form_page(request, form, None)


@allow(Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def person(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Change a person's name, e-mail address, agency or role."""
    found = get_object_or_404(User, pk=pk)
    initial = {k: getattr(found, k) for k in people.FIELDS}
    initial["agency"] = str(found.agency.pk if found.agency else "")
    form = PersonForm(request.POST if request.method == "POST" else None, person=found)
    form.initial = initial
    if request.method == "POST" and form.is_valid():
        if people.change(request.user, found, _fields(form), request=request):
            return _done(
                request, f"{found.get_full_name() or found.username}'s details were changed"
            )
        return HttpResponseRedirect(reverse("accounts:people"))
    return _form_page(request, form, found)


@allow(Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def person_invite(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET asks to confirm; POST e-mails a new link (earlier links keep working until used or
    expired, as Django's tokens do, unless a password has been set since)."""
    found = get_object_or_404(User, pk=pk, is_active=True)
    problem = "" if found.email else "They have no e-mail address: add one first"
    if request.method == "POST" and not problem:
        people.invite(request.user, found, _site(request), request=request)
        return _done(request, f"An invitation was sent to {found.email}")
    context = {"person": found, "problem": problem, "action": "invite", "nav": "people"}
    return render(request, "accounts/person_confirm.html", context)


@allow(Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET asks to confirm; POST deactivates (or, for a deactivated person, reactivates)."""
    found = get_object_or_404(User, pk=pk)
    if found.pk == request.user.pk:
        context = {"person": found, "problem": "You cannot deactivate yourself", "nav": "people"}
        return render(request, "accounts/person_confirm.html", {**context, "action": "deactivate"})
    action = "deactivate" if found.is_active else "reactivate"
    if request.method == "POST":
        name = found.get_full_name() or found.username
        if found.is_active:
            people.deactivate(request.user, found, request=request)
            return _done(request, f"{name} was deactivated: they can no longer sign in")
        people.reactivate(request.user, found, request=request)
        return _done(request, f"{name} was reactivated")
    context = {"person": found, "problem": "", "action": action, "nav": "people"}
    return render(request, "accounts/person_confirm.html", context)
