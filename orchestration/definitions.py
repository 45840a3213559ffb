"""The Dagster code location: builds Definitions and nothing else."""

from __future__ import annotations

import dagster as dg

from orchestration import settings
from orchestration.defs.dbt.assets import warehouse_dbt_models
from orchestration.defs.dbt.resources import dbt_resource
from orchestration.defs.ingest.assets import raw_feeds
from orchestration.defs.jobs import build_warehouse_job
from orchestration.defs.quality.checks import data_quality_gate
from orchestration.defs.resources import WarehouseConfig

settings.apply_offline_env()

defs = dg.Definitions(
    assets=[raw_feeds, warehouse_dbt_models],
    asset_checks=[data_quality_gate],
    jobs=[build_warehouse_job],
    resources={"dbt": dbt_resource(), "warehouse": WarehouseConfig.from_env()},
)
