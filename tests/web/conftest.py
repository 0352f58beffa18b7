"""Django for the web tests, configured once per session with a home and secret key of its
own, so nothing touches the real SAFEPLAN_HOME. Each test still has its own SAFEPLAN_HOME
(tests/conftest.py), which the views read per request for plans and the store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import django
import pytest
from django.test import Client
from django.test.utils import setup_test_environment, teardown_test_environment

from safeplan.ingest.pipeline import check
from safeplan.store.db import connect
from safeplan.store.load import load_checked
from safeplan.web.storecache import clear_cache
from tests.conftest import REPO

CIN_FIXTURE = REPO / "tests" / "fixtures" / "cin_census_2024.xml"


@pytest.fixture(scope="session", autouse=True)
def django_configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("web-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAFEPLAN_HOME", str(home))
        mp.setenv("SAFEPLAN_SECRET_KEY", "test-only-" + "k" * 50)
        mp.setenv("DJANGO_SETTINGS_MODULE", "safeplan.web.settings")
        mp.delenv("SAFEPLAN_DEBUG", raising=False)
        django.setup()
    setup_test_environment()
    yield
    teardown_test_environment()


@pytest.fixture(scope="session")
def django_database(django_configured: None) -> Iterator[None]:
    """The web app's database (accounts, sessions, audit), migrated once: SQLite in memory."""
    from django.test.utils import setup_databases, teardown_databases

    config = setup_databases(verbosity=0, interactive=False)
    yield
    teardown_databases(config, verbosity=0)


@pytest.fixture
def db(django_database: None) -> Iterator[None]:
    """A test's database work, rolled back after it (as Django's TestCase does)."""
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fresh_figures() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def fixture_store(safeplan_home: Path) -> Path:
    """The default store (SAFEPLAN_HOME/store.duckdb) holding the CIN census fixture: a
    handful of children, so every non-zero count is small."""
    path = safeplan_home / "store.duckdb"
    with connect(str(path)) as store:
        checked = check(CIN_FIXTURE)
        load_checked(store, checked, b"test-key")
        checked.close()
    return path


@pytest.fixture
def store(synth_store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The session's synthetic partnership (tests/conftest.py) as the store (SAFEPLAN_STORE)."""
    from safeplan.config import settings

    monkeypatch.setenv("SAFEPLAN_STORE", str(synth_store))
    settings.cache_clear()
    yield synth_store
    settings.cache_clear()


def text_of(html: bytes) -> str:
    """The page's words, with tags removed and whitespace collapsed, for wording checks."""
    body = re.sub(rb"<(script|style)\b.*?</\1>", b" ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body.decode("utf-8"))))


class Figures(HTMLParser):
    """Collects each figure the page shows: (measure, period) -> the text shown."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: dict[tuple[str, str], set[str]] = {}
        self._open: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "span" and "sp-figure" in (found.get("class") or "").split():
            self._open = (found["data-measure"] or "", found["data-period"] or "")

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.shown.setdefault(self._open, set()).add(data.strip())
            self._open = None


def figures_shown(html: bytes) -> dict[tuple[str, str], set[str]]:
    parser = Figures()
    parser.feed(html.decode("utf-8"))
    return parser.shown


def make_user(role: str, username: str | None = None, password: str | None = None) -> Any:
    """A user of the demo council with this role (no usable password unless one is given)."""
    from safeplan.web.accounts.models import Agency, AgencyKind, User

    agency, _ = Agency.objects.get_or_create(
        name="Test County Council", defaults={"kind": AgencyKind.council}
    )
    user = User(username=username or f"test-{role}", role=role, agency=agency)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user
