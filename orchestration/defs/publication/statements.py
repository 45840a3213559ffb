"""Solutions commission statements, published per quarter like the tiers (issue 15 item 3).

A statement covers one calendar quarter `Q` (keyed by its first day, rules.md G4) and, per solutions
partner with anything in it, says what the partner is paid and why:

    solutions_statements/<Q>/v<N>/
        payouts.csv|parquet        one row per partner: the quarter's payout (B9), its accruals, credited
                                   and not-credited deal lines, sold and managed MRR of the last month
        accruals.csv|parquet       every accrual behind a payout: deal, portal, product line, month, MRR
                                   base, rate, amount and the rule (B9 D20, or B9 D21 for a referral)
        monthly_mrr.csv|parquet    partner x month of the quarter: sold MRR (D18), managed MRR (D19),
                                   commission accrued
        not_credited.csv|parquet   the deal lines of deals closed in Q on which the partner was named
                                   but not credited, with the outcome, in words, and its rule (B1, B2, B3, B4, B5, B6)
        statement.xlsx             the four tables, one sheet each
        gate_report.md|html        the run's data-quality gate
        manifest.json              row counts (per sheet for the workbook), sha256 of every file,
                                   input fingerprints of the solutions feeds, code version, checks

The same write-audit-publish as the tiers (publish.py: commit_version, seal_version, open_record;
store.py: the store, decide, verify, recover). Only complete quarters are published: the quarter
ended before the run date and every month of it is covered by portal_mrr_monthly. A run publishes
the statement of each quarter that ended just before one of its evaluation dates (2027-01-15 ->
2026-10-01); a statement has no POC window, so its first version is final, and any later version
needs `--republish --reason` (store.decide).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.calendar import EVALUATION_DAY, EVALUATION_MONTHS
from orchestration.defs.ingest.contract import FEEDS
from orchestration.defs.ingest.load import last_fingerprints
from orchestration.defs.publication.publish import (
    GATE_REPORT,
    PublicationError,
    PublicationOutcome,
    _copy,
    _workbook_helper,
    code_version,
    combined_fingerprint,
    helper_jobs,
    open_record,
    publish_due,
    rule_inputs,
    seal_version,
)
from orchestration.defs.publication.store import STATEMENTS_DIR, PublicationStore
from orchestration.defs.publication.workbook import write_tables

KEY_FIELD = "quarter_start"
PAYOUTS = "payouts"
ACCRUALS = "accruals"
MONTHLY = "monthly_mrr"
NOT_CREDITED = "not_credited"
WORKBOOK = "statement"
# The workbook's sheets, one per table, in the order a partner manager reads them.
SHEETS = {PAYOUTS: "Payouts", ACCRUALS: "Accruals", MONTHLY: "Monthly MRR", NOT_CREDITED: "Not credited"}
# A statement reads the solutions marts; only the feeds they are built from are its inputs, so a
# technology-feed correction does not make a published statement look stale.
STATEMENT_FEEDS = tuple(f.name for f in FEEDS if f.program in ("shared", "solutions"))


def statement_store(publish_dir: Path) -> PublicationStore:
    return PublicationStore(publish_dir, STATEMENTS_DIR, KEY_FIELD)


def month_add(d: date, months: int) -> date:
    n = d.year * 12 + d.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)


def quarter_label(q: date) -> str:
    return f"{q.year}-Q{(q.month - 1) // 3 + 1}"


def quarter_last_day(q: date) -> date:
    return date.fromordinal(month_add(q, 3).toordinal() - 1)


def evaluation_date_after(q: date) -> date:
    """The first evaluation date (rules.md A2) after quarter `q` ends: the run that evaluates it
    publishes the statement of `q`."""
    m = month_add(q, 3)
    while m.month not in EVALUATION_MONTHS:
        m = month_add(m, 1)
    return m.replace(day=EVALUATION_DAY)


# ---------------------------------------------------------------------------------------------
# The tables ($e = the quarter's first day). DuckDB SQL over the marts, like the tier extract.

_IN_QUARTER = "BETWEEN CAST($e AS DATE) AND CAST(CAST($e AS DATE) + INTERVAL 2 MONTH AS DATE)"

ACCRUALS_SQL = f"""
SELECT
    a.partner_id,
    p.partner_name,
    CAST($e AS DATE) AS quarter_start,
    a.month,
    a.deal_id,
    a.portal_id,
    a.product_line,
    a.month_number,
    a.commission_program,
    a.line_mrr_usd AS mrr_base_usd,
    a.commission_rate,
    a.accrual_usd,
    -- rules.md B9: 20 % of the line's MRR, months 1..N from the close month (D20); the enterprise
    -- referral program's partner from the partners feed as delivered (D21)
    CASE a.commission_program WHEN 'enterprise_referral' THEN 'B9 D21' ELSE 'B9 D20' END AS rule_id,
    a.association_id
FROM marts.fct_commission_accruals_monthly AS a
LEFT JOIN staging.stg_hubspot__partners AS p USING (partner_id)
WHERE a.month {_IN_QUARTER}
ORDER BY a.partner_id, a.month, a.deal_id, a.product_line
"""

# Every line item of a deal closed in the quarter on which the partner is named (deal_partners) and
# that is not credited to it: another outcome of B6's list, or credited to another partner.
NOT_CREDITED_SQL = f"""
SELECT
    dp.partner_id,
    p.partner_name,
    CAST($e AS DATE) AS quarter_start,
    c.deal_id,
    c.closed_on,
    c.portal_id,
    c.product_line,
    c.edition,
    c.line_mrr_usd,
    dp.role AS partner_role,
    c.outcome,
    o.explanation AS outcome_explained,
    o.rule_id,
    c.credited_partner_id
FROM marts.fct_deal_line_credits AS c
JOIN staging.stg_hubspot__deal_partners AS dp ON dp.deal_id = c.deal_id
LEFT JOIN config.solutions_deal_line_outcomes AS o ON o.outcome = c.outcome
LEFT JOIN staging.stg_hubspot__partners AS p ON p.partner_id = dp.partner_id
WHERE c.close_month {_IN_QUARTER}
  AND c.credited_partner_id IS DISTINCT FROM dp.partner_id
ORDER BY dp.partner_id, c.closed_on, c.deal_id, c.product_line
"""

_PARTNERS_CTE = f"""
partners_q AS (
    SELECT partner_id FROM marts.rpt_solutions_partner_monthly WHERE month {_IN_QUARTER}
    UNION
    SELECT partner_id FROM ({NOT_CREDITED_SQL})
),
months_q AS (
    SELECT CAST(CAST($e AS DATE) + to_months(i) AS DATE) AS month FROM range(3) AS t(i)
)"""

MONTHLY_SQL = f"""
WITH {_PARTNERS_CTE}
SELECT
    k.partner_id,
    p.partner_name,
    CAST($e AS DATE) AS quarter_start,
    m.month,
    CAST(coalesce(r.sold_mrr, 0) AS DECIMAL(18, 2)) AS sold_mrr,
    coalesce(r.associations_held, 0) AS associations_held,
    CAST(coalesce(r.managed_mrr, 0) AS DECIMAL(18, 2)) AS managed_mrr,
    coalesce(r.managed_portals, 0) AS managed_portals,
    CAST(coalesce(r.commission_accrued_usd, 0) AS DECIMAL(18, 2)) AS commission_accrued_usd
FROM partners_q AS k
CROSS JOIN months_q AS m
LEFT JOIN marts.rpt_solutions_partner_monthly AS r ON r.partner_id = k.partner_id AND r.month = m.month
LEFT JOIN staging.stg_hubspot__partners AS p ON p.partner_id = k.partner_id
ORDER BY k.partner_id, m.month
"""

PAYOUTS_SQL = f"""
WITH {_PARTNERS_CTE},
credited AS (
    SELECT credited_partner_id AS partner_id, count(*) AS credited_lines
    FROM marts.fct_deal_line_credits
    WHERE close_month {_IN_QUARTER} AND credited_partner_id IS NOT NULL
    GROUP BY ALL
),
not_credited AS (
    SELECT partner_id, count(*) AS not_credited_lines FROM ({NOT_CREDITED_SQL}) GROUP BY ALL
),
last_month AS (
    SELECT partner_id, sold_mrr, managed_mrr
    FROM marts.rpt_solutions_partner_monthly
    WHERE month = CAST(CAST($e AS DATE) + INTERVAL 2 MONTH AS DATE)
)
SELECT
    k.partner_id,
    p.partner_name,
    p.solutions_type,
    p.solutions_tier,
    CAST($e AS DATE) AS quarter_start,
    CAST(CAST($e AS DATE) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE) AS quarter_end,
    CAST(coalesce(pay.payout_usd, 0) AS DECIMAL(18, 2)) AS payout_usd,  -- rules.md B9: sum of the accruals
    coalesce(pay.accrual_count, 0) AS accrual_count,
    coalesce(c.credited_lines, 0) AS credited_lines,
    coalesce(n.not_credited_lines, 0) AS not_credited_lines,
    CAST(coalesce(l.sold_mrr, 0) AS DECIMAL(18, 2)) AS last_month_sold_mrr,
    CAST(coalesce(l.managed_mrr, 0) AS DECIMAL(18, 2)) AS last_month_managed_mrr
FROM partners_q AS k
LEFT JOIN marts.fct_commission_payouts_quarterly AS pay
    ON pay.partner_id = k.partner_id AND pay.quarter_start = CAST($e AS DATE)
LEFT JOIN credited AS c ON c.partner_id = k.partner_id
LEFT JOIN not_credited AS n ON n.partner_id = k.partner_id
LEFT JOIN last_month AS l ON l.partner_id = k.partner_id
LEFT JOIN staging.stg_hubspot__partners AS p ON p.partner_id = k.partner_id
ORDER BY k.partner_id
"""

TABLES = {PAYOUTS: PAYOUTS_SQL, ACCRUALS: ACCRUALS_SQL, MONTHLY: MONTHLY_SQL, NOT_CREDITED: NOT_CREDITED_SQL}

# The workbook's last sheet: what the statement is and what each sheet holds, so the file explains
# itself when forwarded to a partner (the outcome words follow, from the seed).
README_SHEET = "Read me"
SHEET_MEANINGS = {
    PAYOUTS: "One row per solutions partner with anything in the quarter: payout_usd is the sum of its accruals"
    " (rules.md B9: accrued monthly, paid quarterly); lines credited and not credited on deals closed in the"
    " quarter; sold and managed MRR of the quarter's last month.",
    ACCRUALS: "Every accrual behind a payout: commission_rate times the line's MRR that month (mrr_base_usd),"
    " rounded to cents per line and month; month_number 1 is the deal's close month and the program's terms"
    " (rate, months earned by a partner or a provider) are those of rule_id (B9 D20 partner-originated deal,"
    " B9 D21 enterprise referral); it stops from the first month the line is no longer paid (D17).",
    MONTHLY: "Each month of the quarter: sold MRR (D18: growth of the lines the partner holds against 12 months"
    " earlier), managed MRR (D19: MRR of the portals where it performed an eligible activity, split evenly"
    " between partners), commission accrued.",
    NOT_CREDITED: "Line items of deals closed in the quarter on which the partner was named but that were not"
    " credited to it, with the outcome in words and the rule that decided it (rules.md B1, B2, B3, B4, B5, B6).",
}


def readme_frame(
    con: duckdb.DuckDBPyConnection,
    quarter: date,
    version: int,
    reason: str,
    run_date: date,
    gate_summary: dict[str, object],
) -> pd.DataFrame:
    gate = "blocked" if gate_summary.get("blocked") else str(gate_summary.get("status") or "not recorded")
    period = f"{quarter_label(quarter)}, {quarter} to {quarter_last_day(quarter)}"
    checks = f"{gate_summary.get('checks', '?')} checks, {gate_summary.get('warnings', 0)} warnings"
    outcomes = con.execute(
        "SELECT outcome, rule_id, explanation FROM config.solutions_deal_line_outcomes ORDER BY outcome"
    ).fetchall()
    rows = [
        ("Statement", f"Solutions commission statement {period}"),
        ("Version", f"v{version}: {reason}"),
        ("Run date", run_date.isoformat()),
        ("Data-quality gate", f"{gate}, {checks}"),
        ("Amounts", "USD (rules.md G2)"),
        *((SHEETS[stem], text) for stem, text in SHEET_MEANINGS.items()),
        *((f"Outcome {o} ({rule})", words) for o, rule, words in outcomes),
    ]
    return pd.DataFrame(rows, columns=["item", "meaning"])


# The audit of a statement's sums: each partner's payout is the sum of its accruals listed beside it.
PAYOUT_MISMATCH_SQL = f"""
SELECT p.partner_id, p.payout_usd, coalesce(sum(a.accrual_usd), 0) AS accruals_usd
FROM ({PAYOUTS_SQL}) AS p
LEFT JOIN ({ACCRUALS_SQL}) AS a USING (partner_id)
GROUP BY ALL
HAVING p.payout_usd <> coalesce(sum(a.accrual_usd), 0)
"""


# ---------------------------------------------------------------------------------------------
# Which quarters


def statement_quarters(
    con: duckdb.DuckDBPyConnection, *, run_date: date, evaluation_from: date, evaluation_to: date
) -> list[date]:
    """The quarters a run publishes: with solutions rows, ended before the run date, every month covered
    by portal_mrr_monthly (rows after the run date do not exist yet, G3), and followed by an evaluation
    date inside the run's range."""
    row = con.execute(
        "SELECT max(month) FROM staging.stg_hubspot__portal_mrr_monthly WHERE month <= ?", [run_date]
    ).fetchone()
    last_covered = row[0] if row else None
    if last_covered is None:
        return []
    candidates = [
        r[0]
        for r in con.execute(
            """SELECT DISTINCT quarter_start FROM marts.rpt_solutions_partner_monthly
               UNION SELECT DISTINCT CAST(date_trunc('quarter', close_month) AS DATE) FROM marts.fct_deal_line_credits
               ORDER BY 1"""
        ).fetchall()
        if r[0] is not None
    ]
    return [
        q
        for q in candidates
        if quarter_last_day(q) < run_date
        and month_add(q, 2) <= last_covered
        and evaluation_from <= evaluation_date_after(q) <= evaluation_to
    ]


# ---------------------------------------------------------------------------------------------
# One version


def write_statement(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    *,
    quarter: date,
    version: int,
    run_date: date,
    reason: str,
    inputs: dict[str, str],
    code: str,
    gate: dict[str, str],
    gate_summary: dict[str, object],
    pool: Executor | None = None,
) -> dict[str, object]:
    """Write every file of one statement version into `staging`, audit it, and write its manifest last
    (the workbook in a helper process of `pool` when there is one)."""
    params = {"e": quarter}
    frames = {stem: con.execute(sql, params).df() for stem, sql in TABLES.items()}
    if frames[PAYOUTS].empty:
        raise PublicationError(f"no solutions partner has anything in {quarter_label(quarter)}: nothing to publish")
    wrong = con.execute(PAYOUT_MISMATCH_SQL, params).fetchall()
    if wrong:  # the payouts mart and the accruals listed must tell the same story (B9)
        raise PublicationError(f"{quarter_label(quarter)}: payout differs from the sum of its accruals for {wrong[:5]}")
    readme = readme_frame(con, quarter, version, reason, run_date, gate_summary)
    sheets = {**{SHEETS[stem]: frame for stem, frame in frames.items()}, README_SHEET: readme}
    # issue 18 item 5: the workbook in a helper process while this one writes the CSV and Parquet files
    with helper_jobs(pool) as jobs:
        jobs.run(_write_tables_in_helper, sheets, staging / f"{WORKBOOK}.xlsx")
        for stem, sql in TABLES.items():
            _copy(con, sql, quarter, staging / f"{stem}.csv", "csv")
            _copy(con, sql, quarter, staging / f"{stem}.parquet", "parquet")
        for suffix, text in gate.items():
            (staging / f"{GATE_REPORT}.{suffix}").write_text(text, encoding="utf-8")

    rows = {stem: len(frame) for stem, frame in frames.items()}
    payouts = frames[PAYOUTS]["payout_usd"]
    manifest: dict[str, object] = {
        KEY_FIELD: quarter.isoformat(),
        "quarter": quarter_label(quarter),
        "quarter_end": quarter_last_day(quarter).isoformat(),
        "version": version,
        "run_date": run_date.isoformat(),
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reason": reason,
        "final": True,  # no POC window: a statement is final from its first version
        "poc_window_open": False,
        "code_version": code,
        "inputs_fingerprint": combined_fingerprint(inputs),
        "input_fingerprints": inputs,
        "row_counts": rows,
        "totals": {
            "partners": len(payouts),
            "partners_paid": int((payouts > 0).sum()),
            "payout_usd": str(sum((Decimal(str(v)) for v in payouts), Decimal("0.00"))),
        },
        "checks": gate_summary,
    }
    expected: dict[str, object] = {**rows, WORKBOOK: {name: len(frame) for name, frame in sheets.items()}}
    return seal_version(con, staging, expected, manifest)


# ---------------------------------------------------------------------------------------------
# One run's statement publication step


def publish_statements(
    warehouse: Path,
    publish_dir: Path,
    *,
    run_date: date,
    evaluation_from: date,
    evaluation_to: date,
    gate: dict[str, str] | None = None,
    gate_summary: dict[str, object] | None = None,
    republish: bool = False,
    reason: str | None = None,
    progress: Callable[[str], None] = print,
) -> list[PublicationOutcome]:
    """Publish the statement of every complete quarter of the run's range that is due a version."""
    store = statement_store(publish_dir)
    publish_dir.mkdir(parents=True, exist_ok=True)
    open_record(store, progress)
    con = duckdb.connect(str(warehouse))
    outcomes: list[PublicationOutcome] = []
    pool = _workbook_helper(workers=1)
    try:
        con.execute("SET TimeZone = 'UTC'")
        quarters = statement_quarters(
            con, run_date=run_date, evaluation_from=evaluation_from, evaluation_to=evaluation_to
        )
        if not quarters:
            progress("solutions statements: no complete quarter in range; nothing to publish")
        inputs = {k: v for k, v in last_fingerprints(con).items() if k in STATEMENT_FEEDS}
        code = code_version()
        for q in quarters:
            outcomes.append(
                publish_due(
                    store,
                    q,
                    label=f"solutions statement {quarter_label(q)}",
                    decide_with={
                        **rule_inputs(run_date, inputs, code, republish, reason),
                        "window_open": False,  # no POC window: the first version is final
                    },
                    write=lambda staging, d, q=q: write_statement(
                        con,
                        staging,
                        quarter=q,
                        version=d.version,
                        run_date=run_date,
                        reason=d.reason,
                        inputs=inputs,
                        code=code,
                        gate=gate or {},
                        gate_summary=gate_summary or {},
                        pool=pool,
                    ),
                    progress=progress,
                )
            )
    finally:
        pool.shutdown(cancel_futures=True)
        con.close()
    return outcomes


def _write_tables_in_helper(*args: Any, **kwargs: Any) -> None:
    """What the helper runs (a module-level function pickles by name; publish._write_workbook_in_helper)."""
    write_tables(*args, **kwargs)
