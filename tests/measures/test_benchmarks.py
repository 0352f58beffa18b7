"""Benchmarks read from real DfE EES extracts (tests/fixtures/ees, see its README.md).

Every expected figure below is copied from the extract row cited beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from safeplan.measures.benchmarks import (
    BENCHMARK_MAP,
    STATISTICAL_NEIGHBOURS,
    Benchmark,
    BenchmarkSet,
    comparable,
    ees_year,
    load_benchmarks,
    parse_value,
)
from safeplan.measures.catalogue import catalogue
from safeplan.vocabulary import Unit

EES = Path(__file__).resolve().parents[1] / "fixtures" / "ees"
DURHAM = "E06000047"
DEVON = "E10000008"


@pytest.fixture(scope="module")
def benchmarks() -> BenchmarkSet:
    return load_benchmarks([EES])


def by_level(rows: list[Benchmark]) -> dict[str, Benchmark]:
    return {b.level: b for b in rows}


def test_every_extract_is_recognised_and_the_readme_ignored(benchmarks: BenchmarkSet) -> None:
    loaded = {p.name for p in benchmarks.loaded}
    d5 = "d5_cpps_at31march_by_duration_2013_to_2025_extract.csv"
    assert loaded == {p.name for p in EES.glob("*.csv")} - {d5}
    assert len(loaded) == 6
    reasons = {p.name: why for p, why in benchmarks.ignored}
    # the directory glob takes only *.csv (README.md is not offered); D5's bands are 2 years,
    # not the measure's 18 months, so it is never set beside it
    assert reasons == {d5: "published for cpp_18m_plus, but not in the same unit or definition"}
    assert benchmarks.measures() == {
        "cin_rate",
        "rereferrals_12m",
        "icpc_15wd",
        "cpp_second_subsequent",
        "cla_rate",
        "placement_stability",
    }


def test_a_benchmark_is_only_beside_a_figure_of_its_unit_and_definition() -> None:
    """Devon's "children looked after per 10,000 children" showed the count (148) beside the
    DfE's rate: the measure is now the rate, and every benchmark read has the measure's unit."""
    measures = catalogue()
    for ind in BENCHMARK_MAP.values():
        if comparable(ind):
            assert measures[ind.measure].unit == ind.unit and ind.definition_matches
    assert measures["cla_rate"].unit == Unit.per_10k == BENCHMARK_MAP["cla_rate"].unit
    assert not comparable(BENCHMARK_MAP["cpp_18m_plus"])


@pytest.mark.parametrize(
    ("period", "identifier", "label"),
    [
        ("2024", "Reporting year", "2023-24"),  # CIN/903 year ending 31 March 2024
        ("2025", "Reporting year", "2024-25"),
        ("202324", "Academic year", "2023-24"),
        ("202425", "Financial year", "2024-25"),
        ("2024", "Calendar year", "2024"),
    ],
)
def test_time_period_labels(period: str, identifier: str, label: str) -> None:
    assert ees_year(period, identifier) == label


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18.7", (18.7, "")),
        ("0", (0.0, "")),
        ("c", (None, "c")),
        (" u ", (None, "u")),
        ("low", (None, "low")),
        ("z", (None, "z")),
        ("", (None, "")),
    ],
)
def test_values_and_symbols(raw: str, expected: tuple[float | None, str]) -> None:
    assert parse_value(raw) == expected


def test_years_per_measure(benchmarks: BenchmarkSet) -> None:
    assert benchmarks.years("rereferrals_12m") == ["2023-24", "2024-25"]  # c1 rows 2024, 2025
    assert benchmarks.years("cin_rate") == ["2022-23", "2023-24"]  # b1 rows 2023, 2024
    assert benchmarks.years("cpp_neglect") == []


def test_rereferrals_durham_with_region_and_neighbours(benchmarks: BenchmarkSet) -> None:
    rows = by_level(benchmarks.for_measure("rereferrals_12m", DURHAM))  # latest: 2024-25
    assert [b.level for b in benchmarks.for_measure("rereferrals_12m", DURHAM)] == [
        "england",
        "region",
        "la",
        "statistical_neighbours",
    ]
    # c1 extract, 2025 rows: National 22.6; North East 20.7; County Durham 18.7
    assert rows["england"].value == 22.6
    assert rows["england"].code == "E92000001"
    assert rows["region"].code == "E12000001"
    assert rows["region"].value == 20.7
    assert rows["la"].value == 18.7
    assert rows["la"].name == "County Durham"
    assert rows["la"].year == "2024-25"
    assert "c1_children_in_need_referrals" in rows["la"].source
    # Durham's 10 neighbours, 2025 rereferral_percent: Halton 19, Wirral 22.2, Gateshead 13.9,
    # Redcar 14.6, Rotherham 19.6, Barnsley 25.5, Sunderland 18.5, South Tyneside 17.2,
    # Stockton 28.8, Darlington 13 -> sum 192.3 / 10 = 19.23
    sn = rows["statistical_neighbours"]
    assert sn.value == pytest.approx(19.23)
    assert sn.code == ""
    assert "10 of 10" in sn.name


def test_rereferrals_devon_earlier_year(benchmarks: BenchmarkSet) -> None:
    rows = by_level(benchmarks.for_measure("rereferrals_12m", DEVON, "2023-24"))
    # c1 extract, 2024 rows: South West 22.1, Devon 21.9
    assert rows["region"].name == "South West"
    assert rows["region"].value == 22.1
    assert rows["la"].value == 21.9
    # Devon's neighbours, 2024: E Sussex 15.1, Dorset 14.1, Norfolk 19, Kent 23.3, Somerset 23,
    # Suffolk 19.1, W Sussex 17, Derbyshire 29.9, Essex 16.8, Worcestershire 20.9 -> 198.2 / 10
    assert rows["statistical_neighbours"].value == pytest.approx(19.82)


def test_cin_rate_and_successor_codes(benchmarks: BenchmarkSet) -> None:
    rows = by_level(benchmarks.for_measure("cin_rate", DURHAM, "2023-24"))
    # b1 extract, 2024 rows, At31_episodes_rate: England 332.9, North East 467.2, Durham 412.4
    assert (rows["england"].value, rows["region"].value, rows["la"].value) == (
        332.9,
        467.2,
        412.4,
    )
    # 2022-23: Somerset is published under the old county code E10000027; it must still count
    # as Devon's neighbour (now E06000066). Devon SNs, b1 2023 rows: E Sussex 348.2,
    # Dorset 358.3, Norfolk 287.8, Kent 343.7, Somerset 249.5, Suffolk 277.7, W Sussex 313.2,
    # Derbyshire 362.3, Essex 193.1, Worcestershire 329.8 -> 3063.6 / 10 = 306.36
    sn = by_level(benchmarks.for_measure("cin_rate", DEVON, "2022-23"))["statistical_neighbours"]
    assert sn.value == pytest.approx(306.36)
    assert "10 of 10" in sn.name
    assert benchmarks.get("cin_rate", "2022-23", "la", "E06000066") is not None


def test_suppressed_values_keep_their_symbol(benchmarks: BenchmarkSet) -> None:
    # b1 extract, 2024 Hampshire row is all "u"
    hants = benchmarks.get("cin_rate", "2023-24", "la", "E10000014")
    assert hants is not None
    assert (hants.value, hants.symbol) == (None, "u")


def test_icpc_derived_percentage(benchmarks: BenchmarkSet) -> None:
    rows = by_level(benchmarks.for_measure("icpc_15wd", DURHAM))
    # c4 extract, 2025 County Durham: (16 + 588) / 819 ICPCs = 73.75% -> 73.7
    assert rows["la"].value == 73.7
    # National: (6240 + 52430) / 72100 = 81.37% -> 81.4
    assert rows["england"].value == 81.4
    # South Tyneside's 0-10 day count is "c": the derived value is suppressed too, so only 9
    # of Durham's 10 neighbours contribute.
    st = benchmarks.get("icpc_15wd", "2024-25", "la", "E08000023")
    assert st is not None
    assert (st.value, st.symbol) == (None, "c")
    assert "9 of 10" in rows["statistical_neighbours"].name


def test_filters_pick_the_right_rows(benchmarks: BenchmarkSet) -> None:
    rows = by_level(benchmarks.for_measure("cla_rate", DURHAM))
    # cla extract, 2024, "Children looked after at 31 March each year": England 70, NE 114,
    # Durham 122 (not the starting/ceasing rows: 28 and 53/40)
    assert (rows["england"].value, rows["region"].value, rows["la"].value) == (70, 114, 122)
    assert rows["la"].year == "2023-24"
    # Only 7 neighbours are in the extract: Redcar 153, Stockton 132, Darlington 133,
    # South Tyneside 102, Sunderland 94, Gateshead 133, Halton 138 -> 885 / 7 = 126.43
    assert rows["statistical_neighbours"].value == pytest.approx(885 / 7)
    assert "7 of 10" in rows["statistical_neighbours"].name
    stab = by_level(benchmarks.for_measure("placement_stability", DURHAM))
    # placement extract, 2025, CLA on 31 March with 3+ placements: England 10, NE 10;
    # Durham's own row is not in the extract, so no "la" entry
    assert stab["england"].value == 10
    assert "la" not in stab
    assert stab["statistical_neighbours"].value == pytest.approx((9 + 11) / 2)


def test_region_lookup(benchmarks: BenchmarkSet) -> None:
    assert benchmarks.region_of(DURHAM) == "E12000001"
    assert benchmarks.region_of(DEVON) == "E12000009"
    assert benchmarks.region_of("E10000027") == "E12000009"  # old Somerset code
    assert benchmarks.region_of("E99999999") is None


def test_not_published_gives_nothing(benchmarks: BenchmarkSet) -> None:
    assert benchmarks.for_measure("rereferrals_12m", DURHAM, "2019-20") == []
    assert benchmarks.for_measure("cpp_neglect", DURHAM) == []
    assert benchmarks.for_measure("no_such_measure", DURHAM) == []


def test_unrecognised_files_are_ignored_with_a_reason(tmp_path: Path) -> None:
    plain = tmp_path / "referrals.csv"
    plain.write_text("child_id,referral_date\nX1,2024-01-01\n", encoding="utf-8")
    other = tmp_path / "ks2_la.csv"
    other.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,pt_rwm\n"
        "202324,Academic year,National,E92000001,England,61\n",
        encoding="utf-8",
    )
    notes = tmp_path / "README.md"
    notes.write_text("notes\n", encoding="utf-8")
    result = load_benchmarks(
        [plain, other, notes, EES / "d3_cpps_subsequent_plan_2013_to_2025_extract.csv"]
    )
    reasons = {p.name: why for p, why in result.ignored}
    assert "not an EES open-data CSV" in reasons["referrals.csv"]
    assert "no SafePlan benchmark indicator" in reasons["ks2_la.csv"]
    assert reasons["README.md"] == "not a CSV file"
    assert result.measures() == {"cpp_second_subsequent"}
    # d3 extract, 2025: England 24.5, County Durham 21.2; Devon 30.1
    durham = by_level(result.for_measure("cpp_second_subsequent", DURHAM))
    assert (durham["england"].value, durham["la"].value) == (24.5, 21.2)


def test_mapping_covers_the_brief() -> None:
    for measure in (
        "rereferrals_12m",
        "cpp_neglect",
        "cpp_second_subsequent",
        "assessments_45wd",
        "icpc_15wd",
        "cin_rate",
        "cla_rate",
        "placement_stability",
        "missing_more_than_once",
        "cpp_18m_plus",
    ):
        ind = BENCHMARK_MAP[measure]
        assert ind.measure == measure
        assert ind.publication and ind.publication_url.startswith("https://explore-education")
        assert ind.wired == bool(ind.required_columns())
    assert not BENCHMARK_MAP["missing_more_than_once"].definition_matches
    assert not BENCHMARK_MAP["cpp_18m_plus"].definition_matches


def test_statistical_neighbours() -> None:
    # sn_model_2025_wide.csv, County Durham (840): 876,344,390,807,372,370,394,393,808,841
    assert STATISTICAL_NEIGHBOURS[DURHAM] == (
        "E06000006",
        "E08000015",
        "E08000037",
        "E06000003",
        "E08000018",
        "E08000016",
        "E08000024",
        "E08000023",
        "E06000004",
        "E06000005",
    )
    assert len(STATISTICAL_NEIGHBOURS[DEVON]) == 10
    assert all(len(v) == 10 and k not in v for k, v in STATISTICAL_NEIGHBOURS.items())
