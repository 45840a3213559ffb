"""End to end on a tiny generated landing zone: generate -> partner-warehouse run -> marts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.cli import main

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(generated_run: dict[str, Any]) -> dict[str, Any]:
    """The session's generated landing zone after `run --all` (tests/conftest.py), read only."""
    return generated_run


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_technology_partner_is_evaluated_on_every_covered_date(built: dict[str, Path]) -> None:
    db = built["warehouse"]
    partners = _query(db, "SELECT count(*) FROM raw.partners WHERE program = 'technology'")[0][0]
    dates = [
        r[0]
        for r in _query(db, "SELECT DISTINCT evaluation_date FROM marts.fct_technology_tier_evaluations ORDER BY 1")
    ]
    # 36 months ending 2026-12 cover the windows of 2025-01-15 .. 2027-01-15 (D2); run date 2027-02-01 (G3)
    assert dates[0] == date(2025, 1, 15) and dates[-1] == date(2027, 1, 15)
    per_date = _query(db, "SELECT evaluation_date, count(*) FROM marts.fct_technology_tier_evaluations GROUP BY 1")
    assert {n for _, n in per_date} == {partners}


def test_every_evaluation_explains_itself(built: dict[str, Path]) -> None:
    db = built["warehouse"]
    orphans = _query(
        db,
        """
        SELECT count(*) FROM marts.fct_technology_tier_evaluations e
        LEFT JOIN marts.fct_technology_partner_metrics m USING (partner_id, evaluation_date)
        WHERE m.partner_id IS NULL""",
    )[0][0]
    assert orphans == 0
    missing_reqs = _query(
        db,
        """
        SELECT count(*) FROM marts.fct_technology_tier_evaluations e
        WHERE e.tier_after <> 'not_in_program' AND NOT EXISTS (
            SELECT 1 FROM marts.fct_technology_tier_requirements r
            WHERE r.partner_id = e.partner_id AND r.evaluation_date = e.evaluation_date)""",
    )[0][0]
    assert missing_reqs == 0


def test_solutions_marts_are_filled(built: dict[str, Path]) -> None:
    db = built["warehouse"]
    outcomes = dict(_query(db, "SELECT outcome, count(*) FROM marts.fct_deal_line_credits GROUP BY 1"))
    assert outcomes.get("credited", 0) > 0 and len(outcomes) >= 5
    lines = _query(
        db,
        """SELECT count(*) FROM raw.deal_line_items li JOIN raw.deals d USING (deal_id)
                          WHERE d.stage = 'closed_won'""",
    )[0][0]
    assert sum(outcomes.values()) == lines  # B6: one row per line item of every closed-won deal
    for table, col in (
        ("fct_partner_sold_mrr_monthly", "sold_mrr"),
        ("fct_partner_managed_mrr_monthly", "managed_mrr"),
        ("fct_commission_payouts_quarterly", "payout_usd"),
    ):
        assert _query(db, f"SELECT sum({col}) FROM marts.{table}")[0][0] > 0


def test_providers_without_tier_and_billing_lags_run_through(built: dict[str, Path]) -> None:
    """feeds.md / rules.md revised 2026-12-04: the generated data holds providers without a tier and
    lines billed from the month after the close; the run was not blocked (the fixture's exit code 0)
    and a lagged line that was credited keeps its association past the lag (D17)."""
    db = built["warehouse"]
    no_tier = "SELECT count(*) FROM raw.partners WHERE solutions_type = 'provider' AND solutions_tier IS NULL"
    assert _query(db, no_tier)[0][0] > 0
    lagged = _query(
        db,
        """SELECT count(*) FROM marts.fct_deal_line_credits c JOIN raw.deals d USING (deal_id)
           JOIN marts.fct_solutions_associations a ON a.deal_id = c.deal_id AND a.product_line = c.product_line
           WHERE c.outcome = 'credited'
             AND NOT EXISTS (SELECT 1 FROM raw.portal_mrr_monthly m WHERE m.portal_id = d.portal_id
                 AND m.product_line = c.product_line AND m.month = date_trunc('month', d.closed_on) AND m.mrr_usd > 0)
             AND (a.end_month IS NULL OR a.end_month > date_trunc('month', d.closed_on) + INTERVAL 1 MONTH)""",
    )[0][0]
    assert lagged > 0


MART_COLUMNS_NOT_ABOUT_PRUNING = {
    # where C came from: computed in the --all run (nothing published yet), published afterwards
    "tier_before_source",
    # the publication of the date itself
    "published_version",
    "published_tier_after",
    "published_at",
    "differs_from_publication",
    # the evaluation mart's published-fact bookkeeping (A9, issue 12 item 4); the decision columns
    # themselves (tier_after, action and their recomputed_* twins) are compared
    "source",
}


def _mart_rows(db: Path, table: str, evaluation_date: str) -> list[tuple]:
    columns = [r[0] for r in _query(db, f"DESCRIBE marts.{table}") if r[0] not in MART_COLUMNS_NOT_ABOUT_PRUNING]
    return _query(
        db,
        f"SELECT {', '.join(columns)} FROM marts.{table} WHERE evaluation_date = DATE '{evaluation_date}' ORDER BY ALL",
    )


def test_one_new_quarter_reloads_nothing_and_computes_only_its_window(
    copy_of_generated_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """A9 pruning (int_technology__metric_dates): once the earlier quarters are published, evaluating the
    newest one computes only its window, and its marts are exactly those of the full --all build."""
    built = copy_of_generated_run  # this test runs the pipeline again: on its own copy of the world
    db, newest = built["warehouse"], "2027-01-15"
    tables = [
        "fct_technology_partner_metrics",
        "fct_technology_tier_requirements",
        "fct_technology_tier_evaluations",
        "fct_technology_partner_tier_history",
        "fct_technology_tier_gaps",
        "fct_technology_partner_benefits",
    ]
    from_full_build = {t: _mart_rows(db, t, newest) for t in tables}
    assert all(from_full_build.values())
    code = main(
        [
            "run",
            "--landing",
            str(built["landing"]),
            "--warehouse",
            str(db),
            "--run-date",
            built["run_date"].isoformat(),
            "--evaluation-date",
            newest,
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "unchanged since the last load" in out
    assert f"evaluated {newest}" in out and "evaluated 2026-10-15" not in out
    computed = _query(
        db, "SELECT evaluation_date FROM intermediate.int_technology__metric_dates WHERE metrics_computed ORDER BY 1"
    )
    assert computed == [(date(2027, 1, 15),)]
    months = _query(db, "SELECT min(month), max(month), count(*) FROM intermediate.int_technology__metric_months")
    assert months == [(date(2026, 1, 1), date(2026, 12, 1), 12)]
    assert _query(db, "SELECT min(month) FROM intermediate.int_technology__partner_attached_mrr_monthly") == [
        (date(2026, 1, 1),)
    ]
    for table in tables:
        assert _mart_rows(db, table, newest) == from_full_build[table], table
    sources = _query(
        db,
        "SELECT DISTINCT tier_before_source FROM marts.fct_technology_tier_evaluations"
        f" WHERE evaluation_date = '{newest}'",
    )
    assert sources == [("published",)]
    fact = _query(db, f"SELECT DISTINCT source, differs_from_published FROM marts.fct_technology_tier_evaluations"
                      f" WHERE evaluation_date = '{newest}'")  # fmt: skip
    assert fact == [("published", False)]  # the date is published now, and recomputed alike
