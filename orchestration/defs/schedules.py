"""Quarterly schedules (issue 5): publish on the evaluation date, republish as final when the POC
window has closed (rules.md A7/D10: the form may arrive until E + 14 days)."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

from orchestration.calendar import EVALUATION_DAY, EVALUATION_MONTHS
from orchestration.defs.jobs import publish_quarter_job
from orchestration.program import PROGRAM

POC_WINDOW_DAYS = PROGRAM.poc_form_window_days  # rules.md A7/D10


_MONTHS = ",".join(str(m) for m in EVALUATION_MONTHS)


def _run_config(evaluation_date: date, run_date: date) -> dict:
    return {
        "resources": {
            "warehouse": {
                "config": {
                    "run_date": run_date.isoformat(),
                    "evaluation_from": evaluation_date.isoformat(),
                    "evaluation_to": evaluation_date.isoformat(),
                }
            }
        }
    }


def quarterly_request(scheduled: date) -> dg.RunRequest:
    """On 15 Jan/Apr/Jul/Oct: evaluate and publish (pending POC forms show as upgrade_pending_poc_form)."""
    return dg.RunRequest(
        run_key=f"publish-{scheduled.isoformat()}",
        partition_key=scheduled.isoformat(),
        run_config=_run_config(scheduled, scheduled),
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
        run_config=_run_config(evaluation_date, scheduled),
        tags={"publication": "final"},
    )


@dg.schedule(cron_schedule=f"0 6 {EVALUATION_DAY} {_MONTHS} *", job=publish_quarter_job, execution_timezone="UTC")
def quarterly_publication_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return quarterly_request(context.scheduled_execution_time.date())


@dg.schedule(
    cron_schedule=f"0 6 {EVALUATION_DAY + POC_WINDOW_DAYS + 1} {_MONTHS} *",
    job=publish_quarter_job,
    execution_timezone="UTC",
)
def final_publication_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return final_request(context.scheduled_execution_time.date())
