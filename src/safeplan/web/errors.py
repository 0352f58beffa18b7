"""The GOV.UK error summary's companion: each field's own inline message.

Pages collect problems as the error summary lists them (``{"text", "href": "#field-id"}``);
each field then shows the first problem that links to it. A date's three boxes
(``#due-day``, ``#due-month``, ``#due-year``) share their date's message (``due``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DATE_PARTS = ("day", "month", "year")


def field_errors(errors: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Each field's first problem, by field id."""
    found: dict[str, str] = {}
    for error in errors:
        key = error["href"].lstrip("#")
        if key.endswith(tuple(f"-{part}" for part in DATE_PARTS)):
            key = key.rsplit("-", 1)[0]
        found.setdefault(key, error["text"])
    return found
