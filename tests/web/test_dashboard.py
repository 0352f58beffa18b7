"""The partners' dashboard: the scorecard and measure pages show what the engine computes,
the records page is for analysts and audited, and commentary follows its rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
from django.test import Client

from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import BREAKDOWNS, Source
from safeplan.measures.engine import compute
from safeplan.measures.periods import parse
from safeplan.measures.scorecard import exceptions_first, scorecard
from safeplan.plans import library
from tests.web.conftest import text_of

PLAN = "durham-lscb-2017-2020"
LATEST = "2025-Q1"  # the synthetic store's 2025 returns end in March 2025


def signed_in(role: str, agency: str = "Test County Council", kind: str = "council") -> Client:
    from safeplan.web.accounts.models import Agency, User

    found, _ = Agency.objects.get_or_create(name=agency, defaults={"kind": kind})
    user = User(username=f"{role}-{kind}", role=role, agency=found)
    user.set_unusable_password()
    user.save()
    client = Client()
    client.force_login(user)
    return client


def rows_of(html: bytes, table_class: str) -> list[dict[str, Any]]:
    """Each body row of the table with this class: its data-* attributes and cell texts."""
    page = html.decode()
    table = re.search(rf'<table class="[^"]*\b{table_class}\b.*?</table>', page, re.S)
    assert table is not None, f"no table {table_class}"
    body = table.group(0).split("<tbody", 1)[1]
    out = []
    for row in re.findall(r"<tr class=\"govuk-table__row\"(.*?)</tr>", body, re.S):
        attrs = dict(re.findall(r'data-([a-z]+)="([^"]*)"', row.split(">", 1)[0]))
        cells = [text_of(c.encode()).strip() for c in re.findall(r"<t[hd]\b.*?</t[hd]>", row, re.S)]
        out.append({**attrs, "cells": cells})
    return out


def test_the_scorecard_shows_each_key_measure_as_computed_exceptions_first(
    db: None, store: Path
) -> None:
    from safeplan.web.dashboard.views import shown

    plan = library.get(PLAN)
    expected = exceptions_first(scorecard(Source.connect(str(store)), plan, parse(LATEST)))
    response = signed_in("board").get(f"/dashboard/plans/{PLAN}/")
    assert response.status_code == 200
    rows = rows_of(response.content, "sp-scorecard")
    assert len(rows) == 12 and any(line.value for line in expected)
    assert [r["measure"] for r in rows] == [line.ref.measure or "" for line in expected]
    for row, line in zip(rows, expected, strict=True):
        cells: Any = row["cells"]
        assert cells[1] == shown(line.measure, line.value)
    assert "Jan–Mar 2025" in text_of(response.content)


def test_a_quarter_can_be_chosen_and_a_wrong_one_falls_back_to_the_latest(
    db: None, store: Path
) -> None:
    client = signed_in("analyst")
    chosen = client.get(f"/dashboard/plans/{PLAN}/?period=2024-Q2")
    assert b'data-period="2024-Q2"' in chosen.content
    for wrong in ("2031-Q1", "nonsense", "2024-05"):
        page = client.get(f"/dashboard/plans/{PLAN}/?period={wrong}")
        assert page.status_code == 200 and f'data-period="{LATEST}"'.encode() in page.content


def test_the_measure_page_has_the_chart_the_table_breakdowns_and_sources(
    db: None, store: Path
) -> None:
    from safeplan.web.dashboard.views import shown

    measure = catalogue()["missing_more_than_once"]
    period = parse(LATEST)
    results = compute(Source.connect(str(store)), [measure], period.series(12), BREAKDOWNS)
    response = signed_in("board").get(f"/dashboard/plans/{PLAN}/measures/{measure.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="marks sp-chart"' in html and "<figcaption" in html
    history = rows_of(response.content, "sp-history")
    assert len(history) == 12
    totals = [r for r in results if r.breakdown == "total"]
    assert [h["period"] for h in history] == [r.period for r in totals]
    for row, result in zip(history, totals, strict=True):
        cells: Any = row["cells"]
        assert cells[1] == shown(measure, result.value)
    for breakdown in BREAKDOWNS:
        assert f'id="by-{breakdown}"' in html
    for group in {r.group for r in results if r.breakdown == "age_band" and r.period == LATEST}:
        assert f">{group}</th>" in html
    with duckdb.connect(str(store), read_only=True) as con:
        (stored,) = con.execute("SELECT count(*) FROM sp_current_sp_missing_episodes").fetchone()  # type: ignore[misc]
    assert f"{stored:,}</td>" in html
    assert "Owned by the police" in text_of(response.content)


def test_unknown_plans_and_measures_are_not_found(db: None, store: Path) -> None:
    client = signed_in("analyst")
    assert client.get("/dashboard/plans/no-such-plan/").status_code == 404
    assert client.get(f"/dashboard/plans/{PLAN}/measures/cla_rate/").status_code == 404


def test_the_records_page_is_audited_and_shows_the_units_behind_the_figure(
    db: None, store: Path
) -> None:
    from safeplan.web.audit.models import Entry

    measure = catalogue()["missing_more_than_once"]
    results = compute(Source.connect(str(store)), [measure], [parse(LATEST)])
    total = next(r for r in results if r.breakdown == "total")
    path = f"/dashboard/plans/{PLAN}/measures/{measure.id}/records/?period={LATEST}"
    response = signed_in("analyst", "Test Police", "police").get(path)  # the police supply it
    assert response.status_code == 200
    rows = rows_of(response.content, "sp-records")
    assert total.records > 0 and total.numerator
    assert len(rows) == total.records
    assert sum(1 for r in rows if r["cells"][2] == "Yes") == total.numerator
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "view"
    assert entry.target == f"records/{PLAN}/{measure.id}/{LATEST}"
    assert entry.actor == "analyst-police"
    for role in ("contributor", "board"):
        assert signed_in(role, f"Other {role}", "police").get(path).status_code == 403


def test_child_level_records_are_for_the_agency_that_supplied_them(db: None, store: Path) -> None:
    """Need to know: the council's analyst sees the aggregates of the police's repeat missing
    figure, not the children behind it, unless the partnership shares records by agreement."""
    measure_page = f"/dashboard/plans/{PLAN}/measures/missing_more_than_once/"
    path = f"{measure_page}records/?period={LATEST}"
    council = signed_in("analyst")
    assert council.get(path).status_code == 403
    assert b"See the records behind the figure" not in council.get(measure_page).content
    assert signed_in("admin").get(path).status_code == 200  # the partnership's administrators
    from django.test import override_settings

    with override_settings(SHARE_RECORDS=True):  # SAFEPLAN_SHARE_RECORDS=1: an agreement
        assert council.get(path).status_code == 200


def test_commentary_is_written_by_the_owning_agency_and_seen_once_approved(
    db: None, store: Path
) -> None:
    """missing_more_than_once is the police's: their contributor writes; the council's
    contributor cannot, and sees neither the draft nor the submitted piece; the board sees it
    only once an administrator approves it."""
    from safeplan.web.audit.models import Entry
    from safeplan.web.dashboard.models import Commentary

    page = f"/dashboard/plans/{PLAN}/measures/missing_more_than_once/"
    write = f"{page}commentary/{LATEST}/"
    police = signed_in("contributor", "Test Police", "police")
    council = signed_in("contributor")
    board = signed_in("board", "Test ICB", "health")
    admin = signed_in("admin")
    words = "Repeat missing fell after the new return-interview rota."

    assert council.get(write).status_code == 403
    assert council.post(write, {"text": "not ours", "action": "submit"}).status_code == 403
    assert b"Write commentary" not in council.get(page).content
    assert b"Write commentary" in police.get(page).content

    empty = police.post(write, {"text": "  ", "action": "draft"})
    assert empty.status_code == 400 and b"Enter your commentary" in empty.content
    saved = police.post(write, {"text": words, "action": "draft"})
    assert saved.status_code == 302
    assert words.encode() in police.get(page).content
    for other in (council, board):
        assert words.encode() not in other.get(page).content
    assert words.encode() in admin.get(page).content  # administrators approve, so they see

    police.post(write, {"text": words, "action": "submit"})
    piece = Commentary.objects.get()
    assert piece.status == "submitted" and piece.agency.name == "Test Police"
    assert words.encode() not in board.get(page).content
    police_board = signed_in("board", "Test Police", "police")  # the board reads it approved,
    assert words.encode() not in police_board.get(page).content  # its own agency's too
    assert words.encode() in admin.get("/dashboard/commentary/approvals/").content
    assert (
        admin.post(
            "/dashboard/commentary/approvals/", {"piece": piece.pk, "decision": "approve"}
        ).status_code
        == 302
    )
    piece.refresh_from_db()
    assert piece.status == "approved" and piece.approved_by is not None
    assert words.encode() in board.get(page).content
    assert words.encode() in council.get(page).content

    changes = [e.detail for e in Entry.objects.filter(action="commentary").order_by("seq")]
    assert [("saved as draft" in d, "submitted" in d, "approved" in d) for d in changes] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]


def test_editing_approved_commentary_needs_approval_again(db: None, store: Path) -> None:
    from safeplan.web.dashboard.models import Commentary

    write = f"/dashboard/plans/{PLAN}/measures/cpp_18m_plus/commentary/{LATEST}/"
    analyst = signed_in("analyst")
    admin = signed_in("admin")
    analyst.post(write, {"text": "First words", "action": "submit"})
    piece = Commentary.objects.get()
    admin.post("/dashboard/commentary/approvals/", {"piece": piece.pk, "decision": "approve"})
    analyst.post(write, {"text": "Second thoughts", "action": "draft"})
    piece.refresh_from_db()
    assert (piece.text, piece.status, piece.approved_by) == ("Second thoughts", "draft", None)
    assert Commentary.objects.count() == 1


def test_pages_say_so_when_nothing_is_loaded(db: None) -> None:
    client = signed_in("analyst")
    for path in (
        f"/dashboard/plans/{PLAN}/",
        f"/dashboard/plans/{PLAN}/measures/cpp_18m_plus/",
        f"/dashboard/plans/{PLAN}/measures/cpp_18m_plus/records/",
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert "not available yet" in text_of(response.content) or "No data has been loaded" in (
            text_of(response.content)
        )


def test_commentary_with_small_numbers_is_shown_as_partner_only_and_cannot_be_made_public(
    db: None, store: Path
) -> None:
    """Issue 11.8: the writer sees what the public report will print and the check's findings;
    the approver sees them too, cannot confirm failing text for the public (it is approved for
    partners only), and confirms passing text explicitly, audited with who and when. The
    public board report prints only the confirmed, passing piece."""
    from safeplan.web.audit.models import Entry
    from safeplan.web.dashboard.models import Commentary

    leak = "Plans lasting 2 years or more: 2.4% (2 of 85 plans)."
    clean = "Plans lasting 2 years or more are steady; reviews move to Q3 2025-26."
    council = f"/dashboard/plans/{PLAN}/measures/cpp_18m_plus/commentary/{LATEST}/"
    police = f"/dashboard/plans/{PLAN}/measures/missing_more_than_once/commentary/{LATEST}/"
    analyst = signed_in("analyst")
    officer = signed_in("contributor", "Test Police", "police")
    admin = signed_in("admin")
    approvals = "/dashboard/commentary/approvals/"

    preview = analyst.post(council, {"text": leak, "action": "preview"})
    assert preview.status_code == 200 and not Commentary.objects.exists()
    shown = text_of(preview.content)
    assert "This text has small numbers" in shown and "2.4% (2 of 85 plans)" in shown
    assert "a percentage of a small base" in shown
    assert "Test County Council: Commentary for partners only." in shown
    saved = analyst.post(council, {"text": leak, "action": "submit"})
    assert saved.status_code == 302 and saved["Location"].endswith("#public-version")
    assert "Commentary for partners only." in text_of(analyst.get(council).content)

    passing = text_of(officer.post(police, {"text": clean, "action": "preview"}).content)
    assert "No small numbers found" in passing and f"Commentary from Test Police: {clean}" in (
        passing.replace("\n", " ")
    )
    officer.post(police, {"text": clean, "action": "submit"})

    leaky, fine = (Commentary.objects.get(text=t) for t in (leak, clean))
    waiting = admin.get(approvals).content.decode()
    assert f'id="public-{fine.pk}"' in waiting and f'id="public-{leaky.pk}"' not in waiting
    assert "This text has small numbers" in text_of(waiting.encode())
    refused = admin.post(approvals, {"piece": leaky.pk, "decision": "approve", "public": "yes"})
    assert refused.status_code == 400 and b"approve it for partners only" in refused.content
    leaky.refresh_from_db()
    assert (leaky.status, leaky.public) == ("submitted", False)
    admin.post(approvals, {"piece": leaky.pk, "decision": "approve"})
    admin.post(approvals, {"piece": fine.pk, "decision": "approve", "public": "yes"})
    leaky.refresh_from_db()
    fine.refresh_from_db()
    assert (leaky.status, leaky.public, leaky.public_by, leaky.public_at) == (
        "approved",
        False,
        None,
        None,
    )
    assert fine.public and fine.public_by is not None and fine.public_at is not None
    confirmed = Entry.objects.filter(action="commentary", detail__contains="public report")
    assert [e.target for e in confirmed] == [f"{PLAN}/missing_more_than_once/{LATEST}"]

    report = f"/dashboard/plans/{PLAN}/report.html?period={LATEST}"
    public = admin.get(f"{report}&version=public").content.decode()
    partner = admin.get(report).content.decode()
    assert leak not in public and "(2 of 85 plans)" not in public and clean in public
    assert leak in partner and clean in partner

    officer.post(police, {"text": clean + " More soon.", "action": "draft"})
    fine.refresh_from_db()  # edited text needs approval, and confirmation, again
    assert (fine.status, fine.public, fine.public_by, fine.public_at) == (
        "draft",
        False,
        None,
        None,
    )
