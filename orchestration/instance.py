"""The Dagster instance of a warehouse: where the CLI's runs and the UI meet (issue 14 item 1).

One DAGSTER_HOME per warehouse (settings.dagster_home, `<warehouse>.dagster/` by default) holding the
committed `orchestration/dagster.yaml`: telemetry off and the `duckdb_writer` pool limited to 1, for
`partner-warehouse run`, `partner-warehouse ui` and a `dagster dev` started by hand with that home.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite.consolidated_sqlite_event_log import ConsolidatedSqliteEventLogStorage
from sqlalchemy.pool import QueuePool

from orchestration import settings

DAGSTER_YAML = Path(__file__).with_name("dagster.yaml")
HOME_PLACEHOLDER = "$DAGSTER_HOME"  # in dagster.yaml: the instance directory, filled in by prepare_home
# A CLI run says which process ran it, so that a run whose process died (killed, a failpoint) can be
# told from one still running and its pool slot given back (release_dead_cli_runs).
PID_TAG = "partner_warehouse/pid"
HOST_TAG = "partner_warehouse/host"


def prepare_home(home: Path) -> Path:
    """Create `home` with the committed dagster.yaml (rewritten when it differs: the file is code)."""
    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    text = DAGSTER_YAML.read_text(encoding="utf-8").replace(HOME_PLACEHOLDER, str(home))
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return home


@contextmanager
def open_instance(home: Path) -> Iterator[dg.DagsterInstance]:
    settings.apply_offline_env()
    with dg.DagsterInstance.from_config(str(prepare_home(home))) as instance:
        yield instance


def cli_run_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname(), "dagster/from_ui": "false"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_dead_cli_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the CLI runs of this host whose process is gone, and free their pool slots: an
    in-process run claims the `duckdb_writer` slot per step, and a process killed inside a step never
    gives it back, so the next run would wait for it forever. Runs of live processes and runs the UI
    launched are left alone. Call it holding the warehouse's run lock (no other CLI run is starting)."""
    from dagster._core.storage.dagster_run import DagsterRunStatus

    host = socket.gethostname()
    released = []
    for run in instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.NOT_STARTED],
            tags={HOST_TAG: host},
        )
    ):
        pid = int(run.tags.get(PID_TAG, "0") or 0)
        if not pid or pid == os.getpid() or _alive(pid):
            continue
        instance.report_run_failed(run, f"its process {pid} ended during the run (killed or crashed)")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(f"dagster: run {run.run_id} of process {pid}, which ended mid-run, marked failed")
    return released


class WarehouseEventLogStorage(ConsolidatedSqliteEventLogStorage):
    """Dagster's one-file SQLite event log, with one pooled engine instead of a new engine per
    statement, and `synchronous=NORMAL` (WAL mode, which Dagster sets): a run of this warehouse writes
    about a thousand events (every dbt model and test is a materialization or a check result), and
    Dagster's stock SQLite storage took 0.1-0.3 s per event on the project's 2-core machine (a
    200-check toy asset: 58 s against 4 s with this class; docs/architecture.md). With NORMAL a power
    cut may lose the last events written, never corrupt the file; the run history is a log, the
    warehouse and the publications are the record."""

    @cached_property
    def _engine(self) -> sa.Engine:
        engine = sa.create_engine(
            self._conn_string,
            poolclass=QueuePool,
            pool_size=2,
            connect_args={"timeout": 30, "check_same_thread": False},
        )

        @sa.event.listens_for(engine, "connect")
        def _synchronous_normal(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine

    @contextmanager
    def _connect(self):
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        if "_engine" in self.__dict__:
            self._engine.dispose()
