"""Sign-ins, failures and sign-outs, from Django's auth signals (every backend sends them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from safeplan.web.audit.trail import Action, record


def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    backend = getattr(user, "backend", "") or ""
    record(user, Action.sign_in, user.get_username(), {"backend": backend}, request=request)


def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))
    record(None, Action.sign_in_failed, username, {"reason": "bad credentials"}, request=request)


def signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:  # signing out with no session: nothing to record
        return
    record(user, Action.sign_out, user.get_username(), request=request)


def connect() -> None:
    user_logged_in.connect(signed_in, dispatch_uid="safeplan-audit-sign-in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="safeplan-audit-sign-in-failed")
    user_logged_out.connect(signed_out, dispatch_uid="safeplan-audit-sign-out")
