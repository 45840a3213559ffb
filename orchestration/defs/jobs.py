"""Jobs: the whole warehouse in one run (load, dbt build with its checks)."""

from __future__ import annotations

import dagster as dg

build_warehouse_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.groups("raw") | dg.AssetSelection.all().downstream(),
    description="Load every feed (all or nothing), then dbt build: staging, engines, marts and their tests.",
)
