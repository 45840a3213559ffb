"""Settings with a second copy stay in step with their one home, orchestration/settings.py."""

from __future__ import annotations

import re

from orchestration import settings


def test_profiles_duckdb_defaults_are_the_settings_defaults() -> None:
    """dbt_project/profiles.yml reads DuckDB's memory settings with a default for a hand-run dbt."""
    profiles = (settings.DBT_PROJECT_DIR / "profiles.yml").read_text()
    defaults = dict(re.findall(r"env_var\('(PARTNER_WAREHOUSE_DUCKDB_[A-Z_]+)', '([^']*)'\)", profiles))
    assert defaults == settings.DUCKDB_DEFAULTS


def test_connect_applies_the_memory_settings(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PARTNER_WAREHOUSE_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.delenv("PARTNER_WAREHOUSE_DUCKDB_TEMP_DIR", raising=False)
    con = settings.connect(tmp_path / "w.duckdb")
    try:
        limit, temp = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    finally:
        con.close()
    assert limit in ("953.6 MiB", "1.0 GB", "1000.0 MB")
    assert temp == str(tmp_path / "w.duckdb.tmp")
