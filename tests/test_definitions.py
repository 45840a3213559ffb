"""The Dagster code location loads and shows what the data engineer expects in the UI."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.defs.ingest.contract import FEEDS
from orchestration.defs.resources import DUCKDB_WRITER_POOL


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


def test_one_raw_asset_per_feed(defs: dg.Definitions) -> None:
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"raw/{f.name}" for f in FEEDS} <= keys


def test_dbt_sources_are_the_raw_assets(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_hubspot__apps"])
    assert dg.AssetKey(["raw", "apps"]) in graph.get(staging).parent_keys


def test_dbt_tests_are_asset_checks(defs: dg.Definitions) -> None:
    checks = {c.to_user_string() for c in defs.resolve_asset_graph().asset_check_keys}
    assert any("unique_stg_hubspot__apps_app_id" in c for c in checks)


def test_every_duckdb_writer_shares_one_pool(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    writers = [graph.get(dg.AssetKey(["raw", "apps"])), graph.get(dg.AssetKey(["staging", "stg_hubspot__apps"]))]
    for node in writers:
        assert node.assets_def.op.pool == DUCKDB_WRITER_POOL


def test_the_job_builds_the_whole_warehouse(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("build_warehouse")
    keys = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    assert "raw/apps" in keys and "staging/stg_hubspot__apps" in keys
