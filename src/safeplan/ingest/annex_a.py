"""Annex A workbook reader (Ofsted's lists 1–11), and the safe opening of any workbook.

A workbook is a zip of XML: it is checked to be a real zip whose parts, unpacked, stay
within the size limit (no zip bombs) before calamine reads it. Calamine (Rust) neither
loads DTDs nor expands entities, and reads a large workbook ten times faster than openpyxl.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from safeplan.config import settings
from safeplan.ingest.fields import parse_any_date
from safeplan.ingest.findings import Severity, refuse
from safeplan.ingest.safety import check_size
from safeplan.ingest.staged import Staged
from safeplan.ingest.staging import StagingTable, annex_a_tables, snake
from safeplan.ingest.tabular import year_from_path


def open_workbook(path: Path) -> CalamineWorkbook:
    check_size(path)
    if not zipfile.is_zipfile(path):
        raise refuse(path.name, "SP-XLSX", "this is not an Excel workbook (.xlsx); save it as one")
    with zipfile.ZipFile(path) as z:
        unpacked = sum(i.file_size for i in z.infolist())
        limit = int(settings().max_file_mb * 1024 * 1024)
        if unpacked > limit:
            raise refuse(
                path.name,
                "SP-XLSX-SIZE",
                f"the workbook unpacks to {unpacked:,} bytes, over the limit of {limit:,}",
            )
        names = set(z.namelist())
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise refuse(path.name, "SP-XLSX", "this zip file is not an Excel workbook (.xlsx)")
        if "xl/vbaProject.bin" in names or b"macroEnabled" in z.read("[Content_Types].xml"):
            raise refuse(
                path.name,
                "SP-XLSX-MACRO",
                "the workbook is macro-enabled (an .xlsm, whatever its name), which SafePlan "
                "refuses for safety; save it as an Excel Workbook (.xlsx) without macros",
            )
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise refuse(path.name, "SP-XLSX", f"the workbook cannot be read ({exc})") from exc


def sheet_rows(book: CalamineWorkbook, sheet: str) -> Iterator[list[Any]]:
    try:
        yield from book.get_sheet_by_name(sheet).iter_rows()
    except Exception as exc:
        raise refuse(sheet, "SP-XLSX", f"the sheet {sheet!r} cannot be read ({exc})") from exc


def cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV would hold: dates (and date-times) in ISO form,
    whole numbers without '.0', blanks empty; so workbooks and CSVs share one reader."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def read_annex_a(path: Path, year: str | None = None) -> Staged:
    book = open_workbook(path)
    with book:
        specs = {t.record.removesuffix(" row"): t for t in annex_a_tables()}
        if not set(book.sheet_names) & set(specs):
            raise refuse(
                path.name,
                "SP-ANNEXA",
                "this workbook has none of the Annex A sheets "
                "(List 1 … List 11); check it is the Annex A return",
            )
        staged = Staged(path, "annex_a", "annex_a", year or year_from_path(path))
        for sheet in book.sheet_names:
            spec = specs.get(sheet)
            if spec is None:
                staged.finding(
                    sheet,
                    "",
                    "SP-ANNEXA-SHEET",
                    f"the sheet {sheet!r} is not an Annex A list; ignored",
                    None,
                    severity=Severity.warning,
                )
                continue
            _read_sheet(staged, book, sheet, spec)
        return staged


def _read_sheet(staged: Staged, book: CalamineWorkbook, sheet: str, spec: StagingTable) -> None:
    rows = sheet_rows(book, sheet)
    header = [snake(cell_text(h)) for h in next(rows, ())]
    missing = [c.field for c in spec.columns if c.required and c.name not in header]
    if missing:
        raise refuse(
            staged.file.name,
            "SP-ANNEXA-COLUMNS",
            f"the sheet {sheet!r} has no {', '.join(missing)} column",
            1,
        )
    staged.table(spec)  # a sheet with no rows is still staged
    for n, cells in enumerate(rows, start=2):
        raw = {h: cell_text(v) for h, v in zip(header, cells, strict=False) if h}
        if not any(raw.values()):
            continue
        child = (raw.get("child_unique_id") or "").strip()
        staged.add_row(spec, raw, {"date": parse_any_date}, f"{sheet} row {n}", n, child)
