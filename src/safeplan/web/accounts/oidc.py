"""Optional single sign-on over OpenID Connect (councils use Microsoft Entra ID).

Built on mozilla-django-oidc, with SafePlan's rules on top:

* Off unless settings.py configured it (SAFEPLAN_OIDC_ISSUER); the URLs always exist and
  answer 404 while it is off, so the set of URLs never depends on the environment.
* Everything is read from Django's settings per request, and the provider's endpoints come
  from its discovery document when first needed: a provider that is down stops nobody
  starting the app or signing in with a password, and its button says so plainly.
* The ID token must come from an allowed issuer and be meant for this client. The identity is
  taken from the signed ID token alone (no userinfo call).
* Only an existing, active account with a role may sign in, matched by e-mail address; no
  account is ever created (an administrator gives each user an agency and a role).
* Every refusal is recorded in the audit trail with its reason and the user is sent back to
  the sign-in page with a GOV.UK error summary, never a traceback. Successful sign-ins are
  recorded by the user_logged_in signal like any other (audit/signals.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import View
from mozilla_django_oidc.auth import (  # type: ignore[import-untyped]  # no stubs
    OIDCAuthenticationBackend,
)
from mozilla_django_oidc.views import (  # type: ignore[import-untyped]  # no stubs
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from safeplan.web.accounts.access import public, role_of
from safeplan.web.audit.trail import Action, client_ip, record

log = logging.getLogger(__name__)

BACKEND: Final = "safeplan.web.accounts.oidc.SSOBackend"
ERROR_KEY: Final = "safeplan_sso_error"  # the session key that carries a refusal's message
DISCOVERY_TTL: Final = 60 * 60  # seconds: endpoints rarely move; signing keys are fetched each time
DEFAULT_LABEL: Final = "Sign in with Microsoft"

# What the user is told (GOV.UK style: what happened, and what to do).
FAILED: Final = (
    "Signing in with your work account did not work. Try again, or ask your administrator for help"
)
UNAVAILABLE: Final = (
    "Signing in with your work account is not working at the moment. Try again later, or ask "
    "your administrator for help"
)
ISSUER_REFUSED: Final = (
    "Your organisation's accounts cannot sign in to SafePlan. Ask your administrator for help"
)
NO_EMAIL: Final = (
    "Your work account did not give SafePlan an e-mail address. Ask your administrator for help"
)
UNKNOWN: Final = (
    "There is no SafePlan account for this e-mail address. Ask your administrator to add you."
)
SEVERAL: Final = (
    "More than one SafePlan account has this e-mail address. Ask your administrator to fix this"
)
INACTIVE: Final = "Your SafePlan account has been closed. Ask your administrator for help"
NO_ROLE: Final = "Your SafePlan account has no role yet. Ask your administrator to give you one"

# Library settings that the provider's discovery document supplies, unless set explicitly.
DISCOVERED: Final = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class Refused(Exception):
    """A sign-in refused: the reason for the audit trail and the message for the user."""

    def __init__(
        self, reason: str, message: str, target: str = "", *, audit: bool = True, **detail: str
    ) -> None:
        super().__init__(reason)
        self.reason, self.message, self.target = reason, message, target
        self.audit, self.detail = audit, detail


class Unavailable(Exception):
    """The provider's discovery document could not be fetched or made no sense."""


def enabled() -> bool:
    """Is single sign-on on? Read per request, so tests can turn it on with override_settings."""
    issuer = getattr(settings, "OIDC_OP_ISSUER", None)
    return bool(issuer) and BACKEND in settings.AUTHENTICATION_BACKENDS


def button_label() -> str:
    return str(getattr(settings, "OIDC_BUTTON_LABEL", "") or DEFAULT_LABEL)


def allowed_issuers() -> frozenset[str]:
    """The issuers trusted to vouch for a user: the allow-list, or the issuer alone."""
    listed = getattr(settings, "OIDC_ALLOWED_ISSUERS", None) or [settings.OIDC_OP_ISSUER]
    return frozenset(str(issuer) for issuer in listed)


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def forget_discovery() -> None:
    """Fetch the discovery documents again when next needed (for tests)."""
    with _lock:
        _discovered.clear()


def discovery() -> dict[str, Any]:
    """The issuer's /.well-known/openid-configuration, fetched when first needed and kept for
    an hour; a failure is not kept, so the next sign-in tries again."""
    issuer = str(settings.OIDC_OP_ISSUER)
    with _lock:
        kept = _discovered.get(issuer)
    if kept is not None and time.monotonic() - kept[0] < DISCOVERY_TTL:
        return kept[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(
            url,
            timeout=getattr(settings, "OIDC_TIMEOUT", 10),
            verify=getattr(settings, "OIDC_VERIFY_SSL", True),
            proxies=getattr(settings, "OIDC_PROXY", None),
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Unavailable(f"{url}: {error}") from error
    if not isinstance(document, dict) or not all(
        isinstance(document.get(key), str) for key in DISCOVERED.values()
    ):
        raise Unavailable(f"{url}: not an OpenID Provider configuration")
    with _lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def setting(name: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings lookup, with the endpoints from discovery if not set."""
    value = getattr(settings, name, None)
    if value is None and name in DISCOVERED:
        return discovery()[DISCOVERED[name]]
    if value is None:
        if default:
            return default[0]
        raise ImproperlyConfigured(f"Setting {name} not found")
    return value


def email_of(claims: Mapping[str, Any]) -> str | None:
    """The e-mail address the provider vouches for: Entra ID puts it in ``email`` or (the
    user principal name) ``preferred_username``. None if absent or marked unverified."""
    if claims.get("email_verified") is False:
        return None
    for claim in ("email", "preferred_username"):
        value = claims.get(claim)
        if isinstance(value, str) and "@" in value.strip():
            return value.strip()
    return None


class SSOBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # untyped base
    """Signs in an existing account whose e-mail address the provider vouches for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes every backend for every sign-in (passwords too) and for every request
        # of a user signed in through it, so this must not touch the network: the endpoints
        # are looked up in authenticate(). (The base class would read them here.)
        self.UserModel = get_user_model()
        self.OIDC_OP_TOKEN_ENDPOINT: str | None = None
        self.OIDC_OP_JWKS_ENDPOINT: str | None = None
        self.OIDC_RP_IDP_SIGN_KEY = None

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return setting(attr, *args)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        """The callback's sign-in (the library's view passes a nonce); None for any other,
        such as a password. Raises Refused, with the reason, for every failure."""
        if request is None or "nonce" not in kwargs or not enabled():
            return None
        try:
            self.OIDC_RP_CLIENT_ID = setting("OIDC_RP_CLIENT_ID")
            self.OIDC_RP_CLIENT_SECRET = setting("OIDC_RP_CLIENT_SECRET")
            self.OIDC_RP_SIGN_ALGO = setting("OIDC_RP_SIGN_ALGO", "RS256")
            self.OIDC_OP_TOKEN_ENDPOINT = setting("OIDC_OP_TOKEN_ENDPOINT")
            self.OIDC_OP_JWKS_ENDPOINT = setting("OIDC_OP_JWKS_ENDPOINT")
        except Unavailable as error:
            log.error("single sign-on: the provider is unavailable: %s", error)
            raise Refused("provider unavailable", UNAVAILABLE, audit=False) from error
        try:
            user = super().authenticate(request, **kwargs)
        except (
            SuspiciousOperation,  # bad signature, wrong algorithm, nonce mismatch
            jwt.PyJWTError,  # expired, malformed, no matching key
            requests.RequestException,  # the token or JWKS endpoint failed
            KeyError,
            TypeError,
            ValueError,
        ) as error:
            log.warning("single sign-on: token refused: %s", error)
            raise Refused("token refused", FAILED, error=type(error).__name__) from error
        if user is None:
            raise Refused("token refused", FAILED)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks the signature and nonce; also check who issued the token and
        whom it is for (the library skips the audience)."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        issuer = payload.get("iss")
        if not isinstance(issuer, str) or issuer not in allowed_issuers():
            raise Refused(
                "issuer not allowed", ISSUER_REFUSED, email_of(payload) or "", issuer=str(issuer)
            )
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience or []
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise Refused("token refused", FAILED, email_of(payload) or "", error="audience")
        if "exp" not in payload:  # PyJWT checks an expiry only if there is one
            raise Refused("token refused", FAILED, email_of(payload) or "", error="no expiry")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The verified ID token's claims: enough to match an account, one call fewer."""
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The one active account with this e-mail address and a role; never a new one."""
        email = email_of(payload)
        if email is None:
            raise Refused("no e-mail address in the token", NO_EMAIL, str(payload.get("sub", "")))
        users = list(self.UserModel.objects.filter(email__iexact=email))
        active = [user for user in users if user.is_active]
        if not users:
            raise Refused("unknown e-mail", UNKNOWN, email)
        if not active:
            raise Refused("inactive account", INACTIVE, email)
        if len(active) > 1:
            raise Refused("several accounts", SEVERAL, email)
        user = active[0]
        if role_of(user) is None:
            raise Refused("no role", NO_ROLE, user.get_username())
        return user

    def get_user(self, user_id: Any) -> Any:
        """As for passwords: a closed account's session ends (the library's would not)."""
        return ModelBackend.get_user(self, user_id)


class _Start(OIDCAuthenticationRequestView):  # type: ignore[misc]  # untyped base
    """The library's redirect to the provider (state, nonce, PKCE), with lazy endpoints."""

    def __init__(self, **kwargs: Any) -> None:
        # The base class reads the authorization endpoint here; get() looks it up instead.
        View.__init__(self, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponseBase:
        self.OIDC_RP_CLIENT_ID = setting("OIDC_RP_CLIENT_ID")
        self.OIDC_OP_AUTH_ENDPOINT = setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        response: HttpResponseBase = super().get(request)
        return response


class _Callback(OIDCAuthenticationCallbackView):  # type: ignore[misc]  # untyped base
    """The library's callback (state check, token, sign-in); its failures raise Refused."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return setting(attr, *args)

    def login_failure(self) -> HttpResponseBase:
        """The provider sent an error (the user cancelled, say), or no sign-in was started."""
        error = self.request.GET.get("error")
        if error:
            raise Refused("provider error", FAILED, error=str(error)[:100])
        raise Refused("no sign-in in progress", FAILED)


_start: Callable[[HttpRequest], HttpResponseBase] = _Start.as_view()
_callback: Callable[[HttpRequest], HttpResponseBase] = _Callback.as_view()


def refuse(request: HttpRequest, refusal: Refused) -> HttpResponseRedirect:
    """Record the refusal and send the user back to the sign-in page to read why."""
    if refusal.audit:
        detail = {"reason": refusal.reason, "via": "single sign-on", **refusal.detail}
        record(None, Action.sign_in_failed, refusal.target, detail, ip=client_ip(request))
    request.session[ERROR_KEY] = refusal.message
    return HttpResponseRedirect(reverse("accounts:sign-in"))


def take_error(request: HttpRequest) -> str | None:
    """The message of a single sign-on just refused, shown once on the sign-in page."""
    message = request.session.pop(ERROR_KEY, None)
    return str(message) if message else None


@public
@never_cache
@require_GET
def sso(request: HttpRequest) -> HttpResponseBase:
    """Sends the user to the provider to sign in (the library makes the state and nonce)."""
    if not enabled():
        raise Http404
    try:
        return _start(request)
    except Unavailable as error:
        log.error("single sign-on: the provider is unavailable: %s", error)
        return refuse(request, Refused("provider unavailable", UNAVAILABLE, audit=False))


@public
@never_cache
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponseBase:
    """Where the provider sends the user back: signs them in, or says why not."""
    if not enabled():
        raise Http404
    try:
        return _callback(request)
    except Refused as refusal:
        return refuse(request, refusal)
    except SuspiciousOperation:  # a state this session never started: stale or forged
        return refuse(request, Refused("state mismatch", FAILED))
