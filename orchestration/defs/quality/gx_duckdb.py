"""The one place that makes Great Expectations' SQL engine work on DuckDB (GX 1.24, duckdb-engine 0.17).

Why: GX 1.x has no DuckDB data source, and through `add_sql("duckdb:///…")` every expectation fails
(`IndexError: list index out of range`, GX issues #10738 and #11579) because GX opens a new
connection per query for dialects it does not know, and DuckDB's SQLAlchemy driver loses the
query's state between them. GX keeps one persisted connection for the dialects listed in the
private `_PERSISTED_CONNECTION_DIALECTS`; adding DuckDB to that list makes expectations run as SQL
inside DuckDB (pushdown): nothing is pulled into pandas, so memory does not grow with the table.
GX also leaves `dialect_module` empty for DuckDB, so regex expectations fail ("Regex is not
supported for dialect duckdb"); the context sets it to SQLAlchemy's PostgreSQL dialect, whose
regex operator (`~`) DuckDB shares.

This patches two GX internals. It is isolated here, applied only by `duckdb_context`, and
tests/test_quality_gx_duckdb.py proves it still works (and that GX still needs it) on the pinned
versions. Also here: `expect_column_values_to_be_first_of_month`, the one expectation the suites
use that GX does not ship (feeds.md: months are the first day of the month).

Import cost: this module imports great_expectations (about 10 s); import it lazily.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # offline: GX must not try to send usage stats

import duckdb_engine  # noqa: E402
import great_expectations as gx  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.execution_engine import (  # noqa: E402
    PandasExecutionEngine,
    SqlAlchemyExecutionEngine,
)
from great_expectations.execution_engine import sqlalchemy_execution_engine as _gx_sql  # noqa: E402
from great_expectations.expectations.expectation import ColumnMapExpectation  # noqa: E402
from great_expectations.expectations.metrics.map_metric_provider import (  # noqa: E402
    ColumnMapMetricProvider,
    column_condition_partial,
)
from sqlalchemy.dialects import postgresql as sa_postgresql  # noqa: E402

DIALECT = "duckdb"


def _release_duckdb_engine_at_exit() -> None:
    """With GX loaded, duckdb-engine's module globals outlive DuckDB's extension at interpreter exit
    and nanobind prints a hundred "leaked instance" lines. Dropping them first keeps stderr clean."""
    for name in [m for m in sys.modules if m == "duckdb_engine" or m.startswith("duckdb_engine.")]:
        module = sys.modules.pop(name)
        module.__dict__.clear()
    gc.collect()


atexit.register(_release_duckdb_engine_at_exit)


class _DuckDBDialectName(str):
    """Stands in for a `GXSqlDialect` member: GX compares `.value` with the URL's driver name."""

    @property
    def value(self) -> str:
        return str(self)


def patch_gx_for_duckdb() -> None:
    """Make GX keep one persisted connection for DuckDB (idempotent)."""
    current = _gx_sql._PERSISTED_CONNECTION_DIALECTS
    if not any(str(getattr(d, "value", d)) == DIALECT for d in current):
        _gx_sql._PERSISTED_CONNECTION_DIALECTS = (*current, _DuckDBDialectName(DIALECT))


def unpatch_gx_for_duckdb() -> None:
    """Undo `patch_gx_for_duckdb` (for the test that shows GX still needs it)."""
    _gx_sql._PERSISTED_CONNECTION_DIALECTS = tuple(
        d for d in _gx_sql._PERSISTED_CONNECTION_DIALECTS if str(getattr(d, "value", d)) != DIALECT
    )


# ---------------------------------------------------------------------------------------------
# A custom expectation: feeds.md "Months (`month` columns) are the first day of the month".


class ColumnValuesFirstOfMonth(ColumnMapMetricProvider):
    condition_metric_name = "column_values.first_of_month"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: Any, **kwargs: Any) -> Any:
        return column.dt.day == 1

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column: Any, **kwargs: Any) -> Any:
        return sa.extract("day", column) == 1


class ExpectColumnValuesToBeFirstOfMonth(ColumnMapExpectation):
    """Expect every non-null date of the column to be the first day of its month (feeds.md, G4)."""

    map_metric = "column_values.first_of_month"
    success_keys = ("mostly",)


# ---------------------------------------------------------------------------------------------
# The context


@contextmanager
def duckdb_context(
    db_path: str | Path, *, memory_limit: str | None = None, threads: int | None = None
) -> Iterator[Any]:
    """An ephemeral GX context with one SQL data source on the DuckDB file, opened read-only.

    Yields the data source; `feed_batch(datasource, feed)` gives a feed's batch. The engine and
    its DuckDB connection are closed on exit, so the file is free for the next writer.
    """
    patch_gx_for_duckdb()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    config: dict[str, Any] = {}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    datasource = context.data_sources.add_sql(
        "warehouse",
        connection_string=f"duckdb:///{Path(db_path).resolve()}",
        create_temp_table=False,
        kwargs={"connect_args": {"read_only": True, "config": config}},
    )
    try:
        # GX picks dialect-specific SQL (regex, LIKE) from `dialect_module`, None for dialects it
        # does not know; DuckDB speaks PostgreSQL's (`~` for regex) and duckdb-engine's dialect is
        # a subclass of SQLAlchemy's PostgreSQL dialect, so GX uses its PostgreSQL expressions.
        datasource.get_execution_engine().dialect_module = sa_postgresql
        yield datasource
    finally:
        _close(datasource)


def feed_batch(datasource: Any, feed: str, schema: str = "raw") -> Any:
    """The whole raw table of `feed` as one GX batch (a query asset: GX ignores table schemas on DuckDB)."""
    asset = datasource.add_query_asset(feed, query=f"SELECT * FROM {schema}.{feed}")
    return asset.add_batch_definition_whole_table("all_rows").get_batch()


def _close(datasource: Any) -> None:
    """Close GX's persisted connection and dispose the engines (DuckDB: one writer per file)."""
    execution_engine = getattr(datasource, "_execution_engine", None)
    if execution_engine is not None:
        execution_engine.close()
    engine = getattr(datasource, "_engine", None)
    if engine is not None:
        engine.dispose()


def library_versions() -> str:
    return f"great_expectations {gx.__version__}, duckdb-engine {duckdb_engine.__version__}"
