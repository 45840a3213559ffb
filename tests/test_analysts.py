"""What analysts get (issue 16), on one tiny published run: a snapshot older DuckDB clients open, the
same marts as Parquet, and (below) the docs command and the cookbook's queries."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.cli import main
from orchestration.defs.publication.store import ANALYTICS_DB, ANALYTICS_PARQUET_DIR
from orchestration.generate import generate_landing

pytestmark = pytest.mark.e2e

RUN_DATE = date(2027, 2, 1)
LAST_MONTH = date(2026, 12, 1)
# The oldest DuckDB the snapshot promises to open (docs/analysts.md); a throw-away environment holds
# it. It is kept between runs (CI pays the download once) under the test cache directory.
OLD_DUCKDB = "1.1.3"
TEST_CACHE = Path(os.environ.get("PARTNER_WAREHOUSE_TEST_CACHE", settings.PROJECT_ROOT / ".test-cache"))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("analysts")
    landing = tmp / "landing"
    generate_landing(landing, scale=0.01, seed=3, last_month=LAST_MONTH)
    warehouse = tmp / "warehouse.duckdb"
    code = main(
        ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--run-date", RUN_DATE.isoformat(), "--all"]
    )
    assert code == 0
    publish_dir = tmp / "publications"
    return {"warehouse": warehouse, "publish_dir": publish_dir, "snapshot": publish_dir / ANALYTICS_DB}


def _old_duckdb_python() -> Path:
    """A Python with duckdb==OLD_DUCKDB, made once with uv and reused; skips only when PyPI is unreachable."""
    env_dir = TEST_CACHE / f"duckdb-{OLD_DUCKDB}"
    python = env_dir / "bin" / "python"
    ready = env_dir / ".ready"
    if ready.exists():
        return python
    uv = Path(sys.executable).with_name("uv")
    subprocess.run([str(uv), "venv", "--quiet", "--python", sys.executable, str(env_dir)], check=True)
    proc = subprocess.run(
        [str(uv), "pip", "install", "--quiet", "--python", str(python), f"duckdb=={OLD_DUCKDB}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        offline = any(w in proc.stderr.lower() for w in ("failed to fetch", "connect", "dns", "network", "timed out"))
        if offline:
            pytest.skip(f"PyPI is unreachable, so duckdb=={OLD_DUCKDB} cannot be installed: {proc.stderr.strip()}")
        raise AssertionError(f"installing duckdb=={OLD_DUCKDB} failed: {proc.stderr}")
    ready.touch()
    return python


MART_FINGERPRINT_SQL = """
SELECT table_schema || '.' || table_name AS name,
       (SELECT count(*) FROM information_schema.columns AS c
        WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name) AS columns
FROM information_schema.tables AS t
WHERE table_schema IN ('marts', 'config', 'publication')
ORDER BY 1
"""

AMOUNTS_SQL = """
SELECT (SELECT sum(attached_mrr) FROM marts.fct_technology_partner_metrics),
       (SELECT sum(attached_mrr_exact) FROM marts.fct_technology_partner_metrics),
       (SELECT sum(payout_usd) FROM marts.fct_commission_payouts_quarterly),
       (SELECT sum(avg_rating) FROM marts.fct_technology_partner_metrics),
       (SELECT max(published_at) FROM publication.published_technology_tiers)
"""


def test_issue16_an_older_duckdb_opens_the_snapshot_and_reads_the_same_values(published: dict[str, Path]) -> None:
    """Issue 16 item 1: DuckDB 2.0 writes storage version 69 by default, which DuckDB 1.x refuses; the
    snapshot is written in the old format, so DuckDB 1.1.3 reads every table, with the same values."""
    python = _old_duckdb_python()
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "tables = con.execute(sys.argv[2]).fetchall()\n"
        "counts = {n: con.execute(f'SELECT count(*) FROM {n}').fetchone()[0] for n, _ in tables}\n"
        "amounts = [str(v) for v in con.execute(sys.argv[3]).fetchone()]\n"
        "print(json.dumps({'version': duckdb.__version__, 'tables': tables, 'counts': counts, 'amounts': amounts}))\n"
    )
    proc = subprocess.run(
        [str(python), "-c", script, str(published["snapshot"]), MART_FINGERPRINT_SQL, AMOUNTS_SQL],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    import json

    old = json.loads(proc.stdout)
    assert old["version"] == OLD_DUCKDB
    con = duckdb.connect(str(published["snapshot"]), read_only=True)
    try:
        tables = [list(r) for r in con.execute(MART_FINGERPRINT_SQL).fetchall()]
        counts = {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n, _ in tables}
        amounts = [str(v) for v in con.execute(AMOUNTS_SQL).fetchone()]
    finally:
        con.close()
    assert "marts.dim_partners" in counts and "marts.fct_commission_payouts_quarterly" in counts
    assert old["tables"] == tables
    assert old["counts"] == counts
    assert old["amounts"] == amounts
    assert counts["marts.fct_technology_partner_metrics"] > 0


def test_issue16_every_mart_is_exported_to_parquet_with_the_snapshot_rows(published: dict[str, Path]) -> None:
    """Issue 16 item 1: analytics_parquet/<mart>.parquet beside the snapshot, one file per mart, the
    same rows and column types as the snapshot's table."""
    parquet_dir = published["publish_dir"] / ANALYTICS_PARQUET_DIR
    con = duckdb.connect(str(published["snapshot"]), read_only=True)
    try:
        marts = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        assert sorted(p.stem for p in parquet_dir.glob("*.parquet")) == marts
        for mart in marts:
            path = str(parquet_dir / f"{mart}.parquet")
            in_snapshot = con.execute(f"SELECT * FROM marts.{mart} EXCEPT ALL SELECT * FROM read_parquet(?)", [path])
            assert in_snapshot.fetchall() == [], mart
            assert (
                con.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0]
                == con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0]
            )
            types = con.execute(f"DESCRIBE SELECT * FROM marts.{mart}").fetchall()
            assert con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall() == types, mart
    finally:
        con.close()


def test_issue16_snapshot_money_is_decimal_ratings_double_periods_flagged(published: dict[str, Path]) -> None:
    """Issue 16 item 2 (product.md): every amount column of the marts is DECIMAL(18,2) (the mixed
    value/threshold/shortfall columns of the requirement marts, which also hold ratings and counts,
    excepted), ratings DOUBLE; a payout quarter is complete once it ended before the run date."""
    con = duckdb.connect(str(published["snapshot"]), read_only=True)
    try:
        columns = con.execute(
            """SELECT table_name, column_name, data_type FROM information_schema.columns
               WHERE table_schema = 'marts'
                 AND (regexp_matches(column_name, '(_mrr|_usd|^install_90d_(value|threshold|shortfall)'
                                     || '|^exception_(deals_threshold|shortfall)|^influenced_deals_value)$')
                      OR column_name = 'avg_rating')"""
        ).fetchall()
        wrong = [
            (t, c, d)
            for t, c, d in columns
            if d != ("DOUBLE" if c == "avg_rating" else "DECIMAL(18,2)") and c != "attached_mrr_exact"
        ]
        assert len(columns) > 20 and wrong == []
        quarters = con.execute(
            """SELECT quarter_start, bool_and(is_complete), count(DISTINCT run_date), min(run_date)
               FROM marts.fct_commission_payouts_quarterly GROUP BY ALL ORDER BY 1"""
        ).fetchall()
    finally:
        con.close()
    assert quarters and all(n == 1 and run == RUN_DATE for _, _, n, run in quarters)
    # RUN_DATE 2027-02-01: every quarter up to 2026-10-01 ended; 2027-01-01 is running
    assert [q for q, complete, _, _ in quarters if not complete] == [q for q, *_ in quarters if q >= date(2027, 1, 1)]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_issue16_docs_command_serves_the_snapshot_while_a_writer_holds_the_warehouse(
    published: dict[str, Path],
) -> None:
    """Issue 16 item 3: `partner-warehouse docs` generates and serves dbt docs from the read-only
    snapshot; a process holding the working warehouse read-write (a running pipeline) does not stop
    it. The project tree has no `..` folder (seeds are reached through dbt_project/seeds)."""
    import json
    import signal
    import time
    import urllib.request

    writer = duckdb.connect(str(published["warehouse"]))  # holds DuckDB's writer lock on the warehouse
    port = _free_port()
    cli = Path(sys.executable).with_name("partner-warehouse")
    proc = subprocess.Popen(
        [str(cli), "docs", "--publish-dir", str(published["publish_dir"]), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        catalog = None
        deadline = time.monotonic() + 180
        while catalog is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/catalog.json", timeout=2) as r:
                    catalog = json.loads(r.read())
            except OSError:
                time.sleep(1)
        assert catalog is not None, proc.stdout.read() if proc.poll() is not None else "docs server never answered"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/manifest.json", timeout=5) as r:
            manifest = json.loads(r.read())
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        writer.close()
    partners = catalog["nodes"]["model.partner_warehouse.dim_partners"]
    assert partners["metadata"]["database"] == "analytics"  # the snapshot, attached read-only
    assert partners["columns"]["partner_name"]["type"] == "VARCHAR"
    payouts = catalog["nodes"]["model.partner_warehouse.fct_commission_payouts_quarterly"]["columns"]
    assert payouts["payout_usd"]["type"] == "DECIMAL(18,2)" and payouts["is_complete"]["type"] == "BOOLEAN"
    # the docs' project tree lists models, seeds and their tests; the hooks of dbt_project.yml (the Spark
    # target's on-run-start/on-run-end, no-ops on DuckDB) are operations dbt files under "." and not in it
    folders = {
        n["original_file_path"].split("/")[0] for n in manifest["nodes"].values() if n["resource_type"] != "operation"
    }
    assert folders == {"models", "seeds"}
    consumers = {e["name"]: e["depends_on"]["nodes"] for e in manifest["exposures"].values()}
    assert set(consumers) == {"tier_extracts", "partner_manager_portal", "analytics_snapshot"}
    assert "model.partner_warehouse.fct_technology_tier_evaluations" in consumers["partner_manager_portal"]
    assert (published["publish_dir"] / "dbt_docs" / "static_index.html").stat().st_size > 100_000


COOKBOOK = settings.PROJECT_ROOT / "docs" / "analysts.md"


def cookbook_queries() -> dict[int, str]:
    """The numbered questions of docs/analysts.md and the SQL block under each."""
    import re

    found = re.findall(r"^### (\d+)\. .*?\n```sql\n(.*?)```", COOKBOOK.read_text(encoding="utf-8"), re.M | re.S)
    return {int(n): sql for n, sql in found}


def test_issue16_the_cookbook_has_ten_questions() -> None:
    assert sorted(cookbook_queries()) == list(range(1, 11))


def test_issue16_every_cookbook_query_answers_its_question_on_the_snapshot(published: dict[str, Path]) -> None:
    """Issue 16 item 4: each query of docs/analysts.md runs on the snapshot and its answer agrees with
    the marts read another way, so a renamed column or a changed grain breaks this test, not the guide."""
    queries = cookbook_queries()
    con = duckdb.connect(str(published["snapshot"]), read_only=True)

    def run(n: int) -> list[dict]:
        cursor = con.execute(queries[n])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def one(sql: str):
        return con.execute(sql).fetchone()[0]

    try:
        latest = one("SELECT max(evaluation_date) FROM marts.fct_technology_tier_evaluations")
        top = run(1)
        assert len(top) == min(
            10, one(f"SELECT count(*) FROM marts.fct_technology_partner_metrics WHERE evaluation_date = '{latest}'")
        )
        assert all(r["partner_name"] for r in top)
        assert [r["attached_mrr"] for r in top] == sorted((r["attached_mrr"] for r in top), reverse=True)

        short = run(2)
        assert short and len({r["partner_id"] for r in short}) == len(short)  # one blocking gap each
        assert len(short) == one(
            f"""SELECT count(*) FROM marts.fct_technology_tier_evaluations
                WHERE evaluation_date = '{latest}' AND next_tier_blocking_count = 1"""
        )

        matrix = run(3)
        both = one(
            """SELECT count(*) FROM marts.fct_technology_tier_evaluations AS a
               JOIN marts.fct_technology_tier_evaluations AS b USING (partner_id)
               WHERE a.evaluation_date = DATE '2026-01-15' AND b.evaluation_date = DATE '2027-01-15'"""
        )
        assert both > 0 and sum(r["partners"] for r in matrix) == both
        assert all(sum(v for k, v in r.items() if k.startswith("to_")) == r["partners"] for r in matrix)

        payouts = run(4)
        assert sum(r["payout_usd"] for r in payouts) == one(
            "SELECT sum(payout_usd) FROM marts.fct_commission_payouts_quarterly"
        )
        assert [r["quarter_start"] for r in payouts if not r["is_complete"]] == [
            r["quarter_start"] for r in payouts if r["quarter_start"] >= date(2027, 1, 1)
        ]

        sold_managed = run(5)
        assert sold_managed and {r["partner_type"] for r in sold_managed} <= {"partner", "provider"}
        assert sum(r["sold_mrr"] for r in sold_managed) == one(
            """SELECT sum(sold_mrr) FROM marts.fct_partner_sold_mrr_monthly
               WHERE is_complete AND month > (SELECT max(month) FROM marts.rpt_solutions_partner_monthly
                                              WHERE is_complete) - INTERVAL 12 MONTH"""
        )

        per_date = run(6)
        counts = dict(
            con.execute(
                "SELECT evaluation_date, count(*) FROM marts.fct_technology_tier_evaluations GROUP BY 1"
            ).fetchall()
        )
        assert {
            r["evaluation_date"]: sum(v for k, v in r.items() if k != "evaluation_date") for r in per_date
        } == counts

        changes = run(7)
        assert changes and all(r["tier_before"] != r["tier_after"] for r in changes)

        regions = run(8)
        assert sum(r["payout_usd"] for r in regions) == one(
            "SELECT sum(payout_usd) FROM marts.fct_commission_payouts_quarterly WHERE is_complete"
        )

        apps = run(9)
        assert apps and all(
            r["live_app_count"] == len((r["live_apps"] or "").split(", ")) * bool(r["live_apps"]) for r in apps
        )

        source = run(10)
        assert len(source) == one("SELECT count(DISTINCT evaluation_date) FROM publication.published_technology_tiers")
        assert all(r["marts_from_same_inputs_and_code"] and r["marts_run_date"] == RUN_DATE for r in source)
    finally:
        con.close()
