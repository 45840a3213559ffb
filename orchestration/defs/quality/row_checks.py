"""Row-level checks: the GX suites of `expectations/`, validated by GX's SQL engine inside DuckDB.

Every expectation runs as SQL pushed down to DuckDB (see `gx_duckdb`): GX gets back counts and
at most five offending rows, never the table. Great Expectations is imported here, lazily, only
when `run_suites` is called.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from orchestration.defs.ingest.contract import FEEDS_BY_NAME
from orchestration.defs.quality.report import MAX_SAMPLES, CheckResult
from orchestration.defs.quality.suites import ExpectationInfo, SuiteError, expectation_info, load_suite_json

log = logging.getLogger(__name__)

SUITE_KEYS = ("name", "expectations", "meta", "notes")


def _error_results(infos: Sequence[ExpectationInfo], message: str) -> list[CheckResult]:
    return [
        CheckResult(i.check, i.feed, i.kind, i.severity, status="error", description=i.description, message=message)
        for i in infos
    ]


def _load_or_error(feed: str, suites_dir: str | Path | None) -> tuple[dict[str, Any] | None, list[CheckResult]]:
    try:
        return load_suite_json(feed, suites_dir), []
    except SuiteError as exc:
        # The suite cannot be read: one blocking error for the feed, so the gate cannot pass silently.
        return None, [
            CheckResult(
                "expectation_suite",
                feed,
                "contract",
                "blocking",
                status="error",
                message=str(exc),
                description="the feed's expectation suite loads",
            )
        ]


def run_suites(
    db_path: str | Path,
    feeds: Sequence[str],
    *,
    suites_dir: str | Path | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[CheckResult], str]:
    """Validate each feed's raw table against its suite. Returns the results and the engine's name."""
    say = progress or log.info
    loaded: dict[str, dict[str, Any]] = {}
    results: list[CheckResult] = []
    for feed in feeds:
        data, errors = _load_or_error(feed, suites_dir)
        results += errors
        if data is not None:
            loaded[feed] = data
    try:
        import great_expectations as gx

        from orchestration.defs.quality import gx_duckdb
    except ImportError as exc:
        message = f"Great Expectations' DuckDB engine is not installed ({exc}); install duckdb-engine (docs/quality.md)"
        for feed, data in loaded.items():
            results += _error_results([expectation_info(feed, e) for e in data["expectations"]], message)
        return results, "unavailable"

    with gx_duckdb.duckdb_context(db_path, memory_limit=memory_limit, threads=threads) as datasource:
        for feed, data in loaded.items():
            started = time.monotonic()
            results += _validate_feed(gx, gx_duckdb, datasource, feed, data)
            say(f"gate: {feed}: {len(data['expectations'])} expectations in {time.monotonic() - started:.1f}s")
    return results, f"{gx_duckdb.library_versions()} (SQL pushed down to DuckDB)"


def _validate_feed(gx: Any, gx_duckdb: Any, datasource: Any, feed: str, data: dict[str, Any]) -> list[CheckResult]:
    infos = {e["meta"]["check"]: expectation_info(feed, e) for e in data["expectations"]}
    columns = FEEDS_BY_NAME[feed].column_names
    try:
        suite = gx.ExpectationSuite(**{k: data[k] for k in SUITE_KEYS if k in data})
        batch = gx_duckdb.feed_batch(datasource, feed)
        validation = batch.validate(
            suite,
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": MAX_SAMPLES,
                # every column as the "index": GX returns whole offending rows (LIMIT 5, in SQL)
                "unexpected_index_column_names": columns,
            },
        )
    except Exception as exc:  # a malformed suite, a missing table: every expectation of the feed errs
        return _error_results(list(infos.values()), f"{type(exc).__name__}: {exc}")
    out = []
    for r in validation.results:
        config = r.expectation_config
        info = infos.get((config.meta or {}).get("check", "")) or expectation_info(
            feed, {"type": config.type, "meta": {"check": config.type}, "severity": "critical"}
        )
        out.append(_to_check(info, r))
    return out


def _exception_message(exception_info: Any) -> str | None:
    """GX puts either one {raised_exception, exception_message} or one such dict per metric."""
    if not exception_info:
        return None
    candidates = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    for info in candidates:
        if isinstance(info, dict) and info.get("raised_exception"):
            return str(info.get("exception_message") or "exception").strip().splitlines()[0]
    return None


def _to_check(info: ExpectationInfo, r: Any) -> CheckResult:
    base = {"name": info.check, "feed": info.feed, "kind": info.kind, "severity": info.severity}
    error = _exception_message(r.exception_info)
    if error:
        return CheckResult(**base, status="error", description=info.description, message=error)
    result = r.result or {}
    failing = int(result.get("unexpected_count") or 0)
    samples = [dict(row) for row in (result.get("partial_unexpected_index_list") or [])]
    if failing and not samples:  # expectations without row indices: the values themselves
        samples = [{"value": v} for v in result.get("partial_unexpected_list") or []]
    passed = bool(r.success)
    return CheckResult(
        **base,
        status="passed" if passed else "failed",
        failing_rows=failing if not passed else 0,
        sample_rows=samples if not passed else [],
        description=info.description,
    )
