"""Browser tests: the web app served in a process of its own over a small synthetic store, and
Debian's chromium (/usr/bin/chromium, installed by ``make browser``) driven by Playwright.

Playwright never downloads a browser here (no ``playwright install``): it launches Debian's
chromium by path, headless, with the flags this machine's closed network needs, and a fresh
empty profile (Playwright makes a new --user-data-dir for each launch and removes it after).
One browser serves the whole session; each test opens its own context (viewport, cookies).

Screenshots, the printed plans and the axe-core reports go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    StorageState,
    expect,
    sync_playwright,
)

from safeplan.ingest.pipeline import check
from safeplan.store.db import connect
from safeplan.store.load import load_checked
from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
# The probe's flags (docs: .library/env/machines/python-svc.md): without the background-
# networking ones chromium keeps trying to reach Google's hosts through a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__browser-tests__/axe.min.js"  # answered by the test, never by the app
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CIN_FIXTURE = REPO / "tests" / "fixtures" / "cin_census_2024.xml"
PLAN_ID = "durham-lscb-2017-2020"  # the plan the CIN census fixture has figures for

Viewport = Literal["phone", "desktop"]
VIEWPORTS: dict[Viewport, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}

# Test users, created through Django's ORM by the server process before it serves
# (tests/browser/server.py), and the signed-in pages each is checked on:
# (name, path, username, expected status).
TEST_PASSWORD = "browser-tests-only-Pa55word"
_USERS: list[dict[str, str]] = [
    {"username": "browser-admin", "role": "admin", "agency": "Test County Council"},
    {"username": "browser-analyst", "role": "analyst", "agency": "Test County Council"},
    {"username": "browser-board", "role": "board", "agency": "Test ICB", "agency_kind": "health"},
    {
        "username": "browser-contributor",
        "role": "contributor",
        "agency": "Test Police",
        "agency_kind": "police",
    },
]
# The police force's analyst is sent the data-return reminders (tests/browser/test_returns.py);
# its board member, with an address too, is not. Their force is not the tracker's Test Police.
POLICE_ANALYST_EMAIL = "analyst@constabulary.test"
_USERS += [
    {
        "username": "browser-police-analyst",
        "role": "analyst",
        "agency": "Browser Constabulary",
        "agency_kind": "police",
        "email": POLICE_ANALYST_EMAIL,
    },
    {
        "username": "browser-police-board",
        "role": "board",
        "agency": "Browser Constabulary",
        "agency_kind": "police",
        "email": "board@constabulary.test",
    },
]
# Administrators and analysts sign in with a second step: here a recovery code each time (each
# works once), so that signing in never waits for an authenticator app's next 30 seconds.
RECOVERY_CODES = [f"browsercode{n:04d}" for n in range(200)]
TEST_USERS: list[dict[str, Any]] = [
    {**user, "password": TEST_PASSWORD}
    | ({"recovery_codes": RECOVERY_CODES} if user["role"] in ("admin", "analyst") else {})
    for user in _USERS
]
_codes_used: dict[str, int] = {}


def next_recovery_code(username: str) -> str:
    """A recovery code of this test user's not used yet in this run."""
    _codes_used[username] = _codes_used.get(username, 0) + 1
    return RECOVERY_CODES[_codes_used[username] - 1]


COUNCIL_MEASURE = "cpp_18m_plus"  # owned by the council; the CIN fixture has figures for it
MEASURE_PAGE = f"/dashboard/plans/{PLAN_ID}/measures/{COUNCIL_MEASURE}/"
# Survey settings the server makes (setting 1 first), each with a fixed link token.
SURVEY_PLAN = "durham-priorities-2020"  # has the key measure children_confident_to_report
SURVEY_TOKEN = "browser-survey-link"
SURVEY_SETTINGS = [
    {"name": name, "kind": "school", "plan_id": SURVEY_PLAN, "token": token}
    for name, token in [("Browser Test School", SURVEY_TOKEN), ("Phone Test Academy", "phone-link")]
]
SIGNED_IN_PAGES: list[tuple[str, str, str, int]] = [
    ("dashboard", "/dashboard/", "browser-analyst", 200),
    ("scorecard", f"/dashboard/plans/{PLAN_ID}/", "browser-analyst", 200),
    ("measure", MEASURE_PAGE, "browser-analyst", 200),
    ("records", f"{MEASURE_PAGE}records/", "browser-analyst", 200),
    ("write-commentary", f"{MEASURE_PAGE}commentary/2024-Q1/", "browser-analyst", 200),
    ("approvals", "/dashboard/commentary/approvals/", "browser-admin", 200),
    ("upload", "/uploads/", "browser-analyst", 200),
    ("data-quality", "/data-quality/", "browser-analyst", 200),
    ("audit-trail", "/audit/", "browser-admin", 200),
    ("sign-out", "/sign-out/", "browser-admin", 200),
    ("people", "/people/", "browser-admin", 200),
    ("person-add", "/people/add/", "browser-admin", 200),
    ("person", "/people/1/", "browser-admin", 200),
    ("forbidden", "/audit/", "browser-board", 403),  # the 403 page
    # the plan editor (administrators only); test_editor.py checks its pages once edited
    ("edit-plans", "/plans/edit/", "browser-admin", 200),
    ("edit-plan", f"/plans/edit/{PLAN_ID}/", "browser-admin", 200),
    ("edit-priority", f"/plans/edit/{PLAN_ID}/priorities/neglect/", "browser-admin", 200),
    ("edit-measure", f"/plans/edit/{PLAN_ID}/priorities/neglect/measures/2/", "browser-admin", 200),
    ("edit-enablers", f"/plans/edit/{PLAN_ID}/enablers/", "browser-admin", 200),
    ("edit-history", f"/plans/edit/{PLAN_ID}/history/", "browser-admin", 200),
    ("edit-revert", f"/plans/edit/{PLAN_ID}/history/1/revert/", "browser-admin", 200),
    ("edit-new-plan", "/plans/edit/new/", "browser-admin", 200),
    ("edit-import", "/plans/edit/import/", "browser-admin", 200),
    # the tracker's items are made on the plan's first visit: the plan's page comes first
    ("tracker", f"/tracker/{PLAN_ID}/", "browser-board", 200),
    ("tracker-item", "/tracker/items/1/", "browser-board", 200),
    ("tracker-edit", "/tracker/items/1/edit/", "browser-analyst", 200),
    ("tracker-add-milestone", "/tracker/items/1/milestones/new/", "browser-analyst", 200),
    ("tracker-update", "/tracker/items/1/update/", "browser-admin", 200),
    ("tracker-reminders", "/tracker/reminders/", "browser-admin", 200),
    # the children's survey (its public pages are in test_accessibility.py's PUBLIC_PAGES)
    ("survey-settings", "/survey/settings/", "browser-analyst", 200),
    ("survey-setting", "/survey/settings/1/", "browser-analyst", 200),
    ("survey-questions", f"/survey/questions/{SURVEY_PLAN}/", "browser-admin", 200),
    ("survey-results", "/survey/results/", "browser-board", 200),
    ("returns", "/returns/", "browser-board", 200),
    ("returns-schedules", "/returns/schedules/", "browser-admin", 200),
    ("returns-schedule", "/returns/schedules/missing_episodes/", "browser-admin", 200),
]


@dataclass(frozen=True)
class App:
    """The web app as served for the tests."""

    base: str
    home: Path

    def url(self, path: str) -> str:
        return self.base + path

    def mail(self) -> str:
        """Every e-mail the app has sent so far, as Django's file backend wrote them."""
        folder = self.home / "mail"
        files = sorted(folder.glob("*.log")) if folder.is_dir() else []
        return "\n".join(f.read_text(encoding="utf-8") for f in files)


def _wait_for_port(proc: subprocess.Popen[bytes], log: Path, timeout: float = 90.0) -> int:
    """The port the server prints once it is ready; fails with the server's log if it dies."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not sel.select(left):
                break
            line = proc.stdout.readline().decode()
            if line.startswith("PORT "):
                return int(line.split()[1])
            if not line:  # the process ended
                break
    proc.kill()
    proc.wait()
    pytest.fail(f"the test server did not start:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="package")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The web app on a free port of 127.0.0.1, over a store holding the CIN census fixture
    (synthetic: a handful of children, so small counts that public pages must withhold)."""
    home = tmp_path_factory.mktemp("browser-home")
    store_path = home / "store.duckdb"
    with connect(str(store_path)) as store:
        checked = check(CIN_FIXTURE)
        load_checked(store, checked, b"browser-test-key")
        checked.close()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SAFEPLAN_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env |= {
        "SAFEPLAN_HOME": str(home),
        "SAFEPLAN_STORE": str(store_path),
        "SAFEPLAN_SECRET_KEY": "browser-tests-only-" + "k" * 40,
        "SAFEPLAN_TEST_USERS": json.dumps(TEST_USERS),
        "SAFEPLAN_TEST_SURVEY_SETTINGS": json.dumps(SURVEY_SETTINGS),
        # e-mail written to files the tests read (App.mail): the console backend would write
        # to the unread stdout pipe
        "SAFEPLAN_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "SAFEPLAN_EMAIL_FILE_PATH": str(home / "mail"),
        "PYTHONUNBUFFERED": "1",
    }
    log = home / "server.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.server"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    try:
        port = _wait_for_port(proc, log)
        yield App(f"http://127.0.0.1:{port}", home)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


# Package scope, not session: Playwright's sync API keeps an asyncio loop running while the
# browser is open, and Django refuses ORM calls then, so it must close before tests/web runs.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    for old in SCREENSHOTS.glob("*.png"):  # this run's screenshots only
        old.unlink(missing_ok=True)
    if not CHROMIUM.is_file():
        pytest.skip(
            f"!!! BROWSER TESTS NOT RUN: Debian's chromium is not at {CHROMIUM}. "
            "Run `make browser` (apt-get install chromium) or `make test`, which does. !!!"
        )
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Visit:
    """A page in a fresh browser context, with what its console reported."""

    page: Page
    app: App
    errors: list[str] = field(default_factory=list)
    expect_status: int = 200

    def goto(self, path: str, status: int = 200) -> Response:
        self.expect_status = status
        response = self.page.goto(self.app.url(path), wait_until="load")
        assert response is not None
        assert response.status == status, f"{path}: {response.status}, not {status}"
        return response

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def sign_in(self, username: str, password: str = TEST_PASSWORD) -> None:
        """Signs in through the sign-in page, as a person would."""
        self.goto("/sign-in/")
        self.page.get_by_label("Username", exact=True).fill(username)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in", exact=True).click()
        self.page.wait_for_load_state("load")
        if self.page.url.endswith("/sign-in/two-step/"):
            code = self.page.get_by_label("Enter the code from your authenticator app")
            code.fill(next_recovery_code(username))
            self.page.get_by_role("button", name="Continue", exact=True).click()
        expect(self.page).to_have_url(re.compile(r"/dashboard/$"))
        self.page.wait_for_load_state("load")


class OpenPage(Protocol):
    """``visit("phone")``: a page in a new 360×740 phone context; ``visit("desktop",
    user="browser-admin")``: a desktop context signed in as that test user."""

    def __call__(self, viewport: Viewport, user: str | None = None) -> Visit: ...


@pytest.fixture(scope="package")
def signed_in(browser: Browser, app: App) -> Callable[[str], StorageState]:
    """A test user's cookies after signing in through the sign-in page, once per browser run."""
    states: dict[str, StorageState] = {}

    def state(username: str) -> StorageState:
        if username not in states:
            context = browser.new_context()
            try:
                Visit(context.new_page(), app).sign_in(username)
                states[username] = context.storage_state()
            finally:
                context.close()
        return states[username]

    return state


@pytest.fixture
def visit(
    browser: Browser, app: App, signed_in: Callable[[str], StorageState]
) -> Iterator[OpenPage]:
    contexts: list[BrowserContext] = []

    def open_page(viewport: Viewport, user: str | None = None) -> Visit:
        state = signed_in(user) if user else None
        context = browser.new_context(**VIEWPORTS[viewport], storage_state=state)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page, app)

        def on_console(message: ConsoleMessage) -> None:
            if message.type != "error":
                return
            if message.location.get("url") == page.url and seen.expect_status != 200:
                return  # the browser reports the page's own 403 or 404, which the test expects
            seen.errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
        return seen

    yield open_page
    for context in contexts:
        context.close()


def run_axe(page: Page) -> dict[str, Any]:
    """axe-core's results for the page as it stands.

    axe-core is served to the page from its own origin by an intercepted request, so the app's
    Content-Security-Policy (no inline script) stays on while it runs.
    """
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make install` (npm ci)")
    page.route(
        "**" + AXE_URL,
        lambda route: route.fulfill(path=AXE, content_type="text/javascript; charset=utf-8"),
    )
    page.add_script_tag(url=AXE_URL)
    results: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
    )
    return results
