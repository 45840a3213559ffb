"""Evaluation dates as Dagster partitions: 15 January, April, July, October (rules.md A2).

There is no quarterly partitions class; a time window with a quarterly cron is one. end_offset=1
makes the current quarter's date available as soon as it is reached (a window is otherwise only
complete when the next one starts).
"""

from __future__ import annotations

import dagster as dg

from orchestration.calendar import EVALUATION_CRON

evaluation_dates = dg.TimeWindowPartitionsDefinition(
    cron_schedule=EVALUATION_CRON,
    start="2024-01-15",
    fmt="%Y-%m-%d",
    end_offset=1,
)
