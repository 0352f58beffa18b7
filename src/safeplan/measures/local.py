"""Local measures: a SQL file over the canonical tables with a small YAML header.

Put them in ``$SAFEPLAN_HOME/measures/*.sql``. The header is a block of ``--`` comment lines
between ``-- ---`` markers; the query returns one row per counted unit per period with the
columns ``period, person_id, ref_date, num, den`` (and optionally ``agency``), and reads the
reporting periods from ``{periods}`` (columns ``period, p_start, p_end``). See
docs/measures.md.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import ibis.expr.types as ir
import yaml
from pydantic import BaseModel, ConfigDict, Field

from safeplan.config import settings
from safeplan.measures.data import Source
from safeplan.measures.model import Follows, Measure, Timing
from safeplan.vocabulary import Direction, Unit

_HEADER = re.compile(r"\A\s*-- ---\n(?P<yaml>(?:--.*\n)*?)-- ---\n(?P<sql>.*)\Z", re.S)


class LocalHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    definition: str
    numerator: str
    denominator: str | None = None
    unit: Unit
    direction: Direction
    timing: Timing
    sources: list[str] = []
    population: str = ""
    exclusions: list[str] = []
    official: str = "Local definition"
    differences: str = "Local: the partnership's own measure"


def parse(text: str, name: str = "<local measure>") -> Measure:
    match = _HEADER.match(text)
    if not match:
        raise ValueError(f"{name}: a local measure starts with a '-- ---' header block")
    header_text = "\n".join(
        line.removeprefix("--").removeprefix(" ") for line in match["yaml"].splitlines()
    )
    try:
        header = LocalHeader.model_validate(yaml.safe_load(header_text))
    except Exception as exc:
        raise ValueError(f"{name}: the header is not valid: {exc}") from exc
    sql = match["sql"].strip().rstrip(";")
    if "{periods}" not in sql:
        raise ValueError(f"{name}: the query must read the reporting periods from {{periods}}")
    return Measure(
        id=header.id,
        title=header.title,
        definition=header.definition,
        numerator=header.numerator,
        denominator=header.denominator,
        unit=header.unit,
        direction=header.direction,
        timing=header.timing,
        population=header.population or header.definition,
        exclusions=tuple(header.exclusions),
        sources=tuple(header.sources),
        official=Follows(header.official, local=True),
        differences=header.differences,
        units=partial(_run, sql),
        notes=f"Local measure from {name}",
    )


def _run(sql: str, src: Source, periods: ir.Table) -> ir.Table:
    rows = periods.to_pyarrow().to_pylist()
    values = ", ".join(
        f"('{r['period']}', DATE '{r['p_start']}', DATE '{r['p_end']}')" for r in rows
    )
    inline = f"(SELECT * FROM (VALUES {values}) AS v(period, p_start, p_end))"
    return src.con.sql(sql.replace("{periods}", inline))


def local_measures(folder: Path | None = None) -> list[Measure]:
    folder = folder or settings().home / "measures"
    if not folder.is_dir():
        return []
    return [parse(p.read_text(encoding="utf-8"), p.name) for p in sorted(folder.glob("*.sql"))]
