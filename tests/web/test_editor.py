"""Plan editing on the web: an edit is validated as a whole plan, saved as a new version (who,
when, what) and to the plan file, shown at once on the scorecard, audited, and revertible; a
refused edit changes nothing; YAML goes out and comes in exactly as on the command line; and
only administrators may do any of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from safeplan.config import settings
from safeplan.plans import library
from safeplan.plans.model import Plan
from safeplan.plans.yamlio import dump_plan, parse_plan
from safeplan.web.editor import changes
from tests.web.conftest import make_user, text_of
from tests.web.test_dashboard import rows_of

PLAN = "durham-lscb-2017-2020"
EDIT = f"/plans/edit/{PLAN}/"
NEGLECT = f"{EDIT}priorities/neglect/"
CPP_18M = f"{NEGLECT}measures/2/"  # cpp_18m_plus, the third key measure of Neglect
SCORECARD = f"/dashboard/plans/{PLAN}/"
YEAR = "2023-24"  # the fixture store's latest quarter, 2024-Q1, ends financial year 2023-24


class Form(HTMLParser):
    """The fields of a page's first form with a ``base`` field, as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, Any] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._done:
            return
        if tag == "form" and a.get("method") == "post":
            self._in_form, self.fields = True, {}
        elif not self._in_form:
            return
        elif tag == "input" and a.get("type") in ("radio", "checkbox"):
            if "checked" in a:
                self.fields.setdefault(a["name"], []).append(a["value"])
        elif tag == "input" and a.get("type") != "file" and "name" in a:
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            if self._textarea:  # a browser drops the newline that starts a textarea
                self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self._done = "base" in self.fields


def form_of(client: Client, path: str) -> dict[str, Any]:
    page = client.get(path)
    assert page.status_code == 200, path
    parser = Form()
    parser.feed(page.content.decode())
    return parser.fields


def submit(client: Client, path: str, **changed: Any) -> Any:
    """The page's form as it stands with some fields changed (``target_0_year`` is the field
    target-0-year), sent as a browser would."""
    fields = form_of(client, path)
    fields.update({k.replace("_", "-"): v for k, v in changed.items()})
    return client.post(path, fields)


def errors_of(response: Any) -> list[tuple[str, str]]:
    """The error summary's (link, text) pairs."""
    summary = re.search(r'class="govuk-error-summary".*?</ul>', response.content.decode(), re.S)
    assert summary is not None, "no error summary"
    return [
        (href, text_of(words.encode()).strip())
        for href, words in re.findall(r'<a href="([^"]+)">(.*?)</a>', summary.group(0), re.S)
    ]


@pytest.fixture
def admin(db: None) -> Client:
    client = Client()
    client.force_login(make_user("admin"))
    return client


@pytest.fixture
def reader(db: None, fixture_store: Path) -> Iterator[Client]:
    """A board member reading the scorecard over the fixture store."""
    client = Client()
    client.force_login(make_user("board"))
    yield client


def target_shown(client: Client) -> float | None:
    """The Target column of cpp_18m_plus (a percentage) on the plan's scorecard."""
    rows = rows_of(client.get(SCORECARD).content, "sp-scorecard")
    row = next(r for r in rows if r["measure"] == "cpp_18m_plus")
    cells: list[str] = row["cells"]
    return None if cells[2] == "–" else float(cells[2].removesuffix("%"))


def saved_file() -> Path:
    return settings().plans_dir / f"{PLAN}.yaml"


def widen_period(admin: Client) -> None:
    """The 2017-2020 plan runs on to 2023, so a target for the fixture's year is allowed."""
    assert submit(admin, EDIT, period_end="2023").status_code == 302


def test_an_edited_target_is_versioned_saved_audited_and_on_the_scorecard_at_once(
    admin: Client, reader: Client
) -> None:
    from safeplan.web.audit.models import Entry
    from safeplan.web.editor.models import PlanVersion

    assert target_shown(reader) is None
    widen_period(admin)
    first = submit(admin, CPP_18M, target_0_year=YEAR, target_0_value="20")
    assert first.status_code == 302 and first["Location"] == f"{NEGLECT}?saved=3"
    assert target_shown(reader) == 20
    second = submit(admin, CPP_18M, target_0_value="15")  # same size, same instant: see library
    assert second.status_code == 302
    assert target_shown(reader) == 15

    versions = list(PlanVersion.objects.filter(plan_id=PLAN).order_by("number"))
    assert [(v.number, v.made_by and v.made_by.username, v.summary) for v in versions] == [
        (1, None, "The bundled plan file, as it was before any edit on the web"),
        (2, "test-admin", "Period: 2017–2020 → 2017–2023"),
        (3, "test-admin", f"Target for cpp_18m_plus {YEAR}: none → 20"),
        (4, "test-admin", f"Target for cpp_18m_plus {YEAR}: 20 → 15"),
    ]
    assert versions[0].text == (library.BUNDLED_DIR / f"{PLAN}.yaml").read_text(encoding="utf-8")
    assert versions[-1].text == saved_file().read_text(encoding="utf-8")
    entry = next(e for e in library.entries() if e.plan.id == PLAN)
    assert not entry.bundled  # the edited plan takes the bundled one's place
    assert entry.plan.priorities[1].measures[2].targets[0].value == 15

    audited = Entry.objects.filter(action="plan-change").order_by("seq")
    assert [(e.actor, e.target) for e in audited] == [("test-admin", PLAN)] * 3
    assert '"version":4' in audited.last().detail  # type: ignore[union-attr]
    assert "20 → 15" in audited.last().detail  # type: ignore[union-attr]

    listed = text_of(admin.get("/plans/edit/").content)
    assert "Source Edited on the web: version 4" in listed
    banner = admin.get(f"{NEGLECT}?saved=4")
    assert f"Saved as version 4 Target for cpp_18m_plus {YEAR}: 20 → 15" in text_of(banner.content)


def test_a_target_outside_the_plan_period_is_refused_and_nothing_changes(
    admin: Client,
) -> None:
    from safeplan.web.audit.models import Entry
    from safeplan.web.editor.models import PlanVersion

    response = submit(admin, CPP_18M, target_0_year=YEAR, target_0_value="20")
    assert response.status_code == 400
    assert errors_of(response) == [
        ("#target-0-year", f"{YEAR} is outside the plan period 2017–2020")
    ]
    html = response.content.decode()
    assert 'id="target-0-year-error"' in html and f'value="{YEAR}"' in html  # kept as typed
    assert "<title>Error: " in html
    assert not PlanVersion.objects.exists()
    assert not saved_file().exists()
    assert not Entry.objects.filter(action="plan-change").exists()


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        ({"wording": " "}, [("#wording", "Enter the key measure in the plan's own words")]),
        (
            {"target_0_year": "2019-20", "target_0_value": "lots"},
            [("#target-0-value", "Enter the target for 2019-20 as a number, like 15 or 12.5")],
        ),
        (
            {"target_0_year": "2019", "target_0_value": "3"},
            [("#target-0-year", "Enter the financial year like 2024-25, not '2019'")],
        ),
        (
            {"measure": "cpp_neglect"},
            [
                (
                    "#measure",
                    "'Children subject to a child protection plan for neglect' is already a key "
                    "measure of the priority 'Neglect': a measure appears once in a plan",
                )
            ],
        ),
    ],
)
def test_form_mistakes_are_shown_on_their_fields(
    admin: Client, changed: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    from safeplan.web.editor.models import PlanVersion

    response = submit(admin, CPP_18M, **changed)
    assert response.status_code == 400
    assert errors_of(response) == expected
    assert not PlanVersion.objects.exists() and not saved_file().exists()


def test_a_period_that_would_leave_a_target_outside_it_is_refused(admin: Client) -> None:
    widen_period(admin)
    submit(admin, CPP_18M, target_0_year=YEAR, target_0_value="20")
    response = submit(admin, EDIT, period_end="2020")
    assert response.status_code == 400
    assert errors_of(response) == [
        (
            "#period-end",
            f"Key measure cpp_18m_plus of 'Neglect': {YEAR} is outside the plan period 2017–2020",
        )
    ]
    assert library.get(PLAN).period.end == 2023


def test_a_revert_saves_the_old_version_as_a_new_one(admin: Client, reader: Client) -> None:
    from safeplan.web.audit.models import Entry
    from safeplan.web.editor.models import PlanVersion

    widen_period(admin)
    submit(admin, CPP_18M, target_0_year=YEAR, target_0_value="20")
    submit(admin, CPP_18M, target_0_value="15")
    assert target_shown(reader) == 15

    confirm = admin.get(f"{EDIT}history/3/revert/")
    assert confirm.status_code == 200
    words = text_of(confirm.content)
    assert "Revert to version 3" in words and "Removed: - value: 15.0" in words
    reverted = submit(admin, f"{EDIT}history/3/revert/")
    assert reverted.status_code == 302 and reverted["Location"] == f"{EDIT}history/?saved=5"
    assert target_shown(reader) == 20
    latest = PlanVersion.objects.get(plan_id=PLAN, number=5)
    assert latest.restores == 3
    assert latest.summary == f"Reverted to version 3: Target for cpp_18m_plus {YEAR}: 15 → 20"
    assert latest.text == PlanVersion.objects.get(plan_id=PLAN, number=3).text
    assert PlanVersion.objects.filter(plan_id=PLAN).count() == 5  # nothing is taken away
    assert "Reverted to version 3" in Entry.objects.filter(action="plan-change").first().detail  # type: ignore[union-attr]

    # back to the bundled file, version 1: the original plan, with no target at all
    submit(admin, f"{EDIT}history/1/revert/")
    assert target_shown(reader) is None
    assert saved_file().read_text(encoding="utf-8") == (
        library.BUNDLED_DIR / f"{PLAN}.yaml"
    ).read_text(encoding="utf-8")
    same = admin.get(f"{EDIT}history/1/revert/")
    assert "there is nothing to revert" in text_of(same.content)


def test_the_history_shows_who_when_what_and_the_diff(admin: Client) -> None:
    page = admin.get(f"{EDIT}history/")
    assert page.status_code == 200
    words = text_of(page.content)
    assert "Version 1 The plan now" in words  # an unedited plan: its file
    assert "Revert to this version" not in words

    widen_period(admin)
    submit(admin, CPP_18M, target_0_year=YEAR, target_0_value="20")
    page = admin.get(f"{EDIT}history/")
    html, words = page.content.decode(), text_of(page.content)
    assert [int(n) for n in re.findall(r'data-version="(\d+)"', html)] == [3, 2, 1]
    assert "Version 3 The plan now" in words and "Saved by test-admin" in words
    assert f"What changed Target for cpp_18m_plus {YEAR}: none → 20" in words
    assert "Removed: - end: 2020" in words and "Added: + end: 2023" in words
    assert f"Added: + - year: {YEAR}" in words and "Added: + value: 20.0" in words
    assert words.count("Revert to this version") == 2  # versions 1 and 2, not the current one


def test_a_form_drawn_from_an_older_plan_is_refused(admin: Client) -> None:
    """Someone else saved in between: the save is refused rather than undoing their change."""
    from safeplan.web.editor.models import PlanVersion

    fields = form_of(admin, EDIT)
    widen_period(admin)
    response = admin.post(EDIT, {**fields, "title": "A new title"})
    assert response.status_code == 400
    assert errors_of(response)[0][1].startswith("Someone else changed this plan")
    assert library.get(PLAN).title == "LSCB Priorities Plan on a Page 2017-2020"
    assert PlanVersion.objects.filter(plan_id=PLAN).count() == 2


def test_the_yaml_export_round_trips_byte_for_byte_and_is_audited(admin: Client) -> None:
    from safeplan.web.audit.models import Entry

    bundled = (library.BUNDLED_DIR / f"{PLAN}.yaml").read_bytes()
    response = admin.get(f"{EDIT}export.yaml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{PLAN}.yaml"'
    assert response.content == bundled
    assert dump_plan(parse_plan(response.content.decode())).encode() == response.content

    widen_period(admin)
    edited = admin.get(f"{EDIT}export.yaml").content
    assert edited == saved_file().read_bytes()
    assert dump_plan(parse_plan(edited.decode())).encode() == edited
    exports = Entry.objects.filter(action="export", target=f"plan/{PLAN}")
    assert exports.count() == 2 and exports.first().actor == "test-admin"  # type: ignore[union-attr]

    # the file imported back changes nothing
    again = admin.post(
        "/plans/edit/import/",
        {"file": SimpleUploadedFile(f"{PLAN}.yaml", edited), "replace": "yes"},
    )
    assert again.status_code == 302 and again["Location"] == f"{EDIT}?saved=0"


BROKEN = """id: testshire-scp-2024-2027
title: Testshire plan
partnership: {name: Testshire Safeguarding Children Partnership, area: Testshire}
period: {start: 2024, end: 2027}
status: draft
priorities:
- id: neglect
  title: Neglect
  comitments:
  - Help families early
  measures:
  - measure: cpp_neglect
    wording: Reduce neglect
    direction: lower
"""


def test_importing_a_broken_file_shows_each_located_problem_and_changes_nothing(
    admin: Client,
) -> None:
    from safeplan.web.editor.models import PlanVersion

    response = admin.post(
        "/plans/edit/import/", {"file": SimpleUploadedFile("my-plan.yaml", BROKEN.encode())}
    )
    assert response.status_code == 400
    assert sorted(errors_of(response)) == [
        (
            "#file",
            "my-plan.yaml, line 14 (priorities[0].measures[0].direction): 'lower' is not "
            "allowed here; use one of 'increase', 'reduce' or 'track'",
        ),
        (
            "#file",
            "my-plan.yaml, line 9 (priorities[0].comitments): 'comitments' is not a field of a "
            "plan at this place; did you mean 'commitments'?",
        ),
    ]
    for raw, problem in [
        (b"\xff\xfe not text", "my-plan.yaml is not UTF-8 text (byte 0 cannot be read)"),
        (b"id: [unclosed", "my-plan.yaml, line 1: This is not valid YAML"),
        (b"x" * 1_000_001, "The file must be 1 MB or smaller"),
    ]:
        refused = admin.post(
            "/plans/edit/import/", {"file": SimpleUploadedFile("my-plan.yaml", raw)}
        )
        assert refused.status_code == 400 and errors_of(refused)[0][1].startswith(problem)
    nothing = admin.post("/plans/edit/import/", {})
    assert errors_of(nothing) == [("#file", "Select a plan file (YAML)")]
    assert not PlanVersion.objects.exists()
    assert library.get(PLAN)  # and no new plan
    assert not settings().plans_dir.exists() or not list(settings().plans_dir.glob("*.yaml"))


def test_importing_follows_the_command_lines_rules(admin: Client) -> None:
    from safeplan.web.editor.models import PlanVersion

    fixed = BROKEN.replace("comitments", "commitments").replace("lower", "reduce")
    made = admin.post("/plans/edit/import/", {"file": SimpleUploadedFile("t.yaml", fixed.encode())})
    assert made.status_code == 302
    plan = library.get("testshire-scp-2024-2027")
    first = PlanVersion.objects.get(plan_id=plan.id)
    assert first.number == 1 and first.summary == (
        "Imported from t.yaml: Plan 'testshire-scp-2024-2027' created"
    )

    changed = fixed.replace("Reduce neglect", "Reduce neglect and its impact")
    upload = SimpleUploadedFile("t.yaml", changed.encode())
    refused = admin.post("/plans/edit/import/", {"file": upload})
    assert refused.status_code == 400
    assert "already exists: to replace it" in errors_of(refused)[0][1]
    upload = SimpleUploadedFile("t.yaml", changed.encode())
    replaced = admin.post("/plans/edit/import/", {"file": upload, "replace": "yes"})
    assert replaced.status_code == 302
    assert library.get(plan.id).priorities[0].measures[0].wording == "Reduce neglect and its impact"
    assert PlanVersion.objects.get(plan_id=plan.id, number=2).summary == (
        "Imported from t.yaml: Wording of cpp_neglect changed"
    )


def test_a_new_plan_then_a_priority_a_measure_and_enablers(admin: Client) -> None:
    new = admin.post(
        "/plans/edit/new/",
        {
            "id": "testshire-scp-2024-2027",
            "title": "Testshire Safeguarding Children Partnership Plan 2024-2027",
            "partnership-name": "Testshire Safeguarding Children Partnership",
            "partnership-area": "Testshire",
            "period-start": "2024",
            "period-end": "2027",
            "priority-title": "Child Sexual Exploitation",
        },
    )
    assert new.status_code == 302
    edit = "/plans/edit/testshire-scp-2024-2027/"
    plan = library.get("testshire-scp-2024-2027")
    assert plan.status == "draft" and plan.priorities[0].id == "child-sexual-exploitation"

    added = submit(
        admin,
        f"{edit}priorities/new/",
        title="Neglect",
        aim="The aim is to reduce neglect",
        commitments="Help families early\n\nTrain every practitioner\n",
        intervention_0_title="Early identification",
        intervention_0_description="Improve the recognition of neglect",
    )
    assert added.status_code == 302 and added["Location"].startswith(f"{edit}priorities/neglect/")
    measure = submit(
        admin,
        f"{edit}priorities/neglect/measures/new/",
        measure="cpp_neglect",
        wording="Reduce the number of children on a plan for neglect",
        direction="reduce",
        target_0_year="2025-26",
        target_0_value="1,200",
    )
    assert measure.status_code == 302
    enablers = submit(admin, f"{edit}enablers/", enabler_0_title="Practice standards")
    assert enablers.status_code == 302

    plan = library.get("testshire-scp-2024-2027")
    neglect = plan.priorities[1]
    assert neglect.commitments == ["Help families early", "Train every practitioner"]
    assert neglect.interventions[0].description == "Improve the recognition of neglect"
    assert neglect.measures[0].measure == "cpp_neglect"
    assert neglect.measures[0].targets[0].value == 1200
    assert [e.title for e in plan.enablers] == ["Practice standards"]

    taken = admin.post("/plans/edit/new/", {"id": "testshire-scp-2024-2027"})
    assert (
        "#id",
        "A plan with the id 'testshire-scp-2024-2027' already exists: choose another id",
    ) in errors_of(taken)


def test_removing_a_measure_and_a_priority(admin: Client) -> None:
    response = submit(admin, CPP_18M, action="remove")
    assert response.status_code == 302
    neglect = library.get(PLAN).priorities[1]
    assert [m.measure for m in neglect.measures] == ["cpp_neglect", "rereferrals_after_assessment"]
    assert submit(admin, NEGLECT, action="remove").status_code == 302
    assert [p.id for p in library.get(PLAN).priorities] == [
        "child-sexual-exploitation",
        "empowering-young-people",
        "working-together",
    ]
    from safeplan.web.editor.models import PlanVersion

    assert [v.summary for v in PlanVersion.objects.filter(plan_id=PLAN).order_by("number")][1:] == [
        "Key measure cpp_18m_plus removed from 'neglect'",
        "Priority 'neglect' removed",
    ]


@pytest.mark.parametrize("role", ["analyst", "board", "contributor"])
def test_only_administrators_may_edit(db: None, role: str) -> None:
    from safeplan.web.editor.models import PlanVersion

    client = Client()
    client.force_login(make_user(role))
    for path in ("/plans/edit/", EDIT, CPP_18M, f"{EDIT}history/", f"{EDIT}export.yaml"):
        assert client.get(path).status_code == 403
    refused = client.post(CPP_18M, {"wording": "x", "direction": "reduce", "status": "adopted"})
    assert refused.status_code == 403
    assert client.post(f"{EDIT}history/1/revert/").status_code == 403
    assert not PlanVersion.objects.exists() and not saved_file().exists()
    anonymous = Client().post(EDIT, {"title": "x"})
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"]
    nav = client.get("/dashboard/").content
    assert b"Edit plans" not in nav


def test_the_navigation_offers_the_editor_to_administrators(admin: Client) -> None:
    page = admin.get("/plans/edit/")
    assert page.status_code == 200
    assert b'href="/plans/edit/"' in admin.get("/dashboard/").content
    words = text_of(page.content)
    for plan in library.entries():
        assert plan.plan.title in words
    assert "Create a new plan" in words and "Import a plan from YAML" in words


def test_unknown_plans_priorities_and_measures_are_not_found(admin: Client) -> None:
    for path in (
        "/plans/edit/no-such-plan/",
        f"{EDIT}priorities/no-such-priority/",
        f"{NEGLECT}measures/9/",
        f"{EDIT}history/9/revert/",
    ):
        assert admin.get(path).status_code == 404, path


def test_summaries_name_each_change_in_the_plans_terms() -> None:
    old = library.get(PLAN)
    data = old.model_dump(mode="json")
    data["period"]["end"] = 2025
    ref = data["priorities"][1]["measures"][2]
    ref["targets"] = [{"year": "2024-25", "value": 15.0}]
    ref["direction"] = "increase"
    data["priorities"].append({"id": "online-harm", "title": "Online harm"})
    data["enablers"] = data["enablers"][1:]
    new = Plan.model_validate(data)
    assert list(changes.changes(old, new)) == [
        "Period: 2017–2020 → 2017–2025",
        "Direction of cpp_18m_plus: reduce → increase",
        "Target for cpp_18m_plus 2024-25: none → 15",
        "Priority 'online-harm' added",
        "Enabler 'Knowledge Management' removed",
    ]
    assert changes.summary(old, new) == (
        "Period: 2017–2020 → 2017–2025; Direction of cpp_18m_plus: reduce → increase; "
        "Target for cpp_18m_plus 2024-25: none → 15; and 2 more changes"
    )
    assert changes.summary(old, old) == "No change"
    assert changes.number(1500.0) == "1,500" and changes.number(12.5) == "12.5"


def test_the_library_reads_a_plan_saved_twice_in_one_instant() -> None:
    """A file's time ticks coarsely: two saves of the same size in one tick must not leave the
    first one's parse in the library's cache."""
    plan = library.get(PLAN)
    for value in (20.0, 15.0, 20.0, 15.0):
        data = plan.model_dump(mode="json")
        data["period"]["end"] = 2025
        data["priorities"][1]["measures"][2]["targets"] = [{"year": "2024-25", "value": value}]
        library.save(Plan.model_validate(data))
        assert library.get(PLAN).priorities[1].measures[2].targets[0].value == value


def test_a_file_changed_outside_the_editor_keeps_its_place_in_the_history(admin: Client) -> None:
    """A plan file replaced on the command line between two web edits: the history records it
    as a version of its own, so reverting can still reach every state the plan was in."""
    from safeplan.web.editor.models import PlanVersion
    from safeplan.web.editor.versions import FROM_OUTSIDE

    widen_period(admin)
    data = library.get(PLAN).model_dump(mode="json")
    data["vision"] = "Changed on the command line"
    library.save(Plan.model_validate(data))
    shown = text_of(admin.get(f"{EDIT}history/").content)
    assert f"Version 3 The plan now What changed {FROM_OUTSIDE}" in shown

    assert submit(admin, EDIT, title="Short title").status_code == 302
    assert [v.summary for v in PlanVersion.objects.filter(plan_id=PLAN).order_by("number")][2:] == [
        FROM_OUTSIDE,
        "Title: 'LSCB Priorities Plan on a Page 2017-2020' → 'Short title'",
    ]
    assert PlanVersion.objects.get(plan_id=PLAN, number=3).made_by is None
    submit(admin, f"{EDIT}history/2/revert/")
    plan = library.get(PLAN)
    assert (
        plan.vision
        == "Every child and young person in County Durham feels safe and grows up safe from harm"
    )
    assert plan.title == "LSCB Priorities Plan on a Page 2017-2020" and plan.period.end == 2023
