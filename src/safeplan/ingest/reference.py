"""The reference lists some SSDA903 rules check a return against: the ONS postcode list (for
the placement's distance from home, its local authority and whether it is in or out of the
council's area) and Ofsted's list of social care providers (for the placement's URN).

They are inputs to checking only, never loaded into the store: staged into each check's
DuckDB as ``sp_postcode`` and ``sp_provider`` (and the council's area code, from
SAFEPLAN_LA_CODE, as ``sp_council``), where the rules (`safeplan.ingest.rules.s903_places`)
derive PL_LA, PL_LOCATION and PL_DISTANCE in SQL, as the DfE and the field's validator
(data-to-insight csc-validator-be-903, ``lac_validator/datastore.py``) derive them.

Postcodes: a CSV as the ONS Postcode Directory (ONSPD) publishes it, or any extract of it,
with the columns ``pcd`` (or ``pcds``/``pcd2``: the postcode), ``oseast1m`` and ``osnrth1m``
(grid reference, metres; blank where the ONS has none), and the local authority district as
``oslaua`` or ``laua`` (or ``lad``); optionally the upper tier as ``utla`` or the county as
``cty`` (E99999999 where there is none: the district is then its own upper tier).

Providers: Ofsted's "social care providers" list (or its children's homes list), as CSV or
XLSX (every sheet with a URN column: Ofsted's current and closed providers), with the
columns ``URN``, the placement codes (``Placement code``, ``Provider Placement Code``:
"K2, R3" or "K2/R3"), the placement provider codes (``Placement provider code``,
``Provider Code``), the closure date (``Deregistration date``, ``Closed Date``) and the
setting's postcode (``Setting postcode``, ``Setting Address Postcode``); optionally
``Local authority`` (its name, kept for reading only) and ``LA code`` (the upper-tier LA
code of the setting; otherwise it is found from the postcode list).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from safeplan.config import settings
from safeplan.ingest.findings import FileRefused, refuse

POSTCODES, PROVIDERS, COUNCIL = "sp_postcode", "sp_provider", "sp_council"
NEEDS = {
    POSTCODES: "the ONS postcode list: --postcodes FILE or SAFEPLAN_POSTCODES",
    PROVIDERS: "the Ofsted provider list: --providers FILE or SAFEPLAN_PROVIDERS",
    COUNCIL: "the council's area code: SAFEPLAN_LA_CODE",
}
"""What each reference table is, as a rule that cannot run without it says."""

_POSTCODE_COLUMNS: dict[str, tuple[str, ...]] = {
    "pcd": ("pcd", "pcds", "pcd2", "postcode"),
    "east": ("oseast1m",),
    "north": ("osnrth1m",),
    "la": ("oslaua", "laua", "lad"),
}
_POSTCODE_OPTIONAL: dict[str, tuple[str, ...]] = {"utla": ("utla", "oscty", "cty")}
_PROVIDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "urn": ("urn",),
    "place_codes": ("placement code", "provider placement code", "place_codes"),
    "provider_codes": ("placement provider code", "provider code", "provider_codes"),
    "postcode": ("setting postcode", "setting address postcode", "postcode"),
}
_PROVIDER_OPTIONAL: dict[str, tuple[str, ...]] = {
    "reg_end": ("deregistration date", "closed date", "reg_end"),
    "la_name": ("local authority", "la_name_from_file"),
    "la_code": ("la code", "la_code"),
}
NO_COUNTY = "E99999999"  # the ONSPD's county code where a district has no county above it
_CODES = re.compile(r"[\s,/;]+")


@dataclass(frozen=True)
class References:
    """Where the reference lists are, and the council's area code; paths only, so that it
    crosses to the worker processes that check files."""

    postcodes: Path | None = None
    providers: Path | None = None
    la_code: str = ""

    @classmethod
    def from_settings(
        cls, postcodes: Path | None = None, providers: Path | None = None
    ) -> References:
        """The files given (``--postcodes``, ``--providers``), else SAFEPLAN_POSTCODES and
        SAFEPLAN_PROVIDERS; the council's code from SAFEPLAN_LA_CODE."""
        s = settings()
        return cls(postcodes or s.postcodes, providers or s.providers, s.la_code.strip().upper())

    def read(self) -> None:
        """Read both lists now (they are read once a process), so a bad one is refused
        before any return is checked."""
        if self.postcodes is not None:
            postcode_table(self.postcodes)
        if self.providers is not None:
            provider_table(self.providers)

    def stage(self, con: duckdb.DuckDBPyConnection) -> None:
        """The lists given, and the council's code when set, as tables of ``con``."""
        if self.postcodes is not None:
            postcodes = postcode_table(self.postcodes)  # noqa: F841 - read by DuckDB
            con.execute(
                f"CREATE OR REPLACE TABLE {POSTCODES} AS SELECT DISTINCT ON (pcd) * FROM postcodes"
            )
        if self.providers is not None:
            providers = provider_table(self.providers)  # noqa: F841 - read by DuckDB
            con.execute(f"CREATE OR REPLACE TABLE {PROVIDERS} AS SELECT * FROM providers")
        if self.la_code:
            con.execute(
                f"CREATE OR REPLACE TABLE {COUNCIL} AS SELECT ?::VARCHAR AS la", [self.la_code]
            )


def max_bytes() -> int:
    """The largest reference file read (SAFEPLAN_MAX_REFERENCE_MB): the full ONSPD CSV is
    over a gigabyte, so the default is higher than for returns."""
    return int(settings().max_reference_mb * 1024 * 1024)


def _checked(path: Path) -> os.stat_result:
    try:
        stat = path.stat()
    except OSError as exc:
        raise refuse(path.name, "SP-REFERENCE", f"cannot read the file ({exc.strerror})") from exc
    if stat.st_size > max_bytes():
        raise refuse(
            path.name,
            "SP-SIZE",
            f"the file is {stat.st_size:,} bytes, over the limit of {max_bytes():,} bytes "
            "(SAFEPLAN_MAX_REFERENCE_MB); keep only the columns SafePlan reads, or raise it",
        )
    if stat.st_size == 0:
        raise refuse(path.name, "SP-EMPTY", "the file is empty")
    return stat


_CACHE: dict[tuple[str, str, int, int], pa.Table] = {}


def _cached(kind: str, path: Path, read: Any) -> pa.Table:
    """Each list read once a process (the ONSPD is large), again when the file changes."""
    stat = _checked(path)
    key = (kind, str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE[key] = read(path)
    return _CACHE[key]


def postcode_table(path: Path) -> pa.Table:
    """The postcode list as ``pcd`` (upper case, no spaces), ``east`` and ``north``
    (metres), ``la`` (district) and ``utla`` (upper tier)."""
    return _cached("postcodes", path, _read_postcodes)


def provider_table(path: Path) -> pa.Table:
    """The provider list as ``urn``, ``place_codes`` and ``provider_codes`` (lists),
    ``reg_end`` (date), ``postcode`` (upper case, no spaces), ``la_name``, ``la_code``."""
    return _cached("providers", path, _read_providers)


def _columns(
    path: Path, header: list[str], needed: dict[str, tuple[str, ...]],
    optional: dict[str, tuple[str, ...]], line: int,
) -> dict[str, int]:  # fmt: skip
    """Where each column SafePlan reads is (by any of its names, case and spaces aside)."""
    names = [" ".join(str(h or "").split()).lower() for h in header]
    out: dict[str, int] = {}
    for key, aliases in (needed | optional).items():
        found = next((names.index(a) for a in aliases if a in names), None)
        if found is not None:
            out[key] = found
        elif key in needed:
            raise refuse(
                path.name,
                "SP-REFERENCE-COLUMNS",
                f"this list has no {' or '.join(aliases)} column; it needs the columns "
                + ", ".join(a[0] for a in needed.values()),
                line,
                field=aliases[0],
            )
    return out


def _bad(path: Path, line: int, field: str, message: str) -> FileRefused:
    return refuse(path.name, "SP-REFERENCE", message, line, location=f"row {line}", field=field)


def postcode_key(value: object) -> str | None:
    """A postcode as the lists are joined on it: upper case, no spaces, blank as None."""
    text = "".join(str(value or "").split()).upper()
    return text or None


def _csv_rows(path: Path) -> Iterator[list[str]]:
    """A CSV's rows, refusing what is not UTF-8 text (streamed: the ONSPD is large)."""
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            yield from csv.reader(text)
        except UnicodeDecodeError as exc:
            raise refuse(
                path.name, "SP-ENCODING", "the file is not UTF-8 text; save it as UTF-8"
            ) from exc
        except csv.Error as exc:
            raise refuse(path.name, "SP-CSV", f"the CSV cannot be read ({exc})") from exc


def _read_postcodes(path: Path) -> pa.Table:
    if path.suffix.lower() != ".csv":
        raise refuse(path.name, "SP-FILETYPE", "the postcode list is read as CSV (the ONSPD's)")
    rows = _csv_rows(path)
    header = next(rows, None)
    if not header:
        raise refuse(path.name, "SP-CSV-HEADER", "the first row should name the columns", 1)
    at = _columns(path, header, _POSTCODE_COLUMNS, _POSTCODE_OPTIONAL, 1)
    out: dict[str, list[Any]] = {"pcd": [], "east": [], "north": [], "la": [], "utla": []}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in at.items()}
        pcd = postcode_key(cells["pcd"])
        if pcd is None:
            raise _bad(path, line, header[at["pcd"]], "the postcode is blank")
        grid = []
        for key in ("east", "north"):
            try:
                grid.append(float(cells[key]) if cells[key] else None)
            except ValueError:
                raise _bad(
                    path, line, header[at[key]],
                    f"the grid reference {cells[key]!r} is not a number (metres)",
                ) from None  # fmt: skip
        la = cells["la"].upper() or None
        upper = cells.get("utla", "").upper()
        out["pcd"].append(pcd)
        out["east"].append(grid[0])
        out["north"].append(grid[1])
        out["la"].append(la)
        out["utla"].append(upper if upper and upper != NO_COUNTY else la)
    types = {"east": pa.float64(), "north": pa.float64()}
    return pa.table({k: pa.array(v, type=types.get(k, pa.string())) for k, v in out.items()})


def _sheets(path: Path) -> Iterator[tuple[str, Iterator[list[Any]]]]:
    """The provider list's tables: the CSV, or each sheet of the workbook."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield path.name, _csv_rows(path)
        return
    if suffix not in (".xlsx", ".xlsm"):
        raise refuse(path.name, "SP-FILETYPE", "the provider list is read as .csv or .xlsx")
    from safeplan.ingest.annex_a import open_workbook, sheet_rows

    with open_workbook(path) as book:
        for sheet in book.sheet_names:
            yield sheet, sheet_rows(book, sheet)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for form in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(text)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a URN a spreadsheet holds as a number
    return str(value if value is not None else "").strip()


def _codes(value: object) -> list[str]:
    return [c for c in _CODES.split(_text(value).upper()) if c]


def _read_providers(path: Path) -> pa.Table:
    out: dict[str, list[Any]] = {
        "urn": [], "place_codes": [], "provider_codes": [], "reg_end": [], "postcode": [],
        "la_name": [], "la_code": [],
    }  # fmt: skip
    read = 0
    for sheet, rows in _sheets(path):
        where = "" if sheet == path.name else f"sheet {sheet!r} "
        header: list[Any] | None = None
        for line, row in enumerate(rows, start=1):
            if header is None:
                if line > 20:
                    break  # a sheet without a URN column (notes, a summary) is not a list
                if any(_text(c).lower() == "urn" for c in row):
                    header = [_text(c) for c in row]
                    at = _columns(path, header, _PROVIDER_COLUMNS, _PROVIDER_OPTIONAL, line)
                continue
            cells = {k: (row[i] if i < len(row) else None) for k, i in at.items()}
            urn = _text(cells["urn"]).upper()
            if not urn:
                continue
            try:
                reg_end = _date(cells.get("reg_end"))
            except ValueError:
                raise _bad(
                    path, line, header[at["reg_end"]],
                    f"{where}the date {_text(cells.get('reg_end'))!r} is not a date "
                    "(dd/mm/yyyy)",
                ) from None  # fmt: skip
            out["urn"].append(urn)
            out["place_codes"].append(_codes(cells["place_codes"]))
            out["provider_codes"].append(_codes(cells["provider_codes"]))
            out["reg_end"].append(reg_end)
            out["postcode"].append(postcode_key(cells["postcode"]))
            out["la_name"].append(_text(cells.get("la_name")) or None)
            out["la_code"].append(_text(cells.get("la_code")).upper() or None)
            read += 1
        if header is None and path.suffix.lower() == ".csv":
            raise refuse(path.name, "SP-REFERENCE-COLUMNS", "this list has no URN column", 1)
    if not read:
        raise refuse(path.name, "SP-REFERENCE", "the provider list has no provider with a URN")
    types = {
        "place_codes": pa.list_(pa.string()),
        "provider_codes": pa.list_(pa.string()),
        "reg_end": pa.date32(),
    }
    return pa.table({k: pa.array(v, type=types.get(k, pa.string())) for k, v in out.items()})
