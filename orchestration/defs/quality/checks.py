"""The gate as Dagster asset checks on the raw feed assets (`raw/<feed>`).

One op (`data_quality_gate`) runs the whole gate once and reports one check per feed and kind:
`contract`, `reference`, `coverage` (blocking) and `volume`, `oddity` (warnings). A failed
blocking check fails the op, so everything downstream of the raw feeds in the same run — the dbt
build, later the publication — is skipped (rules.md Part C); the UI shows the check, its failing
row counts and sample rows. The gate report of every run, blocked or not, is written to
`<publish_dir>/gate/latest.{md,html,json}`.

The op runs in the DuckDB writer pool and opens the warehouse read-only.
"""

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest.assets import raw_asset_key
from orchestration.defs.ingest.contract import FEEDS
from orchestration.defs.quality import sql_checks
from orchestration.defs.quality.report import (
    BLOCKING_KINDS,
    CheckResult,
    GateReport,
    failing_rows_text,
    write_report_files,
)
from orchestration.defs.quality.suites import SuiteError, suite_checks
from orchestration.defs.resources import DUCKDB_WRITER_POOL, WarehouseConfig
from orchestration.progress import say

GATE_REPORT_DIR = "gate"
CHECK_KINDS = ("contract", "reference", "coverage", "volume", "oddity")
KIND_DESCRIPTIONS = {
    "contract": "keys unique and not null, enums, ranges, date order, first-of-month (feeds.md); blocking",
    "reference": "every reference of feeds.md points to an existing row; blocking",
    "coverage": "every month of the span (and of the evaluated windows) has rows (rules.md Part C); blocking",
    "volume": "row count within 50 % of the previous load; warning",
    "oddity": "oddities that are reported and never block (usage without live install, ...); warning",
}


def gate_report_dir(warehouse: WarehouseConfig) -> Path:
    return Path(warehouse.publish_dir) / GATE_REPORT_DIR


def _kinds_by_feed() -> dict[str, list[str]]:
    """Which (feed, kind) checks exist: read from the suites (plain JSON) and the SQL checks."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for check in sql_checks.all_sql_checks(evaluation_dates=()):
        kinds[check.feed].add(check.kind)
    for feed in FEEDS:
        kinds[feed.name].add("contract")  # a suite that cannot be read reports here
        with contextlib.suppress(SuiteError):
            kinds[feed.name].update(info.kind for info in suite_checks(feed.name))
    return {f.name: [k for k in CHECK_KINDS if k in kinds[f.name]] for f in FEEDS}


def gate_check_specs() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=kind,
            asset=raw_asset_key(feed),
            blocking=kind in BLOCKING_KINDS,
            description=KIND_DESCRIPTIONS[kind],
        )
        for feed, kinds in _kinds_by_feed().items()
        for kind in kinds
    ]


GATE_CHECK_SPECS = gate_check_specs()


def _spec_kind(result: CheckResult, available: set[tuple[str, str]]) -> str:
    return result.kind if (result.feed, result.kind) in available else "contract"


def asset_check_results(report: GateReport, report_path: Path | None = None) -> Iterator[dg.AssetCheckResult]:
    """One AssetCheckResult per spec: failed when any of its checks failed, ERROR when one blocks."""
    available = {(s.asset_key.path[-1], s.name) for s in GATE_CHECK_SPECS}
    grouped: dict[tuple[str, str], list[CheckResult]] = defaultdict(list)
    for r in report.checks:
        grouped[(r.feed, _spec_kind(r, available))].append(r)
    for spec in GATE_CHECK_SPECS:
        feed = spec.asset_key.path[-1]
        results = grouped.get((feed, spec.name), [])
        failed = [r for r in results if not r.passed]
        blocks = any(r.blocks for r in failed)
        if failed:
            description = "; ".join(_failure_text(r) for r in failed)
        else:
            description = f"all {len(results)} checks passed" if results else "no check of this kind ran"
        metadata: dict[str, dg.RawMetadataValue] = {
            "checks_run": len(results),
            "checks_failed": len(failed),
            "failing_rows": sum(r.failing_rows for r in failed),
            "failing_checks": dg.MetadataValue.md(_failure_table(failed)) if failed else "none",
        }
        if failed:
            metadata["sample_rows"] = dg.MetadataValue.json({r.name: r.sample_rows for r in failed})
        if report_path is not None:
            metadata["gate_report"] = dg.MetadataValue.path(str(report_path))
        yield dg.AssetCheckResult(
            asset_key=spec.asset_key,
            check_name=spec.name,
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR if blocks else dg.AssetCheckSeverity.WARN,
            description=description,
            metadata=metadata,
        )


def _failure_text(r: CheckResult) -> str:
    if r.status == "error":
        return f"{r.name}: error ({r.message})"
    return f"{r.name}: {failing_rows_text(r.failing_rows)}" + (f" ({r.message})" if r.message else "")


def _failure_table(failed: list[CheckResult]) -> str:
    lines = ["| check | severity | status | failing rows | description |", "|---|---|---|---:|---|"]
    for r in failed:
        lines.append(
            f"| {r.name} | {r.severity} | {r.status} | {r.failing_rows:,} | "
            f"{(r.message + ' — ' if r.status == 'error' else '') + r.description} |".replace("\n", " ")
        )
    return "\n".join(lines)


@dg.multi_asset_check(
    name="data_quality_gate",
    specs=GATE_CHECK_SPECS,
    pool=DUCKDB_WRITER_POOL,
    description="The data-quality gate (rules.md Part C): GX suites of expectations/ and set-level DuckDB checks.",
)
def data_quality_gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseConfig):
    from orchestration.defs.quality.gate import run_gate

    evaluation_from, evaluation_to = warehouse.evaluation_range(context)  # the run's partitions (issue 14)
    with warehouse.locked():
        report = run_gate(
            warehouse.db,
            run_date=warehouse.resolved_run_date(),
            evaluation_from=evaluation_from,
            evaluation_to=evaluation_to,
            progress=lambda m: say(m, context.log.info),
            reuse=True,
        )
        paths = write_report_files(report, gate_report_dir(warehouse))
    say(f"gate: report written to {paths['md']}", context.log.info)
    for check in report.blocking_failures:
        context.log.error(f"gate: {check.headline()}")
    for check in report.warnings:
        context.log.warning(f"gate: {check.headline()}")
    yield from asset_check_results(report, paths["md"])
    if report.blocking_failures:
        raise blocked_gate_failure(report, paths["md"])


def blocked_gate_failure(report: GateReport, report_path: Path) -> dg.Failure:
    """The step failure of a blocked gate, readable where the UI shows the failed step (issue 14 item 4):
    each failing blocking check with its counts, the gate report's path, and sample failing rows."""
    failed = report.blocking_failures
    return dg.Failure(
        description=f"the data-quality gate blocked the run: {len(failed)} blocking check(s) failed, so nothing"
        f" downstream (dbt build, publication) ran. Gate report: {report_path}\n"
        + "\n".join(f"  - {c.feed}: {_failure_text(c)}" for c in failed),
        metadata={
            "failing_checks": dg.MetadataValue.md(_failure_table(failed)),
            "sample_rows": dg.MetadataValue.json({f"{c.feed}.{c.name}": c.sample_rows for c in failed}),
            "gate_report": dg.MetadataValue.path(str(report_path)),
        },
        allow_retries=False,
    )
