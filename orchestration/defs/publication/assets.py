"""Publication assets: published tiers (read back from the store) and the quarterly publication."""

from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.partitions import evaluation_dates
from orchestration.defs.publication.publish import PublicationError, open_record, publish, sync_published_tiers
from orchestration.defs.publication.store import PublicationStore
from orchestration.defs.resources import DUCKDB_WRITER_POOL, WarehouseConfig
from orchestration.progress import say

PUBLISHED_TIERS_KEY = dg.AssetKey(["publication", "published_technology_tiers"])
PUBLICATION_KEY = dg.AssetKey(["publication", "technology_tier_publication"])
MART_KEYS = [
    dg.AssetKey(["marts", name])
    for name in (
        "fct_technology_tier_evaluations",
        "fct_technology_partner_metrics",
        "fct_technology_tier_requirements",
        "fct_technology_tier_gaps",
        "fct_technology_partner_benefits",
    )
]


@dg.asset(key=PUBLISHED_TIERS_KEY, group_name="publication", pool=DUCKDB_WRITER_POOL, kinds={"duckdb"})
def published_technology_tiers(context: dg.AssetExecutionContext, warehouse: WarehouseConfig) -> dg.MaterializeResult:
    """The tiers of every published version, read back from the publication files (rules.md A9: the
    tier in force before E is the current published tier of the previous date)."""
    import duckdb

    store = PublicationStore(Path(warehouse.publish_dir))
    with warehouse.locked():
        try:
            open_record(store, lambda m: say(m, context.log.warning))
        except PublicationError as exc:
            raise dg.Failure(description=str(exc)) from exc
        con = duckdb.connect(warehouse.warehouse_path)
        try:
            n = sync_published_tiers(con, store)
        finally:
            con.close()
    say(f"published tiers: {n} rows from {warehouse.publish_dir}", context.log.info)
    return dg.MaterializeResult(metadata={"rows": n})


@dg.asset(
    key=PUBLICATION_KEY,
    group_name="publication",
    partitions_def=evaluation_dates,
    deps=MART_KEYS,
    pool=DUCKDB_WRITER_POOL,
    kinds={"csv", "xlsx", "parquet"},
)
def technology_tier_publication(context: dg.AssetExecutionContext, warehouse: WarehouseConfig) -> dg.MaterializeResult:
    """The quarterly tier publication of one evaluation date: written, audited, then renamed into place.

    Upstream blocking checks (the quality gate, dbt tests of error severity) stop this asset in the
    same run; it also refuses to publish when the last gate report of these inputs blocked."""

    e = date.fromisoformat(context.partition_key)
    with warehouse.locked():
        return _publish_partition(context, warehouse, e)


def _publish_partition(context: dg.AssetExecutionContext, warehouse: WarehouseConfig, e: date) -> dg.MaterializeResult:
    from orchestration.defs.publication.gate_bridge import gate_for_publication

    gate, summary = gate_for_publication(warehouse)
    if summary.get("blocked"):
        raise dg.Failure(description=f"the quality gate blocked: {summary.get('failed')}")
    try:
        outcomes = publish(
            warehouse.db,
            Path(warehouse.publish_dir),
            run_date=warehouse.resolved_run_date(),
            evaluation_dates=[e],
            gate=gate,
            gate_summary=summary,
            republish=warehouse.republish,
            reason=warehouse.republish_reason or None,
            progress=lambda m: say(m, context.log.info),
        )
    except PublicationError as exc:
        raise dg.Failure(description=str(exc)) from exc
    [outcome] = outcomes
    return dg.MaterializeResult(
        metadata={
            "published": outcome.decision.publish,
            "version": outcome.decision.version or 0,
            "reason": outcome.decision.reason,
            "path": str(outcome.path) if outcome.path else "",
        }
    )
