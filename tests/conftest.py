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


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Real publications, built once for every module that reads them (portal, language, workbook
    tests): tests/test_portal.py's build_publications."""
    from tests.test_portal import build_publications

    return build_publications(tmp_path_factory.mktemp("portal"))
