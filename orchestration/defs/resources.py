"""Run parameters shared by every asset (one resource, read from the environment by default)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration import settings
from orchestration.calendar import OPEN_FROM, OPEN_TO

# Every asset that writes the warehouse DuckDB runs in this pool; its limit is 1 (dagster.yaml),
# because DuckDB allows one read-write process per file.
DUCKDB_WRITER_POOL = "duckdb_writer"


def describe_range(evaluation_from: str, evaluation_to: str) -> str:
    """An evaluation range in words; the open bounds mean every date the data covers."""
    if (evaluation_from, evaluation_to) == (OPEN_FROM.isoformat(), OPEN_TO.isoformat()):
        return "every evaluation date the data covers"
    return f"evaluation dates {evaluation_from} .. {evaluation_to}"


class WarehouseConfig(dg.ConfigurableResource):
    """Where the landing zone, the warehouse and the publications are, and the run parameters."""

    landing_dir: str
    warehouse_path: str
    publish_dir: str
    run_date: str = ""  # YYYY-MM-DD; empty = today (rules.md G3)
    # The evaluation range of a run that targets no partition (a `build_warehouse` run from the UI, a CLI
    # run whose range holds no covered date). A run that targets partitions takes its range from them
    # (evaluation_range below), never from here.
    evaluation_from: str = OPEN_FROM.isoformat()
    evaluation_to: str = OPEN_TO.isoformat()
    force_reload: bool = False
    allow_missing: list[str] = []  # optional feeds allowed to vanish since the last load (issue 13 item 6)
    republish: bool = False  # a new version of an already published date needs a reason
    republish_reason: str = ""
    # A step that finds the warehouse locked by another run waits for it (issue 13 item 1); the CLI
    # fails at once instead unless it is given --wait.
    wait_for_lock: bool = True
    # where the dbt step builds the models: duckdb, or spark (issue 19, docs/spark.md): the UI's switch
    engine: str = "duckdb"

    @classmethod
    def from_env(cls) -> WarehouseConfig:
        db = settings.warehouse_path()
        return cls(
            landing_dir=str(settings.landing_dir()),
            warehouse_path=str(db),
            publish_dir=str(settings.publish_dir(db)),
            run_date=os.environ.get(settings.ENV_RUN_DATE, ""),
            engine=settings.engine(),
        )

    def resolved_run_date(self) -> date:
        return date.fromisoformat(self.run_date) if self.run_date else date.today()

    @property
    def db(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def dbt_target_dir(self) -> Path:
        return settings.dbt_target_dir(self.db)

    def locked(self):
        """The run lock of this warehouse and its publications (orchestration/lock.py), re-entrant."""
        from orchestration.lock import run_lock

        return run_lock(self.db, Path(self.publish_dir), wait=self.wait_for_lock)

    def evaluation_range(self, context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> tuple[str, str]:
        """(from, to) of this run: its partition range when it targets evaluation-date partitions (a
        backfill, a schedule, the CLI), else the configured range (issue 14 item 2). Every step of one run
        sees the same range: an unpartitioned step of a partitioned run reads the run's range."""
        op_context = context.op_execution_context if isinstance(context, dg.AssetCheckExecutionContext) else context
        if op_context.has_partition_key_range:
            keys = op_context.partition_key_range
            return keys.start, keys.end
        return self.evaluation_from, self.evaluation_to

    def dbt_vars(self, context: dg.AssetExecutionContext) -> dict[str, str]:
        """The run parameters as dbt vars (macros/run_parameters.sql), passed with `--vars`."""
        evaluation_from, evaluation_to = self.evaluation_range(context)
        return {
            "run_date": self.resolved_run_date().isoformat(),
            "evaluation_from": evaluation_from,
            "evaluation_to": evaluation_to,
        }
