"""Partner CSV files, one per template per collection year, as declared in ingest.templates.

A record goes in the file of the collection year of its main date (the first date column),
with what is known of it at the end of the window, so no record appears twice.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from safeplan.ingest.templates import TEMPLATES
from safeplan.synth import params as P
from safeplan.synth.population import Child, year_bounds

Row = dict[str, str]


def iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def yn(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def collection_year(day: date) -> int:
    return day.year + 1 if day.month >= 4 else day.year


def child_rows(child: Child) -> Iterator[tuple[str, date, Row]]:
    """(template, main date, row) for every partner record about this child."""
    who = {"child_id": child.child_id, "date_of_birth": iso(child.dob)}
    for k, m in enumerate(child.missing):
        yield (
            "missing_episodes",
            m.start.date(),
            {
                "episode_id": f"MIS{child.index + 1:07d}-{k + 1:03d}",
                **who,
                "looked_after": yn(m.looked_after),
                "missing_type": "missing" if m.kind == "M" else "away",
                "start_datetime": iso(m.start),
                "end_datetime": iso(m.end),
                "reported_by": "police" if k % 5 else "council",
                "rhi_offered_datetime": iso(m.rhi_offered),
                "rhi_accepted": yn(m.rhi_accepted),
                "rhi_completed_datetime": iso(m.rhi_completed),
            },
        )
    for k, s in enumerate(child.screenings):
        yield (
            "exploitation_screening",
            s.when,
            {
                "screening_id": f"EXS{child.index + 1:07d}-{k + 1:03d}",
                **who,
                "screening_date": iso(s.when),
                "tool": s.tool,
                "risk_level": s.risk,
                "exploitation_type": s.kind,
                "at_referral": yn(s.at_referral),
                "agency": s.agency,
            },
        )
    for period in child.care:
        yield (
            "initial_health_assessments",
            period.start,
            {
                **who,
                "date_entered_care": iso(period.start),
                "iha_request_date": iso(period.iha_request),
                "iha_completed_date": iso(period.iha_completed),
            },
        )
    for plan in child.family_plans:
        for outcome_id, set_on, review, achieved in plan.outcomes:
            yield (
                "family_plan_outcomes",
                set_on,
                {
                    "plan_id": plan.plan_id,
                    "outcome_id": outcome_id,
                    **who,
                    "plan_start_date": iso(plan.start),
                    "outcome_set_date": iso(set_on),
                    "review_date": iso(review),
                    "achieved": achieved,
                },
            )
    for c in child.conferences:
        yield (
            "cp_conference_participation",
            c.when,
            {
                "conference_id": c.conference_id,
                **who,
                "conference_date": iso(c.when),
                "conference_type": c.kind,
                "views_shared": yn(c.views_shared),
                "how_shared": c.how,
            },
        )
    for a in child.audits:
        yield (
            "case_audits",
            a.when,
            {
                "audit_id": a.audit_id,
                **who,
                "audit_date": iso(a.when),
                "agency": a.agency,
                "lived_experience_evident": yn(a.lived_experience),
                "grade": a.grade,
            },
        )
    for ch in child.challenges:
        yield (
            "professional_challenges",
            ch.raised,
            {
                "challenge_id": ch.challenge_id,
                **who,
                "raised_date": iso(ch.raised),
                "raising_agency": ch.raising,
                "receiving_agency": ch.receiving,
                "stage": ch.stage,
                "resolved_date": iso(ch.resolved),
                "outcome": ch.outcome,
            },
        )
    for e in child.cme:
        yield (
            "children_missing_education",
            e.start,
            {
                "record_id": e.record_id,
                **who,
                "start_date": iso(e.start),
                "end_date": iso(e.end),
                "reason": e.reason,
            },
        )


class PartnerWriters:
    """Open CSV writers for every template and year."""

    def __init__(self, out: Path, years: list[int], stack: ExitStack) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.paths: list[Path] = []
        self.writers: dict[tuple[str, int], Any] = {}
        self.counts: dict[str, int] = dict.fromkeys(TEMPLATES, 0)
        for name, template in TEMPLATES.items():
            for year in years:
                path = out / f"{name}_{year}.csv"
                handle = stack.enter_context(path.open("w", newline="", encoding="utf-8"))
                writer = csv.DictWriter(handle, template.column_names, lineterminator="\n")
                writer.writeheader()
                self.writers[(name, year)] = writer
                self.paths.append(path)

    def write(self, child: Child) -> None:
        for name, day, row in child_rows(child):
            writer = self.writers.get((name, collection_year(day)))
            if writer is not None:
                writer.writerow(row)
                self.counts[name] += 1

    def write_population(self, area_code: str, population: dict[int, int]) -> None:
        """The implied 0-17 population as the ONS mid-year estimate before each 31 March."""
        for year, children in population.items():
            writer = self.writers.get(("population_estimates", year))
            if writer is not None:
                writer.writerow(
                    {"area_code": area_code, "mid_year": year - 1, "population_0_17": children}
                )
                self.counts["population_estimates"] += 1

    def write_training(self, children: int, seed: int) -> None:
        """Training completions are not about children in the returns: drawn per year."""
        per_year = {
            "young_person": max(1, children * P.ELEARNING_YP_PER_1000 // 1000),
            "practitioner": max(1, children * P.PRACTITIONER_TRAINING_PER_1000 // 1000),
        }
        years = sorted({year for name, year in self.writers if name == "training_uptake"})
        for year in years:
            rng = random.Random(f"safeplan-synth/{seed}/training/{year}")  # noqa: S311 - synthetic data
            start, end = year_bounds(year)
            rows = []
            for group, n in per_year.items():
                for k in range(n):
                    day = start + timedelta(days=rng.randrange((end - start).days + 1))
                    if group == "young_person":
                        course = "abuse_awareness_elearning"
                        agency = "schools" if rng.random() < 0.8 else "voluntary"
                        learner = f"YP{rng.randrange(1, children * 2 + 2):07d}"
                    else:
                        course = rng.choice(
                            (
                                "exploitation_awareness",
                                "neglect_toolkit",
                                "working_together",
                                "voice_of_the_child",
                                "abuse_awareness_elearning",
                            )
                        )
                        agency = rng.choice(("council", "health", "police", "schools", "voluntary"))
                        learner = f"PR{rng.randrange(1, children + 2):07d}"
                    rows.append((day, group, k, course, agency, learner))
            rows.sort(key=lambda r: (r[0], r[1], r[2]))
            writer = self.writers[("training_uptake", year)]
            for i, (day, group, _k, course, agency, learner) in enumerate(rows):
                writer.writerow(
                    {
                        "record_id": f"TRN{year}-{i + 1:06d}",
                        "learner_id": learner,
                        "learner_group": group,
                        "course": course,
                        "agency": agency,
                        "completion_date": iso(day),
                    }
                )
                self.counts["training_uptake"] += 1
