"""SafePlan's e-mail to people about their account: an invitation and a password reset, each
with its single-use link (links.py). Sent through Django's e-mail settings (EMAIL_BACKEND and
the rest, from SAFEPLAN_EMAIL_*: env.py), plain text only."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from safeplan.web.accounts import links
from safeplan.web.accounts.models import User


def _greeting(user: User) -> str:
    return f"Dear {user.get_full_name() or user.get_username()},"


def _expiry(kind: links.Kind) -> str:
    hours = links.hours(kind)
    return f"{hours // 24} days" if hours % 24 == 0 and hours >= 48 else f"{hours} hours"


def send_invitation(user: User, base_url: str) -> None:
    name = settings.PARTNERSHIP_NAME
    url = links.link("invitation", user, base_url)
    body = (
        f"{_greeting(user)}\n\n"
        f"You have been given an account on SafePlan, {name}'s performance scorecards.\n\n"
        f"Your username is: {user.get_username()}\n\n"
        f"Set your password with this link:\n{url}\n\n"
        f"The link works once, for {_expiry('invitation')}. If it has expired, ask your "
        "SafePlan administrator to invite you again.\n"
    )
    send_mail("Your SafePlan account", body, None, [user.email])


def send_password_reset(user: User, base_url: str) -> None:
    url = links.link("reset", user, base_url)
    body = (
        f"{_greeting(user)}\n\n"
        "Someone asked to reset the password of your SafePlan account "
        f"({user.get_username()}).\n\n"
        f"Set a new password with this link:\n{url}\n\n"
        f"The link works once, for {_expiry('reset')}. If you did not ask, ignore this e-mail: "
        "your password stays as it is.\n"
    )
    send_mail("Reset your SafePlan password", body, None, [user.email])
