"""Settings, read once from the environment (SAFEPLAN_*), so deployments need no code change."""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEPLAN_", extra="ignore")

    home: Path = Field(
        default_factory=lambda: user_data_path("safeplan"),
        description="Where SafePlan keeps its own files: imported plans, the store, outputs",
    )
    store: str | None = Field(
        default=None,
        description="The canonical store: a DuckDB file path (or duckdb:///abs/path, "
        "duckdb://rel/path), or postgresql://user@host/db. "
        "Default: store.duckdb in SAFEPLAN_HOME",
    )
    store_wait: float = Field(
        default=60,
        ge=0,
        description="How long a write (a load, an upload, the survey's answers) waits for "
        "another to finish with the store, in seconds, before saying it is busy",
    )
    pseudonym_key: SecretStr | None = Field(
        default=None,
        description="The partnership's secret for pseudonymising child identifiers. Every "
        "agency loading data must use the same key. Default: a random key made once and kept "
        "in SAFEPLAN_HOME/pseudonym.key",
    )
    max_file_mb: float = Field(
        default=1024, description="Largest input file accepted, in megabytes"
    )
    max_reference_mb: float = Field(
        default=2048,
        description="Largest reference list accepted (the ONS postcode list), in megabytes",
    )
    la_code: str = Field(
        default="",
        description="The council's area code (e.g. E06000047), to show its published DfE "
        "figures, its region's and England's beside the measures",
    )
    postcodes: Path | None = Field(
        default=None,
        description="The ONS postcode list (an ONSPD CSV) the 903 placement rules derive "
        "distance, LA and location of placement from (--postcodes FILE)",
    )
    providers: Path | None = Field(
        default=None,
        description="Ofsted's social care providers list (CSV or XLSX) the 903 URN rules "
        "check against (--providers FILE)",
    )
    benchmarks: Path | None = Field(
        default=None,
        description="A folder of DfE open-data CSVs (explore-education-statistics) for "
        "benchmarks. Default: benchmarks/ in SAFEPLAN_HOME",
    )

    @property
    def plans_dir(self) -> Path:
        return self.home / "plans"

    @property
    def benchmarks_dir(self) -> Path:
        return self.benchmarks or self.home / "benchmarks"

    @property
    def store_url(self) -> str:
        return self.store or str(self.home / "store.duckdb")

    def key(self) -> bytes:
        """The pseudonymisation key: from the environment, or made once and kept (mode 600)."""
        if self.pseudonym_key is not None:
            return self.pseudonym_key.get_secret_value().encode("utf-8")
        return kept_secret(self.home / "pseudonym.key", secrets.token_hex(32)).encode("utf-8")


def kept_secret(path: Path, fresh: str) -> str:
    """A secret kept in a file readable by its owner only, made (from `fresh`) on first use.

    Two processes starting at once agree: the one that loses the race reads the winner's."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as out:
            out.write(fresh)
    return path.read_text().strip()


@cache
def settings() -> Settings:
    return Settings()
