"""Where the store is: the one parser of store URLs, for the CLI, the measures and the web.

Why one: five places once parsed the setting their own way, so ``duckdb://x.duckdb`` loaded
into one file and was read back from another. The forms, as in docs/deploy.md:

- a file path (``store.duckdb``, ``/srv/safeplan/store.duckdb``): an embedded DuckDB store;
- ``duckdb:///srv/safeplan/store.duckdb`` (absolute, as ``file:///``) or
  ``duckdb://store.duckdb`` (relative to the working folder): the same, spelled as a URL;
- ``postgresql://user@host/db`` or ``postgres://user@host/db``: a PostgreSQL server.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SERVER_SCHEMES = ("postgresql://", "postgres://")
FILE_SCHEME = "duckdb://"


@dataclass(frozen=True)
class StoreUrl:
    """A parsed store setting: an embedded file (``path``) or a server (``server``)."""

    kind: Literal["duckdb", "postgresql"]
    target: str  # the file's path, or the server's URL as given

    @property
    def path(self) -> Path:
        """The embedded store's file (only for ``kind == "duckdb"``)."""
        if self.kind != "duckdb":
            raise ValueError("a PostgreSQL store has no file")
        return Path(self.target)

    @property
    def server(self) -> bool:
        return self.kind == "postgresql"


def parse(url: str) -> StoreUrl:
    """The store a setting names (see the module's docstring for the forms)."""
    if url.startswith(SERVER_SCHEMES):
        return StoreUrl("postgresql", url)
    if url.startswith(FILE_SCHEME):
        rest = url.removeprefix(FILE_SCHEME)
        if not rest or rest == "/":
            raise ValueError(f"no file in the store URL {url!r}")
        return StoreUrl("duckdb", rest)  # "duckdb:///srv/x" keeps its "/": absolute
    if "://" in url:
        raise ValueError(
            f"unknown store {url!r}: give a file path, duckdb://PATH or postgresql://..."
        )
    return StoreUrl("duckdb", url)
