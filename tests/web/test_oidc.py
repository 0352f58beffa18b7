"""Single sign-on over OpenID Connect, against a real OpenID provider on localhost.

The provider is a small HTTP server in a thread: a discovery document, a JWKS with an RSA key
made here, an authorization endpoint that signs in whoever the test says, and a token endpoint
that checks the client secret and PKCE and returns an RS256-signed ID token. Django's settings
come from running the real settings.py with SAFEPLAN_OIDC_* set, so the wiring is tested too.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import runpy
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client, override_settings
from jwt.algorithms import RSAAlgorithm
from pydantic import ValidationError

from safeplan.web.env import WebEnv
from tests.web.conftest import make_user, text_of

CLIENT_ID = "5f0c1d2e-client"
CLIENT_SECRET = "test-only-client-secret"
CALLBACK = "http://testserver/sign-in/sso/callback/"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


_provider_key = functools.cache(_key)  # one key for every test's provider: keys are slow


@dataclass
class Provider:
    """A tiny OpenID provider. ``user`` holds the claims of whoever signs in next; ``claims``
    overrides any claim of the ID token (a wrong issuer, say), or with None leaves it out."""

    server: HTTPServer
    key: rsa.RSAPrivateKey = field(default_factory=_provider_key)
    kid: str = "test-key-1"
    user: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    signing_key: rsa.RSAPrivateKey | None = None  # sign with another key than the JWKS's
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def issuer(self) -> str:
        return f"{self.base}/tenant-1/v2.0"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token",
            "jwks_uri": f"{self.base}/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> str:
        """Sign in ``user``: remember the request, send the browser back with a code."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        back = {"code": code, "state": query["state"]}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The token endpoint: a code once, for this client, with the PKCE verifier."""
        self.token_requests.append(form)
        asked = self.codes.pop(form.get("code", ""), None)
        if asked is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != asked["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        if form.get("redirect_uri") != asked["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "sub-" + secrets.token_hex(4),
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "nonce": asked["nonce"],
            **self.user,
            **self.claims,
        }
        claims = {name: value for name, value in claims.items() if value is not None}
        signer = self.signing_key or self.key
        id_token = jwt.encode(claims, signer, algorithm="RS256", headers={"kid": self.kid})
        return 200, {"id_token": id_token, "access_token": "opaque", "token_type": "Bearer"}


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict[str, Any], location: str = "") -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/tenant-1/v2.0/.well-known/openid-configuration":
                self._send(200, provider.discovery())
            elif url.path == "/keys":
                self._send(200, provider.jwks())
            elif url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                self._send(302, {}, provider.authorize(query))
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/token":
                self._send(*provider.token(form))
            else:
                self._send(404, {"error": "not found"})

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

    return Handler


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    found = Provider(server)
    server.RequestHandlerClass = _handler(found)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()
    thread.join()


def sso_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """The settings the real settings.py makes from these SAFEPLAN_OIDC_* variables: the
    authentication backends and every OIDC_* one."""
    monkeypatch.setenv("SAFEPLAN_SECRET_KEY", "test-only-" + "k" * 50)
    for name, value in env.items():
        monkeypatch.setenv(f"SAFEPLAN_OIDC_{name.upper()}", value)
    from safeplan.web import settings

    made = runpy.run_path(settings.__file__)
    wanted = {k: v for k, v in made.items() if k.startswith("OIDC_")}
    if "AUTHENTICATION_BACKENDS" in made:
        wanted["AUTHENTICATION_BACKENDS"] = made["AUTHENTICATION_BACKENDS"]
    return wanted


@pytest.fixture
def sso_on(provider: Provider, monkeypatch: pytest.MonkeyPatch, db: None) -> Iterator[Provider]:
    """Single sign-on on, against the local provider."""
    from safeplan.web.accounts import oidc

    made = sso_settings(
        monkeypatch, issuer=provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    oidc.forget_discovery()
    with override_settings(**made):
        yield provider
    oidc.forget_discovery()


def account(role: str, username: str, email: str, *, active: bool = True) -> Any:
    """An account an administrator made, with this e-mail address."""
    user = make_user(role, username)
    user.email, user.is_active = email, active
    user.save()
    return user


def entries(action: str) -> list[tuple[str, str, dict[str, Any]]]:
    from safeplan.web.audit.models import Entry

    found = Entry.objects.filter(action=action).order_by("seq")
    return [(e.actor, e.target, json.loads(e.detail) if e.detail else {}) for e in found]


def start(client: Client, query: str = "") -> dict[str, str]:
    """Press the button: the app sends the browser to the provider. Returns the query."""
    response = client.get("/sign-in/sso/" + query)
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def sign_in_at_provider(client: Client, provider: Provider, query: str = "") -> str:
    """The whole round trip up to the callback: returns the callback's Location."""
    asked = start(client, query)
    answer = requests.get(f"{provider.base}/authorize", params=asked, allow_redirects=False)
    assert answer.status_code == 302
    back = answer.headers["Location"]
    assert back.startswith(CALLBACK)
    response = client.get(back)
    assert response.status_code == 302
    return str(response["Location"])


def refusal_shown(client: Client, location: str) -> str:
    """Follow a refusal to the sign-in page; return the error summary's words."""
    assert location == "/sign-in/"
    page = client.get(location)
    assert page.status_code == 200
    assert b'class="govuk-error-summary' in page.content and b'href="#sso"' in page.content
    assert "_auth_user_id" not in client.session
    return text_of(page.content)


def test_the_settings_turn_sso_on_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sso_settings(monkeypatch) == {}  # off by default: no backend, no OIDC_* at all
    made = sso_settings(
        monkeypatch,
        issuer="https://login.microsoftonline.com/tenant-1/v2.0",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert made["AUTHENTICATION_BACKENDS"] == [
        "django.contrib.auth.backends.ModelBackend",
        "safeplan.web.accounts.oidc.SSOBackend",
    ]
    assert made["OIDC_RP_SIGN_ALGO"] == "RS256"
    assert made["OIDC_RP_SCOPES"] == "openid email profile"
    assert made["OIDC_STORE_ID_TOKEN"] is False and made["OIDC_CREATE_USER"] is False
    assert made["OIDC_RP_CLIENT_SECRET"] == CLIENT_SECRET
    assert made["OIDC_ALLOWED_ISSUERS"] == ["https://login.microsoftonline.com/tenant-1/v2.0"]
    assert made["OIDC_BUTTON_LABEL"] == "Sign in with Microsoft"


def test_half_configured_sso_stops_the_app_starting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEPLAN_OIDC_ISSUER", "https://login.microsoftonline.com/t/v2.0")
    with pytest.raises(ValidationError, match="SAFEPLAN_OIDC_CLIENT_ID"):
        WebEnv()
    monkeypatch.setenv("SAFEPLAN_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SAFEPLAN_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SAFEPLAN_OIDC_ALLOWED_ISSUERS", " https://a.example/v2.0 ,https://b/ ")
    env = WebEnv()
    assert env.sso() and env.allowed_issuers() == ["https://a.example/v2.0", "https://b/"]
    assert "client-secret" not in repr(env)  # a SecretStr


def test_signing_in_with_sso_matches_the_account_by_email(sso_on: Provider) -> None:
    from safeplan.web.accounts import oidc

    user = account("analyst", "ana", "Ana.Analyst@Council.example")
    sso_on.user = {"email": "ana.analyst@council.EXAMPLE", "name": "Ana Analyst"}
    client = Client(REMOTE_ADDR="192.0.2.44")

    asked = start(client)
    assert asked["client_id"] == CLIENT_ID and asked["redirect_uri"] == CALLBACK
    assert asked["scope"] == "openid email profile" and asked["response_type"] == "code"
    assert asked["state"] and asked["nonce"] and asked["code_challenge_method"] == "S256"
    answer = requests.get(f"{sso_on.base}/authorize", params=asked, allow_redirects=False)
    response = client.get(answer.headers["Location"])

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["_auth_user_backend"] == oidc.BACKEND
    assert "oidc_id_token" not in client.session and "oidc_access_token" not in client.session
    assert client.get("/dashboard/").status_code == 200
    assert entries("sign-in") == [("ana", "ana", {"backend": oidc.BACKEND})]
    assert entries("sign-in-failed") == []
    # the back channel: the code with the client secret and the PKCE verifier
    (sent,) = sso_on.token_requests
    assert sent["client_secret"] == CLIENT_SECRET and len(sent["code_verifier"]) >= 43


def test_entra_preferred_username_is_used_when_there_is_no_email_claim(sso_on: Provider) -> None:
    user = account("board", "bea", "bea@council.example")
    sso_on.user = {"preferred_username": "BEA@council.example"}
    client = Client()
    assert sign_in_at_provider(client, sso_on, "?next=/dashboard/") == "/dashboard/"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_sso_returns_only_to_pages_on_this_site(sso_on: Provider) -> None:
    account("admin", "adm", "adm@council.example")
    sso_on.user = {"email": "adm@council.example"}
    assert sign_in_at_provider(Client(), sso_on, "?next=/audit/") == "/audit/"
    assert sign_in_at_provider(Client(), sso_on, "?next=https://evil.example/") == "/dashboard/"


def test_a_token_from_an_issuer_not_allowed_is_refused(sso_on: Provider) -> None:
    account("admin", "adm", "adm@council.example")
    sso_on.user = {"email": "adm@council.example"}
    sso_on.claims = {"iss": "https://login.microsoftonline.com/someone-else/v2.0"}
    client = Client(REMOTE_ADDR="198.51.100.9")
    words = refusal_shown(client, sign_in_at_provider(client, sso_on))
    assert "Your organisation's accounts cannot sign in to SafePlan" in words
    assert entries("sign-in") == []
    ((actor, target, detail),) = entries("sign-in-failed")
    assert (actor, target) == ("", "adm@council.example")
    assert detail == {
        "reason": "issuer not allowed",
        "via": "single sign-on",
        "issuer": "https://login.microsoftonline.com/someone-else/v2.0",
    }


def test_the_allow_list_can_trust_more_than_one_issuer(
    provider: Provider, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    from safeplan.web.accounts import oidc

    other = "https://login.microsoftonline.com/partner-tenant/v2.0"
    made = sso_settings(
        monkeypatch,
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        allowed_issuers=f"{provider.issuer},{other}",
    )
    user = account("contributor", "cat", "cat@icb.example")
    provider.user = {"email": "cat@icb.example"}
    provider.claims = {"iss": other}
    oidc.forget_discovery()
    with override_settings(**made):
        client = Client()
        assert sign_in_at_provider(client, provider) == "/dashboard/"
        assert int(client.session["_auth_user_id"]) == user.pk


def test_an_unknown_email_is_refused_and_no_account_is_made(sso_on: Provider) -> None:
    from safeplan.web.accounts.models import User

    make_user("analyst", "ana")
    before = User.objects.count()
    sso_on.user = {"email": "stranger@council.example"}
    client = Client()
    words = refusal_shown(client, sign_in_at_provider(client, sso_on))
    assert (
        "There is no SafePlan account for this e-mail address. Ask your administrator to add you."
        in words
    )
    assert User.objects.count() == before
    ((_, target, detail),) = entries("sign-in-failed")
    assert target == "stranger@council.example" and detail["reason"] == "unknown e-mail"
    # shown once: the message does not stay on the sign-in page
    assert b"govuk-error-summary" not in client.get("/sign-in/").content


def test_a_user_with_no_role_is_refused(sso_on: Provider) -> None:
    account("", "nobody", "nobody@council.example")
    sso_on.user = {"email": "nobody@council.example"}
    client = Client()
    words = refusal_shown(client, sign_in_at_provider(client, sso_on))
    assert "Your SafePlan account has no role yet" in words
    assert [(t, d["reason"]) for _, t, d in entries("sign-in-failed")] == [("nobody", "no role")]


def test_a_closed_account_is_refused(sso_on: Provider) -> None:
    account("analyst", "gone", "gone@council.example", active=False)
    sso_on.user = {"email": "gone@council.example"}
    client = Client()
    words = refusal_shown(client, sign_in_at_provider(client, sso_on))
    assert "Your SafePlan account has been closed" in words
    assert [d["reason"] for _, _, d in entries("sign-in-failed")] == ["inactive account"]


def test_an_email_marked_unverified_is_not_trusted(sso_on: Provider) -> None:
    account("analyst", "ana", "ana@council.example")
    sso_on.user = {"email": "ana@council.example", "email_verified": False}
    client = Client()
    words = refusal_shown(client, sign_in_at_provider(client, sso_on))
    assert "did not give SafePlan an e-mail address" in words


@pytest.mark.parametrize(
    ("tamper", "error"),
    [
        ({"signing_key": "another"}, "SuspiciousOperation"),  # not the provider's key
        ({"claims": {"aud": "some-other-app"}}, "audience"),  # meant for another application
        ({"claims": {"exp": int(time.time()) - 60}}, "ExpiredSignatureError"),
        ({"claims": {"exp": None}}, "no expiry"),  # would be good for ever
        ({"claims": {"nonce": "replayed"}}, "SuspiciousOperation"),  # not this browser's
    ],
    ids=["signature", "audience", "expired", "no-expiry", "nonce"],
)
def test_a_bad_id_token_is_refused(sso_on: Provider, tamper: dict[str, Any], error: str) -> None:
    account("analyst", "ana", "ana@council.example")
    sso_on.user = {"email": "ana@council.example"}
    if "signing_key" in tamper:
        sso_on.signing_key = _key()
    sso_on.claims = tamper.get("claims", {})
    client = Client()
    words = refusal_shown(client, sign_in_at_provider(client, sso_on))
    assert "Signing in with your work account did not work" in words
    refused = [(d["reason"], d["error"]) for _, _, d in entries("sign-in-failed")]
    assert refused == [("token refused", error)]
    assert entries("sign-in") == []


def test_a_callback_this_browser_never_started_is_refused(sso_on: Provider) -> None:
    start(Client())  # someone else's sign-in
    client = Client()
    start(client)
    response = client.get("/sign-in/sso/callback/?code=stolen&state=not-this-one")
    words = refusal_shown(client, response["Location"])
    assert "did not work" in words
    no_session = Client().get("/sign-in/sso/callback/?code=stolen&state=any")
    assert no_session.status_code == 302 and no_session["Location"] == "/sign-in/"
    reasons = [d["reason"] for _, _, d in entries("sign-in-failed")]
    assert reasons == ["state mismatch", "no sign-in in progress"]
    assert sso_on.token_requests == []  # refused before any code was spent


def test_a_callback_cannot_be_replayed(sso_on: Provider) -> None:
    account("analyst", "ana", "ana@council.example")
    sso_on.user = {"email": "ana@council.example"}
    client = Client()
    asked = start(client)
    back = requests.get(f"{sso_on.base}/authorize", params=asked, allow_redirects=False)
    assert client.get(back.headers["Location"])["Location"] == "/dashboard/"
    again = client.get(back.headers["Location"])
    assert again.status_code == 302 and again["Location"] == "/sign-in/"
    assert [d["reason"] for _, _, d in entries("sign-in-failed")] == ["state mismatch"]


def test_an_error_from_the_provider_is_shown_not_raised(sso_on: Provider) -> None:
    client = Client()
    asked = start(client)
    response = client.get(
        f"/sign-in/sso/callback/?error=access_denied&state={asked['state']}"
        "&error_description=The+user+cancelled"
    )
    words = refusal_shown(client, response["Location"])
    assert "did not work" in words
    ((_, _, detail),) = entries("sign-in-failed")
    assert detail == {"reason": "provider error", "via": "single sign-on", "error": "access_denied"}


def test_an_unreachable_provider_shows_a_clear_error_and_passwords_still_work(
    provider: Provider, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    from safeplan.web.accounts import oidc

    made = sso_settings(
        monkeypatch,
        issuer=f"{provider.base}/no-such-tenant/v2.0",  # its discovery document is a 404
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    password = "correct-horse-battery-staple"  # test-only
    make_user("admin", "breakglass", password)
    oidc.forget_discovery()
    with override_settings(**made):
        client = Client()
        response = client.get("/sign-in/sso/")
        words = refusal_shown(client, response["Location"])
        assert "is not working at the moment" in words
        assert entries("sign-in-failed") == []  # the provider's fault, not a refused user
        response = client.post("/sign-in/", {"username": "breakglass", "password": password})
        # the password is accepted; a local administrator's second step follows
        assert response.status_code == 302
        assert response["Location"] == "/sign-in/two-step/set-up/"
        assert client.get("/sign-in/two-step/set-up/").status_code == 200


def test_sso_urls_are_not_found_while_sso_is_off(db: None) -> None:
    client = Client()
    assert client.get("/sign-in/sso/").status_code == 404
    assert client.get("/sign-in/sso/callback/?code=x&state=y").status_code == 404
    page = client.get("/sign-in/")
    assert b"/sign-in/sso/" not in page.content
    assert "Sign in with Microsoft" not in text_of(page.content)


def test_the_sign_in_page_offers_sso_above_the_password_form(sso_on: Provider) -> None:
    page = Client().get("/sign-in/?next=/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/sign-in/sso/?next=%2Faudit%2F"' in html
    assert "govuk-button--secondary" in html and 'id="sso"' in html
    assert html.index("Sign in with Microsoft") < html.index('id="username"')
    assert 'autocomplete="current-password"' in html  # break-glass local accounts
    assert "<script>" not in html  # nothing inline (CSP)
    with override_settings(OIDC_BUTTON_LABEL="Sign in with your council account"):
        words = text_of(Client().get("/sign-in/").content)
    assert "Sign in with your council account" in words
