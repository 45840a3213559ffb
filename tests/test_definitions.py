"""The Dagster code location loads and shows what the data engineer expects in the UI."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.ingest.contract import FEEDS
from orchestration.defs.resources import DUCKDB_WRITER_POOL


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


def test_publication_is_partitioned_by_evaluation_date_and_scheduled(defs: dg.Definitions) -> None:
    from datetime import date

    from orchestration.defs.schedules import final_request, quarterly_request

    node = defs.resolve_asset_graph().get(dg.AssetKey(["publication", "technology_tier_publication"]))
    keys = node.partitions_def.get_partition_keys()
    assert keys[:2] == ["2024-01-15", "2024-04-15"]  # rules.md A2: 15 Jan/Apr/Jul/Oct
    first = quarterly_request(date(2027, 4, 15))
    assert first.partition_key == "2027-04-15"
    assert first.run_config["resources"]["warehouse"]["config"]["run_date"] == "2027-04-15"
    final = final_request(date(2027, 4, 30))  # E + 15: the POC window (D10) has closed
    assert final.partition_key == "2027-04-15"
    assert final.run_config["resources"]["warehouse"]["config"]["run_date"] == "2027-04-30"
    with pytest.raises(ValueError):
        final_request(date(2027, 4, 29))
    names = {s.name for s in defs.schedules}
    assert names == {"quarterly_publication_schedule", "final_publication_schedule"}


def test_the_dbt_resource_knows_its_version_without_running_dbt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """dagster-dbt runs `dbt --version` before each dbt command; the environment's own dbt is
    dbt-core of this interpreter, so the resource answers from the package (a dbt start saved)."""
    from importlib.metadata import version as package_version

    from dagster_dbt.core import resource as dagster_dbt_resource
    from packaging.version import Version

    from orchestration.defs.dbt.resources import WarehouseDbtCliResource, dbt_resource

    asked: list[list[str]] = []

    def fake_check_output(args: list[str]) -> bytes:
        asked.append(args)
        return b"Core:\n  - installed: 1.2.3\n"

    monkeypatch.setattr(dagster_dbt_resource, "check_output", fake_check_output)
    resource = dbt_resource()
    assert resource._cli_version == Version(package_version("dbt-core"))
    assert asked == []
    # another executable (say a dbt Fusion binary) is still asked
    fusion = tmp_path / "dbt"
    fusion.write_text("#!/bin/sh\n")
    fusion.chmod(0o755)
    other = WarehouseDbtCliResource(project_dir=resource.project_dir, dbt_executable=str(fusion))
    assert other._cli_version == Version("1.2.3")
    assert asked == [[str(fusion), "--version"]]


def test_statements_are_published_per_evaluation_date_after_the_solutions_marts(defs: dg.Definitions) -> None:
    """Issue 15 item 3: the statement asset shares the tier publication's partitions and job, and
    waits for the commission marts."""
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey(["publication", "solutions_statement_publication"]))
    assert node.partitions_def.get_partition_keys()[:1] == ["2024-01-15"]
    assert dg.AssetKey(["marts", "fct_commission_payouts_quarterly"]) in node.parent_keys
    assert node.assets_def.op.pool == DUCKDB_WRITER_POOL
    job = defs.resolve_job_def("publish_quarter")
    assert dg.AssetKey(["publication", "solutions_statement_publication"]) in job.asset_layer.selected_asset_keys
