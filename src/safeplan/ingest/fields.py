"""Reading one value: dates, yes/no, whole numbers, with a plain-English reason on failure."""

from __future__ import annotations

from datetime import date, datetime


class BadValue(ValueError):
    pass


def parse_iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text[:10]) if len(text) in (10, 16, 19, 25) else _bad(text)
    except ValueError:
        return _bad(text)


def parse_uk_date(text: str) -> date:
    """dd/mm/YYYY, as the SSDA903 files and Annex A use."""
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return _bad(text, "dd/mm/yyyy")


def parse_partial_uk_date(text: str) -> date:
    """dd/mm/YYYY with ``ZZ`` for a day or month not known, as the DfE allows for a previous
    permanence order: read as the latest date it can be (ZZ/05/2015 is 31 May 2015, ZZ/ZZ/2015
    31 December 2015), so a check that the order came before care never flags a date that
    may have been earlier (the validator's reading)."""
    day, _, rest = text.upper().partition("/")
    month, _, year = rest.partition("/")
    if "ZZ" not in (day, month):
        return parse_uk_date(text)
    try:
        if month == "ZZ":
            month = "12"
        if day != "ZZ":
            return parse_uk_date(f"{day}/{month}/{year}")
        first = parse_uk_date(f"01/{month}/{year}")
    except BadValue:
        return _bad(text, "dd/mm/yyyy, with ZZ for a day or month not known")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _bad(text: str, form: str = "yyyy-mm-dd") -> date:
    raise BadValue(f"'{text}' is not a real date in the form {form}")


def parse_timestamp(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"'{text}' is not a date and time like 2024-05-23T11:14:05") from None


_YES = {"true": True, "1": True, "y": True, "yes": True}
_NO = {"false": False, "0": False, "n": False, "no": False}


def parse_bool(text: str) -> bool:
    key = text.strip().lower()
    if key in _YES:
        return _YES[key]
    if key in _NO:
        return _NO[key]
    raise BadValue(f"'{text}' is not a yes/no value (true/false, 1/0 or Y/N)")


def parse_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadValue(f"'{text}' is not a whole number") from None
    if value < 0:
        raise BadValue(f"'{text}' is negative")
    return value


def parse_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise BadValue(f"'{text}' is not a number") from None


def parse_any_date(text: str) -> date:
    """Partner templates use yyyy-mm-dd; dd/mm/yyyy (Excel's UK default) is accepted too."""
    return parse_uk_date(text) if "/" in text else parse_iso_date(text)
