"""The evaluation calendar of rules.md A2 for the Python side: 15 January, April, July, October.

The dbt models read the same calendar from seeds/technology_evaluation_calendar.csv; Python needs it
where a seed cannot be read (argument checks, the gate's window coverage, Dagster's cron), so it
lives here once. tests/test_calendar.py checks that both agree.
"""

from __future__ import annotations

EVALUATION_MONTHS = (1, 4, 7, 10)
EVALUATION_DAY = 15
EVALUATION_CRON = f"0 0 {EVALUATION_DAY} {','.join(str(m) for m in EVALUATION_MONTHS)} *"
