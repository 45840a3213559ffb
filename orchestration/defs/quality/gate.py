"""The data-quality gate: run every check on the raw feeds and return the gate report.

    from orchestration.defs.quality.gate import run_gate
    report = run_gate(db_path, run_date=date(2027, 1, 20))
    report.blocked            # any blocking check failed or errored (rules.md Part C)
    report.to_markdown(); report.to_html(); report.to_json()

Two engines, one report: the GX suites of `expectations/` (row level: not-null keys, enums,
ranges, date order, first-of-month) run as SQL inside DuckDB through GX; keys' uniqueness,
references, coverage, volume and set-level oddities are DuckDB SQL (`sql_checks`). The warehouse
is opened read-only, one connection at a time, each closed before the next opens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import duckdb

from orchestration import settings
from orchestration.calendar import OPEN_FROM, OPEN_TO
from orchestration.defs.ingest.contract import FEEDS
from orchestration.defs.quality import sql_checks
from orchestration.defs.quality.cache import GateCache
from orchestration.defs.quality.report import KINDS, CheckResult, GateReport
from orchestration.defs.quality.row_checks import run_suites

log = logging.getLogger(__name__)

# DuckDB's memory for the gate's queries (it spills beyond); the gate runs alone in the writer pool,
# and the whole pipeline must stay under 12 GB at SF 1 (issue 5).
DEFAULT_MEMORY_LIMIT = "4GB"


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _reused_note(n: int, what: str = "checks") -> str:
    return f" ({n} {what} reused: code and feeds unchanged since they ran)" if n else ""


def evaluation_dates(
    evaluation_from: date | str | None, evaluation_to: date | str | None, run_date: date | str | None
) -> list[date]:
    """The evaluation dates whose windows must be covered: only for an explicit range (not `--all`)."""
    lo, hi, rd = _as_date(evaluation_from), _as_date(evaluation_to), _as_date(run_date)
    if lo is None or hi is None or lo <= OPEN_FROM or hi >= OPEN_TO:
        return []  # every date the data covers: the span checks are the coverage
    return sql_checks.evaluation_windows(lo, hi, rd)


def run_gate(
    db_path: str | Path,
    *,
    run_date: date | str | None = None,
    evaluation_from: date | str | None = None,
    evaluation_to: date | str | None = None,
    feeds: Sequence[str] | None = None,
    suites_dir: str | Path | None = None,
    volume_threshold: float = sql_checks.VOLUME_SWING_THRESHOLD,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
    progress: Callable[[str], None] | None = None,
    reuse: bool = False,
) -> GateReport:
    """Every check of the gate on the warehouse's raw schema. Never raises for a failing check:
    a check that cannot run is reported with status `error` (and blocks when it is blocking).

    `reuse`: take the result of a check whose code and input feeds are unchanged since the last gate
    run from `meta.gate_check_results`, and store this run's results there (`cache`; the pipeline
    does, it holds the warehouse's writer slot). Without it every check runs and nothing is stored."""
    say = progress or log.info
    db = Path(db_path)
    if not db.exists():
        raise FileNotFoundError(f"warehouse {db} does not exist: load the landing zone first")
    started = time.monotonic()
    wanted = list(feeds) if feeds is not None else [f.name for f in FEEDS]
    dates = evaluation_dates(evaluation_from, evaluation_to, run_date)

    checks = [c for c in sql_checks.all_sql_checks(dates, volume_threshold, _as_date(run_date)) if c.feed in wanted]
    results: list[CheckResult] = []
    config: dict[str, str | int] = settings.duckdb_config(db)
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    cache = GateCache(db, suites_dir, enabled=reuse)
    t = time.monotonic()
    reused = 0
    con = duckdb.connect(str(db), read_only=True, config=config)
    try:
        for check in checks:
            key = cache.sql_key(check)
            hit = cache.get(key)
            if hit is not None:
                results += hit
                reused += 1
                continue
            results.append(check.run(con))
            cache.put(key, results[-1:])
    finally:
        con.close()
    say(f"gate: {len(checks)} set-level SQL checks in {time.monotonic() - t:.1f}s" + _reused_note(reused))

    t = time.monotonic()
    row_results: list[CheckResult] = []
    to_validate: dict[str, str | None] = {}
    for feed in wanted:
        key = cache.suite_key(feed)
        hit = cache.get(key)
        if hit is not None:
            row_results += hit
        else:
            to_validate[feed] = key
    engine = "Great Expectations (every result reused: the feeds are unchanged)"
    if to_validate:
        validated, engine = run_suites(
            db, list(to_validate), suites_dir=suites_dir, memory_limit=memory_limit, threads=threads, progress=say
        )
        row_results += validated
        for feed, key in to_validate.items():
            cache.put(key, [r for r in validated if r.feed == feed])
    suites_reused = len(wanted) - len(to_validate)
    say(f"gate: {len(row_results)} expectations in {time.monotonic() - t:.1f}s" + _reused_note(suites_reused, "suites"))
    results += row_results
    cache.save()
    if cache.hits:
        engine += f"; {cache.hits} check(s)/suite(s) reused from the last gate run on the same feed fingerprints"

    order = {name: i for i, name in enumerate(wanted)}
    results.sort(key=lambda c: (order.get(c.feed, len(order)), KINDS.index(c.kind)))
    rd = _as_date(run_date)
    report = GateReport(
        checks=results,
        run_date=rd.isoformat() if rd else None,
        warehouse=db.name,  # issue 13 item 7: the report is published; no machine paths in it
        duration_seconds=time.monotonic() - started,
        engine=f"{engine}; set-level checks in DuckDB {duckdb.__version__} SQL",
    )
    say(f"gate: {report.summary()} in {report.duration_seconds:.1f}s")
    return report
