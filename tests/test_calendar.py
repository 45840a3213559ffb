"""rules.md A2: the Python calendar (CLI checks, gate coverage, Dagster partitions) is the seed's."""

from __future__ import annotations

import csv

from orchestration import settings
from orchestration.calendar import EVALUATION_CRON, EVALUATION_DAY, EVALUATION_MONTHS


def test_python_calendar_matches_the_seed() -> None:
    with (settings.PROJECT_ROOT / "seeds" / "technology_evaluation_calendar.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(int(r["month_of_year"]) for r in rows) == list(EVALUATION_MONTHS)
    assert {int(r["day_of_month"]) for r in rows} == {EVALUATION_DAY}
    assert EVALUATION_CRON == "0 0 15 1,4,7,10 *"
