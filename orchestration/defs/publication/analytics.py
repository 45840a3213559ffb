"""The analysts' copies of the marts (issue 16 item 1): a DuckDB file older tools open, and Parquet.

`analytics.duckdb` is written in DuckDB's oldest storage format that holds every type of our marts
(DECIMAL, DOUBLE, DATE, TIMESTAMP, BOOLEAN, VARCHAR, integers): DuckDB 2.0 writes storage version 69
by default, which no DuckDB 1.x client (the PyPI CLI, most BI drivers) can open. Beside it,
`analytics_parquet/<table>.parquet` holds every mart for tools without DuckDB.

Both are written from the snapshot's own tables, so the two copies always hold the same rows.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

# DuckDB's storage-compatibility option: the file opens in every DuckDB from 1.0.0 on (docs/analysts.md
# lists the versions checked; tests/test_analysts.py opens it with an older wheel).
SNAPSHOT_STORAGE_VERSION = "v1.0.0"


def attach_for_writing(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    """Attach a new database file that older DuckDB versions can open."""
    con.execute(f"ATTACH '{path}' AS {alias} (STORAGE_VERSION '{SNAPSHOT_STORAGE_VERSION}')")


def export_marts_parquet(con: duckdb.DuckDBPyConnection, catalog: str, out: Path) -> list[Path]:
    """One zstd Parquet file per table of `catalog`.marts, into the new directory `out`."""
    out.mkdir(parents=True)
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'marts'"
            " ORDER BY 1",
            [catalog],
        ).fetchall()
    ]
    written = []
    for t in tables:
        target = out / f"{t}.parquet"
        con.execute(f"COPY {catalog}.marts.{t} TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        written.append(target)
    return written


def replace_dir(new: Path, target: Path, graveyard: Path) -> None:
    """Put the directory `new` in the place of `target`: the old one is renamed aside first (a
    directory cannot be renamed over a non-empty one), then removed. Between the two renames a reader
    finds no folder, never a half-written one; `graveyard` must be on the same file system."""
    if target.exists():
        os.replace(target, graveyard)
    os.replace(new, target)
    shutil.rmtree(graveyard, ignore_errors=True)
