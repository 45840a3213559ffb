"""Jobs: the whole warehouse in one run, and the quarterly publication of one evaluation date."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.partitions import evaluation_dates

build_warehouse_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("publication")
    | dg.AssetSelection.keys(["publication", "published_technology_tiers"]),
    description="Load every feed (all or nothing), check it, then dbt build: staging, engines, marts, tests.",
)

publish_quarter_job = dg.define_asset_job(
    "publish_quarter",
    selection=dg.AssetSelection.all(),
    partitions_def=evaluation_dates,
    description="Load, check, build and publish one evaluation date (a partition).",
)
