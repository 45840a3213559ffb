"""Publication assets: published tiers (read back from the store) and the quarterly publication."""

from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.partitions import evaluation_dates
from orchestration.defs.publication.publish import PublicationError, open_record, publish, sync_published_tiers
from orchestration.defs.publication.store import PublicationStore
from orchestration.defs.resources import DUCKDB_WRITER_POOL, WarehouseConfig
from orchestration.progress import say

PUBLISHED_RECORD_GROUP = "published_record"  # the tiers already published, read back (rules.md A9)
PUBLISHED_TIERS_KEY = dg.AssetKey(["publication", "published_technology_tiers"])
PUBLISHED_REQUIREMENTS_KEY = dg.AssetKey(["publication", "published_technology_requirements"])
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


# Its own group, left of the dbt models it feeds: in "publication" it would make the groups a cycle
# (publication -> intermediate -> marts -> publication), and the collapsed graph would read backwards.
@dg.multi_asset(
    name="published_technology_tiers",
    specs=[
        dg.AssetSpec(
            PUBLISHED_TIERS_KEY,
            group_name=PUBLISHED_RECORD_GROUP,
            kinds={"duckdb"},
            description="The tier and action of every published version (rules.md A9: tier_before).",
        ),
        dg.AssetSpec(
            PUBLISHED_REQUIREMENTS_KEY,
            group_name=PUBLISHED_RECORD_GROUP,
            kinds={"duckdb"},
            description="The requirement rows of each date's current version (the marts' published fact).",
        ),
    ],
    can_subset=False,  # one transaction rebuilds both (publish.sync_published_tiers)
    pool=DUCKDB_WRITER_POOL,
)
def published_technology_tiers(context: dg.AssetExecutionContext, warehouse: WarehouseConfig):
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
    yield dg.MaterializeResult(asset_key=PUBLISHED_TIERS_KEY, metadata={"rows": n})
    yield dg.MaterializeResult(asset_key=PUBLISHED_REQUIREMENTS_KEY)


@dg.asset(
    key=PUBLICATION_KEY,
    group_name="publication",
    partitions_def=evaluation_dates,
    # a backfill of N dates is one run: one load, one gate, one dbt build, then this step publishes each
    # date (issue 14 item 2)
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=MART_KEYS,
    pool=DUCKDB_WRITER_POOL,
    kinds={"csv", "xlsx", "parquet"},
)
def technology_tier_publication(context: dg.AssetExecutionContext, warehouse: WarehouseConfig) -> dg.MaterializeResult:
    """The quarterly tier publication of every evaluation date of the run: each written, audited, then
    renamed into place; one analytics snapshot after them (docs/architecture.md).

    Upstream blocking checks (the quality gate, dbt tests of error severity) stop this asset in the
    same run; it also refuses to publish when the last gate report of these inputs blocked."""

    dates = [date.fromisoformat(k) for k in context.partition_keys]
    with warehouse.locked():
        return _publish_partitions(context, warehouse, dates)


def _evaluated_dates(warehouse: WarehouseConfig) -> set[date]:
    import duckdb

    con = duckdb.connect(warehouse.warehouse_path, read_only=True)
    try:
        rows = con.execute("SELECT DISTINCT evaluation_date FROM marts.fct_technology_tier_evaluations").fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def _publish_partitions(
    context: dg.AssetExecutionContext, warehouse: WarehouseConfig, dates: list[date]
) -> dg.MaterializeResult:
    from orchestration.defs.publication.gate_bridge import gate_for_publication

    gate, summary = gate_for_publication(warehouse)
    if summary.get("summary"):  # issue 15 item 4: the count the manifest and the portal show
        # ("publication: ..." so benchmarks/pipeline.py counts the line in the publish stage)
        say(f"publication: gate as published, dbt tests included: {summary['summary']}", context.log.info)
    if summary.get("blocked"):
        raise dg.Failure(
            description="publication blocked by the gate:\n" + "\n".join(f"  - {f}" for f in summary["failed"])
        )
    missing = sorted(set(dates) - _evaluated_dates(warehouse))
    if missing:  # a partition is a date the data covers (partitions.py); dbt evaluated it, or A2 disagrees
        raise dg.Failure(
            description=f"evaluation date(s) {', '.join(map(str, missing))} have no rows in"
            " marts.fct_technology_tier_evaluations: was the dbt build run over them? Run the whole job"
            " (load, gate, dbt build, publication) for those partitions."
        )
    try:
        outcomes = publish(
            warehouse.db,
            Path(warehouse.publish_dir),
            run_date=warehouse.resolved_run_date(),
            evaluation_dates=dates,
            gate=gate,
            gate_summary=summary,
            republish=warehouse.republish,
            reason=warehouse.republish_reason or None,
            progress=lambda m: say(m, context.log.info),
            engine=warehouse.engine,
        )
    except (PublicationError, OSError) as exc:
        raise dg.Failure(
            description=f"publication failed, nothing was published and the previous one is untouched: {exc}"
        ) from exc
    # one materialization per partition; the metadata says what happened to each date
    return dg.MaterializeResult(
        metadata={
            "published": sum(o.decision.publish for o in outcomes),
            "versions": dg.MetadataValue.md(
                "| evaluation date | published | version | reason | path |\n|---|---|---:|---|---|\n"
                + "\n".join(
                    f"| {o.evaluation_date} | {o.decision.publish} | {o.decision.version or 0} | {o.decision.reason}"
                    f" | {o.path or ''} |"
                    for o in outcomes
                )
            ),
        }
    )
