"""The gate reuses a check's result only while its code and every feed it reads are unchanged
(orchestration/defs/quality/cache.py): one new quarter on loaded data does not re-check it all, and a
changed feed is always checked again."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import duckdb

from orchestration.defs.ingest.load import load_landing
from orchestration.defs.quality import sql_checks
from orchestration.defs.quality.cache import CACHE_TABLE, feeds_read
from tests.support.landing import write_landing
from tests.test_quality import build_warehouse, clean_feeds, failed_names, gate


def _comparable(report) -> list[dict]:
    return [asdict(c) for c in report.checks]


def test_a_reference_check_reads_both_feeds_and_python_checks_are_never_reused() -> None:
    checks = {(c.feed, c.name): c for c in sql_checks.all_sql_checks()}
    reference = next(c for c in checks.values() if c.kind == "reference" and c.feed == "app_installs")
    assert {"app_installs", "apps"} <= feeds_read(reference)
    volume = next(c for c in checks.values() if c.kind == "volume")
    assert feeds_read(volume) is None  # compares with the load history, which every load moves


def test_unchanged_feeds_reuse_every_result_and_a_changed_feed_is_checked_again(tmp_path: Path) -> None:
    feeds = clean_feeds()
    db = build_warehouse(tmp_path, feeds)
    first = gate(db, reuse=True)
    assert not first.blocked and "reused" not in first.engine

    again = gate(db, reuse=True)
    assert _comparable(again) == _comparable(first)
    assert "reused" in again.engine and "Great Expectations (every result reused" in again.engine

    # a duplicate app key: the apps checks and the checks reading apps run again and fail ...
    feeds["apps"].append(dict(feeds["apps"][0]))
    load_landing(db, write_landing(tmp_path / "second-landing", feeds, include_optional=True))
    changed = gate(db, reuse=True)
    assert changed.blocked and "apps.key_unique" in failed_names(changed)
    assert "reused" in changed.engine  # the checks that read neither apps nor a moved feed
    # ... and the same gate without reuse agrees on every result
    assert _comparable(gate(db)) == _comparable(changed)


def test_without_reuse_nothing_is_stored_and_a_changed_suite_runs_again(tmp_path: Path) -> None:
    db = build_warehouse(tmp_path, clean_feeds())
    gate(db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE schema_name || '.' || table_name = '{CACHE_TABLE}'"
        ).fetchone() == (0,)
    finally:
        con.close()

    suites = tmp_path / "suites"
    suites.mkdir()
    from orchestration import settings

    for path in settings.EXPECTATIONS_DIR.glob("*.json"):
        (suites / path.name).write_text(path.read_text())
    gate(db, reuse=True, suites_dir=suites)
    # tighten one expectation: the suite's results must not come from the store
    text = (suites / "marketplace_reviews.json").read_text()
    assert '"max_value": 5' in text
    (suites / "marketplace_reviews.json").write_text(text.replace('"max_value": 5', '"max_value": 3', 1))
    report = gate(db, reuse=True, suites_dir=suites)
    assert "marketplace_reviews.rating_in_range" in failed_names(report)
