"""Published DfE benchmarks (England, region, LA, statistical neighbours) for SafePlan measures.

Reads the open-data CSVs that DfE publishes on explore-education-statistics (EES) and picks,
for each SafePlan measure that has a published equivalent, the matching indicator. Only
aggregate published statistics are read here, never child-level data.

EES open-data CSV format (see DfE's "Publishing data guidance" / the eesyscreener checks):
one row per time_period x geography x filter combination; the standard columns are
time_period, time_identifier, geographic_level, country_code/name, region_code/name,
old_la_code, new_la_code, la_name; then filter columns, then indicator columns. Values that
cannot be shown are GSS symbols, not numbers: c (confidential/suppressed), x (not
available), z (not applicable), low (rounds to zero but is not zero); DfE files also carry
u (low reliability, e.g. Hampshire's CIN rows for 2024) and k. We keep the symbol and give
no value.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean

from safeplan.vocabulary import Unit

__all__ = [
    "BENCHMARK_MAP",
    "STATISTICAL_NEIGHBOURS",
    "STATISTICAL_NEIGHBOURS_SOURCE",
    "Benchmark",
    "BenchmarkIndicator",
    "BenchmarkSet",
    "comparable",
    "ees_year",
    "load_benchmarks",
    "parse_value",
]

# --------------------------------------------------------------------------- the format

EES_REQUIRED = ("time_period", "time_identifier", "geographic_level")
"""Every EES open-data CSV has these; a file without them is not one."""

EES_SYMBOLS: Mapping[str, str] = {
    "c": "confidential (suppressed to protect individuals)",
    "x": "not available",
    "z": "not applicable",
    "low": "rounds to zero, but is not zero",
    "u": "low reliability",
    "k": "DfE legacy symbol, kept as published",
    ":": "legacy symbol: not available",
    "~": "legacy symbol: rounds to zero",
}
"""GSS symbols used in place of numbers (c, x, z, low: eesyscreener's gss_symbols)."""

_LEVELS: Mapping[str, str] = {
    "National": "england",
    "Regional": "region",
    "Local authority": "la",
}

_SUCCESSOR_CODES: Mapping[str, str] = {
    # Somerset and North Yorkshire became unitary on 1 April 2023: DfE's 2022-23 rows still
    # carry the county codes (b1 file, time_period 2023), later rows the unitary codes.
    "E10000027": "E06000066",  # Somerset
    "E10000023": "E06000065",  # North Yorkshire
}
"""Old LA codes mapped to their successor so that a series and its neighbours line up."""


def ees_year(time_period: str, time_identifier: str) -> str:
    """Label an EES time_period the SafePlan way ("2023-24").

    Six digits (202324) are academic/financial years. Four digits with "Reporting year" are
    the CIN census and SSDA903 collection years ending 31 March: 2024 is April 2023 to March
    2024 (and the 31 March 2024 snapshot), so "2023-24". Other four-digit periods (calendar
    years) stay as they are.
    """
    period = time_period.strip()
    if len(period) == 6 and period.isdigit():
        return f"{period[:4]}-{period[4:]}"
    if len(period) == 4 and period.isdigit() and time_identifier.strip() == "Reporting year":
        end = int(period)
        return f"{end - 1}-{end % 100:02d}"
    return period


def parse_value(raw: str) -> tuple[float | None, str]:
    """A published cell as (value, symbol): a number and "", or None and the symbol kept."""
    text = raw.strip()
    if not text:
        return None, ""
    try:
        return float(text), ""
    except ValueError:
        return None, text


# --------------------------------------------------------------------------- the mapping

CIN_PUBLICATION = "Children in need"
CIN_URL = "https://explore-education-statistics.service.gov.uk/find-statistics/children-in-need"
CLA_PUBLICATION = "Children looked after in England including adoptions"
CLA_URL = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "children-looked-after-in-england-including-adoptions"
)


@dataclass(frozen=True)
class BenchmarkIndicator:
    """Where a SafePlan measure's published equivalent lives, and whether it is the same.

    `value_column` is read as published; or, for a derived indicator, the value is
    sum(numerator_columns) / denominator_column x 100. `wired` is False where the columns
    have not been checked against a real file: such an entry documents the match but is
    never read.
    """

    measure: str
    publication: str
    publication_url: str
    data_file: str
    indicator: str
    unit: Unit  # the published figure's unit: it is shown only beside a measure of the same
    definition_matches: bool  # and only where the definitions match
    note: str
    value_column: str = ""
    numerator_columns: tuple[str, ...] = ()
    denominator_column: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    wired: bool = True

    def required_columns(self) -> frozenset[str]:
        """The header columns a file needs for this indicator to be read from it."""
        cols = {*self.numerator_columns, *self.filters}
        if self.value_column:
            cols.add(self.value_column)
        if self.denominator_column:
            cols.add(self.denominator_column)
        return frozenset(cols)


BENCHMARK_MAP: Mapping[str, BenchmarkIndicator] = {
    "cin_rate": BenchmarkIndicator(
        measure="cin_rate",
        publication=CIN_PUBLICATION,
        publication_url=CIN_URL,
        data_file="b1_children_in_need_2013_to_2024.csv (B1 Children in need)",
        indicator="Episodes of need open at 31 March per 10,000 children aged under 18",
        value_column="At31_episodes_rate",
        unit=Unit.per_10k,
        definition_matches=True,
        note=(
            "DfE counts episodes open at 31 March (a child can rarely have two); rate uses "
            "ONS mid-year estimates of children under 18. The 2025 b1 file no longer carries "
            "the rate column, so newer releases need the rate derived from ONS population."
        ),
    ),
    "rereferrals_12m": BenchmarkIndicator(
        measure="rereferrals_12m",
        publication=CIN_PUBLICATION,
        publication_url=CIN_URL,
        data_file="c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv (C1)",
        indicator="Referrals within 12 months of a previous referral, % of referrals",
        value_column="rereferral_percent",
        unit=Unit.percent,
        definition_matches=True,
        note="Referrals in the year; re-referral = within 12 months of the child's previous one.",
    ),
    "icpc_15wd": BenchmarkIndicator(
        measure="icpc_15wd",
        publication=CIN_PUBLICATION,
        publication_url=CIN_URL,
        data_file="c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv (C4)",
        indicator="ICPCs held within 15 working days of the start of the S47 enquiry, %",
        numerator_columns=("Duration_0-10_days", "Duration_11-15_days"),
        denominator_column="ICPC",
        unit=Unit.percent,
        definition_matches=True,
        note=(
            "Derived: (0-10 + 11-15 day ICPCs) / all ICPCs x 100, 1 dp. The durations are "
            "the C4 table's days from S47 start to ICPC (working days in the DfE table). "
            "England and regional counts are rounded to the nearest 10, so derived values "
            "can differ slightly from DfE's headline percentage."
        ),
    ),
    "cpp_second_subsequent": BenchmarkIndicator(
        measure="cpp_second_subsequent",
        publication=CIN_PUBLICATION,
        publication_url=CIN_URL,
        data_file="d3_cpps_subsequent_plan_2013_to_2025.csv (D3)",
        indicator="CP plans starting in the year that were a second or subsequent plan, %",
        value_column="CPP_subsequent_percent",
        unit=Unit.percent,
        definition_matches=True,
        note="DfE counts any previous plan, however long ago; SafePlan's measure is the same.",
    ),
    "cpp_18m_plus": BenchmarkIndicator(
        measure="cpp_18m_plus",
        publication=CIN_PUBLICATION,
        publication_url=CIN_URL,
        data_file="d5_cpps_at31march_by_duration_2013_to_2025.csv (D5)",
        indicator="CP plans open at 31 March that had lasted 2 years or more, %",
        value_column="2_years_or_more_percent",
        unit=Unit.percent,
        definition_matches=False,
        note=(
            "Nearest published band: DfE's D5 bands stop at '1 year to less than 2 years' "
            "and '2 years or more', so 18 months has no published equivalent; shown as "
            "context only. DfE's other series, plans CEASING in the year that lasted 2 "
            "years or more, was not found in a vendored file and is not wired."
        ),
    ),
    "cla_rate": BenchmarkIndicator(
        measure="cla_rate",
        publication=CLA_PUBLICATION,
        publication_url=CLA_URL,
        data_file="cla_number_and_rate_per_10k_children.csv",
        indicator="Children looked after at 31 March per 10,000 children aged under 18",
        value_column="rate_per_10000",
        filters={"population_count": "Children looked after at 31 March each year"},
        unit=Unit.per_10k,
        definition_matches=True,
        note="DfE rounds the rate to a whole number.",
    ),
    "placement_stability": BenchmarkIndicator(
        measure="placement_stability",
        publication=CLA_PUBLICATION,
        publication_url=CLA_URL,
        data_file="la_cla_placement_stability.csv",
        indicator="CLA at 31 March with 3 or more placements during the year, %",
        value_column="children_percent",
        filters={
            "cla_group": "CLA on 31 March",
            "placement_stability": "With 3 or more placements during the year",
        },
        unit=Unit.percent,
        definition_matches=True,
        note="DfE rounds the percentage to a whole number.",
    ),
    # Matched but not wired: no real vendored file was found to confirm the column names.
    "cpp_neglect": BenchmarkIndicator(
        measure="cpp_neglect",
        publication=CIN_PUBLICATION,
        publication_url=CIN_URL,
        data_file="d4_cpps_at31march_by_category_of_abuse_*.csv (D4)",
        indicator="CP plans at 31 March with initial category of abuse neglect (n, %)",
        unit=Unit.number,
        definition_matches=True,
        note="Not wired: D4's columns are unconfirmed; DfE publishes by initial category.",
        wired=False,
    ),
    "assessments_45wd": BenchmarkIndicator(
        measure="assessments_45wd",
        publication=CIN_PUBLICATION,
        publication_url=CIN_URL,
        data_file="c2_children_in_need_assessments_duration_*.csv (C2)",
        indicator="Assessments completed within 45 working days, %",
        unit=Unit.percent,
        definition_matches=True,
        note="Not wired: C2's columns are unconfirmed (duration bands of completed assessments).",
        wired=False,
    ),
    "missing_more_than_once": BenchmarkIndicator(
        measure="missing_more_than_once",
        publication=CLA_PUBLICATION,
        publication_url=CLA_URL,
        data_file="missing incidents file of the CLA release",
        indicator="CLA during the year who had a missing incident, %",
        unit=Unit.percent,
        definition_matches=False,
        note=(
            "Not wired. DfE publishes children who went missing and incidents per child, "
            "not children with 2 or more incidents, so no published figure equals SafePlan's."
        ),
        wired=False,
    ),
}
"""SafePlan measure id -> its published DfE equivalent."""

# --------------------------------------------------------------------------- neighbours

STATISTICAL_NEIGHBOURS_SOURCE = (
    "DfE Children's Services Statistical Neighbour Benchmarking Tool, 2025 model, as vendored "
    "in DfE's CSC outcomes and enablers dashboard (dfe-analytical-services/"
    "CSC_outcomes_and_enablers, data-raw/sn_model_2025_wide.csv); neighbours in rank order"
)

_SN_MODEL_2025: Mapping[str, tuple[str, ...]] = {
    # old LA number -> SN_1..SN_10 old LA numbers, copied from sn_model_2025_wide.csv
    "840": ("876", "344", "390", "807", "372", "370", "394", "393", "808", "841"),  # Durham
    "878": ("845", "838", "926", "886", "933", "935", "938", "830", "881", "885"),  # Devon
    "841": ("390", "808", "332", "384", "888", "894", "372", "357", "840", "371"),  # Darlington
    "390": ("841", "357", "393", "372", "808", "840", "807", "394", "332", "384"),  # Gateshead
    "370": ("372", "384", "357", "371", "332", "894", "840", "390", "807", "394"),  # Barnsley
    "838": ("933", "878", "893", "935", "885", "881", "830", "886", "938", "815"),  # Dorset
    "830": ("891", "933", "935", "926", "860", "878", "893", "929", "838", "885"),  # Derbyshire
    "845": ("878", "886", "908", "926", "881", "351", "838", "938", "929", "839"),  # E Sussex
    "881": ("886", "938", "916", "802", "935", "850", "937", "933", "303", "865"),  # Essex
    "886": ("881", "845", "878", "303", "935", "926", "891", "938", "822", "933"),  # Kent
    "926": ("935", "908", "878", "830", "929", "886", "933", "925", "891", "887"),  # Norfolk
}

_NEW_CODE: Mapping[str, str] = {
    # old LA number -> new_la_code, as both appear in the DfE files above
    "303": "E09000004",
    "332": "E08000027",
    "344": "E08000015",
    "351": "E08000002",
    "357": "E08000008",
    "370": "E08000016",
    "371": "E08000017",
    "372": "E08000018",
    "384": "E08000036",
    "390": "E08000037",
    "393": "E08000023",
    "394": "E08000024",
    "802": "E06000024",
    "807": "E06000003",
    "808": "E06000004",
    "815": "E06000065",
    "822": "E06000055",
    "830": "E10000007",
    "838": "E06000059",
    "839": "E06000058",
    "840": "E06000047",
    "841": "E06000005",
    "845": "E10000011",
    "850": "E10000014",
    "860": "E10000028",
    "865": "E06000054",
    "876": "E06000006",
    "878": "E10000008",
    "881": "E10000012",
    "885": "E10000034",
    "886": "E10000016",
    "887": "E06000035",
    "888": "E10000017",
    "891": "E10000024",
    "893": "E06000051",
    "894": "E06000020",
    "908": "E06000052",
    "916": "E10000013",
    "925": "E10000019",
    "926": "E10000020",
    "929": "E06000057",
    "933": "E06000066",
    "935": "E10000029",
    "937": "E10000031",
    "938": "E10000032",
}

STATISTICAL_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    _NEW_CODE[la]: tuple(_NEW_CODE[n] for n in neighbours)
    for la, neighbours in _SN_MODEL_2025.items()
}
"""LA new code -> its 10 statistical neighbours' new codes (see STATISTICAL_NEIGHBOURS_SOURCE)."""

# --------------------------------------------------------------------------- the API


@dataclass(frozen=True)
class Benchmark:
    """One published figure to show beside a SafePlan measure."""

    measure: str  # SafePlan measure id
    year: str  # "2023-24"
    level: str  # "england" | "region" | "la" | "statistical_neighbours"
    code: str  # E92000001, E12..., new_la_code, or "" for the SN average
    name: str
    value: float | None
    symbol: str  # "" or the EES symbol when value is None
    source: str  # publication + file


_Key = tuple[str, str, str, str]  # measure, year, level, code


class BenchmarkSet:
    """The published figures loaded from EES files, looked up by measure, LA and year."""

    def __init__(self) -> None:
        self._rows: dict[_Key, Benchmark] = {}
        self._region_of: dict[str, str] = {}
        self.ignored: list[tuple[Path, str]] = []
        """Files not read, each with the reason (so a user can see why)."""
        self.loaded: list[Path] = []

    def _add(self, bench: Benchmark) -> None:
        # First row wins: a file repeated in the inputs must not change anything.
        self._rows.setdefault((bench.measure, bench.year, bench.level, bench.code), bench)

    def measures(self) -> set[str]:
        """Measures with at least one published figure loaded."""
        return {key[0] for key in self._rows}

    def years(self, measure: str) -> list[str]:
        """Years with published figures for the measure, oldest first."""
        return sorted({key[1] for key in self._rows if key[0] == measure})

    def region_of(self, la_code: str) -> str | None:
        """The region code DfE files place the LA in, if any loaded row says."""
        return self._region_of.get(_SUCCESSOR_CODES.get(la_code, la_code))

    def get(self, measure: str, year: str, level: str, code: str) -> Benchmark | None:
        """One loaded figure, or None if it was not published in the loaded files."""
        return self._rows.get((measure, year, level, code))

    def for_measure(self, measure: str, la_code: str, year: str | None = None) -> list[Benchmark]:
        """England, the LA's region, the LA itself and its statistical-neighbour average.

        `year` None means the latest year loaded for the measure. Levels not published for
        that year are left out; a measure or year with nothing published gives [].
        """
        la = _SUCCESSOR_CODES.get(la_code, la_code)
        years = self.years(measure)
        if not years:
            return []
        chosen = year if year is not None else years[-1]
        if chosen not in years:
            return []
        out: list[Benchmark] = []
        england = self._rows.get((measure, chosen, "england", "E92000001"))
        if england is not None:
            out.append(england)
        region = self.region_of(la)
        if region is not None:
            reg = self._rows.get((measure, chosen, "region", region))
            if reg is not None:
                out.append(reg)
        own = self._rows.get((measure, chosen, "la", la))
        if own is not None:
            out.append(own)
        sn = self._neighbour_average(measure, chosen, la)
        if sn is not None:
            out.append(sn)
        return out

    def _neighbour_average(self, measure: str, year: str, la: str) -> Benchmark | None:
        """Simple mean of the neighbours' published values; says how many contributed."""
        neighbours = STATISTICAL_NEIGHBOURS.get(la)
        if not neighbours:
            return None
        found = [self._rows.get((measure, year, "la", n)) for n in neighbours]
        values = [b.value for b in found if b is not None and b.value is not None]
        sources = sorted({b.source for b in found if b is not None})
        name = (
            f"Statistical neighbours average ({len(values)} of {len(neighbours)} "
            "neighbours with a published value)"
        )
        return Benchmark(
            measure=measure,
            year=year,
            level="statistical_neighbours",
            code="",
            name=name,
            value=fmean(values) if values else None,
            symbol="" if values else "x",
            source="; ".join(sources) if sources else STATISTICAL_NEIGHBOURS_SOURCE,
        )


def _read_header(path: Path) -> list[str] | None:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        return next(reader, None)


def _expand(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(p.glob("*.csv")))
        else:
            out.append(p)
    return out


def _row_value(ind: BenchmarkIndicator, row: Mapping[str, str]) -> tuple[float | None, str]:
    if ind.value_column:
        return parse_value(row.get(ind.value_column, ""))
    total = 0.0
    for col in ind.numerator_columns:
        value, symbol = parse_value(row.get(col, ""))
        if value is None:
            return None, symbol or "x"
        total += value
    denom, symbol = parse_value(row.get(ind.denominator_column, ""))
    if denom is None:
        return None, symbol or "x"
    if denom == 0:
        return None, "z"
    return round(total / denom * 100, 1), ""


def _area(level: str, row: Mapping[str, str]) -> tuple[str, str]:
    if level == "england":
        return row.get("country_code", "").strip(), row.get("country_name", "").strip()
    if level == "region":
        return row.get("region_code", "").strip(), row.get("region_name", "").strip()
    code = row.get("new_la_code", "").strip()
    return _SUCCESSOR_CODES.get(code, code), row.get("la_name", "").strip()


def _load_file(path: Path, indicators: list[BenchmarkIndicator], into: BenchmarkSet) -> int:
    added = 0
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        for cells in reader:
            row = dict(zip(header, cells, strict=False))
            if "geographic_level" not in row:
                continue
            level = _LEVELS.get(row["geographic_level"].strip())
            if level is None:
                continue
            code, name = _area(level, row)
            if not code:
                continue
            if level == "la" and row.get("region_code", "").strip():
                into._region_of.setdefault(code, row["region_code"].strip())
            year = ees_year(row["time_period"], row["time_identifier"])
            for ind in indicators:
                if any(row.get(col, "").strip() != want for col, want in ind.filters.items()):
                    continue
                value, symbol = _row_value(ind, row)
                into._add(
                    Benchmark(
                        measure=ind.measure,
                        year=year,
                        level=level,
                        code=code,
                        name=name,
                        value=value,
                        symbol=symbol,
                        source=f"DfE, {ind.publication}: {path.name}",
                    )
                )
                added += 1
    return added


def comparable(ind: BenchmarkIndicator) -> bool:
    """Whether the published figure means what the measure's figure means: the same unit and
    the same definition. Only those are read, so no page or report can set a published rate
    beside a count, or a 2-year band beside an 18-month one."""
    from safeplan.measures.catalogue import catalogue

    measure = catalogue().get(ind.measure)
    return ind.definition_matches and measure is not None and measure.unit == ind.unit


def load_benchmarks(paths: Iterable[Path]) -> BenchmarkSet:
    """Read the EES CSVs whose header matches a wired indicator; ignore others with a reason.

    A directory is read as its *.csv files. Recognition is by header, not file name, because
    users rename downloads and DfE renames files each release (…_2013_to_2024 → …_2025).
    """
    result = BenchmarkSet()
    wired = [ind for ind in BENCHMARK_MAP.values() if ind.wired]
    for path in _expand(paths):
        if path.suffix.lower() != ".csv":
            result.ignored.append((path, "not a CSV file"))
            continue
        try:
            header = _read_header(path)
        except (OSError, UnicodeDecodeError) as exc:
            result.ignored.append((path, f"could not be read: {exc}"))
            continue
        if not header:
            result.ignored.append((path, "empty file"))
            continue
        columns = {h.strip() for h in header}
        missing = [c for c in EES_REQUIRED if c not in columns]
        if missing:
            result.ignored.append(
                (path, f"not an EES open-data CSV: no {', '.join(missing)} column")
            )
            continue
        found = [ind for ind in wired if ind.required_columns() <= columns]
        matches = [ind for ind in found if comparable(ind)]
        if found and not matches:
            names = ", ".join(sorted(ind.measure for ind in found))
            result.ignored.append(
                (path, f"published for {names}, but not in the same unit or definition")
            )
            continue
        if not matches:
            result.ignored.append(
                (path, "EES CSV, but no SafePlan benchmark indicator found in its columns")
            )
            continue
        added = _load_file(path, matches, result)
        if added == 0:
            result.ignored.append(
                (path, "EES CSV with a known indicator, but no England/region/LA rows matched")
            )
            continue
        result.loaded.append(path)
    return result
