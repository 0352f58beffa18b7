"""DfE SSDA903 (children looked after) validation rules, as SQL over the 903 staging tables.

Codes and messages are the DfE's (SSDA903 2023 to 2024 validation rules, the year of the
vendored column map, whose SEX codes are still 1 and 2), transcribed from
data-to-insight/csc-validator-be-903 (``lac_validator/rules/lac2022_23/rule_<code>.py``).
The SQL is SafePlan's own. Code lists come from the vendored spec through
``StagingTable.codes``, so rules and readers agree on them.

The 903 files carry no collection year, so the DfE rules that compare with the collection
period (e.g. 571, 357) are not here; they need the year from the upload.
"""

# The SQL here is composed only from constants of this module and the vendored specs,
# never from a file or a user, so the string-built-query check does not apply.

from __future__ import annotations

from safeplan.ingest import years
from safeplan.ingest.findings import Level, Severity
from safeplan.ingest.rules.base import Rule, not_in_codes
from safeplan.ingest.staging import all_tables

SOURCE = "ssda903"
D2I = "data-to-insight/csc-validator-be-903 lac_validator/rules/lac2022_23/rule_{code}.py"

F, R = Level.field, Level.record
E, W = Severity.error, Severity.warning
HEADER = ("s903_header",)


def _rule(
    code: str,
    table: str,
    field: str,
    message: str,
    level: Level,
    severity: Severity,
    sql: str,
    *,
    requires: tuple[str, ...] = (),
    note: str = "",
    since: int | None = None,
    until: int | None = None,
) -> Rule:
    if code.startswith("INT"):
        reference = (
            f"Internal check {code} of the DfE-portal checks as implemented in "
            f"{D2I.format(code=code)} (a data-to-insight code, not a numbered DfE rule)"
        )
    else:
        first = since or 2024
        reference = (
            f"DfE SSDA903 {first - 1} to {first}: validation rules, rule {code}; "
            f"wording as in {D2I.format(code=code)}"
        )
    if note:
        reference += f"; {note}"
    return Rule(
        code, SOURCE, table, field, message, level, severity, sql, reference, requires,
        since, until,
    )  # fmt: skip


def _codes(table: str, column: str) -> tuple[str, ...]:
    return all_tables()[table].codes[column]


def _code_rule(
    code: str,
    table: str,
    field: str,
    message: str,
    severity: Severity,
    *,
    blank_ok: bool,
    codes: tuple[str, ...] | None = None,
    since: int | None = None,
    until: int | None = None,
    note: str = "",
) -> Rule:
    """A code-list rule; blank passes only where the spec says the field can be blank."""
    column = field.lower()
    listed = codes if codes is not None else _codes(table, column)
    condition = not_in_codes(column, listed, blank_allowed=blank_ok)
    sql = f"SELECT _seq FROM {table} WHERE {condition}"
    return _rule(code, table, field, message, F, severity, sql, since=since, until=until, note=note)


def _by_year(
    code: str, table: str, field: str, message: str, severity: Severity, *, blank_ok: bool
) -> tuple[Rule, ...]:
    """A code rule once per run of collection years with the same code list
    (``safeplan.ingest.years``), each in force for its years only."""
    column = field.lower()
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    for year, lay in years.layouts()[SOURCE].items():
        listed = lay.sex_codes if column == "sex" else lay.code_list(table, column)
        if listed is None:
            listed = _codes(table, column)
        if runs and runs[-1][2] == listed:
            runs[-1] = (runs[-1][0], year, listed)
        else:
            runs.append((year, year, listed))
    out = []
    for i, (first, last, listed) in enumerate(runs):
        out.append(
            _code_rule(
                code,
                table,
                field,
                message,
                severity,
                blank_ok=blank_ok,
                codes=listed,
                since=None if i == 0 else first,
                until=None if i == len(runs) - 1 else last,
                note=f"codes of {years.label(first)} to {years.label(last)}: " + ", ".join(listed),
            )
        )
    return tuple(out)


def build() -> tuple[Rule, ...]:
    """The SSDA903 rules, by file."""
    return (
        # Header
        *_by_year("101", "s903_header", "SEX", "Gender code is not valid.", E, blank_ok=False),
        _rule(
            "102",
            "s903_header",
            "DOB",
            "Date of birth is not a valid date.",
            F,
            E,
            "SELECT _seq FROM s903_header WHERE dob IS NULL",
            note="the reader stores an unparseable date as NULL, so a NULL here is a missing "
            "or invalid date",
        ),
        _code_rule(
            "103",
            "s903_header",
            "ETHNIC",
            "The ethnicity code is either not valid or has not been entered.",
            E,
            blank_ok=False,
        ),
        _rule(
            "INT32",
            "s903_header",
            "CHILD",
            "Internal Check: Child should only exist once in Header.",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, count(*) OVER (PARTITION BY trim(child)) AS n "
            "FROM s903_header WHERE child IS NOT NULL) WHERE n > 1",
        ),
        # Episodes
        _rule(
            "141",
            "s903_episodes",
            "DECOM",
            "Date episode began is not a valid date.",
            F,
            E,
            "SELECT _seq FROM s903_episodes WHERE decom IS NULL",
            note="DECOM cannot be blank, and the reader stores an unparseable date as NULL",
        ),
        _code_rule(
            "143",
            "s903_episodes",
            "RNE",
            "The reason for new episode code is not a valid code.",
            E,
            blank_ok=False,
        ),
        _code_rule(
            "144",
            "s903_episodes",
            "LS",
            "The legal status code is not a valid code.",
            E,
            blank_ok=False,
        ),
        _code_rule(
            "145",
            "s903_episodes",
            "CIN",
            "Category of need code is not a valid code.",
            W,
            blank_ok=False,
        ),
        _code_rule(
            "149",
            "s903_episodes",
            "REC",
            "Reason episode ceased code is not valid.",
            W,
            blank_ok=True,
        ),
        _code_rule(
            "1009",
            "s903_episodes",
            "REASON_PLACE_CHANGE",
            "Reason for placement change is not a valid code.",
            W,
            blank_ok=True,
        ),
        _rule(
            "356",
            "s903_episodes",
            "DEC",
            "The date the episode ceased is before the date the same episode started.",
            R,
            E,
            "SELECT _seq FROM s903_episodes WHERE dec < decom",
        ),
        _rule(
            "142",
            "s903_episodes",
            "DEC",
            "A new episode has started, but the previous episode has not ended.",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, dec, rec, row_number() OVER (PARTITION BY child "
            "ORDER BY decom DESC, _seq DESC) AS latest FROM s903_episodes "
            "WHERE child IS NOT NULL AND decom IS NOT NULL) "
            "WHERE latest > 1 AND (dec IS NULL OR NULLIF(trim(rec), '') IS NULL)",
        ),
        _rule(
            "501",
            "s903_episodes",
            "DECOM",
            "A new episode has started before the end date of the previous episode.",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, decom, lag(dec) OVER (PARTITION BY child "
            "ORDER BY decom, _seq) AS previous_dec FROM s903_episodes "
            "WHERE child IS NOT NULL AND decom IS NOT NULL) WHERE decom < previous_dec",
        ),
        _rule(
            "302",
            "s903_episodes",
            "DECOM",
            "First episode starts before child was born.",
            R,
            E,
            "SELECT e._seq FROM s903_episodes AS e JOIN s903_header AS h ON h.child = e.child "
            "WHERE h.dob > e.decom AND e.decom = "
            "(SELECT min(f.decom) FROM s903_episodes AS f WHERE f.child = e.child)",
            requires=HEADER,
        ),
        _rule(
            "352",
            "s903_episodes",
            "DECOM",
            "Child who started to be looked after was aged 18 or over.",
            R,
            E,
            "SELECT e._seq FROM s903_episodes AS e JOIN s903_header AS h ON h.child = e.child "
            "WHERE upper(trim(e.rne)) = 'S' AND h.dob + INTERVAL 18 YEAR <= e.decom",
            requires=HEADER,
        ),
        # Reviews
        _rule(
            "166",
            "s903_reviews",
            "REVIEW",
            "Date of review is invalid or blank.",
            F,
            E,
            "SELECT _seq FROM s903_reviews WHERE review IS NULL",
        ),
        _rule(
            "167",
            "s903_reviews",
            "REVIEW_CODE",
            "Data entry for participation is invalid or blank.",
            R,
            W,
            "SELECT _seq FROM s903_reviews WHERE (review IS NOT NULL AND "
            + not_in_codes(
                "review_code", _codes("s903_reviews", "review_code"), blank_allowed=False
            )
            + ") OR (review IS NULL AND NULLIF(trim(review_code), '') IS NOT NULL)",
        ),
        _rule(
            "INT08",
            "s903_reviews",
            "CHILD",
            "Internal Check: Child in Reviews does not exist in Header.",
            R,
            W,
            "SELECT r._seq FROM s903_reviews AS r "
            "WHERE NOT EXISTS (SELECT 1 FROM s903_header AS h WHERE h.child = r.child)",
            requires=HEADER,
        ),
        # Missing
        _code_rule("1006", "s903_missing", "MISSING", "Missing type invalid.", E, blank_ok=False),
        _rule(
            "1004",
            "s903_missing",
            "MIS_START",
            "The start date of the missing episode or episode that the child was away from "
            "placement without authorisation is not a valid date.",
            F,
            E,
            "SELECT _seq FROM s903_missing WHERE mis_start IS NULL",
        ),
        _rule(
            "567",
            "s903_missing",
            "MIS_END",
            "The date that the missing episode or episode that the child was away from "
            "placement without authorisation ended is before the date that it started.",
            R,
            E,
            "SELECT _seq FROM s903_missing WHERE mis_end < mis_start",
        ),
        _rule(
            "574",
            "s903_missing",
            "MIS_START",
            "A new missing/away from placement without authorisation period cannot start when "
            "the previous missing/away from placement without authorisation period is still "
            "open. Missing/away from placement without authorisation periods should also not "
            "overlap.",
            R,
            E,
            "SELECT _seq FROM (SELECT _seq, mis_start, "
            "row_number() OVER w AS position, lag(mis_end) OVER w AS previous_end "
            "FROM s903_missing WHERE child IS NOT NULL "
            "WINDOW w AS (PARTITION BY child ORDER BY coalesce(mis_end, mis_start), mis_start, "
            "_seq)) WHERE position > 1 AND (previous_end IS NULL OR mis_start < previous_end)",
        ),
        _rule(
            "INT04",
            "s903_missing",
            "CHILD",
            "Internal Check: Child in Missing does not exist in Header.",
            R,
            E,
            "SELECT m._seq FROM s903_missing AS m "
            "WHERE NOT EXISTS (SELECT 1 FROM s903_header AS h WHERE h.child = m.child)",
            requires=HEADER,
        ),
    )


RULES: tuple[Rule, ...] = build()
