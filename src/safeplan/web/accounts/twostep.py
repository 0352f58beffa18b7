"""Two-step sign-in for local accounts (OWASP ASVS level 2): after the password, a code from
an authenticator app (django-otp's TOTP device) or one of ten single-use recovery codes
(django-otp's static device).

Required for administrators and analysts (they reach child-level records, uploads and the
audit trail); optional for board members and contributors, who may set it up, and once set
up are always asked. The session is signed in only after both steps: until then it holds
only the pending user's id (``PENDING``), for a few minutes. Single sign-on never comes
through here: the identity provider applies its own multi-factor rules (oidc.py).
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any, Final

import django_otp
import segno
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeplan.web.accounts.models import Role, User
from safeplan.web.audit.trail import record

REQUIRED_FOR: Final = frozenset({Role.admin, Role.analyst})
PENDING: Final = "safeplan_two_step"  # session: the user between the password and the code
PENDING_SECONDS: Final = 5 * 60
RECOVERY_CODES: Final = 10
APP: Final = "Authenticator app"
RECOVERY: Final = "Recovery codes"


class TwoStepAction:
    set_up = "two-step-set-up"
    failed = "two-step-failed"
    reset = "two-step-reset"


def required(user: User) -> bool:
    return user.role in REQUIRED_FOR


def app_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolled(user: User) -> bool:
    """Has a second step: an authenticator app, or recovery codes left (the demo's accounts
    and the browser tests' have only those)."""
    return app_device(user) is not None or StaticToken.objects.filter(device__user=user).exists()


def begin(request: HttpRequest, user: User, backend: str, next_url: str) -> HttpResponseRedirect:
    """After the password: sign in now (no second step for this user), or hold the user as
    pending and ask for the code, or, if the role needs one and none is set up, set one up."""
    has_one = enrolled(user)
    if not has_one and not required(user):
        login(request, user, backend=backend)
        return HttpResponseRedirect(next_url)
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url,
        "until": time.time() + PENDING_SECONDS,
    }
    return HttpResponseRedirect(
        reverse("accounts:two-step" if has_one else "accounts:two-step-set-up")
    )


def pending(request: HttpRequest) -> User | None:
    """The user who gave their password and not yet their code (None once it has expired)."""
    held = request.session.get(PENDING)
    if not isinstance(held, dict) or float(held.get("until", 0)) < time.time():
        return None
    return User.objects.filter(pk=held.get("user"), is_active=True).first()


def finish(request: HttpRequest, user: User, device: Device) -> HttpResponseRedirect:
    """Both steps done: sign in (a new session key; audited by the signal), marked verified."""
    held = request.session.pop(PENDING, {})
    login(request, user, backend=held.get("backend"))
    django_otp.login(request, device)
    return HttpResponseRedirect(str(held.get("next") or reverse("partner:dashboard")))


def verify(request: HttpRequest, user: User, code: str) -> Device | None:
    """The device that accepts this code: the authenticator app (throttled by django-otp
    after failures), else a recovery code (used up). A failure is audited."""
    for device in [app_device(user), StaticDevice.objects.filter(user=user).first()]:
        if device is not None and device.confirmed and device.verify_token(code):
            return device
    record(user, TwoStepAction.failed, user.get_username(), request=request)
    return None


def new_app(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator app for the set-up page: it counts only once the user
    has typed a code from it (``confirm``). Earlier unconfirmed ones are dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP, confirmed=False)


def unconfirmed_app(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def confirm(request: HttpRequest, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """If the code is right: the new app replaces any old one and ten new recovery codes
    replace any old ones; returns the codes (shown once). None if the code is wrong."""
    if not device.verify_token(code):
        record(
            user, TwoStepAction.failed, user.get_username(), {"setting up": True}, request=request
        )
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(user)
    record(user, TwoStepAction.set_up, user.get_username(), request=request)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes, replacing any left (shown once, stored as django-otp keeps them)."""
    static, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY)
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def reset(actor: Any, user: User, *, request: HttpRequest | None = None) -> None:
    """An administrator's remedy for a lost phone: the user sets up again at next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(actor, TwoStepAction.reset, user.get_username(), request=request)


def secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it typed in: base32, in groups of four."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (markup, no script: the CSP allows it)."""
    code = segno.make(device.config_url, error="m")
    return str(code.svg_inline(scale=4, dark="#0b0c0c", light="#ffffff", omitsize=False))
