"""The dbt project builds on an empty warehouse with every unit test (the rules of rules.md are pinned
by dbt unit tests named after them: test_a*, test_b*, test_d*, ...) and every data test passing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.defs.dbt.resources import dbt_executable
from orchestration.defs.ingest.load import ensure_warehouse


@pytest.fixture(scope="module")
def dbt_build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("dbt")
    db = tmp / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    ensure_warehouse(con)
    con.close()
    target = tmp / "target"
    # A run date in the environment, as the pipeline passes it: a dbt var must win over it (the
    # `--vars` below and the unit tests' `overrides: vars:`), or the unit tests of G3 fail.
    env = {**os.environ, settings.ENV_DB: str(db), settings.ENV_DBT_RUN_DATE: "1999-01-01"}
    proc = subprocess.run(
        [
            dbt_executable(),
            "build",
            "--project-dir",
            str(settings.DBT_PROJECT_DIR),
            "--profiles-dir",
            str(settings.DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(tmp / "logs"),
            "--vars",
            json.dumps({"run_date": "2027-08-01"}),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    results = (
        json.loads((target / "run_results.json").read_text())["results"]
        if (target / "run_results.json").exists()
        else []
    )
    return {"proc": proc, "results": results}


def test_every_unit_and_data_test_passes(dbt_build: dict) -> None:
    failed = [
        f"{r['unique_id']}: {r['status']} {r.get('message') or ''}"
        for r in dbt_build["results"]
        if r["status"] not in ("success", "pass", "warn")
        and not (r["unique_id"].startswith("exposure.") and r["status"] == "no-op")  # exposures run nothing
    ]
    assert dbt_build["proc"].returncode == 0 and not failed, "\n".join(failed) or dbt_build["proc"].stdout[-3000:]


def test_each_rule_id_is_named_by_a_unit_test(dbt_build: dict) -> None:
    """Every rule and decision id of rules.md Parts A and B appears in a unit test's name or description."""
    manifest = (
        json.loads((settings.DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
        if (settings.DBT_PROJECT_DIR / "target" / "manifest.json").exists()
        else None
    )
    unit_results = [r["unique_id"] for r in dbt_build["results"] if r["unique_id"].startswith("unit_test.")]
    assert len(unit_results) >= 90
    assert manifest, "dbt wrote no manifest"
    text = " ".join(
        f"{u['name']} {u.get('description') or ''}".lower() for u in manifest.get("unit_tests", {}).values()
    )
    ids = [f"a{i}" for i in range(1, 11)] + [f"b{i}" for i in range(1, 10)] + [f"d{i}" for i in range(1, 22)]
    missing = [
        i
        for i in ids
        if f"{i}_" not in text
        and f"{i} " not in text
        and f"{i}," not in text
        and f"{i}:" not in text
        and f"{i}." not in text
        and f"{i})" not in text
        and f"{i}/" not in text
    ]
    assert not missing, f"rule ids without a unit test: {missing}"


def test_a_seed_threshold_change_changes_the_result_without_sql(dbt_build: dict) -> None:
    """A4: requirements are configuration — the seed is read, not a literal in SQL."""
    sql_files = list((settings.DBT_PROJECT_DIR / "models").rglob("*.sql"))
    offenders = [str(p) for p in sql_files if any(t in p.read_text() for t in ("400000", "1000000", "7000000"))]
    assert not offenders, f"tier thresholds written as SQL literals: {offenders}"
    assert Path(settings.PROJECT_ROOT / "seeds" / "technology_tier_requirements.csv").exists()
