"""Every dbt model, seed and test in one @dbt_assets: `dbt build`, so tests gate in the same step
and error-severity tests are blocking asset checks (conventions.md)."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration import settings
from orchestration.defs.dbt.resources import dbt_project, ensure_manifest
from orchestration.defs.dbt.translator import WarehouseTranslator
from orchestration.defs.resources import DUCKDB_WRITER_POOL, WarehouseConfig
from orchestration.progress import say


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """`values` in os.environ while the block runs, then as before: DbtCliResource passes only
    os.environ to dbt, and one run's parameters must not leak into a later dbt call of the process."""
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


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
    args = ["build", "--exclude-resource-type", "unit_test"]
    # The run parameters go in the environment, not `--vars`: dbt re-parses the whole project when the
    # vars change (3-5 s a run), and macros/run_parameters.sql reads these variables at execution time only.
    run_env = warehouse.dbt_env()
    say(
        f"dbt {args[0]}: models, seeds and tests (run date {run_env[settings.ENV_DBT_RUN_DATE]},"
        f" {warehouse.describe_range()})",
        context.log.info,
    )
    n = 0
    # One stable target path per warehouse: it keeps dbt's partial parse between runs (dagster-dbt's
    # default is a new one each time), and two warehouses never share run_results.json (issue 13 item 1).
    # dbt.cli starts the dbt process, with the environment of that moment.
    with warehouse.locked():
        with _environ(run_env):
            invocation = dbt.cli(args, context=context, raise_on_error=True, target_path=warehouse.dbt_target_dir)
        for event in invocation.stream():
            n += 1
            if isinstance(event, dg.Output | dg.AssetMaterialization) and n % 10 == 0:
                say(f"dbt: {n} nodes done", None)
            yield event
    say(f"dbt: done ({n} models, seeds and checks)")
