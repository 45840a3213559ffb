"""The structural half of feeds.md "Bad input": every load error names feed, file, line and column,
and a failed load leaves every raw table as it was (all-or-nothing across feeds)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.defs.ingest.contract import FEEDS_BY_NAME
from orchestration.defs.ingest.load import LoadFailed, load_landing
from tests.support.landing import write_csv, write_landing

PARTNERS = [
    {"partner_id": "p1", "partner_name": "Acme, Inc.", "program": "technology", "joined_on": "2024-01-01"},
    {
        "partner_id": "s1",
        "partner_name": "Solv",
        "program": "solutions",
        "solutions_type": "partner",
        "solutions_tier": "gold",
        "crm_accredited": True,
        "joined_on": "2024-02-01",
    },
]
APPS = [{"app_id": "a1", "partner_id": "p1", "app_name": "App", "listed_on": "2025-01-01", "delisted_on": None}]
INSTALLS = [
    {
        "install_id": "i1",
        "app_id": "a1",
        "portal_id": "x1",
        "installed_at": "2025-02-03T10:00:00Z",
        "uninstalled_at": None,
    },
    {
        "install_id": "i2",
        "app_id": "a1",
        "portal_id": "x1",
        "installed_at": "2025-02-03T23:59:59",
        "uninstalled_at": "2025-03-01T00:00:00",
    },
]


def _rows(db: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM raw.{table} ORDER BY ALL").fetchall()
    finally:
        con.close()


@pytest.fixture()
def good(tmp_path: Path) -> tuple[Path, Path]:
    landing = write_landing(tmp_path / "landing", {"partners": PARTNERS, "apps": APPS, "app_installs": INSTALLS})
    db = tmp_path / "w.duckdb"
    load_landing(db, landing)
    return landing, db


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    return {t: _rows(db, t) for t in ("partners", "apps", "app_installs")}


def test_valid_landing_loads_typed_rows(good: tuple[Path, Path]) -> None:
    _, db = good
    partners = _rows(db, "partners")
    assert [p[0] for p in partners] == ["p1", "s1"]
    assert partners[0][1] == "Acme, Inc."  # a quoted comma stays in the value
    assert partners[0][5] is False  # crm_accredited is optional: defaults to false (feeds.md)
    assert partners[1][5] is True
    installs = _rows(db, "app_installs")
    assert str(installs[0][3]) == "2025-02-03 10:00:00"  # the trailing Z (UTC) is accepted
    assert installs[1][4] is not None


def test_missing_required_column_names_file_line_and_column(good: tuple[Path, Path]) -> None:
    landing, db = good
    before = _snapshot(db)
    header = [c for c in FEEDS_BY_NAME["apps"].column_names if c != "listed_on"]
    bad = write_csv(landing / "apps" / "part-0.csv", header, [{"app_id": "a2", "partner_id": "p1"}])
    with pytest.raises(LoadFailed) as exc:
        load_landing(db, landing)
    [err] = exc.value.errors
    assert (err.feed, err.file, err.line, err.column) == ("apps", str(bad), 1, "listed_on")
    assert "listed_on" in str(exc.value) and str(bad) in str(exc.value)
    assert _snapshot(db) == before


def test_wrong_type_names_the_first_bad_line_and_column(good: tuple[Path, Path]) -> None:
    landing, db = good
    before = _snapshot(db)
    rows = [dict(APPS[0]), {**APPS[0], "app_id": "a2"}, {**APPS[0], "app_id": "a3", "listed_on": "2025-02-30"}]
    bad = write_csv(landing / "apps" / "part-0.csv", FEEDS_BY_NAME["apps"].column_names, rows)
    with pytest.raises(LoadFailed) as exc:
        load_landing(db, landing)
    [err] = exc.value.errors
    assert (err.file, err.line, err.column) == (str(bad), 4, "listed_on")  # header is line 1
    assert "2025-02-30" in err.message
    assert _snapshot(db) == before


@pytest.mark.parametrize(
    ("feed", "column", "value"),
    [
        ("portal_mrr_monthly", "mrr_usd", "1,200.00"),  # thousands separator
        ("portal_mrr_monthly", "mrr_usd", "$12"),  # currency symbol
        ("app_usage_monthly", "api_calls", "12.5"),
        ("partners", "crm_accredited", "yes"),
        ("app_installs", "installed_at", "yesterday"),
    ],
)
def test_each_type_is_checked(tmp_path: Path, feed: str, column: str, value: str) -> None:
    base = {
        "portal_mrr_monthly": {
            "portal_id": "x",
            "month": "2025-01-01",
            "product_line": "sales_hub",
            "edition": "starter",
            "mrr_usd": "10.50",
        },
        "app_usage_monthly": {"app_id": "a1", "portal_id": "x", "month": "2025-01-01", "api_calls": "3"},
        "partners": PARTNERS[1],
        "app_installs": INSTALLS[0],
    }[feed]
    landing = write_landing(tmp_path / "l", {feed: [base, {**base, column: value}]})
    with pytest.raises(LoadFailed) as exc:
        load_landing(tmp_path / "w.duckdb", landing)
    [err] = exc.value.errors
    assert (err.feed, err.line, err.column) == (feed, 3, column)


def test_unparseable_csv_fails_naming_the_file(good: tuple[Path, Path]) -> None:
    landing, db = good
    before = _snapshot(db)
    bad = landing / "apps" / "part-0.csv"
    bad.write_text("app_id,partner_id,app_name,listed_on,delisted_on\na2,p1,x,2025-01-01,,,too,many\n")
    with pytest.raises(LoadFailed) as exc:
        load_landing(db, landing)
    [err] = exc.value.errors
    assert err.file == str(bad) and err.feed == "apps"
    assert "not a valid CSV" in err.message
    assert _snapshot(db) == before


def test_corrupt_parquet_fails_naming_the_file(good: tuple[Path, Path]) -> None:
    landing, db = good
    before = _snapshot(db)
    (landing / "deals" / "part-1.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(LoadFailed) as exc:
        load_landing(db, landing)
    assert exc.value.errors[0].file.endswith("part-1.parquet")
    assert _snapshot(db) == before


def test_parquet_value_of_wrong_type_names_row_and_column(tmp_path: Path) -> None:
    landing = write_landing(tmp_path / "l", {})
    (landing / "app_usage_monthly" / "part-0.csv").unlink()
    frame = pd.DataFrame(
        {
            "app_id": ["a1", "a1"],
            "portal_id": ["x", "y"],
            "month": ["2025-01-01", "2025-01-01"],
            "api_calls": ["4", "many"],
        }
    )
    frame.to_parquet(landing / "app_usage_monthly" / "part-0.parquet")
    with pytest.raises(LoadFailed) as exc:
        load_landing(tmp_path / "w.duckdb", landing)
    [err] = exc.value.errors
    assert (err.feed, err.line, err.column) == ("app_usage_monthly", 2, "api_calls")


def test_load_is_all_or_nothing_across_feeds(good: tuple[Path, Path]) -> None:
    """A valid change to one feed is not applied when another feed fails."""
    landing, db = good
    before = _snapshot(db)
    write_csv(
        landing / "partners" / "part-0.csv",
        FEEDS_BY_NAME["partners"].column_names,
        [*PARTNERS, {**PARTNERS[0], "partner_id": "p9"}],
    )
    write_csv(
        landing / "app_installs" / "part-0.csv",
        FEEDS_BY_NAME["app_installs"].column_names,
        [{**INSTALLS[0], "installed_at": "not a time"}],
    )
    with pytest.raises(LoadFailed) as exc:
        load_landing(db, landing)
    assert [e.feed for e in exc.value.errors] == ["app_installs"]
    assert _snapshot(db) == before  # partners did not get p9


def test_every_error_of_a_run_is_reported(tmp_path: Path) -> None:
    landing = write_landing(
        tmp_path / "l",
        {
            "apps": [{**APPS[0], "listed_on": "soon"}],
            "app_installs": [{**INSTALLS[0], "uninstalled_at": "never"}],
        },
    )
    with pytest.raises(LoadFailed) as exc:
        load_landing(tmp_path / "w.duckdb", landing)
    assert {(e.feed, e.column) for e in exc.value.errors} == {("apps", "listed_on"), ("app_installs", "uninstalled_at")}


def test_header_only_file_is_an_empty_feed_and_optional_feeds_may_be_absent(tmp_path: Path) -> None:
    landing = write_landing(tmp_path / "l", {})
    assert not (landing / "credit_decisions").exists()
    report = load_landing(tmp_path / "w.duckdb", landing)
    assert report.feeds["deals"].rows == 0
    assert report.feeds["credit_decisions"].status == "absent_optional"
    assert _rows(tmp_path / "w.duckdb", "credit_decisions") == []


def test_missing_required_feed_folder_is_an_error(tmp_path: Path) -> None:
    landing = write_landing(tmp_path / "l", {})
    (landing / "deals" / "part-0.csv").unlink()
    (landing / "deals").rmdir()
    with pytest.raises(LoadFailed) as exc:
        load_landing(tmp_path / "w.duckdb", landing)
    assert exc.value.errors[0].feed == "deals" and "missing" in exc.value.errors[0].message


def test_files_of_a_feed_are_unioned_and_extra_columns_warned(tmp_path: Path) -> None:
    landing = write_landing(tmp_path / "l", {"apps": APPS})
    write_csv(
        landing / "apps" / "part-1.csv",
        [*FEEDS_BY_NAME["apps"].column_names, "note"],
        [{**APPS[0], "app_id": "a2", "note": "x"}],
    )
    report = load_landing(tmp_path / "w.duckdb", landing)
    assert [r[0] for r in _rows(tmp_path / "w.duckdb", "apps")] == ["a1", "a2"]
    assert any("note" in w for w in report.warnings)


def test_unchanged_inputs_are_not_reloaded_and_history_is_kept(good: tuple[Path, Path]) -> None:
    landing, db = good
    report = load_landing(db, landing)
    assert report.changed == []
    write_csv(landing / "apps" / "part-0.csv", FEEDS_BY_NAME["apps"].column_names, [*APPS, {**APPS[0], "app_id": "a2"}])
    report = load_landing(db, landing)
    assert report.changed == ["apps"]
    con = duckdb.connect(str(db), read_only=True)
    history = con.execute("SELECT feed, rows FROM meta.load_history WHERE feed = 'apps' ORDER BY loaded_at").fetchall()
    con.close()
    assert history == [("apps", 1), ("apps", 2)]
