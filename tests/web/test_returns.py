"""The data-returns calendar and its reminders: received, due and overdue measured against
the period each return covers (with an injected today), the page, the command, and the
reminder e-mails reaching the responsible analysts and nobody else."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from typer.testing import CliRunner

from safeplan.cli import app
from safeplan.store.db import connect
from safeplan.web.returns import calendar
from safeplan.web.returns.calendar import DUE, OVERDUE, RECEIVED, Cadence, build
from tests.web.conftest import make_user, text_of

D = datetime.date
CIN = calendar.STATUTORY[0]
MISSING = calendar.Return("partner:missing_episodes", "Missing episodes", "police")


def statuses(entries: list[calendar.Entry]) -> dict[tuple[str, str], str]:
    return {(e.ret.feed, e.expected.period): e.status for e in entries}


def test_a_statutory_return_is_due_until_the_dfe_deadline_then_overdue() -> None:
    loaded = {("cin_census", "2024"): D(2024, 7, 1), (MISSING.feed, "2025"): D(2025, 4, 9)}
    on = {
        D(2025, 3, 31): {},  # the year 2024-25 has not ended: nothing owed for it yet
        D(2025, 5, 1): {("cin_census", "2025"): DUE},
        D(2025, 7, 31): {("cin_census", "2025"): DUE},  # the deadline day itself
        D(2025, 8, 1): {("cin_census", "2025"): OVERDUE},
    }
    for today, want in on.items():
        found = statuses(build(today, loaded, returns=[CIN]))
        assert found[("cin_census", "2024")] == RECEIVED
        assert {k: v for k, v in found.items() if k[1] == "2025"} == want, today


def test_a_year_the_store_does_not_reach_is_listed_only_while_due() -> None:
    """Nothing of 2024-25 loaded at all: its census is due until the deadline; after it, the
    year is beyond the data's own and is not invented as overdue."""
    loaded = {("cin_census", "2024"): D(2024, 7, 1)}
    assert statuses(build(D(2025, 7, 31), loaded, returns=[CIN]))[("cin_census", "2025")] == DUE
    assert ("cin_census", "2025") not in statuses(build(D(2025, 8, 1), loaded, returns=[CIN]))


def test_received_is_measured_against_the_period_not_the_clock() -> None:
    """The demo's case: data to 2024-25 loaded long after; today is years on. Every period
    of the data's years is received, and no later year is invented as overdue."""
    loaded = {
        **{("cin_census", y): D(2026, 12, 4) for y in ("2023", "2024", "2025")},
        **{(MISSING.feed, y): D(2026, 12, 4) for y in ("2023", "2024", "2025")},
    }
    entries = build(D(2026, 12, 4), loaded, returns=[CIN, MISSING])
    assert {e.status for e in entries} == {RECEIVED}
    assert {e.expected.year for e in entries} == {2023, 2024, 2025}
    assert len(entries) == 3 * (1 + 4)  # a census and four quarters a year


def test_a_quarter_is_received_only_by_a_file_loaded_after_it_ended() -> None:
    cadence = {"missing_episodes": Cadence(parts=4, working_days=20)}
    loaded = {(MISSING.feed, "2025"): D(2024, 7, 10)}  # the first quarter's file
    found = statuses(build(D(2024, 11, 1), loaded, cadence, returns=[MISSING]))
    assert found[(MISSING.feed, "2025-Q1")] == RECEIVED
    # Q2 (July to September 2024) is due 20 working days after 30 September: 28 October
    assert found[(MISSING.feed, "2025-Q2")] == OVERDUE
    assert (MISSING.feed, "2025-Q3") not in found  # not ended yet
    q2 = next(e for e in build(D(2024, 10, 28), loaded, cadence, returns=[MISSING]))
    assert (q2.expected.period, q2.expected.due, q2.status) == ("2025-Q2", D(2024, 10, 28), DUE)
    assert q2.expected.label == "July to September 2024"


def test_working_days_skip_weekends() -> None:
    assert calendar.add_working_days(D(2025, 3, 28), 1) == D(2025, 3, 31)  # Friday → Monday
    assert calendar.add_working_days(D(2025, 3, 31), 20) == D(2025, 4, 28)


# --- the store, the page, the reminders -----------------------------------------------------


def loads(home: Path, rows: list[tuple[str, str, str, datetime.datetime]]) -> None:
    """A store holding these current loads: (source, kind, period, loaded at, UTC)."""
    with connect(str(home / "store.duckdb")) as store:
        store.ensure_schema([])
        for n, (source, kind, period, at) in enumerate(rows, start=1):
            store.execute(
                "INSERT INTO sp_loads (load_id, kind, source, period, file_name, file_hash, "
                "status, loaded_at, records) VALUES (?, ?, ?, ?, ?, ?, 'loaded', ?, 1)",
                [n, kind, source, period, f"file{n}", f"hash{n}", at],
            )


@pytest.fixture
def partnership(db: None, safeplan_home: Path) -> dict[str, Any]:
    """A council with everything in for 2024-25, and a police force whose missing episodes
    file for the last quarter has not come; analysts with and without e-mail addresses."""
    from safeplan.web.accounts.models import Agency, AgencyKind, Role, User

    at = datetime.datetime(2025, 4, 2, 9, 0)  # after the year ended
    loads(
        safeplan_home,
        [
            ("cin_census", "cin_census", "2025", at),
            ("ssda903", "ssda903:episodes", "2025", at),
            ("annex_a", "annex_a", "2025", at),
            *[
                ("partner", ret.feed, "2025", at)
                for ret in calendar.PARTNER
                if ret.feed != MISSING.feed
            ],
            ("partner", MISSING.feed, "2025", datetime.datetime(2025, 1, 10, 9, 0)),
        ],
    )
    police = Agency.objects.create(name="Test Police", kind=AgencyKind.police)
    people = {
        "police": User.objects.create(
            username="police-analyst", role=Role.analyst, agency=police, email="pa@police.test"
        ),
        "police-no-address": User.objects.create(
            username="police-analyst-2", role=Role.analyst, agency=police
        ),
        "police-board": User.objects.create(
            username="police-board", role=Role.board, agency=police, email="pb@police.test"
        ),
        "council": make_user("analyst", "council-analyst"),
    }
    people["council"].email = "ca@council.test"
    people["council"].save()
    return people


OVERDUE_DAY = D(2025, 5, 20)  # Q4 (January to March 2025) was due 28 April 2025


def test_the_page_shows_what_is_missing_from_whom(partnership: dict[str, Any]) -> None:
    from django.utils import timezone

    client = Client()
    client.force_login(partnership["police-board"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "localdate", lambda: OVERDUE_DAY)
        page = client.get("/returns/")
    assert page.status_code == 200
    words = text_of(page.content)
    first = words.index("Missing episodes and return home interviews")
    assert "Police January to March 2025 28 April 2025 Overdue" in words[first:]
    assert "Children in need census Council 2024 to 2025 31 July 2025 Received" in words
    assert "1 overdue" in words


def test_an_overdue_partner_file_is_e_mailed_to_its_analysts_once(
    partnership: dict[str, Any],
) -> None:
    from safeplan.web.audit.models import Entry
    from safeplan.web.returns.reminders import send

    mail.outbox.clear()
    sent = send(OVERDUE_DAY, "cron")
    assert [m.to for m in mail.outbox] == [["pa@police.test"]]  # not the board, nor the council
    message = mail.outbox[0]
    assert message.subject == "SafePlan: 1 data return is overdue"
    assert "Missing episodes and return home interviews, January to March 2025" in message.body
    assert "overdue since 28 April 2025" in message.body
    assert (sent.emails, sent.reminders, sent.without_address) == (1, 1, 1)
    assert Entry.objects.filter(action="reminders", actor="cron").count() == 1
    assert send(OVERDUE_DAY + datetime.timedelta(days=1)).emails == 0  # a daily run: once
    assert len(mail.outbox) == 1


def test_a_reminder_goes_before_the_due_date(partnership: dict[str, Any]) -> None:
    from safeplan.web.returns.reminders import send

    mail.outbox.clear()
    assert send(D(2025, 4, 10)).emails == 0  # 18 days ahead of 28 April: not yet
    send(D(2025, 4, 20))
    assert [m.to for m in mail.outbox] == [["pa@police.test"]]
    assert mail.outbox[0].subject == "SafePlan: 1 data return is due soon"
    assert "due by 28 April 2025" in mail.outbox[0].body
    send(OVERDUE_DAY)  # and again once overdue
    assert [m.subject for m in mail.outbox][1:] == ["SafePlan: 1 data return is overdue"]


def test_the_command_sends_the_reminders(partnership: dict[str, Any]) -> None:
    mail.outbox.clear()
    result = CliRunner().invoke(app, ["reminders", "send", "--today", OVERDUE_DAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 e-mails sent, 1 returns reminded" in result.output
    assert [m.to for m in mail.outbox] == [["pa@police.test"]]
    bad = CliRunner().invoke(app, ["reminders", "send", "--today", "May"])
    assert bad.exit_code != 0


def test_the_send_reminders_button_sends_the_data_returns_too(
    partnership: dict[str, Any],
) -> None:
    from django.utils import timezone

    admin = make_user("admin", "the-admin")
    client = Client()
    client.force_login(admin)
    mail.outbox.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "localdate", lambda: OVERDUE_DAY)
        client.post("/tracker/reminders/")
        page = client.get("/tracker/reminders/")
    assert ["pa@police.test"] in [m.to for m in mail.outbox]
    assert "1 e-mail about overdue or due data returns sent" in text_of(page.content)


def test_an_admin_sets_a_partner_files_cadence(partnership: dict[str, Any]) -> None:
    from safeplan.web.returns.current import calendar_on
    from safeplan.web.returns.models import Schedule

    admin = make_user("admin", "the-admin")
    client = Client()
    client.force_login(admin)
    assert "Quarterly" in text_of(client.get("/returns/schedules/").content)
    wrong = client.post("/returns/schedules/missing_episodes/", {"working_days": "x"})
    assert wrong.status_code == 400
    assert "Select how often the file is due" in text_of(wrong.content)
    done = client.post(
        "/returns/schedules/missing_episodes/", {"frequency": "1", "working_days": "30"}
    )
    assert done.status_code == 302
    assert Schedule.objects.get(template="missing_episodes").frequency == 1
    # yearly now: the year's file, loaded in January, is enough
    found = statuses(calendar_on(OVERDUE_DAY).entries)
    assert found[(MISSING.feed, "2025")] == RECEIVED
    assert client.get("/returns/schedules/no-such-file/").status_code == 404


@pytest.mark.parametrize("today", [D(2025, 9, 1), D(2026, 12, 4)])
def test_the_demos_data_comes_out_received_not_overdue(
    db: None, store: Path, today: datetime.date
) -> None:
    """A synthetic partnership like the demo's (three collection years to 2024-25, every
    source), judged months or years later: every period of its years is received."""
    from safeplan.web.returns.current import calendar_on

    found = calendar_on(today)
    assert found.note == ""
    assert {e.expected.year for e in found.entries} == {2023, 2024, 2025}
    assert {e.status for e in found.entries} == {RECEIVED}
