"""The Dagster code location: builds Definitions and nothing else."""

from __future__ import annotations

import dagster as dg

from orchestration import settings
from orchestration.defs.dbt.assets import warehouse_dbt_models
from orchestration.defs.dbt.resources import dbt_resource
from orchestration.defs.ingest.assets import raw_feeds
from orchestration.defs.jobs import build_warehouse_job, publish_quarter_job
from orchestration.defs.publication.assets import published_technology_tiers, technology_tier_publication
from orchestration.defs.publication.statement_assets import solutions_statement_publication
from orchestration.defs.quality.checks import data_quality_gate
from orchestration.defs.resources import WarehouseConfig
from orchestration.defs.schedules import final_publication_schedule, quarterly_publication_schedule

settings.apply_offline_env()

defs = dg.Definitions(
    assets=[
        raw_feeds,
        published_technology_tiers,
        warehouse_dbt_models,
        technology_tier_publication,
        solutions_statement_publication,  # issue 15 item 3
    ],
    asset_checks=[data_quality_gate],
    jobs=[build_warehouse_job, publish_quarter_job],
    schedules=[quarterly_publication_schedule, final_publication_schedule],
    resources={"dbt": dbt_resource(), "warehouse": WarehouseConfig.from_env()},
)
