"""Every dbt model, seed and test in one @dbt_assets: `dbt build`, so tests gate in the same step
and error-severity tests are blocking asset checks (conventions.md)."""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration import settings
from orchestration.defs.dbt.resources import dbt_project, ensure_manifest
from orchestration.defs.dbt.translator import WarehouseTranslator
from orchestration.defs.resources import DUCKDB_WRITER_POOL, WarehouseConfig, describe_range
from orchestration.progress import say


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """`values` in os.environ while the block runs, then as before: DbtCliResource passes only
    os.environ to dbt, and one run's settings must not leak into a later dbt call of the process."""
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
    """One `dbt build` over the run's evaluation range. The models are not partitioned: the tier chain
    (A9) runs over every date from the first and the marts are rebuilt whole; a run that targets
    evaluation-date partitions (a backfill, the CLI) passes their range as dbt vars (issue 14 item 2)."""
    settings.apply_offline_env()
    dbt_vars = warehouse.dbt_vars(context)
    # Unit tests pin the rules in the test suite (make test); a production build runs models,
    # seeds and data tests only. `--vars`, as Dagster's project_dbt example: the run's parameters reach
    # its dbt process and nothing else. dbt re-parses the project when they change (measured in
    # docs/architecture.md).
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(dbt_vars)]
    say(
        f"dbt {args[0]}: models, seeds and tests (run date {dbt_vars['run_date']},"
        f" {describe_range(dbt_vars['evaluation_from'], dbt_vars['evaluation_to'])})",
        context.log.info,
    )
    n = 0
    # One stable target path per warehouse: it keeps dbt's partial parse between runs (dagster-dbt's
    # default is a new one each time), and two warehouses never share run_results.json (issue 13 item 1).
    # dbt.cli starts the dbt process with the environment of that moment; profiles.yml reads the
    # warehouse path from it, so it is set for that moment only.
    # `engine` spark (issue 19, orchestration/engines/spark.py): the same build on the `spark` target,
    # between a Parquet export of the sources and the read-back of what Spark built into DuckDB.
    spark = warehouse.engine == "spark"
    with warehouse.locked():
        env = {settings.ENV_DB: warehouse.warehouse_path} | settings.duckdb_settings(warehouse.db)
        if spark:
            from orchestration.engines.spark import finish_spark_build, prepare_spark_build

            env |= prepare_spark_build(warehouse.db)
            args += ["--target", "spark"]
        with _environ(env):
            invocation = dbt.cli(args, context=context, raise_on_error=True, target_path=warehouse.dbt_target_dir)
        for event in invocation.stream():
            n += 1
            if isinstance(event, dg.Output | dg.AssetMaterialization) and n % 10 == 0:
                say(f"dbt: {n} nodes done", None)
            yield event
        if spark:
            finish_spark_build(warehouse.db)
    say(f"dbt: done ({n} models, seeds and checks)")
