"""Issue 18: the incremental path gives what a full build gives (macros/incremental_months.sql).

One generated world (scale 0.01) delivered twice: as it was at the end of November 2026, then as it is
at the end of December 2026 (every feed a new snapshot, the unchanged rows identical). Warehouse A
builds November, then December incrementally; warehouse B builds December from scratch. Every relation
dbt built must hold the same rows in both. Then history changes (an old month's usage and an old install
are corrected): A builds again incrementally from the corrected month, B fully, and they must agree
again. Each incremental build is checked to have built only the months it should (the compiled SQL
names them), so the comparison cannot pass by a full rebuild in disguise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration import settings
from orchestration.defs.dbt.resources import dbt_executable
from orchestration.defs.ingest.load import load_landing
from orchestration.generate import generate_landing
from orchestration.generate.as_of import landing_as_of
from tests.support.landing import rewrite_parquet_feed

# five dbt builds: the end-to-end stage. tests/conftest.py marks the tests of the shared dbt fixtures so;
# this module's test builds in its own body, which that rule cannot see (it ran in the unit stage).
pytestmark = pytest.mark.e2e

INCREMENTAL_MODELS = ("int_technology__partner_attached_mrr_monthly", "int_technology__portal_mrr_monthly")
RUN_DATE = "2027-02-01"


def _dbt(db: Path, *extra: str) -> Path:
    """Every seed and model (no tests) on `db`; returns dbt's target path."""
    target = settings.dbt_target_dir(db)
    env = {**os.environ, settings.ENV_DB: str(db)}
    command = [dbt_executable(), "build", "--exclude-resource-type", "unit_test", "test"]
    command += ["--project-dir", str(settings.DBT_PROJECT_DIR)]
    command += ["--profiles-dir", str(settings.DBT_PROJECT_DIR), "--target-path", str(target)]
    command += ["--log-path", str(target / "logs"), "--vars", json.dumps({"run_date": RUN_DATE})]
    proc = subprocess.run([*command, *extra], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return target


def _built_months(target: Path, model: str) -> list[str] | None:
    """The months the last run's compiled SQL of `model` built; None when it built every month."""
    sql = next((target / "compiled").rglob(f"{model}.sql")).read_text()
    if re.search(r"where\s+false\b", sql):
        return []
    m = re.search(r"month in \(([^)]*)\)", sql)
    if m is None:
        return None
    return re.findall(r"date '(\d{4}-\d{2}-\d{2})'", m.group(1))


def _months(db: Path, relation: str) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [str(m) for (m,) in con.execute(f"SELECT DISTINCT month FROM {relation} ORDER BY 1").fetchall()]
    finally:
        con.close()


def _relations(db: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = con.execute(
            """SELECT table_schema || '.' || table_name FROM information_schema.tables
               WHERE table_schema NOT IN ('raw', 'meta', 'publication', 'main') ORDER BY 1"""
        ).fetchall()
        return {n: con.execute(f"SELECT * FROM {n}").df() for (n,) in names}
    finally:
        con.close()


def _assert_same(a: Path, b: Path) -> int:
    ra, rb = _relations(a), _relations(b)
    assert sorted(ra) == sorted(rb)
    different = []
    for name in ra:
        cols = list(ra[name].columns)
        x, y = (r[name][cols].sort_values(cols, ignore_index=True) for r in (ra, rb))
        if len(x) != len(y) or not x.equals(y):
            different.append(f"{name}: {len(x)} rows incrementally, {len(y)} in the full build")
    assert not different, "\n".join(different)
    return len(ra)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("incremental")
    generate_landing(tmp / "generated", scale=0.01, seed=5, last_month=date(2026, 12, 1))
    return tmp


def test_incremental_builds_equal_full_builds(world: Path) -> None:
    november, december = world / "2026-11", world / "2026-12"
    landing_as_of(world / "generated", november, date(2026, 11, 1))
    landing_as_of(world / "generated", december, date(2026, 12, 1))
    inc, full = world / "incremental.duckdb", world / "full.duckdb"

    # A: November, then December incrementally
    load_landing(inc, november)
    assert _built_months(_dbt(inc), INCREMENTAL_MODELS[0]) is None  # the first build builds everything
    report = load_landing(inc, december)
    assert report.feeds["app_usage_monthly"].changed_from == date(2026, 12, 1)
    assert report.feeds["app_installs"].changed_from == date(2026, 12, 1)
    held = {m: _months(inc, f"intermediate.{m}") for m in INCREMENTAL_MODELS}
    target = _dbt(inc)
    needed = _months(inc, "intermediate.int_technology__metric_months")
    for model in INCREMENTAL_MODELS:
        # December, and the months the new evaluation dates need that November's build did not hold
        expected = [m for m in needed if m >= "2026-12-01" or m not in held[model]]
        assert _built_months(target, model) == expected, model
        assert "2026-12-01" in expected and len(expected) <= len(needed) - 12, (model, expected)

    # B: December from scratch
    load_landing(full, december)
    _dbt(full)
    assert _assert_same(inc, full) >= 20

    # History changes: an October usage row stops counting, an install of 2025 was removed in March 2026
    corrected = world / "corrected"
    shutil.copytree(december, corrected)

    def stop_one_usage_row(df: pd.DataFrame) -> pd.DataFrame:
        row = df.index[(pd.to_datetime(df["month"]) == pd.Timestamp("2026-10-01")) & (df["api_calls"] > 0)][0]
        df.loc[row, "api_calls"] = 0
        return df

    def remove_an_install(df: pd.DataFrame) -> pd.DataFrame:
        old_and_live = (pd.to_datetime(df["installed_at"]) < pd.Timestamp("2025-06-01")) & df["uninstalled_at"].isna()
        row = df.index[old_and_live][0]
        df.loc[row, "uninstalled_at"] = pd.Timestamp("2026-03-10 12:00:00")
        return df

    rewrite_parquet_feed(corrected, "app_usage_monthly", stop_one_usage_row)
    rewrite_parquet_feed(corrected, "app_installs", remove_an_install)
    report = load_landing(inc, corrected)
    assert report.feeds["app_usage_monthly"].changed_from == date(2026, 10, 1)
    assert report.feeds["app_installs"].changed_from == date(2026, 3, 1)
    assert report.feeds["portal_mrr_monthly"].status == "unchanged"
    target = _dbt(inc)
    built = _built_months(target, INCREMENTAL_MODELS[0])
    assert built is not None and built[0] == "2026-03-01" and "2026-02-01" not in built
    assert _built_months(target, INCREMENTAL_MODELS[1]) == []  # its feeds did not change: nothing to build

    load_landing(full, corrected)
    _dbt(full, "--full-refresh")
    _assert_same(inc, full)
