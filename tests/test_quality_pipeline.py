"""The gate inside the headless pipeline (`run_pipeline` = the same Dagster assets and checks the UI
runs): a blocking failure stops the dbt build and the error names the check and its counts; a
warning-only problem lets the run finish and is reported. Both write the gate report files."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.quality.report import load_report
from orchestration.pipeline import PipelineFailed, run_pipeline
from tests.support.landing import write_landing
from tests.test_quality import _dup_review, _usage_without_install, clean_feeds

pytestmark = pytest.mark.e2e


def _views(db: Path, schema: str) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema])
        return {r[0] for r in rows.fetchall()}
    finally:
        con.close()


def test_a_blocking_failure_stops_the_dbt_build_and_names_the_check(tmp_path: Path) -> None:
    feeds = copy.deepcopy(clean_feeds())
    _dup_review(feeds)
    landing = write_landing(tmp_path / "landing", feeds, include_optional=True)
    db, publish = tmp_path / "w.duckdb", tmp_path / "publications"
    with pytest.raises(PipelineFailed) as exc:
        run_pipeline(landing, db, date(2025, 4, 20), publish_dir=publish)
    message = str(exc.value)
    assert "data-quality gate blocked the run" in message
    assert "raw/marketplace_reviews contract: key_unique: 2 failing rows" in message
    assert str(publish / "gate" / "latest.md") in message
    assert _views(db, "raw") and not _views(db, "staging")  # loaded, but dbt did not build
    report = load_report(publish / "gate")
    assert report.blocked and report.find("key_unique", "marketplace_reviews").failing_rows == 2
    assert "key_unique" in (publish / "gate" / "latest.html").read_text()


def test_a_warning_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    feeds = copy.deepcopy(clean_feeds())
    _usage_without_install(feeds)
    landing = write_landing(tmp_path / "landing", feeds, include_optional=True)
    db, publish = tmp_path / "w.duckdb", tmp_path / "publications"
    result = run_pipeline(landing, db, date(2025, 4, 20), publish_dir=publish)
    assert any("usage_without_live_install: 1 failing row" in m for m in result.messages), result.messages
    assert "stg_hubspot__app_usage_monthly" in _views(db, "staging")  # dbt built
    assert result.gate_report == publish / "gate" / "latest.md"
    report = load_report(publish / "gate")
    assert report.status == "passed_with_warnings"
    assert [w.name for w in report.warnings] == ["usage_without_live_install"]
