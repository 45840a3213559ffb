"""The dbt project and CLI resource. The manifest is made by `dbt parse` (install path, test fixtures)."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.compat import DBT_PYTHON_VERSION
from packaging import version

from orchestration import settings

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)


def dbt_executable() -> str:
    return _environment_dbt() or "dbt"


def ensure_manifest(force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing (a fresh clone) so the definitions can load."""
    manifest = dbt_project.manifest_path
    if force or not manifest.exists() or _sources_newer_than(manifest):
        settings.apply_offline_env()
        env = {**os.environ}
        env.setdefault(settings.ENV_DB, str(settings.warehouse_path()))
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--project-dir",
                str(settings.DBT_PROJECT_DIR),
                "--profiles-dir",
                str(settings.DBT_PROJECT_DIR),
            ],
            check=True,
            env=env,
        )
    return manifest


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource, without its `dbt --version` subprocess.

    Before every `dbt build`, dagster-dbt runs `dbt --version` to learn which dbt the executable is
    (dbt Core or the Fusion engine): a second start of dbt's imports, 2.5 s with compiled bytecode
    and 4.6 s without, per run. When the executable is the `dbt` of this interpreter's environment,
    its version is the dbt-core package already imported here (dagster-dbt reads it too, as
    `DBT_PYTHON_VERSION`); any other executable is still asked.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        if DBT_PYTHON_VERSION is not None and self.dbt_executable == _environment_dbt():
            return DBT_PYTHON_VERSION
        return super()._cli_version


def _environment_dbt() -> str | None:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else None


def dbt_resource() -> DbtCliResource:
    return WarehouseDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


def _sources_newer_than(manifest: Path) -> bool:
    """True when a model, macro, test, seed or project file changed after the manifest was made."""
    built = manifest.stat().st_mtime
    roots = [settings.DBT_PROJECT_DIR / d for d in ("models", "macros", "tests")] + [settings.PROJECT_ROOT / "seeds"]
    files = [settings.DBT_PROJECT_DIR / "dbt_project.yml"]
    for root in roots:
        if root.exists():
            files.extend(p for p in root.rglob("*") if p.is_file())
    return any(p.stat().st_mtime > built for p in files)
