"""Where things are, and the run parameters, read from one place.

The same environment variables drive the CLI, Dagster and dbt (product.md "Public interface"):
PARTNER_WAREHOUSE_LANDING, PARTNER_WAREHOUSE_DB, PARTNER_WAREHOUSE_PUBLISH_DIR, PARTNER_WAREHOUSE_RUN_DATE.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

ENV_LANDING = "PARTNER_WAREHOUSE_LANDING"
ENV_DB = "PARTNER_WAREHOUSE_DB"
ENV_PUBLISH_DIR = "PARTNER_WAREHOUSE_PUBLISH_DIR"
ENV_RUN_DATE = "PARTNER_WAREHOUSE_RUN_DATE"
ENV_DAGSTER_HOME = "PARTNER_WAREHOUSE_DAGSTER_HOME"

DEFAULT_LANDING = PROJECT_ROOT / "data" / "landing"
DEFAULT_DB = PROJECT_ROOT / "data" / "warehouse.duckdb"

# Nothing may wait on the network: dbt, Dagster and GX telemetry off (../shared/stack-notes.md).
OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DO_NOT_TRACK": "1",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "False",
}


def apply_offline_env() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def landing_dir() -> Path:
    return Path(os.environ.get(ENV_LANDING, DEFAULT_LANDING)).resolve()


def warehouse_path() -> Path:
    return Path(os.environ.get(ENV_DB, DEFAULT_DB)).resolve()


def dbt_target_dir(warehouse: Path) -> Path:
    """dbt's target path of one warehouse: beside it, so two warehouses built from one checkout never
    read each other's run_results.json (issue 13 item 1). dbt keeps its partial parse there too."""
    warehouse = Path(warehouse).resolve()
    return warehouse.with_name(warehouse.name + ".dbt-target")


def dagster_home(warehouse: Path | None = None) -> Path:
    """The Dagster instance of a warehouse (runs, materializations, check results, partitions): beside
    it, `<warehouse>.dagster/`, unless PARTNER_WAREHOUSE_DAGSTER_HOME says otherwise (issue 14 item 1).
    The CLI's runs and `partner-warehouse ui` meet there."""
    configured = os.environ.get(ENV_DAGSTER_HOME)
    if configured:
        return Path(configured).resolve()
    warehouse = Path(warehouse or warehouse_path()).resolve()
    return warehouse.with_name(warehouse.name + ".dagster")


# DuckDB's memory (issue 18): every connection that writes the warehouse or reads a big part of it
# (loader, gate, dbt through profiles.yml, publication) gets `memory_limit` and spills beyond it to
# `temp_directory`, so SF 10 fits the machine by design, not by luck. DuckDB's own default is 80 % of
# RAM per connection, and a run holds dbt's and the CLI's process at once. dbt_project/profiles.yml
# reads the same variables (with these defaults; tests/test_settings_in_step.py keeps them equal).
# 8GB -> 12GB: at SF 10 the attached-MRR join's hash table (45.7M installs) asked for one more 1 GiB
# block at 7.1 of 7.4 GiB; 12GB (11.2 GiB) plus the CLI's own process stays under issue 18's 16 GiB.
DUCKDB_DEFAULTS = {
    "PARTNER_WAREHOUSE_DUCKDB_MEMORY_LIMIT": "12GB",
    # empty: <warehouse>.tmp/ beside the DuckDB file
    "PARTNER_WAREHOUSE_DUCKDB_TEMP_DIR": "",
}


def duckdb_settings(warehouse: Path) -> dict[str, str]:
    """DuckDB's memory settings of one warehouse, as environment variables (profiles.yml reads them)."""
    values = {key: os.environ.get(key) or default for key, default in DUCKDB_DEFAULTS.items()}
    warehouse = Path(warehouse).resolve()
    values["PARTNER_WAREHOUSE_DUCKDB_TEMP_DIR"] = str(
        Path(values["PARTNER_WAREHOUSE_DUCKDB_TEMP_DIR"] or warehouse.with_name(warehouse.name + ".tmp")).resolve()
    )
    return values


def duckdb_config(warehouse: Path) -> dict[str, str]:
    """`config` of duckdb.connect for one warehouse: memory_limit and temp_directory."""
    values = duckdb_settings(warehouse)
    return {
        "memory_limit": values["PARTNER_WAREHOUSE_DUCKDB_MEMORY_LIMIT"],
        "temp_directory": values["PARTNER_WAREHOUSE_DUCKDB_TEMP_DIR"],
    }


def connect(warehouse: Path | str, *, read_only: bool = False, **config: str | int):
    """The warehouse's DuckDB connection with its memory settings (duckdb_config) and UTC."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=read_only, config=duckdb_config(Path(warehouse)) | config)
    con.execute("SET TimeZone = 'UTC'")
    return con


# Apache Spark engine (`partner-warehouse run --engine spark`, docs/spark.md). Each setting is read from
# its environment variable, else the default here; dbt_project/profiles.yml (target `spark`) reads the
# same variables, which orchestration/engines/spark.py always sets from spark_settings().
ENGINES = ("duckdb", "spark")
ENV_ENGINE = "PARTNER_WAREHOUSE_ENGINE"
SPARK_DEFAULTS = {
    # local[2]: both cores of a developer's machine; spark://HOST:PORT for a standalone cluster
    "PARTNER_WAREHOUSE_SPARK_MASTER": "local[2]",
    "PARTNER_WAREHOUSE_SPARK_DRIVER_MEMORY": "2g",
    "PARTNER_WAREHOUSE_SPARK_EXECUTOR_MEMORY": "1g",
    # Spark's default of 200 shuffle partitions makes 200 tasks of a few rows each for every join of
    # this project's small tables; adaptive execution merges small ones but still plans 200.
    "PARTNER_WAREHOUSE_SPARK_SHUFFLE_PARTITIONS": "4",
    # empty: <warehouse>.spark/ beside the DuckDB file (managed tables, Derby metastore, Parquet exchange)
    "PARTNER_WAREHOUSE_SPARK_DIR": "",
}


def engine() -> str:
    return os.environ.get(ENV_ENGINE, "duckdb")


def spark_settings(warehouse: Path) -> dict[str, str]:
    """The Spark settings of one warehouse, as the environment of its dbt process (profiles.yml).

    The metastore is an embedded Derby database: one Spark process at a time may open it, which the
    run lock of the warehouse already guarantees."""
    values = {key: os.environ.get(key) or default for key, default in SPARK_DEFAULTS.items()}
    root = Path(values["PARTNER_WAREHOUSE_SPARK_DIR"] or spark_dir(warehouse)).resolve()
    values["PARTNER_WAREHOUSE_SPARK_DIR"] = str(root)
    values["PARTNER_WAREHOUSE_SPARK_WAREHOUSE_DIR"] = str(root / "warehouse")
    values["PARTNER_WAREHOUSE_SPARK_METASTORE_URL"] = f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true"
    values["PARTNER_WAREHOUSE_SPARK_EXCHANGE_DIR"] = str(root / "exchange")
    return values


def spark_dir(warehouse: Path) -> Path:
    warehouse = Path(warehouse).resolve()
    return warehouse.with_name(warehouse.name + ".spark")


def publish_dir(warehouse: Path | None = None) -> Path:
    """Publications go beside the warehouse unless configured."""
    configured = os.environ.get(ENV_PUBLISH_DIR)
    if configured:
        return Path(configured).resolve()
    return (warehouse or warehouse_path()).parent / "publications"


def run_date() -> date:
    """rules.md G3: the run date is explicit; default today."""
    configured = os.environ.get(ENV_RUN_DATE)
    return date.fromisoformat(configured) if configured else date.today()
