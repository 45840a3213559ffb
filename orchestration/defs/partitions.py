"""Evaluation dates as Dagster partitions: the dates of the evaluation calendar the landing zone covers
(rules.md A2, issue 14 item 2).

A date E is a partition when the calendar seed has it (orchestration/calendar.py), E <= the run date
(G3) and its whole window W(E) (D2) lies within the months of `portal_mrr_monthly` — the condition
`int_technology__evaluation_dates` applies in dbt; tests/test_dagster_instance.py checks both give the
same dates. A date without a full window is not a partition. The set grows with the data, so the
partitions are dynamic: a run (the CLI, the sensor, a schedule) adds the dates its landing zone covers
before it targets them. Partitions are never removed: a date once published stays one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.calendar import EVALUATION_DAY, EVALUATION_MONTHS, window_months

EVALUATION_DATES = "evaluation_dates"
evaluation_dates = dg.DynamicPartitionsDefinition(name=EVALUATION_DATES)

# the feed whose months bound every window (rules.md A2 "--all")
SPAN_FEED = "portal_mrr_monthly"


def covered_dates(first_month: date, last_month: date, run_date: date) -> list[date]:
    """The calendar dates E <= run_date whose window W(E) lies within [first_month, last_month]."""
    out = []
    for year in range(first_month.year, last_month.year + 2):
        for month in EVALUATION_MONTHS:
            e = date(year, month, EVALUATION_DAY)
            window = window_months(e)
            if e <= run_date and window[0] >= first_month and window[-1] <= last_month:
                out.append(e)
    return out


def landing_month_span(landing: Path) -> tuple[date, date] | None:
    """(first, last) month of portal_mrr_monthly in the landing zone, or None when the feed is absent,
    empty or unreadable (the load then says precisely what is wrong with it). Parquet footers make this
    a metadata read; CSV is scanned once."""
    import duckdb

    from orchestration.defs.ingest.contract import FEEDS
    from orchestration.defs.ingest.load import feed_files

    feed = next(f for f in FEEDS if f.name == SPAN_FEED)
    files = feed_files(Path(landing), feed) or []
    parquet = [str(p) for p in files if p.suffix.lower() == ".parquet"]
    csv = [str(p) for p in files if p.suffix.lower() == ".csv"]
    scans = [f"SELECT CAST(month AS VARCHAR) AS month FROM read_parquet({parquet!r})"] if parquet else []
    if csv:
        scans.append(f"SELECT month FROM read_csv({csv!r}, header = true, all_varchar = true)")
    if not scans:
        return None
    con = duckdb.connect()
    try:
        first, last = con.execute(
            "SELECT min(m), max(m) FROM (SELECT try_cast(month AS DATE) AS m FROM (" + " UNION ALL ".join(scans) + "))"
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return (first, last) if first is not None else None


def landing_evaluation_dates(landing: Path, run_date: date) -> list[date]:
    """The evaluation dates the landing zone covers at this run date."""
    span = landing_month_span(landing)
    return covered_dates(span[0], span[1], run_date) if span else []


def add_evaluation_dates(instance: dg.DagsterInstance, dates: list[date]) -> list[str]:
    """Make `dates` partitions of the instance (those it lacks); returns their keys."""
    keys = [d.isoformat() for d in dates]
    known = set(instance.get_dynamic_partitions(EVALUATION_DATES))
    new = [k for k in keys if k not in known]
    if new:
        instance.add_dynamic_partitions(EVALUATION_DATES, new)
    return keys
