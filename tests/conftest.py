"""Shared pytest setup: nothing waits on the network; test artefacts in one folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration import settings

settings.apply_offline_env()

ARTIFACTS = Path(os.environ.get("PARTNER_WAREHOUSE_TEST_ARTIFACTS", settings.PROJECT_ROOT / "test-artifacts"))


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
