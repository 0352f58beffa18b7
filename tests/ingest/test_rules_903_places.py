"""The SSDA903 rules of the placement's place and Ofsted URN (``safeplan.ingest.rules.
s903_places``), which need the reference lists, every collection year 2022-23 to 2026-27.

The sound return is test_rules_903_files.py's (last year's beside it), its postcodes
moved to the invented ZZ area; the ONS postcode list and Ofsted's provider list are small
synthetic files, read by `safeplan.ingest.reference` and staged as a check stages them. No
rule flags the sound return; per rule one case breaks one thing and names the rows the rule
must then flag, in every year the rule is in force.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from safeplan.ingest.reference import References
from safeplan.ingest.rules import S903_PLACES, Rule, offending_rows
from tests.ingest import test_rules_903_files as tf
from tests.ingest.test_rules_903_files import at, ep, open_last

YEARS = tf.YEARS
COUNCIL = "E06000999"  # the council (invented); OTHER the LA next door
OTHER = "E06000998"

# Invented postcodes (no ZZ postcode area exists) and grid references, in metres.
POSTCODES = """pcd,oseast1m,osnrth1m,oslaua,oscty
ZZ1 1AA,420000,540000,E06000999,E99999999
ZZ2 2BB,421000,541000,E06000999,E99999999
ZZ3 3CC,423000,542000,E06000999,E99999999
ZZ4 4DD,430000,550000,E06000998,E99999999
ZZ5 5EE,432000,551000,E06000998,E99999999
ZZ6 6FF,425000,545000,E06000999,E99999999
ZZ7 7GG,320000,660000,S12000099,
ZZ8 8HH,10000,10000,E07000999,E10000999
ZZ9 9JJ,2000000,2000000,E06000998,E99999999
"""
PROVIDERS = """URN,Provider type,Local authority,Placement code,Placement provider code,\
Registration date,Deregistration date,Setting postcode
SC123456,Fostering agency,Council,U1,PR1,01/01/2010,,ZZ2 2BB
SC654321,Fostering agency,Council,"U3, U1",PR1,01/01/2010,,ZZ3 3CC
SC111111,Children's home,Next door,K2/K1,PR2,01/01/2012,,ZZ5 5EE
SC222222,Fostering agency,Council,U1,PR1,01/01/2010,,ZZ6 6FF
SC333333,Supported accommodation,Council,K3,PR1,01/01/2023,,ZZ1 1AA
"""
ZZ = "home_post = replace(home_post, 'DH', 'ZZ'), pl_post = replace(pl_post, 'DH', 'ZZ')"


def write_lists(folder: Path) -> tuple[Path, Path]:
    """The synthetic postcode and provider lists as files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    postcodes, providers = folder / "onspd.csv", folder / "providers.csv"
    postcodes.write_text(POSTCODES, encoding="utf-8")
    providers.write_text(PROVIDERS, encoding="utf-8")
    return postcodes, providers


def with_lists(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """The return's postcodes moved to the ZZ area, and the lists staged beside it."""
    for table in ("s903_episodes", "s903_episodes_last"):
        con.execute(f"UPDATE {table} SET {ZZ}")
    postcodes, providers = write_lists(folder)
    References(postcodes, providers, COUNCIL).stage(con)


def provider(urn: str, **values: str) -> str:
    sets = ", ".join(f"{c} = {v}" for c, v in values.items())
    return f"UPDATE sp_provider SET {sets} WHERE urn = '{urn}'"


Case = tuple[list[str], set[int]]
CASES: dict[str, Case] = {
    # placed from the ONS postcode list
    "164": ([ep(1, pl_post="'ZZ9 9JJ'")], {1}),
    "169": ([ep(1, pl_post="'ZZ0 0ZZ'")], {1}),
    "179": ([ep(1, pl_post="'ZZ0 0ZZ'")], {1}),
    "214": ([ep(3, ls="'V3'")], {3}),
    "392a": ([ep(1, home_post="NULL")], {1}),
    "398": ([ep(3, ls="'V4'")], {3}),
    "406": ([ep(4, home_post="'ZZ1 1AA'")], {4}),
    # 411 cannot fire on derived fields: a placement moved out of the area is OUT
    "411": ([ep(1, pl_post="'ZZ4 4DD'"), ep(3, pl_post="'ZZ1 1AA'")], set()),
    "420": ([ep(3, ls="'V3'")], {3}),
    "454@2026": ([ep(1, pl_post="'ZZ8 8HH'")], {1}),
    "1015": ([ep(1, place="'K2'", pl_post="'ZZ4 4DD'")], {1}),
    "1015@2026": ([ep(1, place="'K2'", pl_post="'ZZ4 4DD'")], {1}),
    "218": ([ep(1, urn="NULL")], {1}),
    "218@2025": ([ep(1, urn="NULL")], {1}),
    "218@2026": ([ep(1, urn="NULL")], {1}),
    "230@2024": ([ep(2, place="'H5'", urn="NULL")], {2}),
    "243@2026": ([ep(1, pl_post="'ZZ7 7GG'")], {1}),
    # against last year's open episode
    "452": ([open_last(1, pl_post="'ZZ4 4DD'")], {1}),
    "453": ([open_last(1, home_post="'ZZ1 1AA'", pl_post="'ZZ4 4DD'")], {1}),
    "503G": ([open_last(1, home_post="'ZZ1 1AA'", pl_post="'ZZ4 4DD'")], {1}),
    "503H": ([open_last(1, pl_post="'ZZ4 4DD'")], {1}),
    "503J": ([open_last(1, pl_post="'ZZ4 4DD'")], {1}),
    # the Ofsted provider list
    "1008": ([ep(1, urn="'SC999999'")], {1}),
    "219": ([ep(1, place="'U2'")], {1}),
    "221": ([ep(3, pl_post="'ZZ4 4DD'")], {3}),
    "221@2024": ([ep(3, pl_post="'ZZ4 4DD'")], {3}),
    "221@2025": ([ep(3, pl_post="'ZZ4 4DD'")], {3}),
    "224": ([ep(1, place_provider="'PR2'")], {1}),
    "227": ([provider("SC123456", reg_end=at("2023-04-10"))], {1}),
    "228": ([provider("SC123456", reg_end=at("2023-07-01"))], {1}),
    "229": ([ep(3, place_provider="'PR1'")], {3}),
    "229@2026": ([ep(3, place_provider="'PR1'")], {3}),
    "241@2026": ([ep(3, place="'K3'", urn="'SC333333'")], {3}),
}


def key(rule: Rule) -> str:
    return f"{rule.code}@{rule.since}" if rule.since else rule.code


@pytest.fixture(scope="module")
def staged(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[int, duckdb.DuckDBPyConnection]]:
    folder = tmp_path_factory.mktemp("lists")
    cons = {}
    for year in YEARS:
        con = tf.stage(year)
        with_lists(con, folder)
        cons[year] = con
    yield cons
    for con in cons.values():
        con.close()


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {key(rule) for rule in S903_PLACES}


def test_changed_rules_do_not_overlap() -> None:
    for year in YEARS:
        codes = [r.code for r in S903_PLACES if r.applies(year)]
        assert len(codes) == len(set(codes)), year


@pytest.mark.parametrize("year", YEARS)
def test_sound_return_has_no_findings(
    year: int, staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    con = staged[year]
    flagged = {r.label: offending_rows(con, r) for r in S903_PLACES if r.applies(year)}
    assert {label: rows for label, rows in flagged.items() if rows} == {}


@pytest.mark.parametrize(
    ("rule", "year"),
    [
        pytest.param(r, y, id=f"{r.label}@{r.since or ''}-{y}")
        for r in S903_PLACES
        for y in YEARS
        if r.applies(y)
    ],
)
def test_rule_flags_the_broken_record_and_passes_the_sound_one(
    rule: Rule, year: int, staged: dict[int, duckdb.DuckDBPyConnection]
) -> None:
    statements, expected = CASES[key(rule)]
    con = staged[year]
    assert {seq for seq, *_ in offending_rows(con, rule)} == set(), "the sound return must pass"
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            con.execute(statement)
        assert {seq for seq, *_ in offending_rows(con, rule)} == expected
    finally:
        con.execute("ROLLBACK")


def test_the_placement_fields_are_derived_as_the_dfe_does(
    staged: dict[int, duckdb.DuckDBPyConnection],
) -> None:
    """PL_LA the upper tier (a county district's county), SCO/NIR/WAL outside England,
    PL_LOCATION IN or OUT of the council's area, PL_DISTANCE in miles to 0.1."""
    from safeplan.ingest.rules.s903_places import located

    con = staged[2024]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(ep(2, pl_post="'ZZ8 8HH'"))
        con.execute(ep(3, pl_post="'ZZ7 7GG'"))
        rows = con.execute(
            f"SELECT _seq, pl_la, pl_location, pl_distance FROM ({located()}) ORDER BY _seq"
        ).fetchall()
    finally:
        con.execute("ROLLBACK")
    # ZZ1 1AA to ZZ2 2BB: 1,414 m, 0.88 miles
    assert rows[0] == (1, COUNCIL, "IN", 0.9)
    assert rows[1][:3] == (2, "E10000999", "OUT")
    assert rows[2][:3] == (3, "SCO", "OUT")
    assert rows[3] == (4, COUNCIL, "IN", None)  # no home postcode (UASC): no distance


def test_the_provider_list_is_read_from_ofsteds_workbook(tmp_path: Path) -> None:
    """Every sheet with a URN column (Ofsted's current and closed providers, under a title
    row), dates as the workbook holds them, a URN held as a number."""
    from datetime import date, datetime

    import xlsxwriter

    from safeplan.ingest.reference import provider_table

    path = tmp_path / "social_care_providers.xlsx"
    book = xlsxwriter.Workbook(str(path))
    when = book.add_format({"num_format": "dd/mm/yyyy"})
    columns = ["URN", "Local authority", "Placement code", "Placement provider code",
               "Deregistration date", "Setting postcode"]  # fmt: skip
    current = book.add_worksheet("Current providers")
    current.write_row(0, 0, ["Social care providers (synthetic)"])
    current.write_row(2, 0, columns)
    current.write_row(3, 0, ["SC123456", "Council", "U1, U2", "PR1", "", "zz2 2bb"])
    closed = book.add_worksheet("Providers closed")
    closed.write_row(0, 0, columns)
    closed.write_row(1, 0, [1234567, "Next door", "K2/K1", "PR2"])
    closed.write_datetime(1, 4, datetime(2024, 1, 31), when)
    closed.write(1, 5, "ZZ5 5EE")
    book.add_worksheet("Notes").write_row(0, 0, ["Nothing here is a provider"])
    book.close()
    rows = provider_table(path).to_pylist()
    assert [(r["urn"], r["place_codes"], r["provider_codes"], r["reg_end"], r["postcode"])
            for r in rows] == [
        ("SC123456", ["U1", "U2"], ["PR1"], None, "ZZ22BB"),
        ("1234567", ["K2", "K1"], ["PR2"], date(2024, 1, 31), "ZZ55EE"),
    ]  # fmt: skip
