"""`partner-warehouse run --engine spark`: the dbt build on Apache Spark, between DuckDB's load and publication.

The landing zone is loaded, contract-validated and gated in DuckDB exactly as for `--engine duckdb`
(the same code, so the same errors naming feed, file, line and column, and the same gate report):
a second loader and a second gate written for Spark would be two more implementations of feeds.md
to keep equal. What runs on Spark is what the issue is about, the dbt project:

1. every dbt source table (raw feeds, published tiers) is copied from DuckDB to Parquet under
   `<spark dir>/exchange/in/<schema>/<table>/` — the Parquet schema carries the contract's types;
2. `dbt build --target spark` (method: session; Spark settings from orchestration/settings.py), run
   by the Dagster dbt asset like the DuckDB build (orchestration/defs/dbt/assets.py), so its models
   and tests show in the UI as materializations and asset checks:
   its on-run-start hook registers those files as tables, its on-run-end hook writes every built
   model and seed to `<spark dir>/exchange/out/<schema>/<name>/` (dbt_project/macros/spark_exchange.sql);
3. those relations replace the DuckDB warehouse's `config`, `staging`, `intermediate` and `marts`
   relations, so the publication code, the extracts, the manifest and the analysts' snapshot are
   the ones of a DuckDB run.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from orchestration import settings
from orchestration.progress import say


def prepare_spark_build(warehouse: Path) -> dict[str, str]:
    """Step 1 above for the DuckDB warehouse `warehouse`: every dbt source written as Parquet for the
    Spark session's start-up hook. Returns the environment of the `dbt build --target spark` process
    (profiles.yml reads the Spark settings from it)."""
    from orchestration.defs.dbt.resources import ensure_manifest

    spark_env = settings.spark_settings(warehouse)
    exchange = Path(spark_env["PARTNER_WAREHOUSE_SPARK_EXCHANGE_DIR"])
    for side in ("in", "out"):
        shutil.rmtree(exchange / side, ignore_errors=True)
    sources = _sources(ensure_manifest())
    started = time.monotonic()
    export_sources(warehouse, exchange / "in", sources)
    say(f"spark: {len(sources)} source tables written as Parquet ({time.monotonic() - started:.1f}s)")
    say(f"spark: dbt build --target spark on {spark_env['PARTNER_WAREHOUSE_SPARK_MASTER']}")
    return spark_env


def finish_spark_build(warehouse: Path) -> None:
    """Step 3 above: the relations Spark built (written as Parquet by the end-of-run hook) replace the
    DuckDB warehouse's dbt schemas, so the publication code reads them as it reads DuckDB's own."""
    exchange = Path(settings.spark_settings(warehouse)["PARTNER_WAREHOUSE_SPARK_EXCHANGE_DIR"])
    started = time.monotonic()
    count = import_relations(exchange / "out", warehouse)
    say(f"spark: {count} relations read back into {warehouse} ({time.monotonic() - started:.1f}s)")


def _sources(manifest: Path) -> list[tuple[str, str]]:
    """(schema, table) of every dbt source, from the manifest."""
    nodes = json.loads(manifest.read_text())["sources"].values()
    return sorted({(n["schema"], n["identifier"]) for n in nodes})


def export_sources(warehouse: Path, out: Path, sources: list[tuple[str, str]]) -> None:
    """Each source table of the DuckDB warehouse as one Parquet file under out/<schema>/<table>/."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for schema, table in sources:
            folder = out / schema / table
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / "part-0.parquet"
            con.execute(f"COPY (SELECT * FROM \"{schema}\".\"{table}\") TO '{target}' (FORMAT parquet)")
    finally:
        con.close()


def import_relations(out: Path, warehouse: Path) -> int:
    """Every relation Spark wrote under out/<schema>/<name>/ replaces the DuckDB relation of that name
    (a view of a DuckDB build becomes a table: its rows are the Spark ones). Spark's timestamps are
    instants (TIMESTAMP WITH TIME ZONE in Parquet); the contract's `timestamp` columns are DuckDB's
    TIMESTAMP, written in UTC (the session time zone of both engines), so they are cast back."""
    import duckdb

    con = duckdb.connect(str(warehouse))
    count = 0
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("BEGIN")
        for folder in sorted(p for p in out.glob("*/*") if p.is_dir()):
            schema, name = folder.parent.name, folder.name
            files = f"{folder}/*.parquet"
            columns = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{files}')").fetchall()
            exprs = ", ".join(
                f'CAST("{c}" AS TIMESTAMP) AS "{c}"' if t == "TIMESTAMP WITH TIME ZONE" else f'"{c}"'
                for c, t, *_ in columns
            )
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.execute(f'DROP VIEW IF EXISTS "{schema}"."{name}"')
            con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{name}" AS SELECT {exprs} FROM read_parquet(\'{files}\')')
            count += 1
        con.execute("COMMIT")
    finally:
        con.close()
    return count
