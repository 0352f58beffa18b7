"""Settings, read once from the environment (SAFEPLAN_*), so deployments need no code change."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEPLAN_", extra="ignore")

    home: Path = Field(
        default_factory=lambda: user_data_path("safeplan"),
        description="Where SafePlan keeps its own files: imported plans, the store, outputs",
    )

    @property
    def plans_dir(self) -> Path:
        return self.home / "plans"


@cache
def settings() -> Settings:
    return Settings()
