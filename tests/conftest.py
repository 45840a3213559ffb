"""Shared pytest setup: nothing waits on the network; test artefacts in one folder; the fixtures more
than one module uses; and the rule that puts a test whose setup runs dbt or the pipeline into the
end-to-end stage (scripts/run_tests.py), whatever module it lives in."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from orchestration import settings

if TYPE_CHECKING:
    import dagster as dg

settings.apply_offline_env()

ARTIFACTS = Path(os.environ.get("PARTNER_WAREHOUSE_TEST_ARTIFACTS", settings.PROJECT_ROOT / "test-artifacts"))

# Fixtures whose setup starts dbt or runs the pipeline (tens of seconds each on 2 busy cores). A test
# using one, directly or through another fixture, is marked `e2e`: the unit stage stays fast and its
# budget honest however new tests are written. tests/test_run_tests.py checks each name is a fixture.
DBT_FIXTURES = {
    "published": "tests/conftest.py: a generated zone through two pipeline runs (portal, language, workbook)",
    "dbt_build": "tests/test_dbt_project.py: `dbt build` of every model, unit and data test",
    "compiles": "tests/test_dbt_run_parameters.py: two `dbt compile` runs",
    "generated_run": "tests/conftest.py: a generated zone through `partner-warehouse run --all`",
}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the marker must be on the item by then
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DBT_FIXTURES.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def defs() -> dg.Definitions:
    """The Dagster code location, imported once per session (its import builds the dbt assets)."""
    from orchestration.definitions import defs

    return defs


GENERATED_RUN_DATE = date(2027, 2, 1)
GENERATED_LAST_MONTH = date(2026, 12, 1)


@pytest.fixture(scope="session")
def generated_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A generated landing zone (scale 0.01, seed 11, 36 months to 2026-12) after one
    `partner-warehouse run --all` on 2027-02-01: every covered date evaluated and published.
    Read it only; a test that changes it works on `copy_of_generated_run`."""
    from orchestration.cli import main
    from orchestration.generate import generate_landing

    tmp = tmp_path_factory.mktemp("generated-run")
    landing, warehouse = tmp / "landing", tmp / "warehouse.duckdb"
    counts = generate_landing(landing, scale=0.01, seed=11, last_month=GENERATED_LAST_MONTH)
    assert counts["portal_mrr_monthly"] > 0
    run = ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--all"]
    assert main([*run, "--run-date", GENERATED_RUN_DATE.isoformat()]) == 0
    publish_dir = settings.publish_dir(warehouse)
    return {"landing": landing, "warehouse": warehouse, "publish_dir": publish_dir, "run_date": GENERATED_RUN_DATE}


@pytest.fixture()
def copy_of_generated_run(generated_run: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """A private copy of `generated_run`'s landing zone, warehouse and publications."""
    landing, warehouse, publish_dir = tmp_path / "landing", tmp_path / "warehouse.duckdb", tmp_path / "publications"
    shutil.copytree(generated_run["landing"], landing)
    shutil.copy2(generated_run["warehouse"], warehouse)
    shutil.copytree(generated_run["publish_dir"], publish_dir)
    return {**generated_run, "landing": landing, "warehouse": warehouse, "publish_dir": publish_dir}


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Real publications, built once for every module that reads them (portal, language, workbook
    tests): tests/test_portal.py's build_publications."""
    from tests.test_portal import build_publications

    return build_publications(tmp_path_factory.mktemp("portal"))
