"""SafePlan's own plausibility rules for the partner templates, in the DfE rules' mechanism.

The DfE checks its returns; nobody checks the partner files that feed half the plan's
measures (missing episodes, health assessments, family plans...). These rules do, with codes
in SafePlan's own registry (``SafePlan P001``...): what cannot be true is an error (the
record is quarantined: an assessment completed before it was requested, a date still to
come), what is unlikely is a warning (an episode missing for over 90 days, a child older than
the template's children). Each template's record date, the children's ages and what makes two
rows the same record are declared with the template (`safeplan.ingest.templates`); a code
list or a reference given twice is the reader's check.
"""

# The SQL here is composed only from the template declarations and constants of this
# module, never from a file or a user.

from __future__ import annotations

from safeplan.ingest.findings import Level, Severity
from safeplan.ingest.rules.base import Rule
from safeplan.ingest.templates import TEMPLATES, Template

SOURCE = "partner"
E, W = Severity.error, Severity.warning
LONG_MISSING_DAYS = 90
REFERENCE = "SafePlan plausibility rule (docs/data.md, Partner templates: plausibility rules)"


def _table(template: Template) -> str:
    return f"partner_{template.name}"


def _day(template: Template, column: str) -> str:
    """A date or date-time column as a date."""
    return f"CAST({column} AS DATE)" if template.column(column).type == "datetime" else column


def _age(dob: str, day: str) -> str:
    """SQL for the whole years from ``dob`` to ``day`` (negative before the birth)."""
    return (
        f"(year({day}) - year({dob}) - CASE WHEN month({day}) * 100 + day({day}) < "
        f"month({dob}) * 100 + day({dob}) THEN 1 ELSE 0 END)"
    )


def _rule(
    code: str,
    template: Template,
    field: str,
    message: str,
    where: str,
    severity: Severity = E,
    *,
    sql: str = "",
    requires: tuple[str, ...] = (),
) -> Rule:
    """A rule on the template's table: the rows ``where`` holds for, or those ``sql`` gives."""
    sql = sql or f"SELECT _seq FROM {_table(template)} WHERE {where}"
    return Rule(
        code, SOURCE, _table(template), field, message, Level.record, severity, sql, REFERENCE,
        requires,
    )  # fmt: skip


def _every_template(t: Template) -> list[Rule]:
    """The checks every template shares, as far as its columns go."""
    out = []
    dates = [c.name for c in t.columns if c.type in ("date", "datetime")]
    for column in dates:
        out.append(
            _rule(
                "P001",
                t,
                column,
                "The date is still to come: no record can be dated after the day it is checked.",
                f"{_day(t, column)} > current_date",
            )
        )
    if not t.main_date:
        return out
    main = _day(t, t.main_date)
    out.append(
        _rule(
            "P002",
            t,
            t.main_date,
            "The record is dated after the collection year its file is for (the year in the "
            "file's name): check the date, or load it in that year's file.",
            "",
            W,
            sql=f"SELECT t._seq FROM {_table(t)} AS t, sp_collection AS c "
            f"WHERE CAST(t.{t.main_date} AS DATE) > c.end_date",
            requires=("sp_collection",),
        )
    )
    if "date_of_birth" in t.column_names and t.ages is not None:
        low, high = t.ages
        if low >= 0:
            out.append(
                _rule(
                    "P003",
                    t,
                    "date_of_birth",
                    "The child's date of birth is after the record's date.",
                    f"date_of_birth > {main}",
                )
            )
        out.append(
            _rule(
                "P004",
                t,
                "date_of_birth",
                f"The child's age at the record's date is outside {low if low >= 0 else 0} to "
                f"{high}, the ages this file is about{' (or a birth still to come)' * (low < 0)}.",
                f"{_age('date_of_birth', main)} NOT BETWEEN {low} AND {high} "
                f"AND date_of_birth <= {main}"
                if low >= 0
                else f"{_age('date_of_birth', main)} NOT BETWEEN {low} AND {high}",
                W,
            )
        )
    if t.same_record:
        key = f"concat_ws(chr(31), {', '.join(t.key)})"
        same = ", ".join(t.same_record)
        out.append(
            _rule(
                "P005",
                t,
                t.key[0],
                f"The same record appears more than once under different references (the same "
                f"{', '.join(t.same_record)}): reported twice, by two agencies perhaps.",
                "",
                W,
                sql=f"SELECT t._seq FROM {_table(t)} AS t JOIN (SELECT {same} FROM {_table(t)} "
                f"WHERE {' AND '.join(f'{c} IS NOT NULL' for c in t.same_record)} "
                f"GROUP BY {same} HAVING count(DISTINCT {key}) > 1) AS d USING ({same})",
            )
        )
    return out


def _order(code: str, t: Template, later: str, earlier: str, message: str) -> Rule:
    """``later`` may not come before ``earlier`` (either blank: nothing to compare)."""
    return _rule(code, t, later, message, f"{_day(t, later)} < {_day(t, earlier)}")


def _missing(t: Template) -> list[Rule]:
    return [
        _order(
            "P101", t, "end_datetime", "start_datetime", "The child returned before going missing."
        ),
        _rule(
            "P102",
            t,
            "end_datetime",
            f"The episode lasted over {LONG_MISSING_DAYS} days: check the dates (a child "
            "missing this long is exceptional).",
            f"end_datetime - start_datetime > INTERVAL {LONG_MISSING_DAYS} DAY",
            W,
        ),
        _order(
            "P103",
            t,
            "rhi_offered_datetime",
            "start_datetime",
            "The return interview was offered before the child went missing.",
        ),
        _rule(
            "P104",
            t,
            "rhi_completed_datetime",
            "The return interview took place before the child returned (or the child has not "
            "returned): it is held after the return.",
            "rhi_completed_datetime IS NOT NULL AND (end_datetime IS NULL OR "
            "rhi_completed_datetime < end_datetime)",
        ),
        _rule(
            "P105",
            t,
            "rhi_accepted",
            "A return interview took place although the child did not accept it.",
            "rhi_completed_datetime IS NOT NULL AND rhi_accepted = false",
            W,
        ),
    ]


def _health(t: Template) -> list[Rule]:
    return [
        _order(
            "P301",
            t,
            "iha_completed_date",
            "iha_request_date",
            "The initial health assessment was completed before it was requested.",
        ),
        _rule(
            "P302",
            t,
            "iha_request_date",
            "The assessment was requested before the child entered care: check the dates (it "
            "is requested when the child enters care).",
            "iha_request_date < date_entered_care",
            W,
        ),
    ]


def _family_plans(t: Template) -> list[Rule]:
    return [
        _order(
            "P401",
            t,
            "outcome_set_date",
            "plan_start_date",
            "The outcome was set before the plan began.",
        ),
        _order(
            "P402",
            t,
            "review_date",
            "outcome_set_date",
            "The outcome was reviewed before it was set.",
        ),
        _rule(
            "P403",
            t,
            "achieved",
            "Whether the outcome was achieved is recorded, but it has not been reviewed.",
            "achieved IS NOT NULL AND review_date IS NULL",
            W,
        ),
    ]


def _conferences(t: Template) -> list[Rule]:
    return [
        _rule(
            "P501",
            t,
            "how_shared",
            "Whether the child's views were shared and how they were shared disagree.",
            "(views_shared AND how_shared = 'not_shared') OR "
            "(NOT views_shared AND how_shared <> 'not_shared')",
        )
    ]


def _challenges(t: Template) -> list[Rule]:
    return [
        _order(
            "P801",
            t,
            "resolved_date",
            "raised_date",
            "The challenge was resolved before it was raised.",
        ),
        _rule(
            "P802",
            t,
            "outcome",
            "The outcome says the challenge is open, but it has a resolved date.",
            "outcome = 'open' AND resolved_date IS NOT NULL",
            W,
        ),
        _rule(
            "P803",
            t,
            "receiving_agency",
            "The agency challenged is the agency raising the challenge.",
            "raising_agency = receiving_agency",
            W,
        ),
    ]


def _missing_education(t: Template) -> list[Rule]:
    return [_order("P901", t, "end_date", "start_date", "The episode ended before it began.")]


def _population(t: Template) -> list[Rule]:
    return [
        _rule(
            "P951",
            t,
            "population_0_17",
            "The population of children is not a positive number.",
            "population_0_17 <= 0",
        ),
        _rule(
            "P952",
            t,
            "mid_year",
            "The estimate's year is not one ONS has published (2001 to this year).",
            "mid_year NOT BETWEEN 2001 AND year(current_date)",
        ),
    ]


OWN = {
    "missing_episodes": _missing,
    "initial_health_assessments": _health,
    "family_plan_outcomes": _family_plans,
    "cp_conference_participation": _conferences,
    "professional_challenges": _challenges,
    "children_missing_education": _missing_education,
    "population_estimates": _population,
}
"""Each template's own rules, beside the ones every template shares."""

RULES: tuple[Rule, ...] = tuple(
    rule
    for t in TEMPLATES.values()
    for rule in (*_every_template(t), *OWN.get(t.name, lambda _: [])(t))
)
