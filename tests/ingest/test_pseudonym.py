"""Pseudonyms: stable per key, linkable across agencies' spellings, unlinkable across keys."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from safeplan.ingest.pseudonym import PSEUDONYM_HEX, pseudonymise

ids = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).filter(
    lambda s: s.strip() != ""
)
keys = st.binary(min_size=16, max_size=64)


@given(ids, keys)
def test_same_id_same_key_same_pseudonym(identifier: str, key: bytes) -> None:
    p = pseudonymise(identifier, key)
    assert p == pseudonymise(identifier, key)
    assert len(p) == PSEUDONYM_HEX and all(c in "0123456789abcdef" for c in p)


@given(ids, keys)
def test_case_and_spaces_do_not_break_linkage(identifier: str, key: bytes) -> None:
    assert pseudonymise(f"  {identifier.lower()} ", key) == pseudonymise(identifier.upper(), key)


@given(ids, keys, keys)
def test_another_key_gives_another_pseudonym(identifier: str, a: bytes, b: bytes) -> None:
    if a != b:
        assert pseudonymise(identifier, a) != pseudonymise(identifier, b)


@given(st.lists(ids, min_size=2, max_size=50, unique_by=lambda s: s.strip().upper()), keys)
def test_different_children_do_not_collide(identifiers: list[str], key: bytes) -> None:
    assert len({pseudonymise(i, key) for i in identifiers}) == len(identifiers)


@given(ids, keys)
def test_the_raw_identifier_does_not_appear(identifier: str, key: bytes) -> None:
    p = pseudonymise(identifier, key)
    if len(identifier.strip()) >= 4:
        assert identifier.strip().lower() not in p
