"""The single-use, expiring links an e-mail carries: an invitation (set a first password) and
a password reset. Each is Django's password-reset token under its own salt and its own
expiry, so a reset link cannot stand in for an invitation. A link stops working once used:
the token is bound to the password hash, which setting a password changes."""

from __future__ import annotations

from typing import Final, Literal

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from safeplan.web.accounts.models import User

Kind = Literal["invitation", "reset"]
URL_NAMES: Final[dict[Kind, str]] = {
    "invitation": "accounts:invitation",
    "reset": "accounts:password-reset-link",
}


class _Tokens(PasswordResetTokenGenerator):
    """Django's tokens, with this kind's own salt and expiry (PASSWORD_RESET_TIMEOUT is the
    longest of them, checked by Django; the kind's own is checked here)."""

    def __init__(self, kind: Kind) -> None:
        super().__init__()
        self.kind: Kind = kind
        self.key_salt = f"safeplan.web.accounts.links.{kind}"

    def timeout(self) -> int:
        return int(settings.SAFEPLAN_LINK_TIMEOUTS[self.kind])

    def check_token(self, user: User | None, token: str | None) -> bool:  # type: ignore[override]
        if not (user and token and super().check_token(user, token)):
            return False
        try:
            made = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - made <= self.timeout()


TOKENS: Final[dict[Kind, _Tokens]] = {kind: _Tokens(kind) for kind in URL_NAMES}


def link(kind: Kind, user: User, base_url: str) -> str:
    """The whole link for an e-mail: the site's address, the user's id and the token."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(URL_NAMES[kind], kwargs={"uidb64": uid, "token": TOKENS[kind].make_token(user)})
    return base_url.rstrip("/") + path


def user_for(kind: Kind, uidb64: str, token: str) -> User | None:
    """The active user this link is for, if it is still good (not used, not expired)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    return user if TOKENS[kind].check_token(user, token) else None


def hours(kind: Kind) -> int:
    """The link's lifetime in whole hours, for the e-mail's words."""
    return max(1, round(TOKENS[kind].timeout() / 3600))
