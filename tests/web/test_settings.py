"""The web app's settings from SAFEPLAN_* variables, and `safeplan serve`."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeplan.cli import app
from safeplan.web.env import SECRET_KEY_FILE, WebEnv


def test_a_secret_key_is_made_once_and_kept_private(
    safeplan_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SAFEPLAN_SECRET_KEY", raising=False)
    key = WebEnv().key()
    assert len(key) >= 50 and WebEnv().key() == key
    path = safeplan_home / SECRET_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setenv("SAFEPLAN_SECRET_KEY", "from-the-environment")
    assert WebEnv().key() == "from-the-environment"


def test_defaults_are_safe(monkeypatch: pytest.MonkeyPatch, safeplan_home: Path) -> None:
    for name in ("SAFEPLAN_DEBUG", "SAFEPLAN_ALLOWED_HOSTS", "SAFEPLAN_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    env = WebEnv()
    assert env.debug is False and env.https is False
    assert env.hosts() == ["localhost", "127.0.0.1", "[::1]"]
    assert env.database() == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(safeplan_home / "web.sqlite3"),
        # a worker waits for another's write, not fails
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }


def test_hosts_and_postgresql_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEPLAN_ALLOWED_HOSTS", "safeplan.example.org, localhost")
    monkeypatch.setenv("SAFEPLAN_DATABASE_URL", "postgresql://web@db.internal:5432/safeplan")
    monkeypatch.setenv("SAFEPLAN_DEBUG", "1")
    env = WebEnv()
    assert env.hosts() == ["safeplan.example.org", "localhost"] and env.debug is True
    db = env.database()
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["HOST"], db["PORT"], db["USER"]) == (
        "safeplan",
        "db.internal",
        5432,
        "web",
    )


def test_django_is_configured_securely() -> None:
    from django.conf import settings

    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_NAME.startswith("__Host-")
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_serve_runs_the_web_app(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[tuple[str, int]] = []
    monkeypatch.setattr("safeplan.web.server.serve", lambda h, p: called.append((h, p)))
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert called == [("127.0.0.1", 8123)]
    assert "http://127.0.0.1:8123/" in result.output
