"""The run parameters reach dbt as `--vars` (issue 14 item 2: never process-wide environment state):
each run compiles with its own run date and evaluation range, and nothing of one run is left for the
next. The vars come from WarehouseConfig.dbt_vars, which takes the range from the run's partitions."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from orchestration import settings
from orchestration.defs.dbt.resources import dbt_executable

MODEL = "int_technology__evaluation_dates"  # uses run_date(), evaluation_from() and evaluation_to()


def _compile(tmp: Path, name: str, run_date: str, evaluation: str) -> tuple[str, str]:
    """`dbt compile` of MODEL with the given parameters as `--vars`, into one target path shared by
    every call (as the pipeline's). Returns (compiled SQL, dbt.log of this call)."""
    env = {**os.environ, settings.ENV_DB: str(tmp / "warehouse.duckdb")}
    dbt_vars = {"run_date": run_date, "evaluation_from": evaluation, "evaluation_to": evaluation}
    logs = tmp / f"logs-{name}"
    proc = subprocess.run(
        [
            dbt_executable(),
            "compile",
            "--select",
            MODEL,
            "--project-dir",
            str(settings.DBT_PROJECT_DIR),
            "--profiles-dir",
            str(settings.DBT_PROJECT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(logs),
            "--vars",
            json.dumps(dbt_vars),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    compiled = next((tmp / "target" / "compiled").rglob(f"{MODEL}.sql")).read_text()
    return compiled, (logs / "dbt.log").read_text()


@pytest.fixture(scope="module")
def compiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("dbt-run-parameters")
    out = {}
    out["first"] = _compile(tmp, "first", "2027-02-01", "2026-10-15")
    out["second"] = _compile(tmp, "second", "2027-03-01", "2027-01-15")
    return out


def test_each_run_compiles_with_its_own_parameters(compiles: dict[str, tuple[str, str]]) -> None:
    first, _ = compiles["first"]
    second, _ = compiles["second"]
    assert "cast('2027-02-01' as date) as run_date" in first
    assert "<= cast('2026-10-15' as date)" in first
    assert "cast('2027-03-01' as date) as run_date" in second
    assert "<= cast('2027-01-15' as date)" in second and ">= cast('2027-01-15' as date) as is_reported" in second
    assert "2027-02-01" not in second and "2026-10-15" not in second, "a stale run parameter was compiled"
