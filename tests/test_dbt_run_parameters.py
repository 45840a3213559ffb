"""The run parameters reach dbt as environment variables (settings.ENV_DBT_*), not `--vars`, so that
a run whose run date or evaluation range differs from the last keeps dbt's partial parse. These
tests fail if the compiled SQL keeps a stale value or if changing the parameters makes dbt re-parse.
That a dbt var wins over the environment (unit tests pin the parameters with vars) is checked by
test_dbt_project.py, which runs the unit tests with a run date in the environment."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from orchestration import settings
from orchestration.defs.dbt.assets import _environ
from orchestration.defs.dbt.resources import dbt_executable
from orchestration.defs.resources import WarehouseConfig

MODEL = "int_technology__evaluation_dates"  # uses run_date(), evaluation_from() and evaluation_to()
DBT_ENV = (settings.ENV_DBT_RUN_DATE, settings.ENV_DBT_EVALUATION_FROM, settings.ENV_DBT_EVALUATION_TO)


def _compile(tmp: Path, name: str, run_date: str, evaluation: str) -> tuple[str, str]:
    """`dbt compile` of MODEL with the given parameters in the environment, into one target path
    shared by every call (as the pipeline's). Returns (compiled SQL, dbt.log of this call)."""
    env = {k: v for k, v in os.environ.items() if k not in DBT_ENV}
    env[settings.ENV_DB] = str(tmp / "warehouse.duckdb")
    env.update(
        WarehouseConfig(
            landing_dir=str(tmp),
            warehouse_path=str(tmp / "warehouse.duckdb"),
            publish_dir=str(tmp),
            run_date=run_date,
            evaluation_from=evaluation,
            evaluation_to=evaluation,
        ).dbt_env()
    )
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


def test_new_parameters_keep_the_partial_parse(compiles: dict[str, tuple[str, str]]) -> None:
    _, log = compiles["second"]
    assert "Unable to do partial parsing" not in log
    assert "Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed." in log, (
        "changing a run parameter made dbt re-parse files"
    )


def test_the_parameters_are_set_for_the_dbt_process_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in DBT_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv(settings.ENV_DBT_EVALUATION_TO, "before")
    values = {settings.ENV_DBT_RUN_DATE: "2027-02-01", settings.ENV_DBT_EVALUATION_TO: "2027-01-15"}
    with _environ(values):
        assert {k: os.environ[k] for k in values} == values
    assert settings.ENV_DBT_RUN_DATE not in os.environ
    assert os.environ[settings.ENV_DBT_EVALUATION_TO] == "before"
