"""A hand-built solutions landing zone and its published statements (issue 15 item 3), shared by
tests/test_statements.py and tests/test_browser.py.

Partners and deals (rules.md Part B):
- `sp1` sells Marketing Hub Professional at 740 a month on portal `po1` (deal `d1`, closed 15 January
  2025, signed POI): the document's example, 740 -> 148 a month -> 444 a quarter (B9), in Q1 and in
  Q2 2025; the line stops being paid in July. `d1` also carries a credit overage (B1: never credited).
  `sp1` edits an asset in `po1` in February (managed, D19) and only logs in in March (not eligible).
- `sp2` is invited on `d1` without a POI: the marketing line is credited to `sp1` (B6), not to it.
- `sp3`, named like a spreadsheet formula, originates `d2` on `po2` without any POI (D16: no_valid_poi).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests.strategies.solutions import COVERAGE_MONTHS, COVERAGE_START, RUN_DATE, Zone, ts

Q1, Q2 = date(2025, 1, 1), date(2025, 4, 1)
FORMULA_NAME = '=HYPERLINK("http://example.invalid","pay me")'
EXAMPLE_PARTNER = "sp1"


def statement_zone() -> Zone:
    z = Zone()
    for pid in ("sp1", "sp2", "sp3"):
        z.partner(pid)
    z.rows["partners"][-1]["partner_name"] = FORMULA_NAME
    z.portal("po1")
    z.portal("po2")
    z.mrr_months("po1", "marketing_hub", "professional", "740.00", Q1, 6)
    z.mrr_months("po2", "sales_hub", "professional", "300.00", date(2025, 2, 1), 5)
    z.deal(
        "d1",
        "po1",
        "2025-01-15",
        [("marketing_hub", "professional", "740.00"), ("credit_overage", "professional", "50.00")],
        [("sp1", "originator"), ("sp2", "invited")],
    )
    z.poi("poi1", "d1", "sp1", "signed", ts(date(2025, 1, 10)))
    z.deal("d2", "po2", "2025-02-10", [("sales_hub", "professional", "300.00")], [("sp3", "originator")])
    z.activity("sp1", "po1", ts(date(2025, 2, 5)), "asset_created")
    z.activity("sp1", "po1", ts(date(2025, 3, 5)), "login")
    # the quality gate's coverage (rules.md Part C): a portal paying every month of the covered range
    z.portal("anchor_portal")
    z.mrr_months("anchor_portal", "sales_hub", "professional", "1.00", COVERAGE_START, COVERAGE_MONTHS)
    return z


def build_statements(root: Path) -> dict[str, Any]:
    """Write the landing zone, run the pipeline once (load, gate, dbt build, publish); paths back."""
    from orchestration.pipeline import run_pipeline

    landing = statement_zone().write(root / "landing")
    warehouse, publish_dir = root / "warehouse.duckdb", root / "publications"
    run_pipeline(landing, warehouse, RUN_DATE, publish_dir=publish_dir)
    return {"root": root, "landing": landing, "warehouse": warehouse, "publish_dir": publish_dir}
