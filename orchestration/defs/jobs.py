"""Jobs: the whole warehouse in one run, and the quarterly publication of one evaluation date."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.publication.assets import PUBLICATION_KEY
from orchestration.defs.publication.statement_assets import STATEMENT_PUBLICATION_KEY

build_warehouse_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(PUBLICATION_KEY, STATEMENT_PUBLICATION_KEY),
    description="Load every feed (all or nothing), check it, then dbt build: staging, engines, marts, tests.",
)

# Partitioned by evaluation date through the publication asset. One partition (a schedule) or a range
# (a backfill, the CLI, the sensor) is one run: one load, one gate, one dbt build over the range, then
# the publication of each date (issue 14 item 2).
publish_quarter_job = dg.define_asset_job(
    "publish_quarter",
    selection=dg.AssetSelection.all(),
    description="Load, check, build and publish the evaluation dates of the run (one partition or a range).",
)
