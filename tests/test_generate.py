"""The synthetic feed generator (orchestration/generate): determinism, scale, formats, contract validity.

Small scales only (SF <= 0.04) so the whole module stays within a few seconds.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from orchestration.defs.ingest.contract import FEEDS, FEEDS_BY_NAME
from orchestration.defs.ingest.load import load_landing
from orchestration.generate import generate_landing
from orchestration.generate._util import Calendar, last_complete_month
from orchestration.generate.checks import (
    contract_violations,
    mismatched_deal_lines_sql,
    scenario_counts,
    tier_estimate_sql,
    tier_mix,
)
from orchestration.generate.writer import to_table

LAST_MONTH = date(2026, 10, 1)
SMALL = 0.004


def _digest(landing: Path) -> dict[str, str]:
    return {
        str(p.relative_to(landing)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(landing.rglob("*"))
        if p.is_file()
    }


def _load(landing: Path, db: Path) -> duckdb.DuckDBPyConnection:
    load_landing(db, landing)
    return duckdb.connect(str(db))


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("landing") / "sf002"
    rows = generate_landing(out, scale=0.02, seed=42, last_month=LAST_MONTH)
    return out, rows


@pytest.fixture(scope="module")
def con(landing: tuple[Path, dict[str, int]], tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    db = tmp_path_factory.mktemp("db") / "warehouse.duckdb"
    c = _load(landing[0], db)
    yield c
    c.close()


# ---------------------------------------------------------------------------------------------
# Determinism


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    a = generate_landing(tmp_path / "a", scale=SMALL, seed=7, last_month=LAST_MONTH)
    b = generate_landing(tmp_path / "b", scale=SMALL, seed=7, last_month=LAST_MONTH)
    assert a == b
    da, db = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert len(da) >= len(FEEDS)
    assert da == db


def test_different_seeds_give_different_data(tmp_path: Path) -> None:
    a = generate_landing(tmp_path / "a", scale=SMALL, seed=1, last_month=LAST_MONTH)
    b = generate_landing(tmp_path / "b", scale=SMALL, seed=2, last_month=LAST_MONTH)
    assert a["portals"] == b["portals"]  # sizes come from the scale
    da, db = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    differing = [f for f in da if da[f] != db.get(f)]
    # every data-bearing feed changes with the seed
    for feed in ("portals", "portal_mrr_monthly", "app_installs", "app_usage_monthly", "deals", "partners"):
        assert f"{feed}/part-00000.parquet" in differing, feed
    assert a != b


def test_regenerating_replaces_earlier_parts(tmp_path: Path) -> None:
    generate_landing(tmp_path, scale=SMALL, seed=1, last_month=LAST_MONTH, fmt="csv")
    generate_landing(tmp_path, scale=SMALL, seed=1, last_month=LAST_MONTH, fmt="parquet")
    assert not list(tmp_path.rglob("*.csv"))


# ---------------------------------------------------------------------------------------------
# Scale


def test_row_counts_scale_roughly_linearly(tmp_path: Path) -> None:
    a = generate_landing(tmp_path / "a", scale=0.02, seed=42, last_month=LAST_MONTH)
    b = generate_landing(tmp_path / "b", scale=0.04, seed=42, last_month=LAST_MONTH)
    ratio = {f: b[f] / a[f] for f in a if a[f]}
    assert ratio["portals"] == pytest.approx(2.0, rel=0.01)
    assert ratio["partners"] == pytest.approx(2.0, rel=0.01)
    # portal-driven feeds: linear
    for feed in ("portal_mrr_monthly", "deals", "deal_line_items", "proof_of_involvement", "partner_portal_activity"):
        assert 1.8 <= ratio[feed] <= 2.2, (feed, ratio[feed])
    # install-driven feeds grow a little faster than linearly at small scales: the largest apps are
    # capped at a share of the portals, and that cap grows with the scale (docs/generator.md)
    for feed in ("apps", "app_installs", "app_usage_monthly", "marketplace_reviews", "influenced_revenue_submissions"):
        assert 1.6 <= ratio[feed] <= 3.2, (feed, ratio[feed])


def test_sizes_follow_the_scale_factor(landing: tuple[Path, dict[str, int]], con: duckdb.DuckDBPyConnection) -> None:
    _, rows = landing
    assert rows["portals"] == 5_000  # 250,000 * 0.02
    programs = dict(con.execute("SELECT program, count(*) FROM raw.partners GROUP BY 1").fetchall())
    assert programs == {"technology": 40, "solutions": 140}


# ---------------------------------------------------------------------------------------------
# Formats


def test_csv_and_parquet_load_to_the_same_tables(tmp_path: Path) -> None:
    rp = generate_landing(tmp_path / "pq", scale=SMALL, seed=3, last_month=LAST_MONTH, fmt="parquet")
    rc = generate_landing(tmp_path / "csv", scale=SMALL, seed=3, last_month=LAST_MONTH, fmt="csv")
    assert rp == rc
    assert list((tmp_path / "csv" / "deals").glob("*.csv")) and not list((tmp_path / "csv").rglob("*.parquet"))
    load_landing(tmp_path / "pq.duckdb", tmp_path / "pq")
    load_landing(tmp_path / "csv.duckdb", tmp_path / "csv")
    c = duckdb.connect()
    c.execute(f"ATTACH '{tmp_path / 'pq.duckdb'}' AS pq (READ_ONLY)")
    c.execute(f"ATTACH '{tmp_path / 'csv.duckdb'}' AS cs (READ_ONLY)")
    for feed in FEEDS:
        n = c.execute(f"SELECT count(*) FROM pq.raw.{feed.name}").fetchone()[0]
        assert n == rp[feed.name]
        for x, y in (("pq", "cs"), ("cs", "pq")):
            diff = c.execute(
                f"SELECT count(*) FROM (SELECT * FROM {x}.raw.{feed.name} EXCEPT ALL SELECT * FROM {y}.raw.{feed.name})"
            ).fetchone()[0]
            assert diff == 0, f"{feed.name}: {diff} rows of {x} not in {y}"


def test_csv_follows_the_feed_contract_text_rules(tmp_path: Path) -> None:
    generate_landing(tmp_path, scale=SMALL, seed=5, last_month=LAST_MONTH, fmt="csv")
    iso_ts = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
    iso_date = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    decimal = re.compile(r"^\d+\.\d{2}$")
    for feed in FEEDS:
        for path in (tmp_path / feed.name).glob("*.csv"):
            with path.open(newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                assert reader.fieldnames == feed.column_names, path
                for i, row in enumerate(reader):
                    if i >= 300:
                        break
                    for col in feed.columns:
                        v = row[col.name]
                        if v == "":
                            continue
                        if col.type == "ts":
                            assert iso_ts.match(v), (feed.name, col.name, v)
                        elif col.type == "date":
                            assert iso_date.match(v), (feed.name, col.name, v)
                        elif col.type == "bool":
                            assert v in ("true", "false"), (feed.name, col.name, v)
                        elif col.type == "dec":
                            assert decimal.match(v), (feed.name, col.name, v)
                        elif col.type == "int":
                            assert v.isdigit(), (feed.name, col.name, v)


def test_parquet_columns_have_the_contract_types(landing: tuple[Path, dict[str, int]]) -> None:
    out, _ = landing
    c = duckdb.connect()
    for feed in FEEDS:
        for path in (out / feed.name).glob("*.parquet"):
            described = c.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
            assert [r[0] for r in described] == feed.column_names
            for (name, dtype, *_), col in zip(described, feed.columns, strict=True):
                assert dtype == col.duckdb_type, (feed.name, name, dtype)


def test_writer_refuses_a_column_of_the_wrong_type() -> None:
    feed = FEEDS_BY_NAME["compliance_escalations"]
    cols = {c.name: pa.nulls(1, pa.string()) for c in feed.columns}
    with pytest.raises(TypeError, match="opened_on"):
        to_table(feed, cols)
    with pytest.raises(ValueError, match="differ from the contract"):
        to_table(feed, {"escalation_id": pa.nulls(1, pa.string())})


# ---------------------------------------------------------------------------------------------
# Contract validity of the loaded output


def test_output_loads_with_the_counts_generate_reports(
    landing: tuple[Path, dict[str, int]], con: duckdb.DuckDBPyConnection
) -> None:
    _, rows = landing
    assert set(rows) == {f.name for f in FEEDS}
    for feed in FEEDS:
        assert con.execute(f"SELECT count(*) FROM raw.{feed.name}").fetchone()[0] == rows[feed.name], feed.name
        assert rows[feed.name] > 0, feed.name


def test_output_is_valid_against_the_contract(con: duckdb.DuckDBPyConnection) -> None:
    violations = {name: n for name, n in contract_violations(con).items() if n}
    assert violations == {}


def test_months_are_the_36_months_ending_with_last_month(con: duckdb.DuckDBPyConnection) -> None:
    for feed in ("portal_mrr_monthly", "app_usage_monthly"):
        months = [r[0] for r in con.execute(f"SELECT DISTINCT month FROM raw.{feed} ORDER BY 1").fetchall()]
        assert len(months) == 36
        assert months[0] == date(2023, 11, 1) and months[-1] == LAST_MONTH


def test_every_evaluation_window_is_covered() -> None:
    evals = Calendar(LAST_MONTH).evaluation_dates()
    assert evals[0] == date(2025, 1, 15) and evals[-1] == date(2026, 10, 15)
    assert len(evals) == 8
    assert Calendar(date(2027, 6, 1)).evaluation_dates()[-1] == date(2027, 7, 15)


def test_default_last_month_is_the_last_complete_month() -> None:
    assert last_complete_month(date(2026, 11, 22)) == date(2026, 10, 1)
    assert last_complete_month(date(2027, 1, 1)) == date(2026, 12, 1)


def test_the_checks_catch_broken_data(landing: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    """The validity checks above can fail: break a copy of the landing zone and see them fire."""
    broken = tmp_path / "broken"
    shutil.copytree(landing[0], broken)
    c = duckdb.connect()
    for feed in ("portals", "deal_partners"):
        path = next((broken / feed).glob("*.parquet"))
        tmp = path.with_suffix(".tmp")
        if feed == "portals":  # a duplicated key
            sql = f"SELECT * FROM read_parquet('{path}') UNION ALL (SELECT * FROM read_parquet('{path}') LIMIT 1)"
        else:  # a dangling reference to a partner
            sql = f"SELECT deal_id, 'S999999' AS partner_id, role FROM read_parquet('{path}')"
        c.execute(f"COPY ({sql}) TO '{tmp}' (FORMAT parquet)")
        tmp.replace(path)
    b = _load(broken, tmp_path / "broken.duckdb")
    v = contract_violations(b)
    assert v["pk portals"] == 1
    assert v["ref deal_partners partner_id_references_solutions_partners"] > 0
    assert v["pk deal_partners"] > 0


# ---------------------------------------------------------------------------------------------
# Realism: the cases the rules must handle, consistent deals, the tier mix


def test_every_rule_case_is_present(con: duckdb.DuckDBPyConnection) -> None:
    missing = [name for name, n in scenario_counts(con).items() if n == 0]
    assert missing == []


def test_won_deal_lines_appear_in_the_portal_mrr_from_the_close_month(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute(mismatched_deal_lines_sql()).fetchone()[0] == 0
    # and the deals carry real money: pro/enterprise lines of won deals average hundreds of dollars
    avg = con.execute(
        """SELECT avg(mrr_usd) FROM raw.deal_line_items li JOIN raw.deals d USING (deal_id)
           WHERE d.stage = 'closed_won' AND li.edition = 'professional' AND li.product_line = 'marketing_hub'"""
    ).fetchone()[0]
    assert 500 < avg < 2000


def test_portal_mrr_averages_about_950_with_a_heavy_tail(con: duckdb.DuckDBPyConnection) -> None:
    avg, median, p99 = con.execute(
        """SELECT avg(m), median(m), quantile_cont(m, 0.99) FROM (
             SELECT portal_id, month, sum(mrr_usd) AS m FROM raw.portal_mrr_monthly
             WHERE product_line <> 'credit_overage' GROUP BY ALL)"""
    ).fetchone()
    assert 800 <= avg <= 1150
    assert median < avg / 2  # long tail
    assert p99 > 8 * avg


def test_reviews_are_skewed_to_four_and_five_stars(con: duckdb.DuckDBPyConnection) -> None:
    share = con.execute("SELECT avg(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) FROM raw.marketplace_reviews").fetchone()
    assert 0.7 <= share[0] <= 0.95


def test_tier_estimate_has_most_partners_at_partner(con: duckdb.DuckDBPyConnection) -> None:
    mix = tier_mix(con, date(2026, 10, 15))
    live = sum(mix.values())
    assert live >= 30
    assert mix["partner"] > live / 2
    assert mix["partner"] > mix["rising"] + mix["leading"] + mix["premier"]
    assert mix["rising"] + mix["leading"] + mix["premier"] >= 2
    metrics = con.execute(tier_estimate_sql(date(2026, 10, 15))).df()
    assert (metrics["attached_mrr"] > 0).mean() > 0.8


def test_partners_joined_before_they_list_apps_or_register_deals(con: duckdb.DuckDBPyConnection) -> None:
    late = con.execute(
        """SELECT
             (SELECT count(*) FROM raw.apps a JOIN raw.partners p USING (partner_id) WHERE p.joined_on > a.listed_on),
             (SELECT count(*) FROM raw.deal_partners dp JOIN raw.deals d USING (deal_id)
              JOIN raw.partners p USING (partner_id) WHERE p.joined_on > d.registered_on)"""
    ).fetchone()
    assert late == (0, 0)
