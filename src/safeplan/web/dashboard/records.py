"""The records behind a figure: one row per counted thing (a child's episode, referral,
plan...) with its pseudonymised child id, for analysts checking a figure against their own
system. Record-level, so only analysts and administrators open it, and every view is
audited (``views.records``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis

from safeplan.config import settings
from safeplan.measures.engine import periods_table
from safeplan.measures.model import Measure
from safeplan.measures.periods import Period
from safeplan.web.storecache import UNAVAILABLE, open_source

log = logging.getLogger(__name__)

LIMIT = 1000  # rows shown; the count says how many there are


@dataclass(frozen=True)
class Row:
    person_id: str
    ref_date: date | None
    counted: bool  # in the numerator
    agency: str


@dataclass(frozen=True)
class Records:
    rows: list[Row]
    total: int
    counted: int
    note: str = ""


NOTHING = Records([], 0, 0, "No data has been loaded yet.")


def behind(measure: Measure, period: Period) -> Records:
    """The measure's units in the quarter: numerator rows first, then by date."""
    url = settings().store_url
    try:
        source = open_source(url)
    except Exception:
        log.exception("cannot open the store %s", url)
        return Records([], 0, 0, UNAVAILABLE)
    if source is None:
        return NOTHING
    try:
        units = measure.units(source, periods_table([period]))
        if units is None:
            return Records([], 0, 0, "The store has none of the data this measure needs.")
        if "agency" not in units.columns:
            units = units.mutate(agency=ibis.literal(measure.owner))
        counts: dict[str, Any] = (
            units.aggregate(total=units.count(), counted=(units.num > 0).sum())
            .to_pyarrow()
            .to_pylist()[0]
        )
        top = units.order_by([units.num.desc(), units.ref_date, units.person_id]).limit(LIMIT)
        rows = [
            Row(str(r["person_id"]), r["ref_date"], bool(r["num"]), str(r["agency"] or ""))
            for r in top.select("person_id", "ref_date", "num", "agency").to_pyarrow().to_pylist()
        ]
        return Records(rows, int(counts["total"] or 0), int(counts["counted"] or 0))
    except Exception:
        log.exception("cannot read the records behind %s", measure.id)
        return Records([], 0, 0, UNAVAILABLE)
    finally:
        source.con.disconnect()
