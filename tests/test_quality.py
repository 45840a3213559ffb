"""The data-quality gate (issue 5 items 1-2, rules.md Part C): each blocking class blocks and names
its cause, each warning class warns without blocking, the report renders and reads back, dbt
results fold in, the GX suites of expectations/ are the ones used, and the gate is wired as
blocking Dagster asset checks on the raw feeds."""

from __future__ import annotations

import copy
import json
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orchestration import settings
from orchestration.defs.ingest.contract import FEEDS
from orchestration.defs.ingest.load import load_landing
from orchestration.defs.quality.report import (
    MAX_SAMPLES,
    CheckResult,
    GateReport,
    add_dbt_results,
    find_run_results,
    json_safe,
    load_report,
    write_report_files,
)
from orchestration.defs.quality.sql_checks import _duplicate_keys_sql, key_checks
from orchestration.defs.quality.suites import all_suite_checks, load_suite_json
from tests.support.landing import write_landing

Feeds = dict[str, list[dict[str, Any]]]

MONTHS = ("2025-01-01", "2025-02-01", "2025-03-01")


def clean_feeds() -> Feeds:
    """A small landing zone that passes every check of the gate, warnings included."""
    return {
        "partners": [
            {
                "partner_id": "p1",
                "partner_name": "Tech",
                "program": "technology",
                "region": "EMEA",
                "joined_on": "2024-01-01",
            },
            {
                "partner_id": "s1",
                "partner_name": "Solv",
                "program": "solutions",
                "solutions_type": "partner",
                "solutions_tier": "gold",
                "crm_accredited": True,
                "joined_on": "2024-01-01",
            },
            {
                "partner_id": "s2",
                "partner_name": "Prov",
                "program": "solutions",
                "solutions_type": "provider",
                "solutions_tier": "partner",
                "joined_on": "2024-01-01",
            },
        ],
        "portals": [
            {"portal_id": "x1", "first_purchase_on": "2024-06-01", "country": "US"},
            {"portal_id": "x2", "first_purchase_on": None, "country": "FR"},
        ],
        "portal_mrr_monthly": [
            {"portal_id": x, "month": m, "product_line": "sales_hub", "edition": "starter", "mrr_usd": "10.50"}
            for x in ("x1", "x2")
            for m in MONTHS
        ],
        "apps": [{"app_id": "a1", "partner_id": "p1", "app_name": "App", "listed_on": "2024-01-01"}],
        "app_certifications": [
            {"app_id": "a1", "certified_on": "2024-06-01", "expires_on": "2026-06-01", "status": "certified"}
        ],
        "app_installs": [
            {"install_id": "i1", "app_id": "a1", "portal_id": "x1", "installed_at": "2024-12-01T10:00:00"},
            {
                "install_id": "i2",
                "app_id": "a1",
                "portal_id": "x2",
                "installed_at": "2025-01-10T10:00:00",
                "uninstalled_at": "2025-02-15T09:00:00",
            },
        ],
        "app_usage_monthly": [
            *({"app_id": "a1", "portal_id": "x1", "month": m, "api_calls": 5} for m in MONTHS),
            *({"app_id": "a1", "portal_id": "x2", "month": m, "api_calls": 3} for m in MONTHS[:2]),
            {"app_id": "a1", "portal_id": "x2", "month": MONTHS[2], "api_calls": 0},  # after the uninstall: 0 calls
        ],
        "marketplace_reviews": [
            {
                "review_id": "r1",
                "app_id": "a1",
                "portal_id": "x1",
                "rating": 5,
                "submitted_at": "2025-01-20T08:00:00",
                "status": "published",
            },
            {
                "review_id": "r2",
                "app_id": "a1",
                "portal_id": "x2",
                "rating": 1,
                "submitted_at": "2025-02-20T08:00:00",
                "status": "removed",
            },
        ],
        "influenced_revenue_submissions": [
            {
                "submission_id": "sub1",
                "partner_id": "p1",
                "deal_id": "hs-9",
                "portal_id": "x1",
                "submission_type": "influenced_deal",
                "mrr_usd": "100.00",
                "closed_on": "2025-01-20",
                "submitted_at": "2025-01-25T00:00:00",
                "review_status": "approved",
            },
        ],
        "partner_poc_forms": [
            {
                "form_id": "f1",
                "partner_id": "p1",
                "submitted_at": "2025-01-02T00:00:00",
                "technical_contact_email": "t@example.com",
                "data_sharing": "crossbeam",
            },
        ],
        "compliance_escalations": [
            {
                "escalation_id": "e1",
                "partner_id": "p1",
                "opened_on": "2025-01-01",
                "resolved_on": "2025-01-05",
                "responsible": True,
            },
        ],
        "technology_tier_baseline": [{"partner_id": "p1", "tier": "partner", "effective_on": "2025-01-01"}],
        "deals": [
            {
                "deal_id": "d1",
                "portal_id": "x1",
                "collaboration_type": "partner_collaboration",
                "registered_on": "2025-01-01",
                "closed_on": "2025-02-01",
                "stage": "closed_won",
            },
            {
                "deal_id": "d2",
                "portal_id": "x2",
                "collaboration_type": "hubspot_collaboration",
                "registered_on": "2025-02-01",
                "stage": "open",
            },
        ],
        "deal_partners": [
            {"deal_id": "d1", "partner_id": "s1", "role": "originator"},
            {"deal_id": "d2", "partner_id": "s2", "role": "invited"},
        ],
        "deal_line_items": [
            {"deal_id": "d1", "product_line": "sales_hub", "edition": "professional", "mrr_usd": "100.00"}
        ],
        "proof_of_involvement": [
            {
                "poi_id": "poi1",
                "deal_id": "d1",
                "partner_id": "s1",
                "status": "signed",
                "signed_at": "2025-01-20T00:00:00",
                "onboarding_product_lines": "sales_hub;marketing_hub",
            },
            {"poi_id": "poi2", "deal_id": "d2", "partner_id": "s2", "status": "sent"},
        ],
        "partner_portal_activity": [
            {
                "partner_id": "s1",
                "portal_id": x,
                "occurred_at": f"2025-0{m}-05T10:00:00",
                "activity_type": "asset_created",
            }
            for x in ("x1", "x2")
            for m in (1, 2)
        ],
        "credit_decisions": [{"deal_id": "d1", "partner_id": "s1", "decided_on": "2025-02-02", "note": "ok"}],
    }


def build_warehouse(root: Path, feeds: Feeds, name: str = "w") -> Path:
    landing = write_landing(root / f"{name}-landing", feeds, include_optional=True)
    db = root / f"{name}.duckdb"
    load_landing(db, landing)
    return db


def gate(db: Path, **kwargs: Any) -> GateReport:
    from orchestration.defs.quality.gate import run_gate

    kwargs.setdefault("run_date", date(2025, 4, 20))
    return run_gate(db, **kwargs)


def failed_names(report: GateReport) -> set[str]:
    return {c.qualified_name for c in report.checks if not c.passed}


# ---------------------------------------------------------------------------------------------
# The clean landing zone passes everything: what fails below fails because of the fault.


@pytest.fixture(scope="module")
def clean_report(tmp_path_factory: pytest.TempPathFactory) -> GateReport:
    return gate(build_warehouse(tmp_path_factory.mktemp("clean"), clean_feeds()))


def test_clean_warehouse_passes_every_check(clean_report: GateReport) -> None:
    assert [c.headline() for c in clean_report.checks if not c.passed] == []
    assert not clean_report.blocked and clean_report.status == "passed"
    kinds = {c.kind for c in clean_report.checks}
    assert kinds == {"contract", "reference", "coverage", "volume", "oddity"}
    # every expectation of every suite ran (none silently skipped)
    assert {(i.feed, i.check) for i in all_suite_checks()} <= {(c.feed, c.name) for c in clean_report.checks}


# ---------------------------------------------------------------------------------------------
# Blocking classes: each alone blocks and names its cause, its count and the offending rows.


def _dup_review(f: Feeds) -> None:
    f["marketplace_reviews"].append({**f["marketplace_reviews"][0], "rating": 4})


def _dup_usage_key(f: Feeds) -> None:
    f["app_usage_monthly"].append({**f["app_usage_monthly"][0], "api_calls": 99})


def _bad_rating(f: Feeds) -> None:
    f["marketplace_reviews"][1]["rating"] = 6


def _bad_enum(f: Feeds) -> None:
    f["portal_mrr_monthly"][4]["product_line"] = "sales_hubb"


def _dangling_app(f: Feeds) -> None:
    f["app_installs"].append(
        {"install_id": "i9", "app_id": "a404", "portal_id": "x1", "installed_at": "2025-01-01T00:00:00"}
    )


def _uninstall_before_install(f: Feeds) -> None:
    f["app_installs"].append(
        {
            "install_id": "i3",
            "app_id": "a1",
            "portal_id": "x2",
            "installed_at": "2025-02-01T00:00:00",
            "uninstalled_at": "2025-01-31T23:00:00",
        }
    )


def _missing_mrr_month(f: Feeds) -> None:
    f["portal_mrr_monthly"] = [r for r in f["portal_mrr_monthly"] if r["month"] != "2025-02-01"]


def _missing_usage_month(f: Feeds) -> None:
    f["app_usage_monthly"] = [r for r in f["app_usage_monthly"] if r["month"] != "2025-03-01"]


def _month_not_first(f: Feeds) -> None:
    f["app_usage_monthly"][2]["month"] = "2025-03-15"


def _technology_partner_of_deal(f: Feeds) -> None:
    f["deal_partners"][0]["partner_id"] = "p1"  # deal partners must be solutions partners


def _solutions_partner_without_tier(f: Feeds) -> None:
    f["partners"][1]["solutions_tier"] = None  # s1 is a solutions *partner*: feeds.md wants its tier


def _technology_partner_with_tier(f: Feeds) -> None:
    f["partners"][0]["solutions_tier"] = "gold"


BLOCKING: list[tuple[str, Callable[[Feeds], None], str, int, dict[str, Any]]] = [
    ("duplicate key", _dup_review, "marketplace_reviews.key_unique", 2, {"review_id": "r1", "key_occurrences": 2}),
    ("duplicate compound key", _dup_usage_key, "app_usage_monthly.key_unique", 2, {"api_calls": 99}),
    ("rating out of range", _bad_rating, "marketplace_reviews.rating_in_range", 1, {"review_id": "r2", "rating": 6}),
    ("bad enum", _bad_enum, "portal_mrr_monthly.product_line_in_set", 1, {"product_line": "sales_hubb"}),
    ("dangling app reference", _dangling_app, "app_installs.app_id_references_apps", 1, {"install_id": "i9"}),
    (
        "uninstall before install",
        _uninstall_before_install,
        "app_installs.uninstalled_at_not_before_installed_at",
        1,
        {"install_id": "i3"},
    ),
    ("missing month", _missing_mrr_month, "portal_mrr_monthly.months_contiguous", 1, {"missing_month": "2025-02-01"}),
    (
        "usage misses a month",
        _missing_usage_month,
        "app_usage_monthly.months_cover_mrr_months",
        1,
        {"missing_month": "2025-03-01"},
    ),
    (
        "month not first of month",
        _month_not_first,
        "app_usage_monthly.month_first_of_month",
        1,
        {"month": "2025-03-15"},
    ),
    (
        "reference to a partner of the wrong program",
        _technology_partner_of_deal,
        "deal_partners.partner_id_references_solutions_partners",
        1,
        {"deal_id": "d1", "partner_id": "p1"},
    ),
    (
        "solutions partner without a tier",
        _solutions_partner_without_tier,
        "partners.solutions_tier_set_for_solutions_partners",
        1,
        {"partner_id": "s1"},
    ),
    (
        "technology partner with a solutions tier",
        _technology_partner_with_tier,
        "partners.solutions_tier_null_for_technology",
        1,
        {"partner_id": "p1"},
    ),
]


def test_solutions_provider_without_tier_does_not_block(tmp_path: Path) -> None:
    """feeds.md (revised 2026-12-04): a solutions provider may have a null solutions_tier (B9 treats
    it as below Platinum); the gate must not block the run for it."""
    feeds = copy.deepcopy(clean_feeds())
    assert feeds["partners"][2]["solutions_type"] == "provider"
    feeds["partners"][2]["solutions_tier"] = None
    report = gate(build_warehouse(tmp_path, feeds), feeds=["partners"])
    assert [c.headline() for c in report.checks if not c.passed] == []
    assert not report.blocked
    assert report.find("solutions_tier_set_for_solutions_partners", "partners").status == "passed"


@pytest.mark.parametrize(("label", "fault", "check", "count", "sample"), BLOCKING, ids=[b[0] for b in BLOCKING])
def test_blocking_fault_blocks_and_names_the_cause(
    tmp_path: Path, label: str, fault: Callable[[Feeds], None], check: str, count: int, sample: dict[str, Any]
) -> None:
    feeds = copy.deepcopy(clean_feeds())
    fault(feeds)
    feed = check.split(".")[0]
    report = gate(build_warehouse(tmp_path, feeds), feeds=[feed])
    assert report.blocked, label
    assert failed_names(report) == {check}, label
    result = report.find(check.split(".")[1], feed)
    assert (result.severity, result.status, result.failing_rows) == ("blocking", "failed", count)
    assert any(sample.items() <= row.items() for row in result.sample_rows), result.sample_rows
    assert check.split(".")[1] in report.to_markdown() and report.summary().startswith("BLOCKED")


def test_evaluation_windows_must_be_covered(tmp_path: Path) -> None:
    """rules.md Part C / D2: E = 2026-01-15 needs every month of 2025; the data holds January to March."""
    db = build_warehouse(tmp_path, clean_feeds())
    feeds = ["portal_mrr_monthly", "app_usage_monthly"]
    window = {"evaluation_from": "2026-01-15", "evaluation_to": "2026-01-15"}
    report = gate(db, feeds=feeds, run_date=date(2026, 2, 1), **window)
    assert report.blocked
    for feed in feeds:
        missing = report.find("evaluation_windows_covered", feed)
        assert missing.failing_rows == 9 and missing.sample_rows[0] == {"missing_month": "2025-04-01"}
    # an E after the run date is not evaluated (G3), and --all (the open range) checks the data's own span
    assert not gate(db, feeds=feeds, run_date=date(2025, 4, 20), **window).blocked
    assert not gate(db, feeds=feeds, run_date=date(2026, 2, 1)).blocked


# ---------------------------------------------------------------------------------------------
# Key uniqueness compares 64-bit hashes first (sql_checks._duplicate_keys_sql): its answer must be
# that of grouping on the key itself, rows with a null key part left out (they are the suites'
# not-null failures, not duplicates), whatever the hashes do.

UsageRow = tuple[str | None, str | None, date | None, int]


def _usage_warehouse(rows: list[UsageRow]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.app_usage_monthly (app_id VARCHAR, portal_id VARCHAR, month DATE, api_calls BIGINT)")
    if rows:
        con.executemany("INSERT INTO raw.app_usage_monthly VALUES (?, ?, ?, ?)", rows)
    # weak hashes: every key collides, or every key of the same app does
    con.execute("CREATE MACRO constant_hash(a, b, c) AS 42")
    con.execute("CREATE MACRO app_hash(a, b, c) AS hash(a)")
    return con


def _duplicate_keys(rows: list[UsageRow]) -> dict[tuple, int]:
    counts = Counter(r[:3] for r in rows if None not in r[:3])
    return {key: n for key, n in counts.items() if n > 1}


def _assert_usage_key_check(rows: list[UsageRow]) -> None:
    con = _usage_warehouse(rows)
    expected = _duplicate_keys(rows)
    [check] = [c for c in key_checks() if c.feed == "app_usage_monthly"]
    result = check.run(con)
    assert result.failing_rows == sum(expected.values())
    assert result.status == ("failed" if expected else "passed")
    # the samples: the rows of the first keys in key order, at most MAX_SAMPLES rows (which rows of
    # the last key shown is up to the database)
    candidates = sorted(tuple(json_safe([*r, expected[r[:3]]])) for r in rows if r[:3] in expected)
    samples = sorted(tuple(row.values()) for row in result.sample_rows)
    assert len(samples) == min(MAX_SAMPLES, len(candidates))
    assert [s[:3] for s in samples] == [c[:3] for c in candidates[: len(samples)]]
    assert not Counter(samples) - Counter(candidates)
    for hash_function in ("hash", "constant_hash", "app_hash"):
        sql = _duplicate_keys_sql("raw.app_usage_monthly", ("app_id", "portal_id", "month"), hash_function)
        found = {(a, p, m): n for a, p, m, n in con.execute(sql).fetchall()}
        assert found == expected, hash_function


JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)


def test_key_check_finds_every_duplicate_and_ignores_null_key_parts() -> None:
    rows: list[UsageRow] = [
        ("a1", "x1", JAN, 1),
        ("a1", "x1", JAN, 2),  # duplicate key
        ("a1", "x1", FEB, 3),
        ("a1", "x2", JAN, 4),
        ("a1", None, JAN, 5),
        ("a1", None, JAN, 6),  # same key with a null part: not a duplicate
        (None, None, None, 7),
        (None, None, None, 8),
    ]
    _assert_usage_key_check(rows)
    _assert_usage_key_check([r for r in rows if r[3] != 2])  # clean: passes, even when every hash collides
    _assert_usage_key_check([])


_usage_rows = st.lists(
    st.tuples(
        st.sampled_from(["a1", "a2", None]),
        st.sampled_from(["x1", "x2", "x10", None]),
        st.sampled_from([JAN, FEB, None]),
        st.integers(0, 9),
    ),
    max_size=40,
)


@hypothesis_settings(max_examples=60, deadline=None)
@given(rows=_usage_rows)
def test_key_check_equals_grouping_on_the_key(rows: list[UsageRow]) -> None:
    _assert_usage_key_check(rows)


# ---------------------------------------------------------------------------------------------
# Warnings: reported, never blocking.


def _usage_without_install(f: Feeds) -> None:
    f["app_usage_monthly"][-1]["api_calls"] = 7  # x2 after its uninstall (rules.md D4)


def _won_deal_without_items(f: Feeds) -> None:
    f["deals"].append(
        {
            "deal_id": "d3",
            "portal_id": "x2",
            "collaboration_type": "partner_collaboration",
            "registered_on": "2025-01-01",
            "closed_on": "2025-03-01",
            "stage": "closed_won",
        }
    )
    f["deal_partners"].append({"deal_id": "d3", "partner_id": "s1", "role": "originator"})


WARNINGS = [
    (
        "usage without live install",
        _usage_without_install,
        "app_usage_monthly.usage_without_live_install",
        {"portal_id": "x2", "api_calls": 7},
    ),
    (
        "closed-won deal without line items",
        _won_deal_without_items,
        "deals.closed_won_without_line_items",
        {"deal_id": "d3"},
    ),
]


@pytest.mark.parametrize(("label", "fault", "check", "sample"), WARNINGS, ids=[w[0] for w in WARNINGS])
def test_warning_is_reported_and_does_not_block(
    tmp_path: Path, label: str, fault: Callable[[Feeds], None], check: str, sample: dict[str, Any]
) -> None:
    feeds = copy.deepcopy(clean_feeds())
    fault(feeds)
    feed = check.split(".")[0]
    report = gate(build_warehouse(tmp_path, feeds), feeds=[feed])
    assert not report.blocked and report.status == "passed_with_warnings", label
    assert failed_names(report) == {check}
    [warning] = report.warnings
    assert (warning.severity, warning.failing_rows) == ("warning", 1)
    assert sample.items() <= warning.sample_rows[0].items()


def test_volume_swing_against_the_previous_load_warns(tmp_path: Path) -> None:
    feeds = clean_feeds()
    db = build_warehouse(tmp_path, feeds)
    feeds["partner_portal_activity"] = feeds["partner_portal_activity"][:1]  # 4 rows -> 1: -75 %
    feeds["marketplace_reviews"] = feeds["marketplace_reviews"][:1]  # 2 rows -> 1: -50 %, within the limit
    load_landing(db, write_landing(tmp_path / "second-landing", feeds, include_optional=True))
    report = gate(db, feeds=["partner_portal_activity", "marketplace_reviews"])
    assert not report.blocked and failed_names(report) == {"partner_portal_activity.volume_swing"}
    swing = report.find("volume_swing", "partner_portal_activity")
    assert swing.failing_rows == 3 and swing.sample_rows[0]["change"] == "-75%"
    assert swing.sample_rows[0]["previous_rows"] == 4 and swing.sample_rows[0]["current_rows"] == 1
    assert "-50%" in report.find("volume_swing", "marketplace_reviews").message


def test_a_check_that_cannot_run_blocks(tmp_path: Path) -> None:
    """A blocking check that errors did not verify anything: the gate blocks and says why."""
    db = build_warehouse(tmp_path, clean_feeds())
    suites = tmp_path / "suites"
    shutil.copytree(settings.EXPECTATIONS_DIR, suites)
    (suites / "apps.json").unlink()
    report = gate(db, feeds=["apps"], suites_dir=suites)
    assert report.blocked
    error = report.find("expectation_suite", "apps")
    assert error.status == "error" and "apps.json" in error.message


# ---------------------------------------------------------------------------------------------
# The suites of expectations/ are the ones used.


def test_one_gx_suite_per_feed_with_named_checks() -> None:
    assert sorted(p.stem for p in settings.EXPECTATIONS_DIR.glob("*.json")) == sorted(f.name for f in FEEDS)
    for feed in FEEDS:
        suite = load_suite_json(feed.name)
        assert suite["name"] == f"raw.{feed.name}"
        names = [e["meta"]["check"] for e in suite["expectations"]]
        assert len(names) == len(set(names)), feed.name
        for key_col in feed.primary_key:  # keys are never null (feeds.md pk)
            assert f"{key_col}_not_null" in names, (feed.name, key_col)


def test_an_edited_suite_changes_the_result(tmp_path: Path) -> None:
    feeds = clean_feeds()
    _bad_rating(feeds)
    db = build_warehouse(tmp_path, feeds)
    assert gate(db, feeds=["marketplace_reviews"]).blocked
    suites = tmp_path / "suites"
    shutil.copytree(settings.EXPECTATIONS_DIR, suites)
    path = suites / "marketplace_reviews.json"
    suite = json.loads(path.read_text())
    [rating] = [e for e in suite["expectations"] if e["meta"]["check"] == "rating_in_range"]
    rating["kwargs"]["max_value"] = 10
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "portal_id", "value_set": ["x1"]},
            "meta": {"check": "only_portal_x1", "kind": "oddity"},
            "severity": "warning",
        }
    )
    path.write_text(json.dumps(suite))
    report = gate(db, feeds=["marketplace_reviews"], suites_dir=suites)
    assert not report.blocked
    assert report.find("rating_in_range").passed
    added = report.find("only_portal_x1")
    assert (added.severity, added.failing_rows, added.sample_rows[0]["review_id"]) == ("warning", 1, "r2")


# ---------------------------------------------------------------------------------------------
# The report


def _sample_report() -> GateReport:
    return GateReport(
        checks=[
            CheckResult(
                "rating_in_range",
                "marketplace_reviews",
                "contract",
                "blocking",
                "failed",
                3,
                [{"review_id": "<script>alert(1)</script>", "rating": 9, "note": "a|b"}],
                "rating is between 1 and 5",
            ),
            CheckResult(
                "usage_without_live_install",
                "app_usage_monthly",
                "oddity",
                "warning",
                "failed",
                12,
                [{"app_id": "a1", "month": date(2025, 3, 1)}],
                "usage needs a live install",
            ),
            CheckResult("key_unique", "apps", "contract", "blocking", "passed", 0, [], "app_id is unique"),
        ],
        run_date="2025-04-20",
        warehouse="/tmp/w.duckdb",
    )


def test_report_verdict() -> None:
    report = _sample_report()
    assert report.blocked and report.status == "blocked"
    assert [c.name for c in report.blocking_failures] == ["rating_in_range"]
    assert [c.name for c in report.warnings] == ["usage_without_live_install"]
    report.checks[0].status = "passed"
    assert not report.blocked and report.status == "passed_with_warnings"
    report.checks[1].severity = "blocking"
    report.checks[1].status = "error"
    assert report.blocked  # an error of a blocking check blocks


def test_report_renders_names_counts_and_escaped_samples() -> None:
    report = _sample_report()
    md, page = report.to_markdown(), report.to_html()
    for text in (md, page):
        assert "rating_in_range" in text and "usage_without_live_install" in text and "key_unique" in text
        assert "BLOCKED: 1 blocking check(s) failed" in text
        assert "<script>" not in text and "&lt;script" in text
        assert "2025-03-01" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "| 3 |" in md and "| 12 |" in md and "a\\|b" in md  # a pipe in a value does not break the table
    assert '<td class="num">3</td>' in page and page.startswith("<!DOCTYPE html>") and "<link" not in page
    data = json.loads(report.to_json())
    assert data["blocked"] is True and data["counts"] == {"checks": 3, "blocking_failures": 1, "warnings": 1}
    assert data["checks"][1]["sample_rows"] == [{"app_id": "a1", "month": "2025-03-01"}]


def test_report_files_are_written_and_read_back(tmp_path: Path) -> None:
    paths = write_report_files(_sample_report(), tmp_path / "gate")
    assert sorted(p.name for p in (tmp_path / "gate").iterdir()) == ["latest.html", "latest.json", "latest.md"]
    back = load_report(tmp_path / "gate")
    assert back.to_dict() == GateReport.from_json(paths["json"].read_text()).to_dict()
    assert back.blocked and back.find("rating_in_range").failing_rows == 3


def test_dbt_results_fold_into_the_report(tmp_path: Path) -> None:
    target = tmp_path / "target" / "warehouse_dbt_models-1a2b-3c4d"  # dagster-dbt: one folder per invocation
    target.mkdir(parents=True)
    results = [
        {"unique_id": "test.pw.unique_fct_x_id.1a", "status": "fail", "failures": 4, "message": "Got 4 results"},
        {"unique_id": "test.pw.accepted_values_fct_x_tier.2b", "status": "warn", "failures": 2, "message": "Got 2"},
        {"unique_id": "test.pw.not_null_fct_x_id.3c", "status": "pass", "failures": 0, "message": None},
        {"unique_id": "test.pw.relationships_fct_y.4d", "status": "pass", "failures": 0, "message": None},
        {"unique_id": "test.pw.not_null_fct_z.5e", "status": "skipped", "failures": None, "message": None},
        {"unique_id": "unit_test.pw.fct_x.test_a5_premier_exception", "status": "fail", "failures": 1},
        {"unique_id": "model.pw.fct_x", "status": "success"},
    ]
    (target / "run_results.json").write_text(json.dumps({"results": results}))
    nodes = {
        "test.pw.unique_fct_x_id.1a": {
            "name": "unique_fct_x_id",
            "config": {"severity": "ERROR"},
            "attached_node": "model.pw.fct_x",
        },
        "test.pw.relationships_fct_y.4d": {
            "name": "relationships_fct_y",
            "config": {"severity": "warn"},
            "attached_node": "model.pw.fct_y",
        },
    }
    (target / "manifest.json").write_text(json.dumps({"nodes": nodes, "unit_tests": {}}))
    assert find_run_results(tmp_path / "target") == target / "run_results.json"
    assert find_run_results(tmp_path / "nowhere") is None
    report = add_dbt_results(GateReport(checks=_sample_report().checks[2:]), target / "run_results.json")
    dbt = {c.name: c for c in report.checks if c.kind == "dbt"}
    assert len(dbt) == 6  # tests and unit tests, not models
    assert (dbt["unique_fct_x_id"].severity, dbt["unique_fct_x_id"].status) == ("blocking", "failed")
    assert dbt["unique_fct_x_id"].failing_rows == 4 and dbt["unique_fct_x_id"].feed == "fct_x"
    assert (dbt["accepted_values_fct_x_tier"].severity, dbt["accepted_values_fct_x_tier"].status) == (
        "warning",
        "failed",
    )
    assert dbt["relationships_fct_y"].severity == "warning" and dbt["relationships_fct_y"].passed
    assert dbt["not_null_fct_z"].status == "error" and dbt["not_null_fct_z"].blocks
    assert report.blocked and len(report.blocking_failures) == 3
    assert len(add_dbt_results(report, target / "run_results.json").checks) == 7  # folding twice: no duplicates
    assert "unique_fct_x_id" in report.to_markdown()


# ---------------------------------------------------------------------------------------------
# Dagster


def test_gate_checks_are_on_the_raw_assets_and_block(defs: dg.Definitions) -> None:
    from orchestration.defs.quality.checks import GATE_CHECK_SPECS

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.asset_check_keys}
    for feed in FEEDS:
        assert f"raw/{feed.name}:contract" in keys and f"raw/{feed.name}:volume" in keys
    assert "raw/portal_mrr_monthly:coverage" in keys and "raw/app_usage_monthly:coverage" in keys
    assert "raw/app_installs:reference" in keys and "raw/deals:oddity" in keys
    blocking = {(s.asset_key.to_user_string(), s.name): s.blocking for s in GATE_CHECK_SPECS}
    assert blocking[("raw/apps", "contract")] and blocking[("raw/apps", "reference")]
    assert blocking[("raw/portal_mrr_monthly", "coverage")]
    assert not blocking[("raw/apps", "volume")] and not blocking[("raw/deals", "oddity")]


def test_the_warehouse_job_runs_the_gate_before_dbt(defs: dg.Definitions) -> None:
    """The blocking checks are a step of the job, and the dbt build waits on them."""
    structure = defs.resolve_job_def("build_warehouse").graph.dependency_structure

    def upstream(node: str) -> set[str]:
        return {o.node_name for outs in structure.input_to_upstream_outputs_for_node(node).values() for o in outs}

    assert upstream("data_quality_gate") == {"raw_feeds"}
    assert "data_quality_gate" in upstream("warehouse_dbt_models")


def test_big_feed_keys_are_checked_once(defs: dg.Definitions) -> None:
    """The gate owns the keys of the large feeds; dbt staging no longer tests them again."""
    checks = {k.to_user_string() for k in defs.resolve_asset_graph().asset_check_keys}
    for model in ("portal_mrr_monthly", "app_usage_monthly", "app_installs"):
        assert not any(f"stg_hubspot__{model}" in c for c in checks), model
    assert any("unique_stg_hubspot__apps_app_id" in c for c in checks)  # small feeds keep theirs


def test_asset_check_results_carry_counts_and_samples() -> None:
    from orchestration.defs.quality.checks import asset_check_results

    report = _sample_report()
    results = {(r.asset_key.to_user_string(), r.check_name): r for r in asset_check_results(report)}
    failed = results[("raw/marketplace_reviews", "contract")]
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert "rating_in_range: 3 failing rows" in failed.description
    assert failed.metadata["failing_rows"].value == 3
    assert failed.metadata["sample_rows"].value["rating_in_range"][0]["rating"] == 9
    warned = results[("raw/app_usage_monthly", "oddity")]
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    assert results[("raw/apps", "contract")].passed
