"""The second step of signing in: the code, and setting up an authenticator app. Public
pages, because the person is not signed in yet: each works only for the user a correct
password left pending in this session (twostep.PENDING), or for a signed-in user setting up
two-step sign-in for their own account."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from safeplan.web.accounts import twostep
from safeplan.web.accounts.access import public, role_of
from safeplan.web.accounts.forms import CodeForm, errors_of
from safeplan.web.accounts.models import User
from safeplan.web.errors import field_errors

WRONG = "The code is not right. Enter the 6-digit code your authenticator app shows now"


def _timed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/two_step_timed_out.html")


def _errors(form: CodeForm, wrong: bool) -> list[dict[str, str]]:
    found = errors_of(form) if form.is_bound else []
    return found or ([{"text": WRONG, "href": "#code"}] if wrong else [])


@public
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_step(request: HttpRequest) -> HttpResponseBase:
    """The code from the authenticator app, or a recovery code."""
    user = twostep.pending(request)
    if user is None:
        return _timed_out(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    wrong = False
    if request.method == "POST" and form.is_valid():
        device = twostep.verify(request, user, form.cleaned_data["code"])
        if device is not None:
            return twostep.finish(request, user, device)
        wrong = True
    errors = _errors(form, wrong)
    context = {"errors": errors, "field_errors": field_errors(errors)}
    return render(request, "accounts/two_step.html", context, status=400 if errors else 200)


def _setting_up(request: HttpRequest) -> tuple[User | None, bool]:
    """Whose app is being set up: the pending user's, or the signed-in user's own."""
    user = twostep.pending(request)
    if user is not None:
        return user, True
    if role_of(request.user) is not None:
        return request.user, False  # type: ignore[return-value]
    return None, False


@public
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def set_up(request: HttpRequest) -> HttpResponseBase:
    """Show a new key (as a QR code and as text); a code from it confirms it, and the ten
    recovery codes are shown once. A GET makes a new key; a wrong code keeps the same one."""
    user, signing_in = _setting_up(request)
    if user is None:
        return _timed_out(request)
    if not signing_in and twostep.app_device(user) is not None:  # no silent replacement
        return render(request, "accounts/two_step_set_up.html", {"already": True})
    form = CodeForm(request.POST if request.method == "POST" else None)
    device = twostep.unconfirmed_app(user) if request.method == "POST" else None
    if device is None:
        device = twostep.new_app(user)
        form = CodeForm(None)  # a new key: a code for an old one cannot be right
    wrong = False
    if form.is_bound and form.is_valid():
        codes = twostep.confirm(request, user, device, form.cleaned_data["code"])
        if codes is not None:
            context: dict[str, Any] = {"codes": codes, "signing_in": signing_in}
            if signing_in:
                done = twostep.finish(request, user, device)
                context["next"] = done["Location"]
            else:
                context["next"] = reverse("partner:dashboard")
            return render(request, "accounts/recovery_codes.html", context)
        wrong = True
    errors = _errors(form, wrong)
    context = {
        "errors": errors,
        "field_errors": field_errors(errors),
        "secret": twostep.secret_text(device),
        "qr": twostep.qr_svg(device),
        "required": twostep.required(user),
        "signing_in": signing_in,
    }
    return render(request, "accounts/two_step_set_up.html", context, status=400 if errors else 200)
