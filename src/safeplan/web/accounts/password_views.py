"""Setting a password through an e-mailed link (an invitation or a reset), and asking for a
reset. Public pages: the link itself is the proof, once, until it expires (links.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from safeplan.web.accounts import links, mail
from safeplan.web.accounts.access import public
from safeplan.web.accounts.forms import EmailForm, errors_of
from safeplan.web.accounts.models import User
from safeplan.web.audit.trail import record
from safeplan.web.errors import field_errors


class PasswordAction:
    set_by_link = "password-set"
    reset_asked = "password-reset-asked"


def _set_password(
    request: HttpRequest, kind: links.Kind, uidb64: str, token: str
) -> HttpResponseBase:
    user = links.user_for(kind, uidb64, token)
    if user is None:
        return render(request, "accounts/link_expired.html", {"kind": kind})
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()  # the hash changes, so this link (and any older one) stops working
        record(
            user, PasswordAction.set_by_link, user.get_username(), {"link": kind}, request=request
        )
        return HttpResponseRedirect(reverse("accounts:password-done"))
    errors = errors_of(form) if form.is_bound else []
    context: dict[str, Any] = {
        "kind": kind,
        "person": user,
        "errors": errors,
        "field_errors": field_errors(errors),
    }
    return render(request, "accounts/set_password.html", context, status=400 if errors else 200)


@public
@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponseBase:
    return _set_password(request, "invitation", uidb64, token)


@public
@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reset_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponseBase:
    return _set_password(request, "reset", uidb64, token)


@public
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reset(request: HttpRequest) -> HttpResponseBase:
    """Ask for a reset link. The answer is the same whether or not the address is known, so
    the page tells nobody who has an account; only active accounts with a password get one
    (an invitee uses their invitation; a single sign-on user has no password here)."""
    form = EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        found = [
            u
            for u in User.objects.filter(email__iexact=address, is_active=True)
            if u.has_usable_password() and u.role
        ]
        for user in found:
            mail.send_password_reset(user, request.build_absolute_uri("/"))
        record(None, PasswordAction.reset_asked, address, {"sent": len(found)}, request=request)
        return HttpResponseRedirect(reverse("accounts:password-reset-sent"))
    errors = errors_of(form) if form.is_bound else []
    context = {
        "email": form.data.get("email", "") if form.is_bound else "",
        "errors": errors,
        "field_errors": field_errors(errors),
    }
    return render(request, "accounts/password_reset.html", context, status=400 if errors else 200)


@public
@require_safe
def reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html", {"hours": links.hours("reset")})


@public
@require_safe
def password_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_done.html")
