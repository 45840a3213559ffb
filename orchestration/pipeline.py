"""The headless pipeline: the same Dagster assets the UI materializes, run in-process.

`run_pipeline` loads the landing zone (all or nothing), runs the data-quality gate (asset checks on
the raw feeds; a blocking failure stops the dbt build), runs `dbt build` (models, seeds, tests) for
the given run date and evaluation range, and reports what failed in words a user can act on.
"""

from __future__ import annotations

import json
import os
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


GATE_STEP = "data_quality_gate"


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
        line = f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}: {evaluation.description}"
        if evaluation.severity == dg.AssetCheckSeverity.ERROR:
            blocking.append(line)
        else:
            warnings.append(line)
    return blocking, warnings


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
    force_reload: bool = False,
    allow_missing: list[str] | None = None,
    publish: bool = True,
    republish: bool = False,
    reason: str | None = None,
    wait: bool = False,
    engine: str = "duckdb",
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
    try:
        with run_lock(warehouse, publish_dir, wait=wait):
            return _run_locked(
                landing, warehouse, run_date, evaluation_from=evaluation_from, evaluation_to=evaluation_to,
                publish_dir=publish_dir, force_reload=force_reload, allow_missing=allow_missing, publish=publish,
                republish=republish, reason=reason, engine=engine,
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
    force_reload: bool,
    allow_missing: list[str] | None,
    publish: bool,
    republish: bool,
    reason: str | None,
    engine: str = "duckdb",
) -> PipelineResult:
    os.environ[settings.ENV_DB] = str(warehouse)
    os.environ[settings.ENV_ENGINE] = engine  # the publication manifest records it

    from orchestration.calendar import OPEN_FROM, OPEN_TO
    from orchestration.defs.dbt.assets import warehouse_dbt_models
    from orchestration.defs.dbt.resources import dbt_resource
    from orchestration.defs.ingest.assets import raw_feeds
    from orchestration.defs.publication.assets import published_technology_tiers
    from orchestration.defs.quality.checks import data_quality_gate, gate_report_dir
    from orchestration.defs.resources import WarehouseConfig

    config = WarehouseConfig(
        landing_dir=str(Path(landing).resolve()),
        warehouse_path=str(warehouse),
        publish_dir=str(publish_dir),
        run_date=run_date.isoformat(),
        evaluation_from=(evaluation_from or OPEN_FROM).isoformat(),
        evaluation_to=(evaluation_to or OPEN_TO).isoformat(),
        force_reload=force_reload,
        allow_missing=list(allow_missing or []),
        republish=republish,
        republish_reason=reason or "",
    )
    say(f"run date {run_date}, {config.describe_range()}")
    say(f"landing {config.landing_dir} -> warehouse {warehouse}" + (f", dbt on {engine}" if engine != "duckdb" else ""))
    # --engine spark: load and gate in DuckDB as always, then the dbt build on Spark (orchestration/engines/spark.py)
    dbt_step = [warehouse_dbt_models] if engine == "duckdb" else []
    result = dg.materialize(
        [raw_feeds, published_technology_tiers, *dbt_step, data_quality_gate],
        resources={"dbt": dbt_resource(), "warehouse": config},
        run_config=QUIET_RUN_CONFIG,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
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
    for line in warnings:
        say(f"gate warning: {line}")
    if engine == "spark":
        from orchestration.engines.spark import SparkBuildFailed, build_on_spark

        try:
            build_on_spark(warehouse, config.dbt_env())
        except SparkBuildFailed as exc:
            raise PipelineFailed(str(exc)) from None
    if publish:
        publish_evaluations(config)
    return PipelineResult(
        warehouse,
        run_date,
        config.evaluation_from,
        config.evaluation_to,
        messages=[f"gate warning: {line}" for line in warnings],
        gate_report=report if report.exists() else None,
    )


def publish_evaluations(config) -> None:
    """The publication step of a run that passed the gate: every evaluated date in the range."""
    import duckdb

    from orchestration.defs.publication.gate_bridge import gate_for_publication
    from orchestration.defs.publication.publish import PublicationError
    from orchestration.defs.publication.publish import publish as publish_dates

    gate, summary = gate_for_publication(config)
    if summary.get("blocked"):
        raise PipelineFailed("publication blocked by the gate:\n" + "\n".join(f"  - {f}" for f in summary["failed"]))
    try:
        con = duckdb.connect(config.warehouse_path, read_only=True)
    except duckdb.IOException as exc:
        raise PipelineFailed(explain_lock_error(str(exc))) from None
    try:
        dates = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT evaluation_date FROM marts.fct_technology_tier_evaluations ORDER BY 1"
            ).fetchall()
        ]
    finally:
        con.close()
    if not dates:
        say("publication: no evaluation date in range; nothing to publish")
    try:
        publish_dates(
            Path(config.warehouse_path),
            Path(config.publish_dir),
            run_date=config.resolved_run_date(),
            evaluation_dates=dates,
            gate=gate,
            gate_summary=summary,
            republish=config.republish,
            reason=config.republish_reason or None,
            progress=say,
        )
    except (PublicationError, OSError) as exc:
        raise PipelineFailed(
            f"publication failed, nothing was published and the previous one is untouched: {exc}"
        ) from exc
