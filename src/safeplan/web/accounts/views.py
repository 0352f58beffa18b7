"""Sign in and sign out, in the GOV.UK form patterns (error summary, inline errors)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from safeplan.web.accounts import oidc, ratelimit, twostep
from safeplan.web.accounts.access import EVERY_ROLE, allow, public, role_of
from safeplan.web.accounts.forms import SignInForm
from safeplan.web.accounts.models import User
from safeplan.web.audit.trail import Action, client_ip, record
from safeplan.web.errors import field_errors

BAD_CREDENTIALS = "Enter a correct username and password"
LOCKED = (
    "You have tried to sign in too many times. Wait 15 minutes, then try again, "
    "or ask your administrator to help"
)


def _next(request: HttpRequest) -> str:
    """Where to go after signing in: the page asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


@public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponseBase:
    form = SignInForm(request.POST if request.method == "POST" else None)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            username = form.cleaned_data["username"]
            ip = client_ip(request)
            if ratelimit.locked(username, ip):
                record(None, Action.sign_in_refused, username, {"reason": "locked"}, ip=ip)
                errors.append({"text": LOCKED, "href": "#username"})
            else:
                user = authenticate(
                    request, username=username, password=form.cleaned_data["password"]
                )
                if isinstance(user, User) and role_of(user) is not None:
                    # signed in now, or after the second step (a new session key either way)
                    return twostep.begin(
                        request, user, str(getattr(user, "backend", "")), _next(request)
                    )
                if user is not None:  # no role: an account nobody has finished setting up
                    record(None, Action.sign_in_failed, username, {"reason": "no role"}, ip=ip)
                errors.append({"text": BAD_CREDENTIALS, "href": "#username"})
        else:
            for name in ("username", "password"):
                for message in form.errors.get(name, []):
                    errors.append({"text": str(message), "href": f"#{name}"})
    refused = oidc.take_error(request) if request.method != "POST" else None
    if refused:  # single sign-on refused: the callback sent the user here to read why
        errors.append({"text": refused, "href": "#sso"})
    context: dict[str, Any] = {
        "form": form,
        "sso_label": oidc.button_label() if oidc.enabled() else None,
        "errors": errors,
        "field_errors": field_errors(errors),
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "username": form.data.get("username", "") if form.is_bound else "",
    }
    status = 400 if errors and form.is_bound else 200
    return render(request, "accounts/sign_in.html", context, status=status)


@allow(*EVERY_ROLE)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST signs out (a link elsewhere cannot sign anyone out)."""
    if request.method == "POST":
        logout(request)  # audited by the signal
        return HttpResponseRedirect(reverse("accounts:signed-out"))
    return render(request, "accounts/sign_out.html")


@public
@require_http_methods(["GET", "HEAD"])
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the GOV.UK-style 403 page, never Django's debug text."""
    return render(request, "403.html", {"csrf": True}, status=403)
