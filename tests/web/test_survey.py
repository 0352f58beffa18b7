"""The children's survey: a child's answers reach the store (and nothing that could identify
the child does), the spam defences hold, the measure and its breakdowns by setting and age
band come from the stored answers, and the results page withholds small numbers."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.test import Client
from django.utils import timezone

from safeplan.config import settings
from safeplan.measures.catalogue import catalogue
from safeplan.measures.data import AGE_BANDS, Source
from safeplan.measures.engine import compute
from safeplan.web import storecache
from safeplan.web.survey import answers
from safeplan.web.survey.questions import AGES, DEFAULT_QUESTIONS, MEASURE_QUESTION, NOT_KNOWN
from tests.conftest import postgres_database
from tests.store.elsewhere import reading, writing
from tests.web.conftest import make_user, text_of

PLAN = "durham-priorities-2020"  # has children_confident_to_report as a key measure
ALL_YES = {key: "yes" for key, _ in DEFAULT_QUESTIONS}
COLUMNS = {"answer_id", "plan_id", "setting", "question", "answer", "age_band", "answered_on"}


def make_setting(name: str = "Hilltop Primary School", active: bool = True) -> Any:
    from safeplan.web.survey.models import Setting

    return Setting.objects.create(name=name, kind="school", plan_id=PLAN, active=active)


@pytest.fixture
def setting(db: None) -> Any:
    return make_setting()


@pytest.fixture
def child() -> Client:
    """A child's browser: CSRF checks on, as in real life."""
    return Client(enforce_csrf_checks=True)


def send(child: Client, token: str, form: dict[str, str]) -> Any:
    """Opens the survey (which sets the CSRF cookie) and sends it, as a browser does."""
    page = child.get(f"/survey/s/{token}/")
    assert page.status_code == 200
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert csrf is not None
    return child.post(
        f"/survey/s/{token}/", {**form, "csrfmiddlewaretoken": csrf.group(1).decode()}
    )


def stored(url: str | None = None) -> list[dict[str, Any]]:
    """Every row of the store's survey table (none if there is no table)."""
    path = url or settings().store_url
    if not Path(path).is_file():
        return []
    with duckdb.connect(path, read_only=True) as con:
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        if answers.TABLE not in tables:
            return []
        cur = con.execute(f"SELECT * FROM {answers.TABLE} ORDER BY answer_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_a_childs_answers_are_stored_one_row_per_question(setting: Any, child: Client) -> None:
    response = send(child, setting.token, {**ALL_YES, "no_such_question": "yes", "age": "10_to_15"})
    assert response.status_code == 302
    assert response["Location"] == f"/survey/s/{setting.token}/thanks/"
    rows = stored()
    assert len(rows) == 4
    assert set(rows[0]) == COLUMNS  # no person, name, address, free text or time of day
    assert {r["question"] for r in rows} == set(ALL_YES)
    for row in rows:
        assert row["plan_id"] == PLAN
        assert row["setting"] == "Hilltop Primary School"
        assert row["answer"] == "yes"
        assert row["age_band"] == "10 to 15"
        assert row["answered_on"] == timezone.localdate()
    thanks = child.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you" in text_of(thanks.content)


def test_the_survey_asks_nothing_that_identifies_a_child(setting: Any, child: Client) -> None:
    page = child.get(f"/survey/s/{setting.token}/").content.decode()
    assert "<textarea" not in page
    inputs = re.findall(r"<input\b[^>]*>", page)
    typed = {re.search(r'type="(\w+)"', i).group(1) for i in inputs}  # type: ignore[union-attr]
    assert typed == {"radio", "hidden", "text"}
    texts = [i for i in inputs if 'type="text"' in i]
    assert len(texts) == 1 and 'name="homepage"' in texts[0]  # the honeypot, and only it
    assert 'tabindex="-1"' in texts[0] and 'autocomplete="off"' in texts[0]
    assert re.search(r'<div class="sp-survey-extra" aria-hidden="true">', page)
    assert '<meta name="robots" content="noindex, nofollow">' in page
    for _, text in DEFAULT_QUESTIONS:
        assert text in text_of(page.encode())
    for _, label, band in AGES:
        assert label in page
        assert band in (*AGE_BANDS, NOT_KNOWN)


def test_skipped_questions_and_age_are_not_stored(setting: Any, child: Client) -> None:
    send(child, setting.token, {"feel_safe": "not_sure", MEASURE_QUESTION: "no"})
    rows = stored()
    assert [(r["question"], r["answer"], r["age_band"]) for r in rows] == [
        ("feel_safe", "not_sure", NOT_KNOWN),
        (MEASURE_QUESTION, "no", NOT_KNOWN),
    ]


def test_nothing_answered_asks_again(setting: Any, child: Client) -> None:
    response = send(child, setting.token, {"age": "16_or_over", "feel_safe": "maybe"})
    assert response.status_code == 400
    assert "Choose an answer to at least one question" in text_of(response.content)
    assert 'href="#feel_safe"' in response.content.decode()
    assert stored() == []


def test_an_answer_sent_while_a_load_writes_is_kept_and_stored_once_after(
    setting: Any, child: Client
) -> None:
    from safeplan.web.survey.models import PendingAnswer

    url = settings().store_url
    with writing(url):  # another process part-way through a load
        response = send(child, setting.token, {**ALL_YES, "age": "9_or_under"})
        assert response.status_code == 302  # thanked: never asked to send again
        assert answers.waiting() == len(ALL_YES)
        assert stored() == []
    assert answers.feed() == len(ALL_YES)  # the next feed, once the load has finished
    assert answers.waiting() == 0
    assert answers.feed() == 0
    rows = stored()
    assert sorted(r["question"] for r in rows) == sorted(ALL_YES)
    assert {r["age_band"] for r in rows} == {"5 to 9"}
    # A feed cut short after the store took its batch (the rows not yet deleted here):
    # the next feed sees the batch is stored, and deletes without storing it again.
    batch = answers.store_batches(url)[0]
    PendingAnswer.objects.create(
        plan_id=PLAN,
        setting=setting.name,
        question="feel_safe",
        answer="yes",
        age_band="5 to 9",
        answered_on=date(2026, 1, 5),
        batch=batch,
    )
    assert answers.feed() == 0
    assert answers.waiting() == 0
    assert len(stored()) == len(ALL_YES)


def test_answers_sent_while_the_store_is_read_are_stored_at_once(
    setting: Any, child: Client
) -> None:
    url = settings().store_url
    assert answers.write(PLAN, "Hilltop", [("feel_safe", "yes")], "5 to 9", date(2026, 1, 5))
    with reading(url):  # a page of another worker computing figures
        response = send(child, setting.token, {**ALL_YES, "age": "9_or_under"})
        assert response.status_code == 302
        assert answers.waiting() == 0
        assert len(stored()) == 1 + len(ALL_YES)


def test_a_filled_honeypot_is_thanked_and_kept_nowhere(setting: Any, child: Client) -> None:
    response = send(child, setting.token, {**ALL_YES, "homepage": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"].endswith("/thanks/")
    assert stored() == []


def test_csrf_protection_stays_on(setting: Any, child: Client) -> None:
    response = child.post(f"/survey/s/{setting.token}/", ALL_YES)
    assert response.status_code == 403
    assert stored() == []


def test_the_rate_limit_counts_per_address_and_setting(
    setting: Any, child: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeplan.web.survey import ratelimit
    from safeplan.web.survey.models import Attempt

    monkeypatch.setattr(ratelimit, "PER_HOUR", 3)
    for _ in range(3):
        assert send(child, setting.token, ALL_YES).status_code == 302
    refused = send(child, setting.token, ALL_YES)
    assert refused.status_code == 429
    assert "Please try again later" in text_of(refused.content)
    assert len(stored()) == 12  # the refused one kept nothing
    other = make_setting("Riverside Youth Club")
    assert send(child, other.token, ALL_YES).status_code == 302  # another setting's own count
    # What the limiter keeps: a keyed hash, never the address, and only for an hour.
    keys = set(Attempt.objects.values_list("key", flat=True))
    assert len(keys) == 2 and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)
    Attempt.objects.update(at=timezone.now() - ratelimit.WINDOW - timedelta(seconds=1))
    assert send(child, setting.token, ALL_YES).status_code == 302
    assert Attempt.objects.count() == 1  # the old ones are gone


def test_a_closed_or_unknown_link(db: None, child: Client) -> None:
    closed = make_setting(active=False)
    page = child.get(f"/survey/s/{closed.token}/")
    assert page.status_code == 410
    assert "This survey has closed" in text_of(page.content)
    assert Client().post(f"/survey/s/{closed.token}/", ALL_YES).status_code == 410
    assert child.get("/survey/s/no-such-token/").status_code == 404
    assert stored() == []


def test_setting_tokens_are_long_and_random(db: None) -> None:
    tokens = {make_setting(f"School {i}").token for i in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 24 and re.fullmatch(r"[-\w]+", t) for t in tokens)


# --- the measure ----------------------------------------------------------------------------


def survey_round(child: Client, plan: list[tuple[Any, str, str]]) -> None:
    """Each (setting, answer to the measure's question, age) as one child's survey."""
    for setting, answer, age in plan:
        response = send(child, setting.token, {MEASURE_QUESTION: answer, "age": age})
        assert response.status_code == 302


def test_the_measure_comes_from_the_stored_answers(db: None, child: Client) -> None:
    school, club = make_setting("Hilltop Primary School"), make_setting("Riverside Youth Club")
    survey_round(
        child,
        [
            (school, "yes", "9_or_under"),
            (school, "yes", "10_to_15"),
            (school, "no", "10_to_15"),
            (school, "not_sure", "not_say"),
            (club, "yes", "16_or_over"),
            (club, "no", "16_or_over"),
        ],
    )
    today = timezone.localdate()
    quarter = answers.quarter_of(today)
    source = Source.connect(settings().store_url)
    try:
        results = compute(source, [catalogue()[answers.MEASURE]], [quarter], ["agency", "age_band"])
    finally:
        source.con.disconnect()
    figures = {(r.breakdown, r.group): (r.numerator, r.denominator) for r in results}
    assert figures == {
        ("total", "All"): (3.0, 6.0),
        ("agency", "Hilltop Primary School"): (2.0, 4.0),
        ("agency", "Riverside Youth Club"): (1.0, 2.0),
        ("age_band", "5 to 9"): (1.0, 1.0),
        ("age_band", "10 to 15"): (1.0, 2.0),
        ("age_band", "16 and over"): (1.0, 2.0),
        ("age_band", NOT_KNOWN): (0.0, 1.0),
    }


def test_the_quarter_of_a_day() -> None:
    assert answers.quarter_of(date(2026, 11, 25)).label == "2026-Q4"
    assert answers.quarter_of(date(2026, 1, 1)).label == "2026-Q1"
    assert answers.quarter_of(date(2026, 6, 30)).label == "2026-Q2"


# --- results, with small numbers withheld ---------------------------------------------------


def cells(page: bytes, question: str, group: str) -> list[str]:
    """A results table row's cells: Yes, Not sure, No, Answers."""
    html = page.decode()
    table = re.search(rf'data-question="{question}".*?</table>', html, flags=re.S)
    assert table is not None, question
    row = re.search(rf'data-group="{re.escape(group)}">(.*?)</tr>', table.group(0), flags=re.S)
    assert row is not None, group
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), flags=re.S)]


def measure_row(page: bytes, label: str) -> list[str]:
    html = page.decode()
    table = re.search(r"data-survey-measure.*?</table>", html, flags=re.S)
    assert table is not None
    row = re.search(rf">{re.escape(label)}</th>(.*?)</tr>", table.group(0), flags=re.S)
    assert row is not None, label
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), flags=re.S)]


def test_results_withhold_small_groups(db: None, child: Client) -> None:
    school, college = make_setting("Hilltop School"), make_setting("Oakwood College")
    club = make_setting("Riverside Youth Club")
    survey_round(
        child,
        [(school, "yes", "10_to_15")] * 12
        + [(school, "not_sure", "10_to_15")] * 7
        + [(school, "no", "10_to_15")] * 6
        + [(college, "yes", "16_or_over")] * 9
        + [(college, "not_sure", "16_or_over")] * 8
        + [(college, "no", "16_or_over")] * 7
        + [(club, "yes", "10_to_15")] * 2,
    )
    board = Client()
    board.force_login(make_user("board"))
    page = board.get("/survey/results/")
    assert page.status_code == 200
    body = page.content
    assert cells(body, MEASURE_QUESTION, "total:All") == ["23 (45%)", "15 (29%)", "13 (25%)", "51"]
    # The club's 2 children are withheld; then, so that they cannot be worked out, the
    # college's counts (the smallest others in their columns), and with them the school's
    # not sure and no (which would give the college's away).
    assert cells(body, MEASURE_QUESTION, "setting:Riverside Youth Club") == ["c", "0", "0", "c"]
    assert cells(body, MEASURE_QUESTION, "setting:Oakwood College") == ["c", "c", "c", "c"]
    assert cells(body, MEASURE_QUESTION, "setting:Hilltop School") == ["12 (48%)", "c", "c", "25"]
    assert cells(body, MEASURE_QUESTION, "age_band:10 to 15") == [
        "14 (52%)",
        "7 (26%)",
        "6 (22%)",
        "27",
    ]
    assert "No answers to this question" in text_of(body)  # the questions nobody answered
    # The measure, suppressed as public figures are.
    assert measure_row(body, "All") == ["45.1%", "23", "51"]
    assert measure_row(body, "Setting: Riverside Youth Club") == ["c", "c", "c"]
    assert "/dashboard/plans/durham-priorities-2020/measures/children_confident_to_report/" in (
        body.decode()
    )


def test_no_withheld_cell_can_be_worked_out() -> None:
    """Along every line that adds up, no single withheld count is left to subtract out."""
    counts = {
        ("A", "10 to 15", "yes"): 30,
        ("A", "10 to 15", "no"): 4,
        ("A", "16 and over", "not_sure"): 9,
        ("B", "10 to 15", "yes"): 7,
        ("B", "16 and over", "no"): 1,
        ("C", "5 to 9", "yes"): 12,
        ("C", "5 to 9", "not_sure"): 8,
    }
    table = answers.question_table("q", "Q?", counts)
    shown = {(line.breakdown, line.group): line.cells for line in table.lines}
    lines = [list(cells) for cells in shown.values()]  # each row: yes, not sure, no, all
    for family in ("setting", "age_band"):
        rows = [c for (b, _), c in shown.items() if b == family]
        lines += [[r[i] for r in rows] + [shown[("total", "All")][i]] for i in range(4)]
    for line in lines:
        withheld = [c for c in line if c == "c"]
        assert len(withheld) != 1, line
    assert shown[("setting", "B")][2] == "c"  # the 1 is withheld
    assert shown[("total", "All")][3] == "71"


def test_results_with_nothing_answered(db: None) -> None:
    board = Client()
    board.force_login(make_user("board"))
    assert "No child has answered the survey yet" in text_of(board.get("/survey/results/").content)


# --- settings, links and questions ----------------------------------------------------------


@pytest.fixture
def analyst(db: None) -> Client:
    client = Client()
    client.force_login(make_user("analyst"))
    return client


def test_adding_a_setting_gives_its_link_and_qr_code(analyst: Client) -> None:
    from safeplan.web.audit.models import Entry
    from safeplan.web.survey.models import Setting

    response = analyst.post(
        "/survey/settings/", {"name": "Hilltop Primary School", "kind": "school", "plan": PLAN}
    )
    assert response.status_code == 302
    setting = Setting.objects.get(name="Hilltop Primary School")
    assert response["Location"] == f"/survey/settings/{setting.pk}/"
    assert Entry.objects.filter(action="survey-setting-added").count() == 1
    page = analyst.get(response["Location"])
    html = page.content.decode()
    assert f"http://testserver/survey/s/{setting.token}/" in html
    # The QR code: an SVG data: URL in an <img> with a text alternative, which the CSP allows;
    # no inline style or script anywhere on the page.
    src = re.search(r'<img class="sp-survey-qr" src="([^"]+)" alt="([^"]+)"', html)
    assert src is not None and "Hilltop Primary School" in src.group(2)
    assert src.group(1).startswith("data:image/svg+xml")
    svg = urllib.parse.unquote(src.group(1).split(",", 1)[1].replace("&amp;", "&"))
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_a_setting_needs_a_name_kind_and_plan(analyst: Client) -> None:
    from safeplan.web.survey.models import Setting

    response = analyst.post("/survey/settings/", {"name": " ", "kind": "zoo", "plan": "nope"})
    assert response.status_code == 400
    words = text_of(response.content)
    for error in (
        "Enter the setting's name",
        "Choose what kind of setting it is",
        "Choose the plan its answers count towards",
    ):
        assert error in words
    make_setting("Hilltop")
    again = analyst.post("/survey/settings/", {"name": "HILLTOP", "kind": "school", "plan": PLAN})
    assert "A setting with this name already exists" in text_of(again.content)
    assert Setting.objects.count() == 1


def test_closing_and_reopening_a_setting(analyst: Client, child: Client) -> None:
    setting = make_setting()
    url = f"/survey/settings/{setting.pk}/"
    assert analyst.post(url, {"action": "deactivate"}).status_code == 302
    setting.refresh_from_db()
    assert not setting.active
    assert child.get(f"/survey/s/{setting.token}/").status_code == 410
    assert "Open the survey again" in text_of(analyst.get(url).content)
    analyst.post(url, {"action": "reactivate"})
    setting.refresh_from_db()
    assert setting.active


def test_an_administrator_changes_the_questions(db: None, child: Client) -> None:
    from safeplan.web.survey.models import Question

    admin = Client()
    admin.force_login(make_user("admin"))
    url = f"/survey/questions/{PLAN}/"
    page = admin.get(url)
    assert page.status_code == 200
    asked = list(Question.objects.filter(plan_id=PLAN))
    assert [q.key for q in asked] == [k for k, _ in DEFAULT_QUESTIONS]
    # New words for one question (its key, and so its answers, stay).
    texts = {f"text-{q.pk}": q.text for q in asked}
    texts[f"text-{asked[0].pk}"] = "Do you feel safe at school?"
    assert admin.post(url, {"action": "save", **texts})["Location"] == f"{url}?done=saved"
    assert Question.objects.get(pk=asked[0].pk).text == "Do you feel safe at school?"
    # An empty question is refused.
    empty = admin.post(url, {"action": "save", **texts, f"text-{asked[1].pk}": ""})
    assert empty.status_code == 400
    # A new one, with a key made from its words.
    admin.post(url, {"action": "add", "new": "Do you feel safe online?"})
    assert Question.objects.filter(plan_id=PLAN, key="do_you_feel_safe_online").exists()
    # One removed; the measure's own question cannot be.
    measure_q = next(q for q in asked if q.key == MEASURE_QUESTION)
    admin.post(url, {"action": "remove", "question": str(asked[-1].pk)})
    admin.post(url, {"action": "remove", "question": str(measure_q.pk)})
    keys = [q.key for q in Question.objects.filter(plan_id=PLAN)]
    assert keys == ["feel_safe", "know_who_to_tell", MEASURE_QUESTION, "do_you_feel_safe_online"]
    # Children now see the new questions, and their answers are kept under the new key.
    setting = make_setting()
    survey = child.get(f"/survey/s/{setting.token}/")
    assert "Do you feel safe online?" in text_of(survey.content)
    assert "When you talk to adults here" not in text_of(survey.content)
    send(child, setting.token, {"do_you_feel_safe_online": "no"})
    assert [r["question"] for r in stored()] == ["do_you_feel_safe_online"]


def test_only_administrators_change_questions(analyst: Client) -> None:
    assert analyst.get(f"/survey/questions/{PLAN}/").status_code == 403


# --- the store's version --------------------------------------------------------------------


def test_a_new_answer_changes_the_stores_version(setting: Any, fixture_store: Path) -> None:
    url = str(fixture_store)
    before = storecache.version(url)
    assert answers.write(PLAN, "Hilltop", [("feel_safe", "yes")], "5 to 9", date(2026, 1, 5))
    assert storecache.version(url) != before


@pytest.fixture
def postgres_store() -> Iterator[str]:
    with postgres_database("safeplan_survey") as url:
        yield url


@pytest.mark.postgres
def test_answers_on_postgresql(postgres_store: str) -> None:
    url = postgres_store
    assert storecache.version(url) is None  # an empty database: no store yet
    day = date(2026, 5, 5)
    assert answers.write(PLAN, "Hilltop", [(MEASURE_QUESTION, "yes")], "10 to 15", day, url)
    first = storecache.version(url)
    assert first is not None
    assert answers.write(PLAN, "Riverside", [(MEASURE_QUESTION, "no")], "16 and over", day, url)
    assert storecache.version(url) != first  # no load between: the answers alone change it
    found = answers.tally(url)
    assert found.period is not None and found.period.label == "2026-Q2"
    assert found.counts[(PLAN, MEASURE_QUESTION, "Hilltop", "10 to 15", "yes")] == 1
    figures = {(r.breakdown, r.group): (r.numerator, r.denominator) for r in found.measure}
    assert figures[("total", "All")] == (1.0, 2.0)
    assert figures[("age_band", "16 and over")] == (0.0, 1.0)
    assert figures[("agency", "Hilltop")] == (1.0, 1.0)
