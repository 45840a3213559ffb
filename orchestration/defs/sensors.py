"""A sensor on the landing zone (issue 14 item 6): a new snapshot — files added, removed or rewritten —
requests the run the CLI's `--all` makes: load, gate, dbt build and publication of every evaluation
date the landing zone covers, as one run over that partition range.

The cursor is a digest of every landing file's name, size and modification time: a stat per file,
cheap every 30 s at any scale. The load itself then compares sha256 fingerprints and reads again only
the feeds whose content changed (docs/architecture.md), so a touched but unchanged file costs a run
that reloads nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.jobs import build_warehouse_job, publish_quarter_job
from orchestration.defs.partitions import add_evaluation_dates, landing_evaluation_dates
from orchestration.defs.resources import WarehouseConfig


def landing_signature(landing: Path) -> str:
    """A digest of the landing zone's files (relative path, size, mtime); '' when it has none."""
    landing = Path(landing)
    if not landing.is_dir():
        return ""
    h = hashlib.sha256()
    files = sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("."))
    for p in files:
        stat = p.stat()
        h.update(f"{p.relative_to(landing)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return h.hexdigest() if files else ""


def snapshot_request(instance: dg.DagsterInstance, landing: Path, run_date: date, signature: str) -> dg.RunRequest:
    """The run for a new landing snapshot: every covered date as one partition range, or (none covered)
    the build alone."""
    keys = add_evaluation_dates(instance, landing_evaluation_dates(landing, run_date))
    if not keys:
        return dg.RunRequest(run_key=f"landing-{signature}", job_name=build_warehouse_job.name)
    return dg.RunRequest(
        run_key=f"landing-{signature}",
        job_name=publish_quarter_job.name,
        tags={"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]},
    )


@dg.sensor(
    jobs=[publish_quarter_job, build_warehouse_job],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,  # an engineer turns it on in the UI
    description="A new landing-zone snapshot (files added, removed or rewritten) requests a run over the "
    "evaluation dates it covers.",
)
def landing_snapshot_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseConfig):
    landing = Path(warehouse.landing_dir)
    signature = landing_signature(landing)
    if not signature:
        return dg.SkipReason(f"no files in the landing zone {landing}")
    if signature == context.cursor:
        return dg.SkipReason("the landing zone is unchanged since the last run it requested")
    request = snapshot_request(context.instance, landing, warehouse.resolved_run_date(), signature)
    return dg.SensorResult(run_requests=[request], cursor=signature)
