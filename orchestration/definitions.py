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
from orchestration.defs.sensors import landing_snapshot_sensor


def build_defs(warehouse: WarehouseConfig) -> dg.Definitions:
    """The code location for one warehouse: `dagster dev` loads it from the environment (below), the
    CLI builds it with its own settings and runs its jobs in-process (orchestration/pipeline.py)."""
    return dg.Definitions(
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
        sensors=[landing_snapshot_sensor],
        resources={"dbt": dbt_resource(), "warehouse": warehouse},
        # Every step writes DuckDB and the duckdb_writer pool runs them one at a time, so a process per
        # step (Dagster's default) buys no parallelism and costs an import of Dagster, dbt and GX per
        # step: a UI run executes its steps in its run worker, as the CLI does (issue 14 item 5).
        executor=dg.in_process_executor,
    )


settings.apply_offline_env()

defs = build_defs(WarehouseConfig.from_env())
