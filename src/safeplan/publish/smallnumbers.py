"""Small numbers in free text: the check every piece of prose passes before a public output
prints it.

Why: the public figures withhold counts of 1 to 5 (``measures.suppression``), but commentary
printed word for word can undo that: "2.4% (2 of 85 plans)" beside a withheld "c" gives the
count back. So text meant for the public is read for what could disclose a small count, and
``findings`` says where and why; text with any finding stays with the partners.

What is flagged (the threshold is the DfE's, ``DEFAULT_THRESHOLD``):

- a count of 1 to 5, in figures or in words ("2 children", "three families", "rose to 4");
- "x of y" or "x out of y" where x, or y − x (the rest), is 1 to 5 ("2 of 85", "80 of 85");
- a percentage whose stated base is small, or which with its base implies a small count or a
  small rest ("50% of 4 children", "2.4% (2 of 85 plans)", "(n=3)").

What is not: years and financial years ("2024-25"), quarters ("Q3", "quarter 2"), dates
("3 March 2025", "31/03/2025"), times ("2:30pm"), ordinals ("3rd"), numbered things
("priority 2", "section 47", "Year 6", "Working Together 2023"), durations and ages
("within 3 working days", "aged 4"), ratios ("1 in 4"), money, and figures fused to letters
("S47", "KS2"). The check is deliberately cautious: a sentence it flags can always be put
without the small number ("fewer than 6", "a small number").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from safeplan.measures.suppression import DEFAULT_THRESHOLD

COUNT = f"a count of 1 to {DEFAULT_THRESHOLD}"
PART = f"x of y with a small x or small y−x (1 to {DEFAULT_THRESHOLD})"
PERCENT = f"a percentage of a small base, or implying a count of 1 to {DEFAULT_THRESHOLD}"


@dataclass(frozen=True)
class Finding:
    """A span of the text that could disclose a small count, and why."""

    start: int
    end: int
    text: str
    why: str


def findings(text: str) -> list[Finding]:
    """Every span of ``text`` that could disclose a count of 1 to 5, in order."""
    masked = _masks(text)
    numbers = [n for n in _numbers(text) if not _masked(n, masked)]
    found: list[Finding] = []
    used: set[int] = set()  # numbers already read as part of a percentage or an x of y
    for percent, base in _percentages(text, numbers):
        used.update(id(n) for n in base)
        if _small_percentage(percent, base):
            found.append(_finding(text, percent.start, _percentage_end(text, base), PERCENT))
    for x, y in _parts(text, numbers):
        if id(x) in used:
            continue
        used.update((id(x), id(y)))
        if _small_part(x.value, y.value):
            found.append(_finding(text, x.start, _count_end(text, y), PART))
    for n in numbers:
        if id(n) not in used and not n.percent and _small(n.value) and _is_count(text, n):
            found.append(_finding(text, n.start, _count_end(text, n), COUNT))
    return sorted(found, key=lambda f: (f.start, f.end))


def passes(text: str) -> bool:
    """May this text be printed in a public output?"""
    return not findings(text)


# --- numbers in the text -----------------------------------------------------------------

UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORDS = {w: i for i, w in enumerate(UNITS)} | {w: 10 + i for i, w in enumerate(TEENS)}
WORDS |= {w: 20 + 10 * i for i, w in enumerate(TENS)}
_WORD = "|".join(sorted(WORDS, key=len, reverse=True))
_NUMERAL = r"(?<![\w.,:£$€/])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|[.,]\d)"
_NUMBER_WORD = rf"\b(?:{'|'.join(TENS)})[-\s](?:{'|'.join(UNITS[1:])})\b|\b(?:{_WORD})\b"
NUMBER = re.compile(rf"{_NUMERAL}|{_NUMBER_WORD}", re.IGNORECASE)
PERCENT_SIGN = re.compile(r"\s*(?:%|per\s?cent\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    value: float
    word: bool  # written in words ("three")
    percent: bool  # followed by % or "per cent"


def _numbers(text: str) -> Iterator[Number]:
    for m in NUMBER.finditer(text):
        raw = m.group(0).lower()
        if raw[0].isdigit():
            value, word = float(raw.replace(",", "")), False
        else:
            value, word = float(sum(WORDS[w] for w in re.split(r"[-\s]", raw))), True
        sign = PERCENT_SIGN.match(text, m.end())
        yield Number(m.start(), sign.end() if sign else m.end(), value, word, sign is not None)


def _small(value: float) -> bool:
    return value.is_integer() and 1 <= value <= DEFAULT_THRESHOLD


def _small_part(x: float, y: float) -> bool:
    return x.is_integer() and y.is_integer() and x <= y and (_small(x) or _small(y - x))


# --- what is not a count -----------------------------------------------------------------

_N = rf"(?:\d+[a-z]?|{_WORD})"  # a number in a label: "priority 2", "section 4a", "step one"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_LABELS = (
    r"priority|priorities|section|sections|s\.|paragraph|para|paras|page|pages|chapter|part"
    r"|parts|appendix|annex|table|figure|fig\.|chart|item|step|stage|phase|level|tier|version"
    r"|option|point|recommendation|recommendations|objective|outcome|standard|rule|principle"
    r"|theme|strand|goal|aim|question|workstream|key\s+stage|wave|round|number|no\."
    r"|article|schedule|regulation|clause|band|grade|category|ward|district|locality|cohort"
    r"|measure|indicator|action|milestone|box|line|row|column|sheet|slide"
)
_UNITS_OF_TIME = (
    r"(?:working\s+|calendar\s+|school\s+|clear\s+)?"
    r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|fortnights?|months?|years?)"
)
MASKS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?![a-z])(?:,?\s+\d{{4}})?",  # 3 March
        rf"\b{_MONTH}(?![a-z])\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?",  # March 3, 2025
        r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b",  # 31/03/2025, 2025-03-31
        r"\b(?:19|20)\d\d\s*(?:[-–—/]|to)\s*(?:(?:19|20)?\d\d)\b",  # 2024-25, 2024 to 2025
        rf"\b(?:{_LABELS})\s+{_N}(?:\s*(?:,|and|or|to|-|–|&)\s*{_N}\b)*",  # priority 2, 3 and 4
        r"\bquarter\s+[1-4]\b(?!\s+(?!of\b)[a-z])",  # quarter 2 (not "last quarter 2 children")
        r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?",  # 14:30, 2:30pm
        r"\b\d{1,2}(?:\.\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)(?![a-z])",  # 3pm, 2.30 pm
        rf"\b{_N}\s+o'?clock\b",
        rf"\b(?:{_N}\s*(?:-|–|to)\s*)?{_N}[\s-]+{_UNITS_OF_TIME}\b",  # within 3 working days
        rf"\bage[sd]?\s+{_N}(?:\s*(?:-|–|to|and)\s*{_N})?\b",  # aged 4, ages 3 to 5
        r"\bunder[\s-]+(?:5|five)s\b",
        r"\bone[\s-]+to[\s-]+one\b",
        rf"\b{_N}\s+in\s+(?:every\s+)?(?!(?:19|20)\d\d)\b{_N}\b",  # 1 in 4: a proportion
        r"[£$€]\s*\d[\d,]*(?:\.\d+)?(?:\s*(?:m|bn|k|million|billion|thousand)\b)?",
        r"\b\d+(?:\.\d+)?\s*(?:m|bn|k|million|billion|thousand)\b",
        r"\b0\d+\b",  # a reference with a leading zero ("seed 003"), not a count
        r"(?:^|\n)[ \t]*\(?\d{1,2}[.)](?=\s)",  # a numbered list: "1. ..." or "2) ..."
    )
]


SCHOOL_YEAR = re.compile(rf"\bYears?\s+{_N}(?:\s*(?:,|and|or|to|-|–)\s*{_N}\b)*")  # "Year 6"


def _masks(text: str) -> list[tuple[int, int]]:
    """The spans where a number is a date, a label, a time, a duration... not a count."""
    return [m.span() for mask in (*MASKS, SCHOOL_YEAR) for m in mask.finditer(text)]


def _masked(n: Number, spans: list[tuple[int, int]]) -> bool:
    return any(start <= n.start < end for start, end in spans)


NOT_A_COUNT_AFTER = re.compile(
    r"[\s-]*(?:per\b|times\s+(?:more|less|higher|lower|as)\b"
    r"|(?:halves|half|thirds?|quarters?|fifths?|tenths?)\b)",
    re.IGNORECASE,
)
ONE_AS_A_WORD = re.compile(
    r"[\s-]+(?:another|to[\s-]+one|off|stop|day|way|hand|time|point|thing|place|side|size"
    r"|voice|team|plan|front|approach|system|more|of\s+(?:the|our|its|their|these|those|them"
    r"|us|many|several|a|an|which|whom|my|your)\b)",
    re.IGNORECASE,
)
NOT_ONE_BEFORE = re.compile(r"\b(?:no|any|every|each|which|this|that|the)\s+$", re.IGNORECASE)


def _is_count(text: str, n: Number) -> bool:
    """A small whole number read as a count, unless what is around it says otherwise."""
    if NOT_A_COUNT_AFTER.match(text, n.end):
        return False
    if n.word and text[n.start : n.end].lower() == "one":
        return not (ONE_AS_A_WORD.match(text, n.end) or NOT_ONE_BEFORE.search(text[: n.start]))
    return True


# --- counts, parts and percentages -------------------------------------------------------

OF = re.compile(r"\s+(?:out\s+)?of\s+(?:the\s+|all\s+|our\s+|a\s+total\s+of\s+)?$", re.I)
BASE = re.compile(
    r"\s*(?:\(\s*(?:n\s*=\s*)?|of\s+(?:the\s+|all\s+|our\s+|a\s+total\s+of\s+)?|among\s+)$",
    re.IGNORECASE,
)
NOUN = re.compile(r"\s+([a-z][\w'’-]*)", re.IGNORECASE)
NOT_A_NOUN = frozenset(
    [
        "and",
        "or",
        "to",
        "of",
        "in",
        "on",
        "at",
        "the",
        "a",
        "an",
        "is",
        "was",
        "were",
        "are",
        "by",
        "from",
        "for",
        "with",
        "than",
        "per",
        "as",
        "but",
        "so",
        "this",
        "that",
        "these",
        "those",
        "then",
    ]
)


def _parts(text: str, numbers: list[Number]) -> Iterator[tuple[Number, Number]]:
    """Each "x of y" and "x out of y"."""
    for x, y in pairwise(numbers):
        if not x.percent and not y.percent and OF.match(text[x.end : y.start]):
            yield x, y


def _percentages(text: str, numbers: list[Number]) -> Iterator[tuple[Number, list[Number]]]:
    """Each percentage with the base or count stated just after it: "50% of 4 children",
    "2.4% (2 of 85 plans)", "(n=3)"; a percentage with nothing stated after it yields none."""
    for i, p in enumerate(numbers):
        if not p.percent or i + 1 == len(numbers):
            continue
        first = numbers[i + 1]
        if first.percent or not BASE.match(text[p.end : first.start]):
            continue
        base = [first]
        if i + 2 < len(numbers) and OF.match(text[first.end : numbers[i + 2].start]):
            base.append(numbers[i + 2])
        yield p, base


def _small_percentage(percent: Number, base: list[Number]) -> bool:
    """The stated count or base is small, or the count the percentage implies (or its rest)."""
    if len(base) == 2:
        return _small_part(base[0].value, base[1].value)
    whole = base[0].value
    implied = float(round(percent.value * whole / 100))
    return _small(whole) or _small_part(implied, whole)


def _percentage_end(text: str, base: list[Number]) -> int:
    """The end of the base as written, with its noun and closing bracket: "(2 of 85 plans)"."""
    end = _count_end(text, base[-1])
    close = re.match(r"\s*\)", text[end:])
    return end + close.end() if close else end


def _count_end(text: str, n: Number) -> int:
    """The number with the noun it counts, when one follows: "2 children"."""
    noun = NOUN.match(text, n.end)
    return noun.end() if noun and noun.group(1).lower() not in NOT_A_NOUN else n.end


def _finding(text: str, start: int, end: int, why: str) -> Finding:
    return Finding(start, end, text[start:end], why)
