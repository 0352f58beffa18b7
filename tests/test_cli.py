"""The `safeplan` command line, driven as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from safeplan.cli import app
from safeplan.plans import library
from safeplan.plans.yamlio import load_plan

runner = CliRunner()
DURHAM = "durham-lscb-2017-2020"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_plans_list_shows_the_three_bundled_plans() -> None:
    code, out, _ = run("plans", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 3
    assert any(line.startswith(DURHAM) and "2017–2020" in line for line in lines)
    assert any("devon-cyp-plan-2019-2023" in line for line in lines)


def test_plans_show_text_yaml_json() -> None:
    code, text, _ = run("plans", "show", DURHAM)
    assert code == 0
    assert "Vision: Every child and young person in County Durham feels safe" in text
    assert text.count("Priority ") == 4
    code, as_yaml, _ = run("plans", "show", DURHAM, "--format", "yaml")
    assert code == 0
    assert yaml.safe_load(as_yaml)["id"] == DURHAM
    code, as_json, _ = run("plans", "show", DURHAM, "--format", "json")
    assert code == 0
    assert len([m for p in json.loads(as_json)["priorities"] for m in p["measures"]]) == 12


def test_unknown_plan_suggests_a_known_one() -> None:
    code, _, err = run("plans", "show", "durham-lscb-2017-2021")
    assert code == 1
    assert (
        "no plan has the id 'durham-lscb-2017-2021'; did you mean 'durham-lscb-2017-2020'?" in err
    )


def test_validate_reports_good_and_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    bad = tmp_path / "bad.yaml"
    code, _, _ = run("plans", "export", DURHAM, "--out", str(good))
    assert code == 0
    bad.write_text(
        good.read_text(encoding="utf-8").replace("direction: reduce", "direction: less", 1)
    )
    code, out, err = run("plans", "validate", str(good), str(bad))
    assert code == 1
    assert f"{good}: valid plan '{DURHAM}' (4 priorities, 12 key measures)" in out
    assert f"{bad}:" in err and "priorities[0].measures[1].direction: 'less' is not allowed" in err


def test_export_then_import_round_trips(tmp_path: Path, safeplan_home: Path) -> None:
    out = tmp_path / "export.yaml"
    assert run("plans", "export", DURHAM, "-o", str(out))[0] == 0
    assert load_plan(out) == library.get(DURHAM)
    new = out.read_text(encoding="utf-8").replace(f"id: {DURHAM}", "id: durham-copy-2017-2020", 1)
    copy = tmp_path / "copy.yaml"
    copy.write_text(new, encoding="utf-8")
    code, out_text, _ = run("plans", "import", str(copy))
    assert code == 0, out_text
    assert (safeplan_home / "plans" / "durham-copy-2017-2020.yaml").read_text(
        encoding="utf-8"
    ) == new
    code, listing, _ = run("plans", "list")
    assert "durham-copy-2017-2020" in listing and "imported" in listing
    code, _, err = run("plans", "import", str(copy))
    assert code == 1 and "already exists; use --replace" in err
    assert run("plans", "import", str(copy), "--replace")[0] == 0


def test_import_of_a_broken_file_changes_nothing(tmp_path: Path, safeplan_home: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    code, _, err = run("plans", "import", str(broken))
    assert code == 1 and "not valid YAML" in err
    assert not (safeplan_home / "plans").exists() or not any((safeplan_home / "plans").iterdir())


def test_schema_command_prints_json_schema() -> None:
    code, out, _ = run("plans", "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "Plan"
    assert {"increase", "reduce", "track"} == set(schema["$defs"]["Direction"]["enum"])


def test_demo_runs_as_an_installed_command(safeplan_home: Path) -> None:
    exe = Path(sys.executable).with_name("safeplan")
    result = subprocess.run(
        [str(exe), "demo", "--children", "300", "--years", "2"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Validated the 3 bundled plans" in result.stdout
    assert "- cin_census: 2 files" in result.stdout and "0 quarantined" in result.stdout
    assert (safeplan_home / "demo" / f"{DURHAM}.yaml").is_file()
    assert json.loads((safeplan_home / "demo" / "plan.schema.json").read_text())["title"] == "Plan"
    pdf = safeplan_home / "reports" / f"{DURHAM}-2025-Q1.pdf"
    assert f"Wrote the board report for Jan–Mar 2025 (Q4 2024-25) (partner version): {pdf}" in (
        result.stdout
    )
    assert pdf.read_bytes().startswith(b"%PDF-")


# --- data in ---------------------------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def test_validate_prints_a_summary_and_writes_every_finding(tmp_path: Path) -> None:
    bad = tmp_path / "cin_census_2024.xml"
    bad.write_text((FIXTURES / "cin_census_2024.xml").read_text().replace("WBRI", "XXXX"))
    truncated = tmp_path / "cut_2024.xml"
    truncated.write_bytes(bad.read_bytes()[:700])
    out = tmp_path / "findings.xlsx"
    code, text, _ = run("validate", str(bad), str(truncated), "--out", str(out))
    assert code == 1
    assert f"{bad}: cin_census, year 2024: 13 records, 1 errors" in text
    assert f"{truncated}: REFUSED: the XML ends too early" in text
    # the error, the refusal, and three DfE queries the small fixture raises (2887Q: fewer
    # than 8 disability codes in the return; 8770Q: no UPN at 5; 8825Q: RC8 without an
    # assessment), which a council explains rather than fixes
    assert out.is_file() and "5 findings written" in text


def test_load_twice_then_list_loads(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "cin_census_2024.xml").write_bytes((FIXTURES / "cin_census_2024.xml").read_bytes())
    code, text, _ = run("load", str(FIXTURES / "cin_census_2024.xml"))
    assert code == 0, text
    # the fixture's three DfE queries (2887Q, 8770Q, 8825Q) are reported and change nothing
    assert "cin_census_2024.xml: load 1: 12 records stored, 0 quarantined, 3 findings" in text
    code, text, _ = run("load", str(folder))
    assert code == 0
    assert "already loaded as load 1; nothing changed" in text
    code, text, _ = run("loads")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and lines[1].split()[:4] == ["1", "loaded", "cin_census", "2024"]


def test_load_of_a_refused_file_says_so_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "notes_2024.csv"
    path.write_text("just,some\nrandom,columns\n")
    code, text, _ = run("load", str(path))
    assert code == 1
    assert (
        "REFUSED, nothing loaded" in text
        and "does not follow any SafePlan partner template" in text
    )
