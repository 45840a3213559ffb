"""Settings with a second copy stay in step with their one home, orchestration/settings.py."""

from __future__ import annotations

import re

import duckdb
import pytest
import yaml

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


def test_dbt_gives_duckdb_its_spill_directory_once_not_on_every_cursor() -> None:
    """dbt-duckdb runs each `settings` entry as a SET on every cursor it opens; DuckDB refuses to
    change temp_directory once it has spilled there, even to the same path, so the SF 10 build
    failed half-way ("Cannot switch temporary directory after the current one has been used").
    `config_options` go to duckdb.connect once."""
    dev = yaml.safe_load((settings.DBT_PROJECT_DIR / "profiles.yml").read_text())["partner_warehouse"]["outputs"]["dev"]
    assert {"memory_limit", "temp_directory"} <= set(dev.get("config_options") or {})
    assert not {"memory_limit", "temp_directory"} & set(dev.get("settings") or {})


def test_duckdb_refuses_a_second_spill_directory_once_it_spilled(tmp_path) -> None:
    """What the test above guards against, shown on DuckDB itself: after a spill, a SET of
    temp_directory (what dbt-duckdb did on each cursor) fails."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"), config={"memory_limit": "64MB", "threads": "1",
                                                              "temp_directory": str(tmp_path / "spill")})  # fmt: skip
    try:
        con.execute("CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(3000000)")
        con.execute("SELECT s, count(*) FROM t GROUP BY s ORDER BY s LIMIT 1").fetchall()
        with pytest.raises(duckdb.Error, match="temporary directory"):
            con.cursor().execute(f"SET temp_directory = '{tmp_path / 'spill'}'")
    finally:
        con.close()
