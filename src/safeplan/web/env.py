"""The web app's settings from the environment (SAFEPLAN_*), read once when Django starts.

Kept apart from ``settings.py`` so that tests and tools can check the rules (secret key,
hosts, database) without configuring Django.
"""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from safeplan.config import kept_secret

SECRET_KEY_FILE = "web-secret.key"  # noqa: S105 - a file name, not a secret
AUDIT_KEY_FILE = "audit.key"


class WebEnv(BaseSettings):
    """What a deployment sets; every default suits `make demo` on one machine."""

    model_config = SettingsConfigDict(env_prefix="SAFEPLAN_", extra="ignore")

    home: Path = Field(default_factory=lambda: user_data_path("safeplan"))
    secret_key: SecretStr | None = Field(
        default=None,
        description="Django's secret key. Default: a random key made once and kept in "
        "SAFEPLAN_HOME/web-secret.key (set it from a secret store in production)",
    )
    audit_key: SecretStr | None = Field(
        default=None,
        description="The audit trail's key: each entry is chained by an HMAC with it, so "
        "that whoever can write the web database cannot rewrite the trail. Keep it outside "
        "the web database (a secret store). Default: made once and kept in "
        "SAFEPLAN_HOME/audit.key",
    )
    audit_heads: Path | None = Field(
        default=None,
        description="The file `safeplan audit head --export` appends the trail's head to, "
        "for `safeplan audit verify` to find a cut-off tail. Default: "
        "SAFEPLAN_HOME/audit-heads.jsonl (keep it where the web app cannot write)",
    )
    share_records: bool = Field(
        default=False,
        description="1 opens child-level records, uploads and findings to every agency's "
        "analysts (as a data-sharing agreement allows); unset, each agency's analysts see the "
        "records their agency supplied, administrators all",
    )
    debug: bool = Field(
        default=False, description="1 shows Django's debug pages: never in production"
    )
    allowed_hosts: str = Field(
        default="localhost,127.0.0.1,[::1]",
        description="Host names the app answers to, separated by commas",
    )
    database_url: str | None = Field(
        default=None,
        description="The web app's own database (accounts, sessions, audit), e.g. "
        "postgresql://user@host/db. Default: SQLite in SAFEPLAN_HOME/web.sqlite3",
    )
    https: bool = Field(
        default=False,
        description="1 when served over HTTPS behind a TLS proxy: redirects to HTTPS, sends "
        "HSTS and trusts X-Forwarded-Proto from the proxy",
    )
    partnership: str = Field(
        default="Children's safeguarding partnership",
        description="The organisation's name in the page header, where a page has no plan",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="Single sign-on over OpenID Connect: the provider's issuer, e.g. "
        "https://login.microsoftonline.com/<tenant-id>/v2.0 for Microsoft Entra ID; its "
        "endpoints come from ISSUER/.well-known/openid-configuration. Unset: no single sign-on",
    )
    oidc_client_id: str | None = Field(
        default=None, description="The application (client) ID registered with the provider"
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="The client secret registered with the provider"
    )
    oidc_allowed_issuers: str = Field(
        default="",
        description="The issuers whose ID tokens are accepted, separated by commas. "
        "Default: SAFEPLAN_OIDC_ISSUER alone",
    )
    oidc_button_label: str = Field(
        default="Sign in with Microsoft",
        description="The single sign-on button's words on the sign-in page",
    )
    email_backend: str = Field(
        default="django.core.mail.backends.console.EmailBackend",
        description="How e-mail (the tracker's reminders) is sent: Django's e-mail backend. "
        "Default: written to the server's console, not delivered. "
        "django.core.mail.backends.smtp.EmailBackend sends through SAFEPLAN_EMAIL_HOST",
    )
    email_file_path: Path | None = Field(
        default=None,
        description="The folder django.core.mail.backends.filebased.EmailBackend writes each "
        "e-mail to (`make demo` uses it). Default: SAFEPLAN_HOME/mail",
    )
    email_host: str = Field(default="localhost", description="The SMTP server's host name")
    email_port: int = Field(default=25, ge=1, le=65535, description="The SMTP server's port")
    email_host_user: str = Field(
        default="", description="The user name for the SMTP server (none if empty)"
    )
    email_host_password: SecretStr | None = Field(
        default=None, description="The password for the SMTP server"
    )
    email_use_tls: bool = Field(
        default=False, description="1 to use STARTTLS with the SMTP server (port 587 usually)"
    )
    email_from: str = Field(
        default="SafePlan <safeplan@localhost>",
        description="The sender of SafePlan's e-mail, e.g. SafePlan <safeplan@partnership.org.uk>",
    )

    site_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The web app's address, for the links in e-mail sent from the command "
        "line (`safeplan users invite`); pages use the address they were opened at",
    )
    invitation_days: int = Field(
        default=7, ge=1, le=30, description="How long an invitation's link works, in days"
    )
    password_reset_hours: int = Field(
        default=2, ge=1, le=72, description="How long a password reset link works, in hours"
    )

    @model_validator(mode="after")
    def _oidc_complete(self) -> WebEnv:
        """Half-configured single sign-on is a mistake to report at start, not a broken button."""
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError(
                "SAFEPLAN_OIDC_ISSUER needs SAFEPLAN_OIDC_CLIENT_ID and SAFEPLAN_OIDC_CLIENT_SECRET"
            )
        return self

    def hosts(self) -> list[str]:
        return [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]

    def sso(self) -> bool:
        """Single sign-on is on: an issuer is set (with its client ID and secret)."""
        return bool(self.oidc_issuer)

    def allowed_issuers(self) -> list[str]:
        """The issuers trusted to vouch for a user: the allow-list, or the issuer alone."""
        listed = [i.strip() for i in self.oidc_allowed_issuers.split(",") if i.strip()]
        return listed or ([self.oidc_issuer] if self.oidc_issuer else [])

    def key(self) -> str:
        """The secret key: from the environment, or made once and kept (mode 600)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return kept_secret(self.home / SECRET_KEY_FILE, secrets.token_urlsafe(50))

    def audit_secret(self) -> bytes:
        """The audit trail's HMAC key: from the environment, or made once and kept (mode 600)."""
        if self.audit_key is not None:
            return self.audit_key.get_secret_value().encode("utf-8")
        return kept_secret(self.home / AUDIT_KEY_FILE, secrets.token_hex(32)).encode("utf-8")

    def audit_heads_file(self) -> Path:
        return self.audit_heads or self.home / "audit-heads.jsonl"

    def database(self) -> dict[str, Any]:
        """Django's DATABASES["default"]: PostgreSQL from a URL, else a SQLite file."""
        if self.database_url:
            import dj_database_url

            return dict(dj_database_url.parse(self.database_url, conn_max_age=60))
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.home / "web.sqlite3"
        with suppress(FileExistsError):  # made empty, the owner's only: SQLite then fills it
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        # Several workers write at once (sessions, the audit trail, survey answers): a write
        # waits up to 20 s for another's, and a transaction takes the write lock when it
        # begins (IMMEDIATE), since SQLite fails at once ("database is locked") a transaction
        # that read first and then must wait to write.
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
