"""issue 19 items 2-4: `partner-warehouse run --engine spark` on a real standalone cluster (a master and
two workers from pyspark's distribution on 127.0.0.1) gives the marts and the published extracts of
`--engine duckdb`, from the same landing zone.

One tiny landing zone (scale 0.005) goes through both engines; every mart and seed table is compared
with EXCEPT ALL both ways, column names and types too, and every published file of every version:
CSV byte for byte, Parquet and XLSX by value, manifests apart from their time and engine.
Runs in the Spark stage of `make test` (`pytest -m spark`).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.cli import main
from orchestration.engines import spark_cluster
from orchestration.generate import generate_landing
from tests.support.spark import only_in_the_spark_stage  # noqa: F401 (autouse)

pytestmark = pytest.mark.spark

RUN_DATE = date(2026, 11, 20)
# Differences a manifest may have between the two runs: when it was written, which engine built the
# marts, and the sha256 of the files that carry a time (gate reports, the XLSX's creation time).
ENGINE_METADATA = {"published_at", "engine"}
TIMED_FILES = {"gate_report.md", "gate_report.html", "tier_extract.xlsx", "tier_extract_fr.xlsx"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("spark")
    landing = tmp / "landing"
    generate_landing(landing, scale=0.005, seed=7, last_month=date(2026, 10, 1))
    out = {"cluster": tmp / "cluster"}
    for engine in settings.ENGINES:
        out[engine] = tmp / engine / "warehouse.duckdb"
    base = ["run", "--landing", str(landing), "--run-date", RUN_DATE.isoformat(), "--all"]
    assert main([*base, "--warehouse", str(out["duckdb"])]) == 0
    cluster = spark_cluster.start(out["cluster"], workers=2, cores=1, memory="1g")
    try:
        os.environ["PARTNER_WAREHOUSE_SPARK_MASTER"] = cluster.master_url
        assert main([*base, "--warehouse", str(out["spark"]), "--engine", "spark"]) == 0
    finally:
        os.environ.pop("PARTNER_WAREHOUSE_SPARK_MASTER", None)
        spark_cluster.stop(out["cluster"])
    return out


def _relations(con: duckdb.DuckDBPyConnection, db: str, schema: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = ?"
        " ORDER BY table_name, column_index",
        [db, schema],
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, []).append((column, data_type))
    return out


@pytest.mark.parametrize("schema", ["marts", "config"])
def test_every_relation_is_identical(runs: dict[str, Path], schema: str) -> None:
    con = duckdb.connect()
    con.execute(f"ATTACH '{runs['duckdb']}' AS d (READ_ONLY)")
    con.execute(f"ATTACH '{runs['spark']}' AS s (READ_ONLY)")
    duck, spark = _relations(con, "d", schema), _relations(con, "s", schema)
    assert spark == duck  # the same relations, columns and types
    assert len(duck) >= (14 if schema == "marts" else 13)
    differences = {}
    for table in duck:
        sql = "SELECT count(*) FROM (FROM {}.{schema}.{table} EXCEPT ALL FROM {}.{schema}.{table})"
        counts = [con.execute(sql.format(a, b, schema=schema, table=table)).fetchone()[0] for a, b in ("ds", "sd")]
        if any(counts):
            differences[table] = counts
    assert differences == {}
    rows = con.execute(f"SELECT count(*) FROM s.{schema}.{next(iter(duck))}").fetchone()[0]
    assert rows > 0


def _published(runs: dict[str, Path], engine: str) -> dict[str, Path]:
    root = runs[engine].parent / "publications" / "technology_tiers"
    return {str(p.relative_to(root)): p for p in sorted(root.glob("*/v*/*")) if p.is_file()}


def test_every_published_file_is_identical(runs: dict[str, Path]) -> None:
    duck, spark = _published(runs, "duckdb"), _published(runs, "spark")
    assert sorted(spark) == sorted(duck)
    assert len({Path(k).parts[0] for k in duck}) == 8  # eight evaluation dates published
    con = duckdb.connect()
    for name, path in duck.items():
        other = spark[name]
        if path.suffix == ".csv":
            assert other.read_bytes() == path.read_bytes(), name
        elif path.suffix == ".parquet":
            for a, b in ((path, other), (other, path)):
                diff = con.execute(f"SELECT count(*) FROM (FROM '{a}' EXCEPT ALL FROM '{b}')").fetchone()[0]
                assert diff == 0, name
        elif path.suffix == ".xlsx":
            assert _cells(other) == _cells(path), name
        elif path.name == "manifest.json":
            m_duck, m_spark = json.loads(path.read_text()), json.loads(other.read_text())
            assert (m_duck["engine"], m_spark["engine"]) == ("duckdb", "spark")
            for m in (m_duck, m_spark):
                for key in ENGINE_METADATA:
                    m.pop(key)
                for file in TIMED_FILES:
                    m["files"][file].pop("sha256")
                    m["files"][file].pop("bytes")
            assert m_spark == m_duck, name


def _cells(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_cluster_ran_executors_on_both_workers(runs: dict[str, Path]) -> None:
    used = spark_cluster.executors_used(runs["cluster"])
    assert sorted(used) == ["worker-0", "worker-1"]
    assert all(n >= 1 for n in used.values()), used
    assert not (runs["cluster"] / spark_cluster.PIDS).exists()  # stopped, by pid
