"""The gate report a publication carries: the run's data-quality gate with the dbt tests folded in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orchestration.defs.quality.checks import gate_report_dir
from orchestration.defs.quality.report import add_dbt_results, find_run_results, load_report, write_report_files
from orchestration.defs.resources import WarehouseConfig


def gate_for_publication(
    warehouse: WarehouseConfig, dbt_target: Path | None = None
) -> tuple[dict[str, str], dict[str, Any]]:
    """(gate report texts by suffix, summary) for the manifest. Blocked when no gate report exists:
    a publication is never made without its checks (rules.md Part C)."""
    directory = gate_report_dir(warehouse)
    if not (directory / "latest.json").exists():
        return {}, {"blocked": True, "failed": [f"no gate report in {directory}: the checks did not run"]}
    report = load_report(directory / "latest.json")
    run_results = find_run_results(dbt_target or warehouse.dbt_target_dir)
    if run_results is not None:
        add_dbt_results(report, run_results)
    write_report_files(report, directory)  # the last gate result now includes the dbt tests
    summary: dict[str, Any] = {
        "blocked": report.blocked,
        "status": report.status,
        # the sentence the run prints, the manifest keeps and the portal shows: one count of checks and
        # warnings everywhere, the dbt tests included (issue 15 item 4)
        "summary": report.summary(),
        "checks": len(report.checks),
        "warnings": len(report.warnings),
        "failed": [c.headline() for c in report.blocking_failures],
        "warning_checks": [c.headline() for c in report.warnings],
    }
    return {"md": report.to_markdown(), "html": report.to_html()}, summary
