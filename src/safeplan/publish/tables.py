"""Measure results as tables: on the terminal, and as CSV, JSON and Excel files.

Spreadsheet outputs are safe to open: text that Excel would run as a formula is neutralised
(the same rule as the findings export), and numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safeplan.ingest.findings import safe_cell
from safeplan.measures.catalogue import catalogue
from safeplan.measures.engine import Result
from safeplan.measures.periods import Period
from safeplan.measures.public import Published
from safeplan.measures.scorecard import Line, exceptions_first
from safeplan.plans.model import Plan

COLUMNS = [
    "measure",
    "period",
    "breakdown",
    "group",
    "numerator",
    "denominator",
    "value",
    "per_10k",
    "unit",
    "records",
    "suppressed",
]


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Any]]


def results_table(results: Iterable[Result]) -> Table:
    """Partners' figures, every count shown."""
    known = catalogue()
    rows = [
        [
            r.measure,
            r.period,
            r.breakdown,
            r.group,
            r.numerator,
            r.denominator,
            _round(r.value),
            _round(r.per_10k),
            known[r.measure].unit_label,
            r.records,
            False,
        ]
        for r in results
    ]
    return Table(COLUMNS, rows)


def public_table(cells: Iterable[Published]) -> Table:
    """Cells of the public release (``measures.public``): a withheld cell shows its symbol
    in every count, and no count of records."""
    known = catalogue()
    rows = []
    for p in cells:
        r = p.result
        m = known[r.measure]
        withheld = p.symbol if p.suppressed else None
        rate = (withheld if m.per_10k else None) or _round(r.per_10k)
        rows.append(
            [
                r.measure,
                r.period,
                r.breakdown,
                r.group,
                withheld or r.numerator,
                withheld or r.denominator,
                withheld or _round(r.value),
                rate,
                m.unit_label,
                None,
                p.suppressed,
            ]
        )
    return Table(COLUMNS, rows)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def write_table(table: Table, fmt: str, out: Path | None = None) -> None:
    if fmt == "xlsx":
        if out is None:
            raise ValueError("an Excel table needs --out FILE.xlsx")
        write_xlsx(table, out)
        return
    text = {"csv": to_csv, "json": to_json, "table": to_text}[fmt](table)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    writer.writerows([[safe_cell(v) for v in row] for row in table.rows])
    return buffer.getvalue()


def to_json(table: Table) -> str:
    return (
        json.dumps([dict(zip(table.columns, row, strict=True)) for row in table.rows], indent=2)
        + "\n"
    )


def to_text(table: Table) -> str:
    cells = [[_fmt(v) for v in row] for row in table.rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(table.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines) + "\n"


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{value:,.0f}"
    return str(value)


def write_xlsx(table: Table, path: Path, sheet: str = "Measures") -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, table.columns, bold)
    for i, row in enumerate(table.rows, 1):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                ws.write_boolean(i, j, value)
            elif isinstance(value, int | float):
                ws.write_number(i, j, value)
            else:
                ws.write_string(i, j, str(safe_cell(value)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
    book.close()


def scorecard_text(plan: Plan, period: Period, lines: Sequence[Line]) -> str:
    """The scorecard for the terminal: exceptions first, then each priority's measures."""
    out = [f"{plan.title} — scorecard for {period.title} ({period.label})", ""]
    flagged = [ln for ln in exceptions_first(list(lines)) if ln.rag == "red" or _concerning(ln)]
    if flagged:
        out.append("Exceptions (off target or special-cause concern):")
        out += [f"  ! {ln.ref.wording}" for ln in flagged]
        out.append("")
    for priority in plan.priorities:
        mine = [ln for ln in lines if ln.priority.id == priority.id]
        if not mine:
            continue
        out.append(priority.title)
        for ln in mine:
            out.append(f"  {ln.ref.wording}")
            if ln.measure is None:
                out.append("      no catalogue measure computes this yet")
                continue
            unit = ln.measure.unit_label
            value = _fmt(ln.value)
            if ln.result is not None and ln.result.per_10k is not None:
                unit += f" ({_fmt(round(ln.result.per_10k, 1))} per 10,000 children)"
            target = _fmt(ln.target) if ln.target is not None else "no target"
            change = _fmt(ln.change.previous)
            yoy = _fmt(ln.change.year_earlier)
            spc = " / ".join(ln.spc.icons()) if ln.spc else "–"
            out.append(
                f"      value {value} {unit} | target {target} | RAG {ln.rag or '–'} | "
                f"change {change} (year {yoy}) | SPC {spc}"
            )
            for b in ln.benchmarks:
                out.append(
                    f"      {b.level}: {_fmt(b.value) if b.value is not None else b.symbol} "
                    f"({b.name}, {b.year})"
                )
        out.append("")
    return "\n".join(out)


def _concerning(line: Line) -> bool:
    return line.spc is not None and line.spc.variation == "special_cause_concerning"
