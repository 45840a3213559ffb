"""The GX-on-DuckDB adapter (orchestration/defs/quality/gx_duckdb.py) still works on the pinned
versions: every kind of expectation the suites use runs as SQL inside DuckDB and finds the bad
rows; GX still needs the patch; and memory does not grow with the table."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from orchestration import settings

ROWS = [
    # id, kind, amount, month, opened, closed, code
    ("r1", "a", 5, "2025-01-01", "2025-01-01", "2025-01-02", "x;y"),
    ("r2", "b", 0, "2025-02-01", "2025-01-01", None, "x"),
    ("r3", "zz", 3, "2025-03-01", "2025-01-05", "2025-01-04", None),  # bad kind, closed before opened
    (None, "a", -1, "2025-03-15", "2025-01-01", "2025-01-01", "x;w"),  # null id, negative, mid-month, bad code
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gx") / "t.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.t (id VARCHAR, kind VARCHAR, amount BIGINT, month DATE, opened DATE, closed DATE,"
        " code VARCHAR)"
    )
    con.executemany("INSERT INTO raw.t VALUES (?, ?, ?, ?, ?, ?, ?)", ROWS)
    con.close()
    return path


def _suite(gx):  # noqa: ANN001, ANN202
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    from orchestration.defs.quality.gx_duckdb import ExpectColumnValuesToBeFirstOfMonth

    return gx.ExpectationSuite(
        name="t",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="id", meta={"check": "id"}),
            gxe.ExpectColumnValuesToBeInSet(column="kind", value_set=["a", "b"], meta={"check": "kind"}),
            gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0, meta={"check": "amount"}),
            ExpectColumnValuesToBeFirstOfMonth(column="month", meta={"check": "month"}),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="closed",
                column_B="opened",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta={"check": "order"},
            ),
            gxe.ExpectColumnValuesToMatchRegex(column="code", regex="^(x|y)(;(x|y))*$", meta={"check": "code"}),
            gxe.ExpectColumnValuesToBeNull(
                column="closed", row_condition=Column("kind") == "b", meta={"check": "cond"}
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column="closed", row_condition=Column("kind") == "a", meta={"check": "cond2"}
            ),
        ],
    )


def _validate(db: Path) -> dict[str, tuple[bool, int, list, bool]]:
    import great_expectations as gx

    from orchestration.defs.quality import gx_duckdb

    with gx_duckdb.duckdb_context(db) as datasource:
        result = gx_duckdb.feed_batch(datasource, "t").validate(
            _suite(gx),
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": 5,
                "unexpected_index_column_names": ["id", "kind", "amount", "month", "opened", "closed", "code"],
            },
        )
    out = {}
    for r in result.results:
        raised = bool(r.exception_info) and any(
            (v.get("raised_exception") if isinstance(v, dict) else False)
            for v in ([r.exception_info] if "raised_exception" in r.exception_info else r.exception_info.values())
        )
        out[r.expectation_config.meta["check"]] = (
            r.success,
            (r.result or {}).get("unexpected_count"),
            (r.result or {}).get("partial_unexpected_index_list") or [],
            raised,
        )
    return out


def test_every_expectation_kind_runs_as_sql_on_duckdb(db: Path) -> None:
    results = _validate(db)
    assert not any(raised for *_, raised in results.values()), results
    counts = {k: (ok, n) for k, (ok, n, _, _) in results.items()}
    assert counts == {
        "id": (False, 1),
        "kind": (False, 1),
        "amount": (False, 1),
        "month": (False, 1),
        "order": (False, 1),
        "code": (False, 1),
        "cond": (True, 0),
        "cond2": (True, 0),
    }
    # whole offending rows come back (the samples of the gate report)
    assert results["kind"][2][0]["id"] == "r3" and results["order"][2][0]["closed"] is not None
    assert results["code"][2][0]["code"] == "x;w" and results["amount"][2][0]["amount"] == -1


def test_gx_still_needs_the_patch(db: Path) -> None:
    """Without the patch GX's SQL path fails on DuckDB (GX #10738, #11579). When this test fails,
    GX has fixed it upstream: drop `patch_gx_for_duckdb` and this test."""
    from orchestration.defs.quality import gx_duckdb

    patch = gx_duckdb.patch_gx_for_duckdb
    try:
        gx_duckdb.unpatch_gx_for_duckdb()
        gx_duckdb.patch_gx_for_duckdb = lambda: None  # type: ignore[assignment]
        results = _validate(db)
    finally:
        gx_duckdb.patch_gx_for_duckdb = patch  # type: ignore[assignment]
        gx_duckdb.patch_gx_for_duckdb()
    assert all(raised for *_, raised in results.values())
    assert not _validate(db)["id"][3]  # and patched again, it works


def test_the_warehouse_file_is_free_after_validation(db: Path) -> None:
    """GX's persisted connection is closed on exit: a writer can open the file right away."""
    _validate(db)
    con = duckdb.connect(str(db))  # read-write: fails while any reader of this process holds it
    con.close()


@pytest.mark.e2e
def test_memory_does_not_grow_with_the_table(tmp_path: Path) -> None:
    """10M rows, one bad row at the very end: found, and the validating process stays far below what
    a pandas copy of the table would need (measured in a fresh process: peak RSS)."""
    path = tmp_path / "big.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw")
    con.execute(
        """CREATE TABLE raw.app_usage_monthly AS
           SELECT 'a' || (i % 2100) AS app_id, 'x' || (i // 36) AS portal_id,
                  CAST(DATE '2023-01-01' + to_months(CAST(i % 36 AS INTEGER)) AS DATE) AS month,
                  CASE WHEN i = 9999999 THEN -1 ELSE (i * 7919) % 1000 END AS api_calls
           FROM range(10000000) t(i)"""
    )
    con.close()
    script = textwrap.dedent(
        f"""
        import json, resource, sys, time
        from orchestration.defs.quality.row_checks import run_suites
        started = time.monotonic()
        results, engine = run_suites({str(path)!r}, ["app_usage_monthly"], memory_limit="1GB")
        print(json.dumps({{
            "seconds": time.monotonic() - started,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "failed": {{r.name: [r.failing_rows, r.sample_rows] for r in results if not r.passed}},
        }}, default=str))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=settings.PROJECT_ROOT
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert list(data["failed"]) == ["api_calls_not_negative"]
    count, samples = data["failed"]["api_calls_not_negative"]
    assert count == 1 and samples[0]["api_calls"] == -1
    assert data["peak_mb"] < 900, data  # a pandas copy of these 10M rows alone is over 1 GB
    assert "leaked" not in out.stderr  # the exit hook keeps stderr clean
