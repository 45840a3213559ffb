"""One execution path (issue 14): a CLI run is a run of the warehouse's Dagster instance, read here the
way the UI reads it (the instance's run, event and partition APIs, which its GraphQL layer serves).

- the CLI run is visible as a run with its materializations and check results;
- the partitions are the evaluation dates the landing zone covers, the same dates dbt evaluates (A2);
- a 3-quarter backfill is a single run with one dbt build over the range, then each date published;
- a blocked gate fails its step with a dg.Failure naming the failing check, its counts and the report;
- the sensor asks for a run when the landing zone changes, and only then; schedules skip a date the
  data does not cover.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from dagster._core.events import DagsterEventType
from dagster._core.storage.dagster_run import DagsterRunStatus

from orchestration import settings
from orchestration.cli import main
from orchestration.defs.partitions import EVALUATION_DATES, covered_dates
from orchestration.defs.publication.assets import PUBLICATION_KEY
from orchestration.defs.publication.store import PublicationStore
from orchestration.generate import generate_landing
from orchestration.instance import open_instance
from tests.support.landing import rewrite_parquet_feed

pytestmark = pytest.mark.e2e

RUN_DATE = "2027-02-01"
LAST_MONTH = date(2026, 12, 1)
FIRST_MONTH = date(2024, 1, 1)  # the generator's first month (orchestration/generate/params.py)


def _cli_run(landing: Path, warehouse: Path, *selection: str) -> int:
    return main(["run", "--landing", str(landing), "--warehouse", str(warehouse), "--run-date", RUN_DATE, *selection])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("dagster-instance")
    landing = tmp / "landing"
    generate_landing(landing, scale=0.01, seed=5, last_month=LAST_MONTH)
    warehouse = tmp / "warehouse.duckdb"
    assert _cli_run(landing, warehouse, "--all") == 0
    return {"landing": landing, "warehouse": warehouse, "home": settings.dagster_home(warehouse)}


def _runs(home: Path) -> list[dg.DagsterRun]:
    with open_instance(home) as instance:
        return list(reversed(instance.get_runs()))  # oldest first


def _events(instance: dg.DagsterInstance, run_id: str, kind: DagsterEventType) -> list:
    return [r.event_log_entry.dagster_event for r in instance.get_records_for_run(run_id, of_type=kind).records]


def _dbt_evaluated_dates(warehouse: Path) -> list[date]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        sql = "SELECT DISTINCT evaluation_date FROM marts.fct_technology_tier_evaluations ORDER BY 1"
        return [r[0] for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def test_the_cli_run_is_a_run_with_materializations_and_check_results(demo: dict[str, Path]) -> None:
    assert demo["home"] == demo["warehouse"].with_name("warehouse.duckdb.dagster")
    [run] = _runs(demo["home"])
    assert (run.job_name, run.status) == ("publish_quarter", DagsterRunStatus.SUCCESS)
    with open_instance(demo["home"]) as instance:
        materialized = {
            e.asset_key.to_user_string() for e in _events(instance, run.run_id, DagsterEventType.ASSET_MATERIALIZATION)
        }
        assert {"raw/apps", "staging/stg_hubspot__apps", "marts/fct_technology_tier_evaluations"} <= materialized
        assert "publication/technology_tier_publication" in materialized
        checks = [e.event_specific_data for e in _events(instance, run.run_id, DagsterEventType.ASSET_CHECK_EVALUATION)]
        by_name = {(c.asset_key.to_user_string(), c.check_name): c.passed for c in checks}
        assert by_name[("raw/marketplace_reviews", "contract")] is True  # the gate's check
        assert by_name[("staging/stg_hubspot__apps", "unique_stg_hubspot__apps_app_id")] is True  # a dbt test
        assert len(checks) > 100
        # the UI's "Materialized" partitions are the dates the run published
        published = PublicationStore(demo["warehouse"].parent / "publications").evaluation_dates()
        assert sorted(instance.get_materialized_partitions(PUBLICATION_KEY)) == [d.isoformat() for d in published]


def test_the_partitions_are_the_dates_the_data_covers_and_dbt_evaluates(demo: dict[str, Path]) -> None:
    """rules.md A2: Python's partitions (partitions.py) and dbt's evaluation dates are the same dates."""
    with open_instance(demo["home"]) as instance:
        keys = instance.get_dynamic_partitions(EVALUATION_DATES)
    evaluated = _dbt_evaluated_dates(demo["warehouse"])
    assert keys == [d.isoformat() for d in evaluated]
    assert evaluated == covered_dates(FIRST_MONTH, LAST_MONTH, date.fromisoformat(RUN_DATE))
    assert evaluated[0] == date(2025, 1, 15) and evaluated[-1] == date(2027, 1, 15)  # 9 dates, not 12+


def test_a_three_quarter_backfill_is_one_run_with_one_dbt_build(demo: dict[str, Path]) -> None:
    """A single-run backfill of 2026-04-15 .. 2026-10-15, launched as the UI launches it: one run whose
    tags are the range; one load, one gate, one dbt build over the range (its vars), three publications."""
    from orchestration.definitions import build_defs
    from orchestration.defs.resources import WarehouseConfig

    warehouse = demo["warehouse"]
    config = WarehouseConfig(
        landing_dir=str(demo["landing"]),
        warehouse_path=str(warehouse),
        publish_dir=str(warehouse.parent / "publications"),
        run_date=RUN_DATE,
        wait_for_lock=False,
    )
    job = build_defs(config).resolve_job_def("publish_quarter")
    before = len(_runs(demo["home"]))
    with open_instance(demo["home"]) as instance:
        result = job.execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": "2026-04-15",
                "dagster/asset_partition_range_end": "2026-10-15",
            },
        )
        assert result.success
        starts = [e.step_key for e in _events(instance, result.run_id, DagsterEventType.STEP_START)]
        published = [
            e.event_specific_data.materialization.partition
            for e in _events(instance, result.run_id, DagsterEventType.ASSET_MATERIALIZATION)
            if e.asset_key == PUBLICATION_KEY
        ]
    assert len(_runs(demo["home"])) == before + 1
    assert starts.count("warehouse_dbt_models") == 1 and starts.count("raw_feeds") == 1
    assert starts.count("data_quality_gate") == 1
    assert sorted(published) == ["2026-04-15", "2026-07-15", "2026-10-15"]
    run_results = json.loads((settings.dbt_target_dir(warehouse) / "run_results.json").read_text())
    assert run_results["args"]["vars"] == {
        "run_date": RUN_DATE,
        "evaluation_from": "2026-04-15",
        "evaluation_to": "2026-10-15",
    }
    assert _dbt_evaluated_dates(warehouse) == [date(2026, 4, 15), date(2026, 7, 15), date(2026, 10, 15)]


def test_a_blocked_gate_fails_its_step_naming_the_failing_check(demo: dict[str, Path], tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(demo["landing"], landing)
    # one review twice: marketplace_reviews' key is no longer unique (feeds.md)
    rewrite_parquet_feed(landing, "marketplace_reviews", lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True))
    warehouse = tmp_path / "warehouse.duckdb"
    assert _cli_run(landing, warehouse, "--evaluation-date", "2027-01-15") == 1
    [run] = _runs(settings.dagster_home(warehouse))
    assert run.status == DagsterRunStatus.FAILURE
    with open_instance(settings.dagster_home(warehouse)) as instance:
        failures = [e for e in _events(instance, run.run_id, DagsterEventType.STEP_FAILURE)]
        [gate] = [e for e in failures if e.step_key == "data_quality_gate"]
        data = gate.step_failure_data.user_failure_data
        report = warehouse.parent / "publications" / "gate" / "latest.md"
        assert re.search(r"marketplace_reviews: key_unique: \d+ failing rows?", data.description), data.description
        assert str(report) in data.description
        samples = data.metadata["sample_rows"].value
        assert samples["marketplace_reviews.key_unique"], samples
        assert not [e for e in failures if e.step_key == "warehouse_dbt_models"]  # skipped, never started
        materialized = {e.asset_key for e in _events(instance, run.run_id, DagsterEventType.ASSET_MATERIALIZATION)}
        assert PUBLICATION_KEY not in materialized


def test_the_sensor_requests_a_run_for_a_new_landing_snapshot_only(demo: dict[str, Path], tmp_path: Path) -> None:
    from orchestration.defs.resources import WarehouseConfig
    from orchestration.defs.sensors import landing_snapshot_sensor

    landing = tmp_path / "landing"
    shutil.copytree(demo["landing"], landing)
    config = WarehouseConfig(
        landing_dir=str(landing),
        warehouse_path=str(tmp_path / "w.duckdb"),
        publish_dir=str(tmp_path),
        run_date=RUN_DATE,
    )
    with open_instance(tmp_path / "home") as instance:
        context = dg.build_sensor_context(instance=instance, resources={"warehouse": config})
        first = landing_snapshot_sensor(context)
        [request] = first.run_requests
        assert request.job_name == "publish_quarter"
        assert request.tags["dagster/asset_partition_range_start"] == "2025-01-15"
        assert request.tags["dagster/asset_partition_range_end"] == "2027-01-15"
        assert instance.get_dynamic_partitions(EVALUATION_DATES)[-1] == "2027-01-15"
        context = dg.build_sensor_context(instance=instance, resources={"warehouse": config}, cursor=first.cursor)
        assert isinstance(landing_snapshot_sensor(context), dg.SkipReason)
        partners = next((landing / "partners").glob("*.parquet"))
        (landing / "partners" / "part-extra.parquet").write_bytes(partners.read_bytes())  # a new file lands
        context = dg.build_sensor_context(instance=instance, resources={"warehouse": config}, cursor=first.cursor)
        second = landing_snapshot_sensor(context)
        assert second.cursor != first.cursor and len(second.run_requests) == 1


def test_the_quarterly_schedule_targets_a_covered_date_and_skips_one_without_its_window(
    demo: dict[str, Path], tmp_path: Path
) -> None:
    from orchestration.defs.resources import WarehouseConfig
    from orchestration.defs.schedules import quarterly_publication_schedule

    config = WarehouseConfig(
        landing_dir=str(demo["landing"]), warehouse_path=str(tmp_path / "w.duckdb"), publish_dir=str(tmp_path)
    )
    with open_instance(tmp_path / "home") as instance:
        at = datetime(2027, 1, 15, 6, tzinfo=UTC)
        context = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=at, resources={"warehouse": config}
        )
        request = quarterly_publication_schedule(context)
        assert request.partition_key == "2027-01-15"
        assert instance.get_dynamic_partitions(EVALUATION_DATES) == ["2027-01-15"]
        # W(2027-04-15) ends 2027-03: the landing zone (to 2026-12) does not cover it
        at = datetime(2027, 4, 15, 6, tzinfo=UTC)
        context = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=at, resources={"warehouse": config}
        )
        skipped = quarterly_publication_schedule(context)
        assert isinstance(skipped, dg.SkipReason) and "2027-04-15" in skipped.skip_message
