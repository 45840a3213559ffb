"""The evaluation calendar of rules.md A2 for the Python side: 15 January, April, July, October; and
the performance window W(E) of D2, whose length is the seed's `window_months` (orchestration/program.py).

The dbt models read the calendar from seeds/technology_evaluation_calendar.csv; Python reads the same
seed through orchestration/program.py for the argument checks, the gate's window coverage and
Dagster's cron. tests/test_calendar.py checks the result against the seed.
"""

from __future__ import annotations

from datetime import date

from orchestration.program import PROGRAM

EVALUATION_MONTHS = PROGRAM.evaluation_months
EVALUATION_DAY = PROGRAM.evaluation_day
EVALUATION_CRON = f"0 0 {EVALUATION_DAY} {','.join(str(m) for m in EVALUATION_MONTHS)} *"
# An evaluation range without bounds (no --from/--to, --all): every evaluation date the data covers.
OPEN_FROM, OPEN_TO = date(1900, 1, 1), date(9999, 12, 31)


def window_months(e: date, months: int = PROGRAM.window_months) -> list[date]:
    """rules.md D2: the `months` (seed window_months) complete calendar months ending before E's quarter starts."""
    start = e.year * 12 + e.month - 1 - months  # E's month is its quarter's first (A2), as a month count
    return [date((start + i) // 12, (start + i) % 12 + 1, 1) for i in range(months)]
