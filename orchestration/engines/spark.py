"""`partner-warehouse run --engine spark`: the dbt build on Apache Spark, between DuckDB's load and publication.

The landing zone is loaded, contract-validated and gated in DuckDB exactly as for `--engine duckdb`
(the same code, so the same errors naming feed, file, line and column, and the same gate report):
a second loader and a second gate written for Spark would be two more implementations of feeds.md
to keep equal. What runs on Spark is what the issue is about, the dbt project:

1. every dbt source table (raw feeds, published tiers) is copied from DuckDB to Parquet under
   `<spark dir>/exchange/in/<schema>/<table>/` — the Parquet schema carries the contract's types;
2. `dbt build --target spark` (method: session; Spark settings from orchestration/settings.py):
   its on-run-start hook registers those files as tables, its on-run-end hook writes every built
   model and seed to `<spark dir>/exchange/out/<schema>/<name>/` (dbt_project/macros/spark_exchange.sql);
3. those relations replace the DuckDB warehouse's `config`, `staging`, `intermediate` and `marts`
   relations, so the publication code, the extracts, the manifest and the analysts' snapshot are
   the ones of a DuckDB run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from orchestration import settings
from orchestration.progress import say


class SparkBuildFailed(Exception):
    """The dbt build on Spark failed; the message names the failed nodes and the log."""


def build_on_spark(warehouse: Path, run_env: dict[str, str]) -> None:
    """Steps 1-3 above for the DuckDB warehouse `warehouse`; `run_env` holds the run parameters
    (WarehouseConfig.dbt_env). Raises SparkBuildFailed when dbt fails."""
    from orchestration.defs.dbt.resources import ensure_manifest

    spark_env = settings.spark_settings(warehouse)
    root = Path(spark_env["PARTNER_WAREHOUSE_SPARK_DIR"])
    exchange = Path(spark_env["PARTNER_WAREHOUSE_SPARK_EXCHANGE_DIR"])
    for side in ("in", "out"):
        shutil.rmtree(exchange / side, ignore_errors=True)
    sources = _sources(ensure_manifest())
    started = time.monotonic()
    export_sources(warehouse, exchange / "in", sources)
    say(f"spark: {len(sources)} source tables written as Parquet ({time.monotonic() - started:.1f}s)")
    # The DuckDB build's target path: the publication's gate report folds in the dbt tests of the
    # newest run_results.json found there (gate_bridge.gate_for_publication), whichever engine ran them.
    target_dir = settings.dbt_target_dir(warehouse)
    log = root / "dbt-build.log"
    say(f"spark: dbt build --target spark on {spark_env['PARTNER_WAREHOUSE_SPARK_MASTER']} (log {log})")
    started = time.monotonic()
    run_dbt_on_spark(
        ["build", "--exclude-resource-type", "unit_test"], env={**spark_env, **run_env}, target_dir=target_dir, log=log
    )
    say(f"spark: dbt build done ({time.monotonic() - started:.1f}s)")
    started = time.monotonic()
    count = import_relations(exchange / "out", warehouse)
    say(f"spark: {count} relations read back into {warehouse} ({time.monotonic() - started:.1f}s)")


def run_dbt_on_spark(args: list[str], *, env: dict[str, str], target_dir: Path, log: Path) -> None:
    """One dbt command on the `spark` target; its output goes to `log`. Raises SparkBuildFailed with
    the failed nodes (run_results.json) or, when dbt died before any node, the log's last lines."""
    from orchestration.defs.dbt.resources import dbt_executable
    from orchestration.pipeline import dbt_failures

    settings.apply_offline_env()
    log.parent.mkdir(parents=True, exist_ok=True)
    (target_dir / "run_results.json").unlink(missing_ok=True)
    cmd = [
        dbt_executable(), *args, "--target", "spark", "--target-path", str(target_dir),
        "--project-dir", str(settings.DBT_PROJECT_DIR), "--profiles-dir", str(settings.DBT_PROJECT_DIR),
    ]  # fmt: skip
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.call(cmd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    if code != 0:
        failures = dbt_failures(target_dir)
        if not failures:
            failures = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
        raise SparkBuildFailed(
            f"dbt {args[0]} on Spark failed (exit {code}; full log {log}):\n" + "\n".join(f"  {f}" for f in failures)
        )


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
