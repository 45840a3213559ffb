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

    from orchestration.defs.partitions import EVALUATION_DATES
    from orchestration.defs.schedules import final_request, quarterly_request

    node = defs.resolve_asset_graph().get(dg.AssetKey(["publication", "technology_tier_publication"]))
    # issue 14 item 2: the dates the data covers, added by the runs (tests/test_dagster_instance.py)
    assert isinstance(node.partitions_def, dg.DynamicPartitionsDefinition)
    assert node.partitions_def.name == EVALUATION_DATES
    assert node.backfill_policy == dg.BackfillPolicy.single_run()
    first = quarterly_request(date(2027, 4, 15))
    assert first.partition_key == "2027-04-15"
    assert first.run_config["resources"]["warehouse"]["config"] == {"run_date": "2027-04-15"}
    final = final_request(date(2027, 4, 30))  # E + 15: the POC window (D10) has closed
    assert final.partition_key == "2027-04-15"
    assert final.run_config["resources"]["warehouse"]["config"] == {"run_date": "2027-04-30"}
    with pytest.raises(ValueError):
        final_request(date(2027, 4, 29))
    names = {s.name for s in defs.schedules}
    assert names == {"quarterly_publication_schedule", "final_publication_schedule"}


def test_partitions_are_the_calendar_dates_whose_window_the_data_covers() -> None:
    """rules.md A2, D2, G3: E is a partition when E <= run date and W(E) lies within the data's months."""
    from datetime import date

    from orchestration.defs.partitions import covered_dates

    # months 2024-01 .. 2026-12: W(2025-01-15) = 2024-01..2024-12 is the first whole window
    assert covered_dates(date(2024, 1, 1), date(2026, 12, 1), date(2027, 2, 1)) == [
        date(y, m, 15) for y in (2025, 2026) for m in (1, 4, 7, 10)
    ] + [date(2027, 1, 15)]
    # G3: not after the run date; the window must end by the last month (W(2027-04-15) needs 2027-03)
    assert covered_dates(date(2024, 1, 1), date(2026, 12, 1), date(2026, 10, 14))[-1] == date(2026, 7, 15)
    assert covered_dates(date(2024, 2, 1), date(2025, 1, 1), date(2027, 2, 1)) == []  # no whole window


def test_the_committed_instance_config_limits_the_writer_pool_and_telemetry(tmp_path: Path) -> None:
    """issue 14 item 3: whichever way Dagster starts on a warehouse's home, writers run one at a time."""
    import yaml

    from orchestration.instance import open_instance

    with open_instance(tmp_path / "home") as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert not instance.telemetry_enabled
    config = yaml.safe_load((tmp_path / "home" / "dagster.yaml").read_text())
    assert config["event_log_storage"]["config"]["base_dir"] == str(tmp_path / "home" / "history")


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
    assert node.partitions_def == graph.get(dg.AssetKey(["publication", "technology_tier_publication"])).partitions_def
    assert node.backfill_policy == dg.BackfillPolicy.single_run()
    assert dg.AssetKey(["marts", "fct_commission_payouts_quarterly"]) in node.parent_keys
    assert node.assets_def.op.pool == DUCKDB_WRITER_POOL
    job = defs.resolve_job_def("publish_quarter")
    assert dg.AssetKey(["publication", "solutions_statement_publication"]) in job.asset_layer.selected_asset_keys


def test_the_groups_read_left_to_right_without_a_cycle(defs: dg.Definitions) -> None:
    """issue 14 item 5: raw / published record / seeds -> staging -> intermediate -> marts -> publication."""
    graph = defs.resolve_asset_graph()
    edges = {
        (graph.get(parent).group_name, node.group_name)
        for node in (graph.get(k) for k in graph.get_all_asset_keys())
        for parent in node.parent_keys
        if graph.get(parent).group_name != node.group_name
    }
    order = ["raw", "published_record", "seeds", "staging", "intermediate", "marts", "publication"]
    assert all(order.index(a) < order.index(b) for a, b in edges), edges
    assert ("marts", "publication") in edges and ("raw", "staging") in edges


def test_every_check_says_what_it_checks(defs: dg.Definitions) -> None:
    """issue 14 item 4: a dbt test without a yml description still reads as what it asserts."""
    graph = defs.resolve_asset_graph()
    specs = [graph.get_check_spec(k) for k in graph.asset_check_keys]
    assert specs and all(s.description for s in specs), [s.key for s in specs if not s.description]
    by_name = {s.key.name: s.description for s in specs}
    assert by_name["unique_stg_hubspot__apps_app_id"] == "dbt test unique on app_id; blocking"


def test_a_schedule_run_request_is_a_valid_run_of_its_job(tmp_path: Path) -> None:
    """The schedules' run config sets the warehouse resource: it must carry every required field, or
    Dagster refuses the launch ("Missing required config entries") and no quarter is ever published."""
    from datetime import UTC, date, datetime

    import pandas as pd

    from orchestration.definitions import build_defs
    from orchestration.defs.resources import WarehouseConfig
    from orchestration.defs.schedules import final_publication_schedule, quarterly_publication_schedule
    from orchestration.instance import open_instance

    landing = tmp_path / "landing"
    (landing / "portal_mrr_monthly").mkdir(parents=True)
    months = pd.date_range("2024-01-01", "2026-12-01", freq="MS").date
    pd.DataFrame({"month": months}).to_parquet(landing / "portal_mrr_monthly" / "part-0.parquet")
    config = WarehouseConfig(
        landing_dir=str(landing), warehouse_path=str(tmp_path / "w.duckdb"), publish_dir=str(tmp_path / "p")
    )
    job = build_defs(config).resolve_job_def("publish_quarter")
    with open_instance(tmp_path / "home") as instance:
        for schedule, at in ((quarterly_publication_schedule, 15), (final_publication_schedule, 30)):
            context = dg.build_schedule_context(
                instance=instance,
                scheduled_execution_time=datetime(2027, 1, at, 6, tzinfo=UTC),
                resources={"warehouse": config},
            )
            request = schedule(context)
            assert request.partition_key == "2027-01-15"
            resolved = dg.validate_run_config(job, request.run_config)
            warehouse = resolved["resources"]["warehouse"]["config"]
            assert warehouse["run_date"] == date(2027, 1, at).isoformat()
            assert warehouse["warehouse_path"] == str(tmp_path / "w.duckdb")
