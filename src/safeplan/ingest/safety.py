"""Untrusted input: every file is checked before a parser sees it.

Size is limited (settings.max_file_mb), XML may not carry a DOCTYPE (so no external
entities and no entity expansion, whatever the parser does), and text must be UTF-8.
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
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(path.name, "SP-ENCODING", "the file is UTF-16; save it as UTF-8")


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
    """A text file's contents, refusing anything that is not UTF-8 (a BOM is allowed)."""
    check_size(path)
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
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
