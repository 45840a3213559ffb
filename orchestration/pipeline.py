"""The headless pipeline: the code location's job, run in-process against the warehouse's Dagster
instance, so every CLI run is a run in the UI (issue 14 item 1).

`run_pipeline` runs the `publish_quarter` job over the evaluation dates the landing zone covers in the
requested range: it loads the landing zone (all or nothing), runs the data-quality gate (asset checks
on the raw feeds; a blocking failure stops the dbt build), runs `dbt build` (models, seeds, tests)
for the run date and that range, publishes each date through the `technology_tier_publication`
asset, and reports what failed in words a user can act on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration import settings
from orchestration.progress import say

QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class PipelineFailed(Exception):
    """A stage failed; the message says which and why."""


@dataclass
class PipelineResult:
    warehouse: Path
    run_date: date
    evaluation_from: str
    evaluation_to: str
    messages: list[str] = field(default_factory=list)
    gate_report: Path | None = None  # <publish_dir>/gate/latest.md of this run
    run_id: str = ""  # the Dagster run on the warehouse's instance (settings.dagster_home)


GATE_STEP = "data_quality_gate"
PUBLICATION_STEP = "technology_tier_publication"
PUBLISH_JOB = "publish_quarter"  # every asset, partitioned by evaluation date (defs/jobs.py)
BUILD_JOB = "build_warehouse"  # every asset but the publication


_DUCKDB_LOCK = re.compile(r'Could not set lock on file "(?P<file>[^"]+)"')
_DUCKDB_LOCK_PID = re.compile(r"Conflicting lock is held in (?P<program>\S+) \(PID (?P<pid>\d+)\)")


def failure_text(messages: list[str]) -> str:
    """The reasons a run failed, each said once: a warehouse held open by another process fails
    every step that opens it, with the same sentence."""
    return "\n".join(dict.fromkeys(explain_lock_error(m) for m in messages)) or "the run failed"


def explain_lock_error(text: str) -> str:
    """DuckDB's lock conflict (another process has the file open) as a sentence (issue 13 item 7)."""
    match = _DUCKDB_LOCK.search(text)
    if not match:
        return text
    pid = _DUCKDB_LOCK_PID.search(text)
    holder = f"process {pid['pid']} ({pid['program']})" if pid else "another process"
    return (
        f"the warehouse {match['file']} is open in {holder} (a DuckDB client or a notebook, not a"
        " partner-warehouse run): close that connection, or open it read-only, then run again"
    )


def gate_messages(result: dg.ExecuteInProcessResult) -> tuple[list[str], list[str]]:
    """(blocking failures, warnings) of the gate's asset checks, one line each, naming the checks."""
    blocking, warnings = [], []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        line = f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}: {_check_detail(evaluation)}"
        if evaluation.severity == dg.AssetCheckSeverity.ERROR:
            blocking.append(line)
        else:
            warnings.append(line)
    return blocking, warnings


def _check_detail(evaluation: dg.AssetCheckEvaluation) -> str:
    """What a failed check found: its description, else (a dbt test's check has none, issue 16 item 5)
    the failing row count dagster-dbt records."""
    if evaluation.description:
        return evaluation.description
    rows = evaluation.metadata.get("dagster_dbt/failed_row_count")
    return f"{rows.value} failing rows (dbt test)" if rows is not None else "failed (dbt test)"


def _failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_key == GATE_STEP and result.get_asset_check_evaluations():
            continue  # the gate's own lines (gate_messages) say more than "blocking check failed"
        if event.is_step_failure:
            data = event.step_failure_data
            err = data.error
            text = (data.user_failure_data.description if data.user_failure_data else None) or (
                err.cause.message if err and err.cause else err.message if err else "unknown error"
            )
            if PUBLICATION_STEP in event.step_key:  # its Failure says what failed and what was kept
                messages.append(text.strip())
            else:
                messages.append(f"step {event.step_key} failed: {text.strip()}")
    return messages


def dbt_failures(target_dir: Path) -> list[str]:
    """Failed dbt nodes of the last invocation, from run_results.json."""
    from orchestration.defs.quality.report import find_run_results

    path = find_run_results(target_dir)  # dagster-dbt writes it under target/<invocation>/
    if path is None:
        return []
    results = json.loads(path.read_text()).get("results", [])
    out = []
    for r in results:
        if r.get("status") in ("error", "fail"):
            failures = r.get("failures")
            detail = (r.get("message") or "").strip().splitlines()
            out.append(
                f"dbt {r['unique_id']}: {r['status']}"
                + (f" ({failures} failing rows)" if failures else "")
                + (f": {detail[0]}" if detail else "")
            )
    return out


def run_pipeline(
    landing: Path,
    warehouse: Path,
    run_date: date,
    *,
    evaluation_from: date | None = None,
    evaluation_to: date | None = None,
    publish_dir: Path | None = None,
    dagster_home: Path | None = None,
    force_reload: bool = False,
    allow_missing: list[str] | None = None,
    republish: bool = False,
    reason: str | None = None,
    wait: bool = False,
    engine: str = "duckdb",
    publish: bool = True,
) -> PipelineResult:
    """Load, check, dbt build, then publish the evaluated dates that are due a version, holding the
    warehouse's and the publications' run lock throughout (orchestration/lock.py, issue 13 item 1).
    Raises PipelineFailed with every reason when a stage fails, the gate blocks or another run holds
    the lock (at once, or after waiting for it with `wait`)."""
    from orchestration.lock import LockHeld, run_lock

    settings.apply_offline_env()
    warehouse = Path(warehouse).resolve()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    publish_dir = Path(publish_dir).resolve() if publish_dir else settings.publish_dir(warehouse)
    home = Path(dagster_home).resolve() if dagster_home else settings.dagster_home(warehouse)
    try:
        with run_lock(warehouse, publish_dir, wait=wait):
            return _run_locked(
                landing, warehouse, run_date, evaluation_from=evaluation_from, evaluation_to=evaluation_to,
                publish_dir=publish_dir, home=home, force_reload=force_reload, allow_missing=allow_missing,
                republish=republish, reason=reason, engine=engine, publish=publish,
            )  # fmt: skip
    except LockHeld as exc:
        raise PipelineFailed(str(exc)) from None


def _run_locked(
    landing: Path,
    warehouse: Path,
    run_date: date,
    *,
    evaluation_from: date | None,
    evaluation_to: date | None,
    publish_dir: Path,
    home: Path,
    force_reload: bool,
    allow_missing: list[str] | None,
    republish: bool,
    reason: str | None,
    engine: str = "duckdb",
    publish: bool = True,
) -> PipelineResult:
    from orchestration.calendar import OPEN_FROM, OPEN_TO
    from orchestration.defs.quality.checks import gate_report_dir
    from orchestration.defs.resources import WarehouseConfig, describe_range
    from orchestration.instance import open_instance

    lo, hi = evaluation_from or OPEN_FROM, evaluation_to or OPEN_TO
    config = WarehouseConfig(
        landing_dir=str(Path(landing).resolve()),
        warehouse_path=str(warehouse),
        publish_dir=str(publish_dir),
        run_date=run_date.isoformat(),
        evaluation_from=lo.isoformat(),
        evaluation_to=hi.isoformat(),
        force_reload=force_reload,
        allow_missing=list(allow_missing or []),
        republish=republish,
        republish_reason=reason or "",
        engine=engine,  # where the dbt step builds the models (issue 19; load, gate and publication stay)
        wait_for_lock=False,  # this process holds the run lock already; the steps re-enter it
    )
    say(f"run date {run_date}, {describe_range(config.evaluation_from, config.evaluation_to)}")
    say(f"landing {config.landing_dir} -> warehouse {warehouse}" + (f", dbt on {engine}" if engine != "duckdb" else ""))
    with open_instance(home) as instance:
        result = execute(instance, config, lo, hi, publish=publish)
    report = gate_report_dir(config) / "latest.md"
    blocking, warnings = gate_messages(result)
    if not result.success or blocking:
        messages = _failure_messages(result)
        if blocking:
            messages.insert(
                0,
                f"data-quality gate blocked the run ({len(blocking)} blocking check(s) failed; the dbt build did not"
                f" run; gate report: {report}):\n" + "\n".join(f"  - {line}" for line in blocking),
            )
        if any("warehouse_dbt_models" in m for m in messages):
            messages += dbt_failures(config.dbt_target_dir)
        raise PipelineFailed(failure_text(messages))
    if result.job_def.name == BUILD_JOB and publish:  # said after the build, where the publication would have been
        say("publication: no evaluation date in range; nothing to publish")
    for line in warnings:
        say(f"gate warning: {line}")
    return PipelineResult(
        warehouse,
        run_date,
        config.evaluation_from,
        config.evaluation_to,
        messages=[f"gate warning: {line}" for line in warnings],
        gate_report=report if report.exists() else None,
        run_id=result.run_id,
    )


def execute(instance: dg.DagsterInstance, config, evaluation_from: date, evaluation_to: date, *, publish: bool = True):
    """Run the code location's job in this process against `instance`, as the UI would launch it
    (issue 14 item 1): the evaluation dates the landing zone covers in the range become partitions,
    and the run targets them as one range (a single-run backfill: one load, one gate, one dbt build,
    then the publication of each date). A range the data does not cover runs `build_warehouse`:
    loaded, checked and built, nothing to publish; so does `publish=False` (a build to compare marts)."""
    from orchestration.definitions import build_defs
    from orchestration.defs.partitions import add_evaluation_dates, landing_evaluation_dates
    from orchestration.instance import cli_run_tags, release_dead_cli_runs

    for line in release_dead_cli_runs(instance):
        say(line)
    covered = [
        e
        for e in landing_evaluation_dates(Path(config.landing_dir), config.resolved_run_date())
        if evaluation_from <= e <= evaluation_to
    ]
    keys = add_evaluation_dates(instance, covered)
    defs = build_defs(config)
    tags = cli_run_tags()
    if keys and publish:
        job = defs.resolve_job_def(PUBLISH_JOB)
        tags |= {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
        say(f"dagster: job {PUBLISH_JOB}, partitions {keys[0]} .. {keys[-1]} ({len(keys)} date(s)), one run")
    elif not publish:
        job = defs.resolve_job_def(BUILD_JOB)
        say(f"dagster: job {BUILD_JOB}: load, check and build only (no publication asked)")
    else:
        job = defs.resolve_job_def(BUILD_JOB)
        say(f"dagster: job {BUILD_JOB}: the landing zone covers no evaluation date in the range (rules.md A2)")
    return job.execute_in_process(instance=instance, run_config=QUIET_RUN_CONFIG, tags=tags, raise_on_error=False)
