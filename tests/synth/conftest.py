"""One small synthetic run shared by the synth tests (generation is the slow part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safeplan.synth import SynthSummary, generate

CHILDREN, YEARS, SEED, END_YEAR = 400, 2, 11, 2024


@pytest.fixture(scope="session")
def synth_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    out = tmp_path_factory.mktemp("synth")
    return out, generate(out, CHILDREN, YEARS, SEED, end_year=END_YEAR)


@pytest.fixture(scope="session")
def synth_recent(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    """2024-25 and 2025-26, each in its own layout (<Sex>, SEX M/F, 2025-26 placement codes)."""
    out = tmp_path_factory.mktemp("synth-recent")
    return out, generate(out, 300, 2, SEED, end_year=2026)
