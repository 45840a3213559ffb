"""The run's progress lines say something (issue 16 item 5): no `: None` for a dbt test's check."""

from __future__ import annotations

import dagster as dg

from orchestration.pipeline import gate_messages


class _Result:
    def __init__(self, evaluations: list[dg.AssetCheckEvaluation]) -> None:
        self._evaluations = evaluations

    def get_asset_check_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        return self._evaluations


def _evaluation(
    name: str, severity: dg.AssetCheckSeverity, description: str | None, metadata: dict
) -> dg.AssetCheckEvaluation:
    return dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey(["marts", "rpt_solutions_deals_without_line_items"]),
        check_name=name,
        passed=False,
        severity=severity,
        description=description,
        metadata=metadata,
    )


def test_issue16_a_dbt_test_check_line_says_how_many_rows_failed_not_none() -> None:
    blocking, warnings = gate_messages(
        _Result(
            [
                _evaluation("expect_no_rows_", dg.AssetCheckSeverity.WARN, None, {"dagster_dbt/failed_row_count": 5}),
                _evaluation("unique_x", dg.AssetCheckSeverity.ERROR, None, {}),
                _evaluation("gate_check", dg.AssetCheckSeverity.WARN, "7 failing rows: usage without install", {}),
            ]
        )
    )
    assert warnings == [
        "marts/rpt_solutions_deals_without_line_items expect_no_rows_: 5 failing rows (dbt test)",
        "marts/rpt_solutions_deals_without_line_items gate_check: 7 failing rows: usage without install",
    ]
    assert blocking == ["marts/rpt_solutions_deals_without_line_items unique_x: failed (dbt test)"]
