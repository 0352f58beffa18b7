"""Untrusted input: every file is checked before a parser sees it.

Size is limited (settings.max_file_mb), XML may not carry a DOCTYPE (so no external
entities and no entity expansion, whatever the parser does), and text must be UTF-8 (one
encoding rule for every format: a CSV with a byte-order mark is UTF-8; an XML file that
declares another encoding is refused, though it may be well-formed). A file holding NUL bytes
is not text; a workbook is checked by its contents, not its name, and may not carry macros.
CSV rows and values are capped (`MAX_COLUMNS`, `MAX_FIELD_CHARS`) before any is read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from safeplan.config import settings
from safeplan.ingest.findings import FileRefused, refuse

PROLOG_BYTES = 64 * 1024
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

MAX_COLUMNS = 200
"""Columns a CSV or sheet may have: the widest SafePlan format has under 40, so a file with
thousands is refused at once rather than giving a finding per column."""
MAX_FIELD_CHARS = 10_000
"""Characters one value may hold: no field of any format needs more, and a longer one is a
paste error or an attack, not data."""


def check_not_binary(path: Path, head: bytes) -> None:
    """Refuse a file with NUL bytes: text (CSV, XML) never holds them, so it is another kind
    of file, or a damaged one, under a text name."""
    at = head.find(b"\0")
    if at >= 0:
        raise refuse(
            path.name,
            "SP-BINARY",
            f"the file holds NUL bytes (the first at byte {at:,}), so it is not a text file; "
            "check it is the CSV or XML export and not another file renamed",
            head[:at].count(b"\n") + 1,
        )


def check_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise refuse(path.name, "SP-FILE", f"cannot read the file ({exc.strerror})") from exc
    limit = int(settings().max_file_mb * 1024 * 1024)
    if size > limit:
        raise refuse(
            path.name,
            "SP-SIZE",
            f"the file is {size:,} bytes, over the limit of {limit:,} bytes "
            "(SAFEPLAN_MAX_FILE_MB); split it or raise the limit",
        )
    if size == 0:
        raise refuse(path.name, "SP-EMPTY", "the file is empty")
    return size


def check_xml_prolog(path: Path) -> None:
    """Refuse DOCTYPE and ENTITY declarations: the CIN census never needs them, attacks do."""
    with path.open("rb") as f:
        head = f.read(PROLOG_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(path.name, "SP-ENCODING", "the file is UTF-16; save it as UTF-8")
    check_not_binary(path, head)
    declared = _ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise refuse(
            path.name,
            "SP-ENCODING",
            f"the file declares the encoding {declared.group(1).decode()}; SafePlan reads XML as "
            "UTF-8 only (as the DfE's CIN census specification asks): save it as UTF-8",
            1,
        )
    found = _DOCTYPE.search(head)
    if found:
        line = head[: found.start()].count(b"\n") + 1
        raise refuse(
            path.name,
            "SP-XML-DOCTYPE",
            "the XML declares a DOCTYPE or entities, which SafePlan refuses for safety "
            "(external entities and entity expansion attacks); a CIN census file has none",
            line,
        )


def xml_events(source: BinaryIO, tags: tuple[str, ...]) -> etree.iterparse:
    """A hardened streaming parser: no entities, no network, no DTD, no huge trees.

    Call `check_size` and `check_xml_prolog` on the file first.
    """
    return etree.iterparse(
        source,
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def xml_error(path: Path, exc: etree.XMLSyntaxError) -> FileRefused:
    line = exc.lineno if exc.lineno else None
    message = str(exc.msg or exc)
    if "not proper UTF-8" in message or "encoding" in message.lower():
        text = f"the file is not UTF-8 text ({message}); save it as UTF-8"
        return refuse(path.name, "SP-ENCODING", text, line)
    if "Premature end" in message or "end of data" in message or _at_end(path, line):
        text = f"the XML ends too early, so the file looks truncated ({message})"
        return refuse(path.name, "SP-XML-TRUNCATED", text, line)
    return refuse(path.name, "SP-XML", f"the XML is not well-formed: {message}", line)


def read_text(path: Path) -> str:
    """A text file's contents, refusing anything that is not UTF-8 (a BOM is allowed), with
    every line ending as a newline: a lone CR (old Mac exports) ends a line as CRLF does."""
    check_size(path)
    raw = path.read_bytes()
    check_not_binary(path, raw)
    try:
        text = raw.decode("utf-8-sig")
        return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise refuse(
            path.name,
            "SP-ENCODING",
            f"the file is not UTF-8 text (byte {exc.start:,} on line {line} cannot be read); "
            "save it as UTF-8 (in Excel: Save As, CSV UTF-8)",
            line,
        ) from exc


def _at_end(path: Path, line: int | None) -> bool:
    """Did the parser fail on the file's last line? Then the file was cut short."""
    if line is None:
        return False
    with path.open("rb") as f:
        lines = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
    return line >= lines
