"""One asset per raw feed, loaded together so that the load is all-or-nothing (feeds.md "Bad input")."""

import dagster as dg

from orchestration.defs.ingest.contract import FEEDS
from orchestration.defs.ingest.load import LoadFailed, load_landing
from orchestration.defs.resources import DUCKDB_WRITER_POOL, WarehouseConfig
from orchestration.progress import say

RAW_GROUP = "raw"


def raw_asset_key(feed: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", feed])


@dg.multi_asset(
    name="raw_feeds",
    specs=[
        dg.AssetSpec(
            raw_asset_key(f.name),
            group_name=RAW_GROUP,
            description=f"{f.description} ({'required' if f.required else 'optional'} feed, feeds.md)",
            kinds={"duckdb"},
            metadata={"primary_key": ", ".join(f.primary_key) or "none"},
        )
        for f in FEEDS
    ],
    can_subset=False,  # one transaction for every feed: no partial loads
    pool=DUCKDB_WRITER_POOL,
)
def raw_feeds(context: dg.AssetExecutionContext, warehouse: WarehouseConfig):
    """Check every landing file against the feed contract and replace the raw tables in one transaction."""
    try:
        with warehouse.locked():
            report = load_landing(
                warehouse.db,
                warehouse.landing_dir,
                force=warehouse.force_reload,
                allow_missing=warehouse.allow_missing,
                progress=lambda m: say(m, context.log.info),
            )
    except LoadFailed as exc:
        raise dg.Failure(description=str(exc), metadata={"errors": [str(e) for e in exc.errors]}) from exc
    for w in report.warnings:
        context.log.warning(w)
    for name, entry in report.feeds.items():
        yield dg.MaterializeResult(
            asset_key=raw_asset_key(name),
            metadata={
                "status": entry.status,
                "rows": entry.rows if entry.rows is not None else -1,
                "files": len(entry.files),
                "fingerprint": entry.fingerprint,
                "load_id": report.load_id,
            },
        )
