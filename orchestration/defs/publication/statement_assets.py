"""The solutions commission statement as a Dagster asset (issue 15 item 3), beside the tier publication.

Partitioned by evaluation date like `technology_tier_publication`: the partition E publishes the
statement of the quarter that ended before E (statements.evaluation_date_after), so the quarterly
schedule and a backfill of evaluation dates publish both.
"""

from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.partitions import evaluation_dates
from orchestration.defs.publication.assets import PUBLICATION_KEY
from orchestration.defs.publication.publish import PublicationError
from orchestration.defs.publication.statements import publish_statements, quarter_label
from orchestration.defs.resources import DUCKDB_WRITER_POOL, WarehouseConfig
from orchestration.progress import say

STATEMENT_PUBLICATION_KEY = dg.AssetKey(["publication", "solutions_statement_publication"])
SOLUTIONS_MART_KEYS = [
    dg.AssetKey(["marts", name])
    for name in (
        "fct_commission_accruals_monthly",
        "fct_commission_payouts_quarterly",
        "fct_deal_line_credits",
        "rpt_solutions_partner_monthly",
    )
]


@dg.asset(
    key=STATEMENT_PUBLICATION_KEY,
    group_name="publication",
    partitions_def=evaluation_dates,
    # like the tier publication: a range of dates is one run (one load, gate and dbt build) (issue 14)
    backfill_policy=dg.BackfillPolicy.single_run(),
    # after the tier publication of the same run: one publication commits at a time, tiers first (the
    # fault suite's failpoints and a reader of the record see the same order as before statements)
    deps=[*SOLUTIONS_MART_KEYS, PUBLICATION_KEY],
    pool=DUCKDB_WRITER_POOL,
    kinds={"csv", "xlsx", "parquet"},
)
def solutions_statement_publication(
    context: dg.AssetExecutionContext, warehouse: WarehouseConfig
) -> dg.MaterializeResult:
    """The solutions commission statement of the quarter before each evaluation date of the run:
    written, audited, then renamed into place; refused when the last gate report blocked."""
    from orchestration.defs.publication.gate_bridge import gate_for_publication

    dates = sorted(date.fromisoformat(k) for k in context.partition_keys)
    with warehouse.locked():
        gate, summary = gate_for_publication(warehouse)
        if summary.get("blocked"):
            raise dg.Failure(description=f"the quality gate blocked: {summary.get('failed')}")
        try:
            outcomes = publish_statements(
                warehouse.db,
                Path(warehouse.publish_dir),
                run_date=warehouse.resolved_run_date(),
                evaluation_from=dates[0],
                evaluation_to=dates[-1],
                gate=gate,
                gate_summary=summary,
                republish=warehouse.republish,
                reason=warehouse.republish_reason or None,
                progress=lambda m: say(m, context.log.info),
            )
        except PublicationError as exc:
            raise dg.Failure(description=str(exc)) from exc
    return dg.MaterializeResult(
        metadata={
            "statements": [
                f"{quarter_label(o.evaluation_date)}: "
                + (f"v{o.decision.version} published" if o.decision.publish else "no new version")
                + f" ({o.decision.reason})"
                for o in outcomes
            ]
        }
    )
