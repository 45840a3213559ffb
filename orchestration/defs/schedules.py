"""Quarterly schedules (issue 5): publish on the evaluation date, republish as final when the POC
window has closed (rules.md A7/D10: the form may arrive until E + 14 days).

The evaluation date is the run's partition (issue 14 item 2), which sets the dbt build's range; a
date the landing zone does not cover (no full window, rules.md A2) is no partition and is skipped,
saying why."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from orchestration.calendar import EVALUATION_DAY, EVALUATION_MONTHS
from orchestration.defs.jobs import publish_quarter_job
from orchestration.defs.partitions import add_evaluation_dates, landing_evaluation_dates
from orchestration.defs.resources import WarehouseConfig
from orchestration.program import PROGRAM

POC_WINDOW_DAYS = PROGRAM.poc_form_window_days  # rules.md A7/D10


_MONTHS = ",".join(str(m) for m in EVALUATION_MONTHS)


def _run_config(run_date: date) -> dict:
    return {"resources": {"warehouse": {"config": {"run_date": run_date.isoformat()}}}}


def quarterly_request(scheduled: date) -> dg.RunRequest:
    """On 15 Jan/Apr/Jul/Oct: evaluate and publish (pending POC forms show as upgrade_pending_poc_form)."""
    return dg.RunRequest(
        run_key=f"publish-{scheduled.isoformat()}",
        partition_key=scheduled.isoformat(),
        run_config=_run_config(scheduled),
        tags={"publication": "first"},
    )


def final_request(scheduled: date) -> dg.RunRequest:
    """15 days after E: the window is closed; the publication rule makes the final version."""
    evaluation_date = scheduled.replace(day=EVALUATION_DAY)
    if scheduled <= evaluation_date + timedelta(days=POC_WINDOW_DAYS):
        raise ValueError(f"{scheduled}: the POC window of {evaluation_date} is still open; no final publication yet")
    return dg.RunRequest(
        run_key=f"final-{evaluation_date.isoformat()}",
        partition_key=evaluation_date.isoformat(),
        run_config=_run_config(scheduled),
        tags={"publication": "final"},
    )


def _covered(context: dg.ScheduleEvaluationContext, request: dg.RunRequest, warehouse: WarehouseConfig):
    """The request when its date is one the landing zone covers (made a partition here), else why not."""
    evaluation_date = date.fromisoformat(request.partition_key)
    run_date = date.fromisoformat(request.run_config["resources"]["warehouse"]["config"]["run_date"])
    covered = landing_evaluation_dates(Path(warehouse.landing_dir), run_date)
    if evaluation_date not in covered:
        return dg.SkipReason(
            f"{evaluation_date}: the landing zone {warehouse.landing_dir} does not cover its whole window"
            " (rules.md A2, D2); land the missing months, then launch the partition by hand"
        )
    add_evaluation_dates(context.instance, [evaluation_date])
    # A run config that names a resource replaces its configured values instead of adding to them:
    # the schedule's run date goes with the code location's landing, warehouse and publications.
    where = warehouse.model_dump(include={"landing_dir", "warehouse_path", "publish_dir"})
    config = {**where, "run_date": run_date.isoformat()}
    return dg.RunRequest(
        run_key=request.run_key,
        partition_key=request.partition_key,
        run_config={"resources": {"warehouse": {"config": config}}},
        tags=request.tags,
    )


@dg.schedule(cron_schedule=f"0 6 {EVALUATION_DAY} {_MONTHS} *", job=publish_quarter_job, execution_timezone="UTC")
def quarterly_publication_schedule(context: dg.ScheduleEvaluationContext, warehouse: WarehouseConfig):
    return _covered(context, quarterly_request(context.scheduled_execution_time.date()), warehouse)


@dg.schedule(
    cron_schedule=f"0 6 {EVALUATION_DAY + POC_WINDOW_DAYS + 1} {_MONTHS} *",
    job=publish_quarter_job,
    execution_timezone="UTC",
)
def final_publication_schedule(context: dg.ScheduleEvaluationContext, warehouse: WarehouseConfig):
    return _covered(context, final_request(context.scheduled_execution_time.date()), warehouse)
