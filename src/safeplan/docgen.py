"""Reference sections of the docs, generated from the code so they cannot drift.

A generated section sits between ``<!-- generated:NAME -->`` and ``<!-- end:NAME -->`` in a
docs page; ``make docs`` (``python -m safeplan.docgen``) rewrites them, and a test fails
when a page is out of date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from safeplan.ingest import years
from safeplan.ingest.partner import partner_tables
from safeplan.ingest.rules import coverage, rules_markdown
from safeplan.ingest.staging import all_tables
from safeplan.ingest.templates import templates_markdown
from safeplan.store.schema import canonical_tables

DOCS = Path(__file__).resolve().parents[2] / "docs"


def canonical_markdown() -> str:
    lines = [
        "| source | staging table | canonical table | columns kept |",
        "| --- | --- | --- | --- |",
    ]
    for name, table in canonical_tables(partner_tables()).items():
        cols = ", ".join(f"`{n}`" for _, n, _ in table.columns)
        lines.append(f"| {table.staging.source} | `{name}` | `{table.name}` | {cols} |")
    return "\n".join(lines) + "\n"


def staging_markdown() -> str:
    lines = ["| table | record | fields (as the return names them) |", "| --- | --- | --- |"]
    for table in all_tables().values():
        if table.source == "annex_a":
            continue
        fields = ", ".join(f"{c.field}{'*' if c.required else ''}" for c in table.columns)
        lines.append(f"| `{table.name}` | {table.record} | {fields} |")
    return "\n".join(lines) + "\n\n`*` required.\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "–"


def audit_markdown() -> str:
    """Every built-in measure against the definition it follows: the audit table."""
    from safeplan.measures.catalogue import BUILT_IN
    from safeplan.measures.model import TIMINGS

    lines = [
        "| measure | follows | population | period | exclusions | SafePlan's difference |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for m in BUILT_IN:
        follows = f"{m.official} *(local)*" if m.official.local else str(m.official)
        lines.append(
            f"| `{m.id}` | {_cell(follows)} | {_cell(m.population)} | {TIMINGS[m.timing]} | "
            f"{_cell('; '.join(m.exclusions))} | {_cell(m.differences or 'none')} |"
        )
    return "\n".join(lines) + "\n"


def measures_markdown() -> str:
    from safeplan.measures.catalogue import BUILT_IN
    from safeplan.measures.model import TIMINGS

    out = []
    for m in BUILT_IN:
        out += [
            f"### {m.title} (`{m.id}`)",
            "",
            m.definition,
            "",
            "| | |",
            "| --- | --- |",
            f"| numerator | {m.numerator} |",
            f"| denominator | {m.denominator or '–'} |",
            f"| unit | {m.unit} ({m.unit_label}) |",
            f"| direction | {m.direction} |",
            f"| timing | {TIMINGS[m.timing]} |",
            f"| population | {m.population} |",
            f"| excludes | {'; '.join(m.exclusions) or '–'} |",
            f"| data | {', '.join(f'`{s}`' for s in m.sources) or 'a published aggregate'} |",
            f"| follows | {m.official}{' (local definition)' if m.official.local else ''} |",
            f"| differs | {m.differences or 'no: as the official definition'} |",
            f"| owner | {m.owner} (writes the commentary) |",
        ]
        if m.settings:
            settings = ", ".join(f"{k} = {v}" for k, v in m.settings.items())
            out.append(f"| settings | {settings} |")
        if m.notes:
            out.append(f"| notes | {m.notes} |")
        out.append("")
    return "\n".join(out)


SECTIONS: dict[str, Callable[[], str]] = {
    "measures": measures_markdown,
    "measure-audit": audit_markdown,
    "templates": lambda: (
        templates_markdown().split("\n", 2)[2].strip().replace("### ", "#### ") + "\n"
    ),
    "rules": rules_markdown,
    "coverage": coverage.markdown,
    "years": years.markdown,
    "canonical": canonical_markdown,
    "staging": staging_markdown,
}


def render(text: str) -> str:
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"<!-- generated:{name} -->\n.*?<!-- end:{name} -->", re.S)
        start, end = f"<!-- generated:{name} -->\n", f"<!-- end:{name} -->"
        text = pattern.sub((start + make() + end).replace("\\", "\\\\"), text)
    return text


def main() -> None:
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            print(f"updated {page}")


if __name__ == "__main__":
    main()
