"""The canonical store's tables, derived from the staging tables.

Each staging table has one canonical table, named after the Standard Safeguarding Dataset
(SSD) where the SSD has a name for it, otherwise ``sp_...``. A canonical table keeps the
return's fields (lower-cased names, typed), swaps the child's identifier for its pseudonym
``person_id``, drops identifying fields that no measure needs (UPN, postcodes, worker
names), and records lineage on every row: load, source file, file hash and row.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeplan.ingest.staging import SQL_TYPES, StagingTable, all_tables
from safeplan.ingest.years import canonical_gender_sql

# staging table → canonical table (SSD names: data-to-insight/ssd-data-model)
SSD_NAMES = {
    "cin_child": "ssd_person",
    "cin_disability": "ssd_disability",
    "cin_details": "ssd_cin_episodes",
    "cin_assessment": "ssd_cin_assessments",
    "cin_assessment_factor": "ssd_assessment_factors",
    "cin_plan": "ssd_cin_plans",
    "cin_s47": "ssd_s47_enquiry",
    "cin_cpp": "ssd_cp_plans",
    "cin_cpp_review": "ssd_cp_reviews",
    "s903_header": "ssd_cla_header",
    "s903_episodes": "ssd_cla_episodes",
    "s903_reviews": "ssd_cla_reviews",
    "s903_uasc": "ssd_immigration_status",
    "s903_oc2": "ssd_cla_health",
    "s903_oc3": "ssd_care_leavers",
    "s903_ad1": "ssd_cla_adoption",
    "s903_placed_adoption": "ssd_permanence",
    "s903_prev_perm": "ssd_cla_previous_permanence",
    "s903_missing": "ssd_missing",
    "s903_social_worker": "ssd_involvements",
    "annex_a_list_1": "ssd_contacts",
    "annex_a_list_2": "ssd_early_help_episodes",
}
NOT_STORED = {"cin_header"}  # its Year and LEA are kept on the load record
IDENTIFIERS = ("lachildid", "child", "child_unique_id", "child_id")
DROPPED = {
    "upn",
    "formerupn",
    "home_post",
    "pl_post",
    "allocated_worker",
    "individual_adopter_identifier",
}
LINEAGE = (
    ("load_id", "BIGINT"),
    ("source_file", "VARCHAR"),
    ("source_hash", "VARCHAR"),
    ("source_row", "VARCHAR"),
)
STAGING_ONLY = {("cin_child", "sex")}
"""Staging columns the store does not keep as they are: the CIN census's <Sex> (2024-25 on)
is stored in ``gendercurrent``, as the canonical gender code (`CANONICAL_VALUES`)."""
CANONICAL_VALUES: dict[tuple[str, str], str] = {
    # one canonical gender code (1 male, 2 female, 0 not known, 9 not specified) whatever
    # the year's layout: GenderCurrent to 2023-24, Sex (M, F, U) from 2024-25; the 903 SEX
    # codes 1/2 to 2023-24, M/F/U from 2024-25 (`safeplan.ingest.years`)
    ("cin_child", "gendercurrent"): (
        f"coalesce({canonical_gender_sql('s.sex')}, NULLIF(trim(s.gendercurrent), ''))"
    ),
    ("s903_header", "sex"): canonical_gender_sql("s.sex"),
    ("s903_uasc", "sex"): canonical_gender_sql("s.sex"),
}
"""Staging table and column → the SQL (over the staging row ``s``) of its canonical value."""
RESERVED = {"record_id", "parent_id", "person_id", *(n for n, _ in LINEAGE)}  # a source's own
# column with one of these names is stored as source_<name>
ROW_ID_BITS = 32  # record_id = load_id << 32 | _seq: unique across loads, stable within one


@dataclass(frozen=True)
class CanonicalTable:
    name: str
    staging: StagingTable
    identifier: str | None  # the staging column holding the raw child identifier
    columns: tuple[tuple[str, str, str], ...]  # data columns kept: (staging name, name, SQL type)

    def ddl(self) -> str:
        cols = [("record_id", "BIGINT"), ("parent_id", "BIGINT"), ("person_id", "VARCHAR")]
        cols += [(n, t) for _, n, t in self.columns] + list(LINEAGE)
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({', '.join(f'{n} {t}' for n, t in cols)})"

    @property
    def column_names(self) -> list[str]:
        data = [n for _, n, _ in self.columns]
        return ["record_id", "parent_id", "person_id", *data, *(n for n, _ in LINEAGE)]


def canonical_for(spec: StagingTable) -> CanonicalTable:
    name = SSD_NAMES.get(spec.name) or f"sp_{spec.name.removeprefix('partner_')}"
    ident = next((c.name for c in spec.columns if c.name in IDENTIFIERS), None)
    keep = tuple(
        (c.name, f"source_{c.name}" if c.name in RESERVED else c.name, SQL_TYPES[c.type])
        for c in spec.columns
        if c.name != ident and c.name not in DROPPED and (spec.name, c.name) not in STAGING_ONLY
    )
    return CanonicalTable(name, spec, ident, keep)


def canonical_tables(extra: tuple[StagingTable, ...] = ()) -> dict[str, CanonicalTable]:
    """Every canonical table, keyed by its staging table's name."""
    specs = [*all_tables().values(), *extra]
    return {s.name: canonical_for(s) for s in specs if s.name not in NOT_STORED}


SYSTEM_DDL = (
    """CREATE TABLE IF NOT EXISTS sp_loads (
        load_id BIGINT PRIMARY KEY, kind VARCHAR NOT NULL, source VARCHAR NOT NULL,
        period VARCHAR, la VARCHAR, file_name VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
        file_bytes BIGINT, status VARCHAR NOT NULL, replaced_by BIGINT, loaded_at TIMESTAMP,
        records BIGINT, quarantined BIGINT, findings BIGINT, seconds DOUBLE PRECISION,
        tables VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS sp_findings (
        load_id BIGINT, file VARCHAR, location VARCHAR, field VARCHAR, rule VARCHAR,
        message VARCHAR, level VARCHAR, severity VARCHAR, line BIGINT, staging_table VARCHAR)""",
    # the child (pseudonymised) and the value flagged: added after the first stores were made
    "ALTER TABLE sp_findings ADD COLUMN IF NOT EXISTS child VARCHAR",
    "ALTER TABLE sp_findings ADD COLUMN IF NOT EXISTS value VARCHAR",
    """CREATE TABLE IF NOT EXISTS sp_quarantine (
        load_id BIGINT, staging_table VARCHAR, location VARCHAR, line BIGINT,
        reasons VARCHAR, record VARCHAR)""",
    # loads undone (`safeplan loads undo`): the load as it was recorded, when and by whom
    """CREATE TABLE IF NOT EXISTS sp_undone (
        load_id BIGINT PRIMARY KEY, kind VARCHAR NOT NULL, period VARCHAR, file_name VARCHAR,
        file_hash VARCHAR, records BIGINT, loaded_at TIMESTAMP, undone_at TIMESTAMP,
        undone_by VARCHAR, restored VARCHAR)""",
)
REPLACED_PREFIX = "sp_replaced_"
"""The rows a replacing load took out of a canonical table are kept in ``sp_replaced_<table>``
(the same columns), so that undoing the load can put them back exactly."""


# --- current tables: each record once, kept up to date by every load ----------------------
# A record is in every year's return it belongs to (a CIN episode open across 31 March is in
# two censuses), so the measures read each record once: from the latest collection year (then
# the latest load) that holds it, a record being its natural key below. The store keeps that
# view of each keyed table as `sp_current_<table>`, and the children's characteristics as
# `sp_persons`, refreshed inside the transaction of every load that changes them; `Source`
# reads them when present and computes the same thing when not (PySpark, older stores).
LATEST_KEYS: dict[str, tuple[str, ...]] = {
    "ssd_person": ("person_id",),
    "ssd_disability": ("person_id", "disability"),
    "ssd_cin_episodes": ("person_id", "cinreferraldate"),
    "ssd_cin_assessments": ("person_id", "assessmentactualstartdate"),
    "ssd_s47_enquiry": ("person_id", "s47actualstartdate"),
    "ssd_cp_plans": ("person_id", "cppstartdate"),
    "ssd_cla_header": ("person_id",),
    "ssd_cla_episodes": ("person_id", "decom"),
    "ssd_missing": ("person_id", "mis_start", "missing"),
    "sp_missing_episodes": ("episode_id",),
    "sp_exploitation_screening": ("screening_id",),
    "sp_initial_health_assessments": ("person_id", "date_entered_care"),
    "sp_family_plan_outcomes": ("plan_id", "outcome_id"),
    "sp_cp_conference_participation": ("conference_id",),
    "sp_case_audits": ("audit_id",),
    "sp_training_uptake": ("source_record_id",),
    "sp_professional_challenges": ("challenge_id",),
    "sp_children_missing_education": ("source_record_id",),
    "sp_population_estimates": ("area_code", "mid_year"),
}
"""Canonical table → the natural key of its records: the one definition of `Source.latest`'s
keys (the catalogue reads it) and of the store's current tables."""
LATEST_DROPPED = ("source_file", "source_hash", "source_row")
"""Lineage that no measure reads, left out of `Source.latest` and the current tables."""
ANNEX_A_TEAM_LISTS: dict[str, tuple[str, str | None]] = {
    # Annex A list: (the involvement's start date, its end date where the list records one)
    "sp_annex_a_list_3": ("date_of_referral", None),
    "sp_annex_a_list_4": (
        "continuous_assessment_start_date",
        "continuous_assessment_date_of_authorisation",
    ),
    "sp_annex_a_list_5": ("strategy_discussion_initiating_section_47_enquiry_start_date", None),
    "sp_annex_a_list_6": ("cin_start_date", "cin_closure_date"),
    "sp_annex_a_list_7": (
        "child_protection_plan_start_date",
        "child_protection_plan_end_date",
    ),
    "sp_annex_a_list_8": ("date_started_to_be_looked_after", "date_ceased_to_be_looked_after"),
}
"""The Annex A lists that record a child's allocated team (the child's locality), each with
its involvement's start date and its end date where the list records one."""
PERSON_SOURCES = ("ssd_person", "ssd_cla_header", "ssd_disability", *ANNEX_A_TEAM_LISTS)
"""The tables `sp_persons` is built from: a load that changes one refreshes it."""
PERSONS_TABLE = "sp_persons"
CURRENT_PREFIX = "sp_current_"


def current_name(table: str) -> str:
    """The current table of a canonical table: `sp_current_<table>`."""
    return CURRENT_PREFIX + table
