"""Keyed pseudonyms for child identifiers.

Agencies link a child's records without ever storing the raw identifier: every loader
replaces it with HMAC-SHA256(partnership key, normalised identifier). The same key across
the partnership gives the same pseudonym for the same child in every agency's data; without
the key a pseudonym cannot be reversed or recomputed from a guessed identifier.
"""

from __future__ import annotations

import hashlib
import hmac

PSEUDONYM_HEX = 24  # 96 bits: collisions are negligible for any partnership's population


def normalise(identifier: str) -> str:
    """Identifiers differ only in case and surrounding space between systems."""
    return identifier.strip().upper()


def pseudonymise(identifier: str, key: bytes) -> str:
    digest = hmac.new(key, normalise(identifier).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX]
