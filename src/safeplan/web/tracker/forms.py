"""Reading the tracker's forms, with GOV.UK error messages.

Each check returns the value and adds any problem to ``errors`` as ``{"text", "href"}``: the
error summary links to the field, and the template shows the same text inline. A date comes
from the GOV.UK date input's three boxes (``<name>-day``, ``-month``, ``-year``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from safeplan.web.errors import DATE_PARTS
from safeplan.web.tracker.models import MAX_URL, https_only

Errors = list[dict[str, str]]
PARTS = DATE_PARTS  # a GOV.UK date input's three boxes


@dataclass(frozen=True)
class DateEntry:
    """What was typed in a date input, to show back, and which boxes were wrong."""

    day: str = ""
    month: str = ""
    year: str = ""
    wrong: tuple[str, ...] = ()

    @classmethod
    def of(cls, value: datetime.date | None) -> DateEntry:
        if value is None:
            return cls()
        return cls(str(value.day), str(value.month), str(value.year))


def text(
    data: Mapping[str, str], name: str, label: str, errors: Errors, *, limit: int, needed: bool
) -> str:
    """A text field, trimmed; "Enter ..." when needed and empty, too long refused."""
    value = data.get(name, "").strip()
    if needed and not value:
        errors.append({"text": f"Enter {label}", "href": f"#{name}"})
    elif len(value) > limit:
        what = label[0].upper() + label[1:]
        errors.append({"text": f"{what} must be {limit:,} characters or fewer", "href": f"#{name}"})
    return value


def date(
    data: Mapping[str, str], name: str, label: str, errors: Errors, *, needed: bool
) -> tuple[datetime.date | None, DateEntry]:
    """A date from a GOV.UK date input; ``label`` starts the messages ("The due date")."""
    day, month, year = (data.get(f"{name}-{p}", "").strip() for p in PARTS)
    typed = {"day": day, "month": month, "year": year}
    entry = DateEntry(day, month, year)
    if not any(typed.values()):
        if needed:
            errors.append({"text": f"Enter {label.lower()}", "href": f"#{name}-day"})
            return None, DateEntry(wrong=PARTS)
        return None, entry
    missing = tuple(p for p in PARTS if not typed[p])
    if missing:
        errors.append(
            {
                "text": f"{label} must include a {' and '.join(missing)}",
                "href": f"#{name}-{missing[0]}",
            }
        )
        return None, DateEntry(day, month, year, missing)
    if not all(v.isdigit() for v in typed.values()) or len(typed["year"]) != 4:
        bad = tuple(p for p in PARTS if not typed[p].isdigit()) or ("year",)
        errors.append({"text": f"{label} must be a real date", "href": f"#{name}-{bad[0]}"})
        return None, DateEntry(day, month, year, bad)
    try:
        value = datetime.date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except ValueError:
        errors.append({"text": f"{label} must be a real date", "href": f"#{name}-day"})
        return None, DateEntry(day, month, year, PARTS)
    return value, entry


def evidence_link(data: Mapping[str, str], name: str, errors: Errors) -> str:
    """An optional link to evidence: https only, a real web address, not too long."""
    value = data.get(name, "").strip()
    if not value:
        return ""
    if len(value) > MAX_URL:
        errors.append(
            {"text": f"The link must be {MAX_URL} characters or fewer", "href": f"#{name}"}
        )
    elif not value.lower().startswith("https://"):
        errors.append({"text": "Enter a link that starts with https://", "href": f"#{name}"})
    else:
        try:
            https_only(value)
        except ValidationError:
            errors.append(
                {
                    "text": "Enter a real web address, like https://www.example.org/report",
                    "href": f"#{name}",
                }
            )
    return value


def choice(
    data: Mapping[str, str], name: str, allowed: Mapping[str, object], message: str, errors: Errors
) -> str:
    """One of the allowed values (radios), else ``message``."""
    value = data.get(name, "")
    if value not in allowed:
        errors.append({"text": message, "href": f"#{name}"})
        return ""
    return value
