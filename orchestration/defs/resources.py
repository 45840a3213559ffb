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


class WarehouseConfig(dg.ConfigurableResource):
    """Where the landing zone, the warehouse and the publications are, and the run parameters."""

    landing_dir: str
    warehouse_path: str
    publish_dir: str
    run_date: str = ""  # YYYY-MM-DD; empty = today (rules.md G3)
    evaluation_from: str = OPEN_FROM.isoformat()
    evaluation_to: str = OPEN_TO.isoformat()
    force_reload: bool = False
    allow_missing: list[str] = []  # optional feeds allowed to vanish since the last load (issue 13 item 6)
    republish: bool = False  # a new version of an already published date needs a reason
    republish_reason: str = ""
    # A step that finds the warehouse locked by another run waits for it (issue 13 item 1); the CLI
    # fails at once instead unless it is given --wait.
    wait_for_lock: bool = True

    @classmethod
    def from_env(cls) -> WarehouseConfig:
        db = settings.warehouse_path()
        return cls(
            landing_dir=str(settings.landing_dir()),
            warehouse_path=str(db),
            publish_dir=str(settings.publish_dir(db)),
            run_date=os.environ.get(settings.ENV_RUN_DATE, ""),
        )

    def resolved_run_date(self) -> date:
        return date.fromisoformat(self.run_date) if self.run_date else date.today()

    @property
    def db(self) -> Path:
        return Path(self.warehouse_path)

    def describe_range(self) -> str:
        """The evaluation range in words; the defaults mean every date the data covers."""
        if (self.evaluation_from, self.evaluation_to) == (OPEN_FROM.isoformat(), OPEN_TO.isoformat()):
            return "every evaluation date the data covers"
        return f"evaluation dates {self.evaluation_from} .. {self.evaluation_to}"

    @property
    def dbt_target_dir(self) -> Path:
        return settings.dbt_target_dir(self.db)

    def locked(self):
        """The run lock of this warehouse and its publications (orchestration/lock.py), re-entrant."""
        from orchestration.lock import run_lock

        return run_lock(self.db, Path(self.publish_dir), wait=self.wait_for_lock)

    def dbt_env(self) -> dict[str, str]:
        """The run parameters as the environment of the dbt process (settings.ENV_DBT_*)."""
        return {
            settings.ENV_DBT_RUN_DATE: self.resolved_run_date().isoformat(),
            settings.ENV_DBT_EVALUATION_FROM: self.evaluation_from,
            settings.ENV_DBT_EVALUATION_TO: self.evaluation_to,
        }
