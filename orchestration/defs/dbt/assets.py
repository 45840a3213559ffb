"""Every dbt model, seed and test in one @dbt_assets: `dbt build`, so tests gate in the same step
and error-severity tests are blocking asset checks (conventions.md)."""

import json
import os

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration import settings
from orchestration.defs.dbt.resources import dbt_project, ensure_manifest
from orchestration.defs.dbt.translator import WarehouseTranslator
from orchestration.defs.resources import DUCKDB_WRITER_POOL, WarehouseConfig
from orchestration.progress import say

RUN_TARGET = settings.DBT_PROJECT_DIR / "target" / "run"


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    pool=DUCKDB_WRITER_POOL,
)
def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseConfig):
    # dbt reads the warehouse path from the same variable as everything else (profiles.yml).
    os.environ[settings.ENV_DB] = warehouse.warehouse_path
    settings.apply_offline_env()
    # Unit tests pin the rules in the test suite (make test); a production build runs models,
    # seeds and data tests only.
    args = ["build", "--vars", json.dumps(warehouse.dbt_vars()), "--exclude-resource-type", "unit_test"]
    say(f"dbt {args[0]}: models, seeds and tests (vars {args[2]})", context.log.info)
    n = 0
    # A stable target path keeps dbt's partial parse between runs (dagster-dbt's default is a new one each time).
    for event in dbt.cli(args, context=context, raise_on_error=True, target_path=RUN_TARGET).stream():
        n += 1
        if isinstance(event, dg.Output | dg.AssetMaterialization) and n % 10 == 0:
            say(f"dbt: {n} nodes done", None)
        yield event
    say(f"dbt: done ({n} models, seeds and checks)")
