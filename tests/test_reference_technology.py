"""Unit tests of the pandas reference of rules.md Part A (tests/reference/technology.py).

Each test builds a tiny landing zone by hand from a rule of rules.md and pins how the reference
reads it; the differential test then holds the dbt marts to the same reading.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from tests.reference.technology import LEVELS, TechnologyReference, chain_dates, evaluate, window_months
from tests.strategies.technology import Landing, fmt_date, fmt_money, fmt_ts
from tests.support.landing import add_months

FIRST = date(2025, 1, 1)
MONTHS = [add_months(FIRST, i) for i in range(24)]  # 2025-01 .. 2026-12
LAST_RUN = date(2027, 6, 1)
E26 = [date(2026, 1, 15), date(2026, 4, 15), date(2026, 7, 15), date(2026, 10, 15)]
E27 = date(2027, 1, 15)
RICH_MONTHS = [add_months(FIRST, i) for i in range(30)]  # .. 2027-06: chain up to 2027-07-15


# ---------------------------------------------------------------------------------------------
# Builders


def landing(months: list[date] = MONTHS) -> Landing:
    """A landing zone whose portal_mrr_monthly covers `months` (a calendar portal with no app)."""
    lz = Landing()
    lz.add("portals", portal_id="calendar", first_purchase_on=None)
    for m in months:
        lz.add(
            "portal_mrr_monthly",
            portal_id="calendar",
            month=fmt_date(m),
            product_line="sales_hub",
            edition="starter",
            mrr_usd="1.00",
        )
    return lz


def partner(lz: Landing, pid: str = "p", program: str = "technology") -> None:
    lz.add("partners", partner_id=pid, partner_name=pid, program=program, joined_on="2020-01-01")


def app(
    lz: Landing, app_id: str, pid: str = "p", listed: date = date(2020, 1, 1), delisted: date | None = None
) -> None:
    lz.add(
        "apps",
        app_id=app_id,
        partner_id=pid,
        app_name=app_id,
        listed_on=fmt_date(listed),
        delisted_on=fmt_date(delisted),
    )


def portal(
    lz: Landing,
    q: str,
    mrr: dict[date, str] | str,
    months: list[date] = MONTHS,
    first_purchase: date | None = None,
    line: str = "marketing_hub",
) -> None:
    lz.add("portals", portal_id=q, first_purchase_on=fmt_date(first_purchase))
    values = mrr if isinstance(mrr, dict) else dict.fromkeys(months, mrr)
    for m, amount in values.items():
        lz.add(
            "portal_mrr_monthly",
            portal_id=q,
            month=fmt_date(m),
            product_line=line,
            edition="professional",
            mrr_usd=amount,
        )


def install(
    lz: Landing,
    install_id: str,
    app_id: str,
    q: str,
    at: date = date(2020, 1, 1),
    until: date | None = None,
    at_time: time = time(12, 0),
) -> None:
    lz.add(
        "app_installs",
        install_id=install_id,
        app_id=app_id,
        portal_id=q,
        installed_at=fmt_ts(at, at_time),
        uninstalled_at=fmt_ts(until, time(8, 0)),
    )


def usage(lz: Landing, app_id: str, q: str, months: list[date] = MONTHS, calls: int = 10) -> None:
    for m in months:
        lz.add("app_usage_monthly", app_id=app_id, portal_id=q, month=fmt_date(m), api_calls=str(calls))


def review(lz: Landing, rid: str, app_id: str, rating: int, at: date, status: str = "published") -> None:
    lz.add(
        "marketplace_reviews",
        review_id=rid,
        app_id=app_id,
        portal_id=None,
        rating=str(rating),
        submitted_at=fmt_ts(at),
        status=status,
    )


def submission(
    lz: Landing,
    sid: str,
    deal: str,
    mrr: str,
    closed: date,
    submitted: date | None = None,
    status: str = "approved",
    pid: str = "p",
    kind: str = "influenced_deal",
) -> None:
    lz.add(
        "influenced_revenue_submissions",
        submission_id=sid,
        partner_id=pid,
        deal_id=deal,
        portal_id=None,
        submission_type=kind,
        mrr_usd=mrr,
        closed_on=fmt_date(closed),
        submitted_at=fmt_ts(submitted or closed),
        review_status=status,
    )


def form(
    lz: Landing,
    fid: str,
    at: date,
    tech: bool = True,
    pm: bool = True,
    sponsor: bool = True,
    sharing: str | None = "crossbeam",
    pid: str = "p",
    at_time: time = time(12, 0),
) -> None:
    email = "someone@example.com"
    lz.add(
        "partner_poc_forms",
        form_id=fid,
        partner_id=pid,
        submitted_at=fmt_ts(at, at_time),
        technical_contact_email=email if tech else None,
        partnership_manager_email=email if pm else None,
        executive_sponsor_email=email if sponsor else None,
        co_sell_contact_email=None,
        data_sharing=sharing,
    )


def escalation(
    lz: Landing, eid: str, opened: date, resolved: date | None = None, responsible: bool = True, pid: str = "p"
) -> None:
    lz.add(
        "compliance_escalations",
        escalation_id=eid,
        partner_id=pid,
        opened_on=fmt_date(opened),
        resolved_on=fmt_date(resolved),
        responsible="true" if responsible else "false",
    )


def certification(
    lz: Landing, app_id: str, certified: date, expires: date | None = None, status: str = "certified"
) -> None:
    lz.add(
        "app_certifications",
        app_id=app_id,
        certified_on=fmt_date(certified),
        expires_on=fmt_date(expires),
        status=status,
    )


def baseline(lz: Landing, tier: str, pid: str = "p") -> None:
    lz.add("technology_tier_baseline", partner_id=pid, tier=tier, effective_on="2025-01-01")


PERFORMANCE = {  # attached MRR per month, influenced deal per quarter (x4 per window), reviews per month
    "partner": ("0.00", None, None),
    "rising": ("400000.00", "250.00", 4),
    "leading": ("1000000.00", "1250.00", 5),
    "premier": ("7000000.00", "7500.00", 5),
}


def performer(
    lz: Landing,
    tier: str,
    pid: str = "p",
    months: list[date] = MONTHS,
    certified: bool = True,
    app_id: str | None = None,
    listed: date = date(2020, 1, 1),
    delisted: date | None = None,
) -> str:
    """A partner whose performance (attached, influenced, reviews, certification) meets `tier` exactly
    in every window: monthly attached MRR = threshold, 4 deals per window = deals threshold, one review
    a month (12 per window) at the tier's rating."""
    partner(lz, pid)
    a = app_id or f"{pid}_app"
    app(lz, a, pid, listed, delisted)
    attached, deal, rating = PERFORMANCE[tier]
    if Decimal(attached) > 0:
        portal(lz, f"{pid}_q", attached, months)
        install(lz, f"{pid}_i", a, f"{pid}_q")
        usage(lz, a, f"{pid}_q", months)
    for n, m in enumerate(months):
        if deal and m.month in (1, 4, 7, 10):
            submission(lz, f"{pid}_s{n}", f"{pid}_d{n}", deal, m.replace(day=10), pid=pid)
        if rating:
            review(lz, f"{pid}_r{n}", a, rating, m.replace(day=5))
    if certified:
        certification(lz, a, date(2024, 12, 1), date(2030, 1, 1))
    return a


def run(lz: Landing, run_date: date = LAST_RUN, **kw) -> TechnologyReference:
    return evaluate(lz.frames(), run_date, published=lz.published_frame(), **kw)


def metric(ref: TechnologyReference, e: date, column: str, pid: str = "p"):
    m = ref.metrics
    rows = m[(m["partner_id"] == pid) & (m["evaluation_date"] == pd.Timestamp(e))]
    assert len(rows) == 1
    return rows.iloc[0][column]


def requirement(ref: TechnologyReference, e: date, tier: str, req: str, pid: str = "p") -> pd.Series:
    r = ref.requirements
    rows = r[
        (r["partner_id"] == pid)
        & (r["evaluation_date"] == pd.Timestamp(e))
        & (r["tier"] == tier)
        & (r["requirement"] == req)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def evaluation(ref: TechnologyReference, e: date, pid: str = "p") -> pd.Series:
    v = ref.evaluations
    rows = v[(v["partner_id"] == pid) & (v["evaluation_date"] == pd.Timestamp(e))]
    assert len(rows) == 1
    return rows.iloc[0]


def actions(ref: TechnologyReference, pid: str = "p") -> list[tuple[str, str]]:
    v = ref.evaluations[ref.evaluations["partner_id"] == pid].sort_values("evaluation_date")
    return list(zip(v["tier_after"], v["action"], strict=True))


# ---------------------------------------------------------------------------------------------
# A2, D2, G3: calendar


def test_d2_window_is_12_months_before_the_quarter() -> None:
    months = list(window_months(date(2027, 1, 15)))
    assert (months[0], months[-1]) == (2026 * 12, 2026 * 12 + 11)  # 2026-01 .. 2026-12
    assert list(window_months(date(2026, 4, 15)))[0] == 2025 * 12 + 3  # 2025-04


def test_a2_chain_dates_need_the_whole_window_and_g3_run_date() -> None:
    months = pd.Series(pd.to_datetime(MONTHS))
    assert chain_dates(months, LAST_RUN, None) == [*E26, E27]
    assert chain_dates(months, date(2026, 7, 14), None) == E26[:2]  # G3: E <= run date
    assert chain_dates(months, date(2026, 7, 15), None) == E26[:3]
    assert chain_dates(months, LAST_RUN, date(2026, 10, 14)) == E26[:3]
    assert chain_dates(pd.Series(pd.to_datetime(MONTHS[1:])), LAST_RUN, None) == [*E26[1:], E27]


def test_a9_chain_runs_from_first_date_when_evaluation_from_filters_output() -> None:
    lz = landing()
    performer(lz, "rising")
    ref = run(lz, evaluation_from=date(2026, 7, 15))
    assert sorted(ref.evaluations["evaluation_date"].unique()) == [pd.Timestamp(e) for e in (*E26[2:], E27)]
    # The upgrade happened on the first date (not output); later dates start from rising.
    assert evaluation(ref, E26[2])["tier_before"] == "rising"
    assert evaluation(ref, E26[2])["action"] == "unchanged"


def test_a9_rows_for_every_technology_partner_only() -> None:
    lz = landing()
    partner(lz, "p")
    partner(lz, "s", program="solutions")
    ref = run(lz)
    assert set(ref.evaluations["partner_id"]) == {"p"}
    assert len(ref.evaluations) == 5 and len(ref.metrics) == 5
    assert set(ref.evaluations["action"]) == {"not_in_program"}
    before = list(ref.evaluations.sort_values("evaluation_date")["tier_before"])
    assert pd.isna(before[0]) and before[1:] == ["not_in_program"] * 4  # C = none, then A9 row 2


# ---------------------------------------------------------------------------------------------
# A3: metrics


def test_a3_attached_mrr_is_mean_of_12_months_counting_inactive_months_as_zero() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a")
    portal(lz, "q", "120000.00")
    install(lz, "i", "a", "q")
    usage(lz, "a", "q", [m for m in MONTHS if m.year == 2025 and m.month <= 6])  # Jan-Jun 2025 only
    ref = run(lz)
    assert metric(ref, E26[0], "attached_mrr") == Decimal("60000.00")  # W = 2025: 6 x 120k / 12
    assert metric(ref, E26[2], "attached_mrr") == Decimal("0.00")  # W = 2025-07 .. 2026-06


def test_a3_portal_using_two_apps_of_one_partner_counted_once() -> None:
    lz = landing()
    partner(lz)
    for a in ("a1", "a2"):
        app(lz, a)
        install(lz, f"i_{a}", a, "q")
        usage(lz, a, "q")
    portal(lz, "q", "1000.00")
    portal(lz, "q2", "500.00")
    install(lz, "i_q2", "a2", "q2")
    usage(lz, "a2", "q2")
    assert metric(run(lz), E27, "attached_mrr") == Decimal("1500.00")


def test_d3_credit_overage_is_not_recurring() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a")
    portal(lz, "q", "1000.00")
    for m in MONTHS:
        lz.add(
            "portal_mrr_monthly",
            portal_id="q",
            month=fmt_date(m),
            product_line="credit_overage",
            edition="starter",
            mrr_usd="999.00",
        )
        lz.add(
            "portal_mrr_monthly",
            portal_id="q",
            month=fmt_date(m),
            product_line="sales_hub",
            edition="starter",
            mrr_usd="20.00",
        )
    install(lz, "i", "a", "q")
    usage(lz, "a", "q")
    assert metric(run(lz), E27, "attached_mrr") == Decimal("1020.00")


def test_d4_active_use_needs_a_live_install_and_api_calls() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a")
    # q1: uninstalled on 2026-03-01 -> live one day of March (counts), not April.
    portal(lz, "q1", "100.00")
    install(lz, "i1", "a", "q1", until=date(2026, 3, 1))
    usage(lz, "a", "q1")
    # q2: installed on the last day of June 2026 at 23:59 -> counts from June.
    portal(lz, "q2", "10.00")
    install(lz, "i2", "a", "q2", at=date(2026, 6, 30), at_time=time(23, 59, 59))
    usage(lz, "a", "q2")
    # q3: live but no api calls -> never active.
    portal(lz, "q3", "1.00")
    install(lz, "i3", "a", "q3")
    usage(lz, "a", "q3", calls=0)
    # W(2027-01-15) = 2026: q1 in Jan..Mar (3 x 100), q2 in Jun..Dec (7 x 10)
    assert metric(run(lz), E27, "attached_mrr") == Decimal("30.83")  # 370 / 12 = 30.8333


def test_d1_app_counts_only_in_months_it_is_listed() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a1", delisted=date(2026, 3, 1))  # not listed in March 2026 (delisted on its first day)
    app(lz, "a2", delisted=date(2026, 3, 2))  # listed in March 2026
    portal(lz, "q1", "100.00")
    install(lz, "i1", "a1", "q1")
    usage(lz, "a1", "q1")
    portal(lz, "q2", "1000.00")
    install(lz, "i2", "a2", "q2")
    usage(lz, "a2", "q2")
    app(lz, "a3", listed=date(2026, 12, 31))  # listed on the last day of December: counts for December
    portal(lz, "q3", "12000.00")
    install(lz, "i3", "a3", "q3")
    usage(lz, "a3", "q3")
    # 2026: q1 Jan-Feb (200), q2 Jan-Mar (3000), q3 Dec (12000) -> 15200 / 12
    assert metric(run(lz), E27, "attached_mrr") == Decimal("1266.67")


def test_g2_attached_threshold_compares_the_unrounded_mean() -> None:
    lz = landing()
    partner(lz, "exact")
    app(lz, "a", "exact")
    portal(lz, "q", "400000.00")
    install(lz, "i", "a", "q")
    usage(lz, "a", "q")
    partner(lz, "short")
    app(lz, "b", "short")
    portal(lz, "r", {m: ("399999.99" if m == date(2026, 5, 1) else "400000.00") for m in MONTHS})
    install(lz, "j", "b", "r")
    usage(lz, "b", "r")
    ref = run(lz)
    assert requirement(ref, E27, "rising", "attached_mrr", "exact")["status"] == "pass"
    short = requirement(ref, E27, "rising", "attached_mrr", "short")
    assert short["value"] == Decimal("400000.00")  # rounded for display (399999.999166...)
    assert short["status"] == "fail"
    assert short["threshold"] == Decimal("400000")


def test_d5_install_within_90_days_after_first_purchase() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a")
    fp = date(2026, 2, 1)
    cases = {"day0": 0, "day90": 90, "day91": 91, "before": -1}
    for name, offset in cases.items():
        mrr = {m: ("100.00" if m == add_months(fp, 0) else "7.00") for m in MONTHS}
        mrr.update({m: "1000.00" for m in MONTHS if (fp + timedelta(days=offset)).replace(day=1) == m})
        portal(lz, name, mrr, first_purchase=fp)
        install(lz, name, "a", name, at=fp + timedelta(days=offset), at_time=time(23, 30))
    # day0: install month Feb -> its MRR 1000; day90 (2026-05-02): May 1000; day91 and before: out.
    # A second, later install on day0's portal does not count twice (D5).
    install(lz, "day0_again", "a", "day0", at=fp + timedelta(days=30))
    ref = run(lz)
    assert metric(ref, E27, "install_90d_mrr") == Decimal("2000.00")
    assert metric(ref, E26[0], "install_90d_mrr") == Decimal("0.00")  # installs are in 2026


def test_d5_portal_value_is_its_mrr_in_the_month_of_the_earliest_install_in_the_window() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a1")
    app(lz, "a2")
    fp = date(2025, 12, 20)
    portal(lz, "q", {m: f"{m.month}00.00" for m in MONTHS}, first_purchase=fp)
    install(lz, "i1", "a1", "q", at=date(2025, 12, 25))  # W(2026-01-15) only
    install(lz, "i2", "a2", "q", at=date(2026, 2, 10))  # W(2026-04-15) onwards
    ref = run(lz)
    assert metric(ref, E26[0], "install_90d_mrr") == Decimal("1200.00")
    assert metric(ref, E26[1], "install_90d_mrr") == Decimal("1200.00")  # Dec install still in W
    assert metric(ref, E27, "install_90d_mrr") == Decimal("200.00")  # only the Feb install in 2026


def test_d6_latest_approved_submission_per_deal() -> None:
    lz = landing()
    partner(lz)
    closed = date(2026, 5, 10)
    submission(lz, "s1", "d1", "500.00", closed, date(2026, 5, 11))
    submission(lz, "s2", "d1", "1200.00", closed, date(2026, 5, 20))  # latest approved wins
    submission(lz, "s3", "d1", "9000.00", closed, date(2026, 6, 1), status="pending")  # never counts
    submission(lz, "s4", "d2", "7000.00", closed, status="rejected")
    submission(lz, "s5", "d3", "300.00", closed, kind="referral")  # referrals count
    submission(lz, "s6", "d4", "50.00", date(2025, 12, 31))  # closed outside W(2027-01-15)
    submission(lz, "s7", "d5", "1.00", closed, date(2026, 5, 20))
    submission(lz, "s8", "d5", "2.00", closed, date(2026, 5, 20))  # same day: the higher id is latest
    ref = run(lz)
    assert metric(ref, E27, "influenced_deals_mrr") == Decimal("1502.00")
    assert metric(ref, E26[0], "influenced_deals_mrr") == Decimal("50.00")


def test_a3_rating_is_averaged_per_review_not_per_app() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a1")
    app(lz, "a2")
    review(lz, "r1", "a1", 5, date(2026, 3, 1))
    for n in range(4):
        review(lz, f"r2{n}", "a2", 3, date(2026, 4, 1))
    review(lz, "r3", "a2", 1, date(2026, 4, 1), status="removed")
    review(lz, "r4", "a2", 1, date(2025, 12, 31))  # outside W(2027-01-15)
    ref = run(lz)
    assert metric(ref, E27, "review_count") == 5
    assert metric(ref, E27, "avg_rating") == pytest.approx(3.4)  # per app would be 4.0
    assert requirement(ref, E27, "rising", "avg_rating")["status"] == "fail"
    assert requirement(ref, E27, "rising", "review_count")["status"] == "pass"


def test_a3_rating_undefined_without_reviews_fails_when_enforced() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a")
    ref = run(lz)
    assert pd.isna(metric(ref, E27, "avg_rating"))
    row = requirement(ref, E27, "rising", "avg_rating")
    assert pd.isna(row["value"]) and row["status"] == "fail" and row["threshold"] == Decimal("3.5")
    assert requirement(ref, E26[3], "rising", "avg_rating")["status"] == "not_enforced"  # A6


def test_a3_rating_threshold_at_exactly_3_5_passes() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a")
    for n, r in enumerate([4, 4, 3, 3, 4, 3]):
        review(lz, f"r{n}", "a", r, date(2026, 6, 1))
    ref = run(lz)
    assert requirement(ref, E27, "rising", "avg_rating")["status"] == "pass"
    assert requirement(ref, E27, "leading", "avg_rating")["status"] == "fail"


# ---------------------------------------------------------------------------------------------
# A4, A5, A6: requirements


def test_a4_requirement_rows_follow_the_table() -> None:
    lz = landing()
    partner(lz)
    ref = run(lz)
    r = ref.requirements[ref.requirements["evaluation_date"] == pd.Timestamp(E27)]
    assert set(zip(r["tier"], r["requirement"], strict=True)) == {
        (t, req) for req, levels in LEVELS.items() for t in levels
    }
    assert len(r) == 28
    assert set(r["status"]) == {"fail", "preferred_missing"}  # nothing at all: no live listing


def test_a4_live_listing_on_e() -> None:
    lz = landing()
    partner(lz, "on_e")
    app(lz, "a", "on_e", delisted=E26[1])
    partner(lz, "after_e")
    app(lz, "b", "after_e", delisted=E26[1] + timedelta(days=1))
    partner(lz, "listed_on_e")
    app(lz, "c", "listed_on_e", listed=E26[1])
    ref = run(lz)
    assert requirement(ref, E26[1], "partner", "live_listing", "on_e")["value"] == 0
    assert requirement(ref, E26[1], "partner", "live_listing", "after_e")["value"] == 1
    assert requirement(ref, E26[1], "partner", "live_listing", "listed_on_e")["status"] == "pass"
    assert requirement(ref, E26[0], "partner", "live_listing", "listed_on_e")["status"] == "fail"


def test_d8_certification_valid_on_e() -> None:
    lz = landing()
    e = E27
    cases = {
        "certified_on_e": (e, None, "certified", True),
        "expires_on_e": (date(2025, 6, 1), e, "certified", False),
        "default_2_years": (date(2025, 1, 16), None, "certified", True),
        "default_expired": (date(2025, 1, 15), None, "certified", False),  # + 2 years = E
        "revoked": (date(2026, 1, 1), None, "revoked", False),
        "future": (e + timedelta(days=1), None, "certified", False),
    }
    for pid, (certified, expires, status, _ok) in cases.items():
        partner(lz, pid)
        app(lz, f"{pid}_a", pid)
        certification(lz, f"{pid}_a", certified, expires, status)
    partner(lz, "not_live")  # a certified app that is not live on E does not count
    app(lz, "nl_live", "not_live")
    app(lz, "nl_cert", "not_live", delisted=date(2026, 12, 1))
    certification(lz, "nl_cert", date(2026, 1, 1))
    ref = run(lz)
    for pid, (*_rest, ok) in cases.items():
        row = requirement(ref, e, "premier", "app_certification", pid)
        assert (row["value"], row["status"]) == ((1, "pass") if ok else (0, "fail")), pid
    assert requirement(ref, e, "leading", "app_certification", "not_live")["status"] == "preferred_missing"
    assert requirement(ref, E26[0], "premier", "app_certification", "revoked")["status"] == "not_enforced"  # A6


def test_a4_data_sharing_and_contacts_from_the_form() -> None:
    lz = landing()
    for pid, sharing in (("cb", "crossbeam"), ("oa", "other_approved"), ("no", "none"), ("null", None)):
        partner(lz, pid)
        app(lz, f"{pid}_a", pid)
        form(lz, f"{pid}_f", date(2026, 1, 1), pm=False, sharing=sharing, pid=pid)
    ref = run(lz)
    status = {
        pid: requirement(ref, E27, "premier", "data_sharing", pid)["status"] for pid in ("cb", "oa", "no", "null")
    }
    assert status == {"cb": "pass", "oa": "pass", "no": "fail", "null": "fail"}
    assert requirement(ref, E27, "leading", "data_sharing", "no")["status"] == "preferred_missing"  # D7
    assert requirement(ref, E27, "leading", "partnership_manager", "cb")["status"] == "fail"
    assert requirement(ref, E27, "rising", "technical_contact", "cb")["status"] == "pass"


def test_a4_influenced_pair_is_one_requirement_passed_by_either_threshold() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a")
    submission(lz, "s", "d", "4999.99", date(2026, 6, 1))
    fp = date(2026, 3, 1)
    portal(lz, "q", {add_months(fp, 0): "30000.00"}, first_purchase=fp)
    install(lz, "i", "a", "q", at=fp)
    ref = run(lz)
    leading = requirement(ref, E27, "leading", "influenced_mrr")
    assert leading["status"] == "pass"  # by the 90-day side
    # issue 12 item 5: the row shows the branch that decided, not the deals branch that failed
    assert leading["decided_by"] == "install_90d"
    assert (leading["value"], leading["threshold"]) == (Decimal("30000.00"), Decimal("30000"))
    assert requirement(ref, E27, "premier", "influenced_mrr")["status"] == "fail"


def test_a5_premier_exception_with_low_attached_mrr() -> None:
    lz = landing(RICH_MONTHS)
    partner(lz)
    app(lz, "a")
    certification(lz, "a", date(2025, 1, 1), date(2030, 1, 1))
    submission(lz, "s", "d", "100000.00", date(2026, 9, 30))
    for n in range(10):
        review(lz, f"r{n}", "a", 4, date(2026, 8, 1))
    form(lz, "f", date(2026, 1, 1))
    ref = run(lz, date(2027, 8, 1))
    e = E27
    assert requirement(ref, e, "premier", "attached_mrr")["status"] == "pass"  # via A5
    # issue 12 item 5: the row shows the exception branch that decided it, not 0 < 7,000,000
    premier_attached = requirement(ref, e, "premier", "attached_mrr")
    assert premier_attached["decided_by"] == "exception"
    assert (premier_attached["value"], premier_attached["threshold"]) == (Decimal("100000.00"), Decimal("100000"))
    assert requirement(ref, e, "leading", "attached_mrr")["status"] == "fail"
    ev = evaluation(ref, e)
    assert (ev["qualified_tier"], ev["premier_exception_used"]) == ("premier", True)
    # W(2027-10-15 not evaluated); W(2027-07-15) = 2026-07..2027-06 still holds the deal
    assert evaluation(ref, date(2027, 7, 15))["premier_exception_used"]
    # 99,999.99 would not do
    lz2 = landing(RICH_MONTHS)
    partner(lz2)
    app(lz2, "a")
    certification(lz2, "a", date(2025, 1, 1), date(2030, 1, 1))
    submission(lz2, "s", "d", "99999.99", date(2026, 9, 30))
    for n in range(10):
        review(lz2, f"r{n}", "a", 4, date(2026, 8, 1))
    form(lz2, "f", date(2026, 1, 1))
    ref2 = run(lz2, date(2027, 8, 1))
    assert requirement(ref2, e, "premier", "attached_mrr")["status"] == "fail"
    assert evaluation(ref2, e)["qualified_tier"] == "partner"


def test_a5_exception_not_used_when_the_standard_path_passes() -> None:
    lz = landing()
    performer(lz, "premier")
    submission(lz, "big", "big", "100000.00", date(2026, 2, 1))
    form(lz, "f", date(2025, 1, 1))
    ev = evaluation(run(lz), E27)
    assert (ev["qualified_tier"], ev["premier_exception_used"]) == ("premier", False)


def test_a6_reviews_and_premier_certification_not_enforced_in_2026() -> None:
    lz = landing()
    performer(lz, "premier", certified=False)
    lz.rows["marketplace_reviews"].clear()
    form(lz, "f", date(2025, 1, 1))
    ref = run(lz)
    assert requirement(ref, E26[3], "premier", "review_count")["status"] == "not_enforced"
    assert requirement(ref, E26[3], "premier", "app_certification")["status"] == "not_enforced"
    assert requirement(ref, E26[3], "leading", "app_certification")["status"] == "preferred_missing"
    assert evaluation(ref, E26[3])["qualified_tier"] == "premier"
    assert requirement(ref, E27, "premier", "review_count")["status"] == "fail"
    assert evaluation(ref, E27)["qualified_tier"] == "partner"
    assert actions(ref) == [
        ("premier", "upgrade"),
        ("premier", "unchanged"),
        ("premier", "unchanged"),
        ("premier", "unchanged"),
        ("partner", "downgrade"),
    ]


# ---------------------------------------------------------------------------------------------
# A7, D10, D11: the POC form


@pytest.mark.parametrize(("days_after_e", "counts"), [(14, True), (15, False), (-200, True)])
def test_d10_form_must_arrive_by_e_plus_14_days(days_after_e: int, counts: bool) -> None:
    lz = landing()
    performer(lz, "leading")
    form(lz, "f", E26[0] + timedelta(days=days_after_e), at_time=time(23, 59, 59))
    ref = run(lz)
    ev = evaluation(ref, E26[0])
    assert ev["qualified_tier_on_performance"] == "leading"
    if counts:
        assert (ev["qualified_tier"], ev["tier_after"], ev["action"]) == ("leading", "leading", "upgrade")
        assert pd.isna(ev["pending_tier"])
    else:
        # D11: fully qualifies for rising only; leading deferred (run date long after E + 14)
        assert (ev["qualified_tier"], ev["tier_after"]) == ("rising", "rising")
        assert (ev["action"], ev["pending_tier"]) == ("upgrade_deferred_no_poc_form", "leading")
        assert evaluation(ref, E26[1])["action"] == "upgrade"  # the late form counts next quarter


@pytest.mark.parametrize(
    ("run_offset", "action"), [(14, "upgrade_pending_poc_form"), (15, "upgrade_deferred_no_poc_form")]
)
def test_a9_run_date_e_plus_14_pending_e_plus_15_deferred(run_offset: int, action: str) -> None:
    lz = landing()
    performer(lz, "leading")
    ev = evaluation(run(lz, E27 + timedelta(days=run_offset)), E27)
    assert (ev["tier_before"], ev["tier_after"], ev["action"], ev["pending_tier"]) == (
        "rising",
        "rising",
        action,
        "leading",
    )


def test_g3_form_after_the_run_date_does_not_exist_yet() -> None:
    run_date = E27 + timedelta(days=5)
    lz = landing()
    performer(lz, "leading")
    form(lz, "f", run_date + timedelta(days=1))
    ev = evaluation(run(lz, run_date), E27)
    assert (ev["action"], ev["tier_after"]) == ("upgrade_pending_poc_form", "rising")
    lz.rows["partner_poc_forms"].clear()
    form(lz, "f", run_date)
    assert evaluation(run(lz, run_date), E27)["action"] == "upgrade"


def test_a7_latest_form_wins_even_if_less_complete() -> None:
    lz = landing()
    performer(lz, "leading")
    form(lz, "f1", date(2025, 6, 1))
    form(lz, "f2", date(2026, 6, 1), pm=False)
    ref = run(lz)
    assert evaluation(ref, E26[0])["tier_after"] == "leading"
    assert requirement(ref, E26[3], "leading", "partnership_manager")["status"] == "fail"
    # leading held (no downgrade in 2026), then downgraded in January 2027 for want of a manager
    assert actions(ref)[-2:] == [("leading", "downgrade_waived_2026"), ("rising", "downgrade")]


def test_d11_premier_on_performance_with_form_complete_for_leading_moves_to_leading() -> None:
    lz = landing()
    performer(lz, "premier")
    form(lz, "f", date(2025, 1, 1), sharing="none")
    ev = evaluation(run(lz), E26[0])
    assert (ev["qualified_tier_on_performance"], ev["qualified_tier"]) == ("premier", "leading")
    assert (ev["tier_after"], ev["action"], ev["pending_tier"]) == (
        "leading",
        "upgrade_deferred_no_poc_form",
        "premier",
    )


# ---------------------------------------------------------------------------------------------
# A8, D12: good standing


@pytest.mark.parametrize(("days_before", "held"), [(90, True), (91, False), (0, True), (-3, True)])
def test_d12_escalation_resolved_within_90_days_before_e(days_before: int, held: bool) -> None:
    lz = landing()
    performer(lz, "rising")
    escalation(lz, "x", date(2025, 1, 1), E26[0] - timedelta(days=days_before))
    ev = evaluation(run(lz), E26[0])
    assert bool(ev["in_good_standing"]) == (not held)
    assert ev["action"] == ("upgrade_held_compliance" if held else "upgrade")
    assert ev["tier_after"] == ("partner" if held else "rising")


def test_d12_open_and_not_responsible_escalations() -> None:
    lz = landing()
    performer(lz, "rising", pid="open")
    escalation(lz, "x", E26[0], pid="open")  # opened on E: open on E
    performer(lz, "rising", pid="later")
    escalation(lz, "y", E26[0] + timedelta(days=1), pid="later")  # opened after E
    performer(lz, "rising", pid="fine")
    escalation(lz, "z", date(2025, 1, 1), responsible=False, pid="fine")
    ref = run(lz)
    assert evaluation(ref, E26[0], "open")["action"] == "upgrade_held_compliance"
    assert evaluation(ref, E26[0], "later")["action"] == "upgrade"
    assert not evaluation(ref, E26[1], "later")["in_good_standing"]
    assert evaluation(ref, E26[0], "fine")["action"] == "upgrade"


def test_a9_compliance_hold_comes_before_a_missing_form() -> None:
    lz = landing()
    performer(lz, "leading")
    escalation(lz, "x", date(2025, 1, 1))
    ev = evaluation(run(lz), E26[0])
    assert (ev["action"], ev["tier_after"], ev["in_good_standing"]) == ("upgrade_held_compliance", "partner", False)
    assert pd.isna(ev["pending_tier"])


# ---------------------------------------------------------------------------------------------
# A9: the tier chain


def test_a9_upgrade_several_tiers_at_once() -> None:
    lz = landing()
    performer(lz, "premier")
    form(lz, "f", date(2025, 1, 1))
    ev = evaluation(run(lz), E26[0])
    assert (ev["tier_before"], ev["tier_after"], ev["action"]) == ("partner", "premier", "upgrade")


def test_a9_downgrade_only_january_july_from_2027() -> None:
    lz = landing(RICH_MONTHS)
    partner(lz)
    app(lz, "a")
    baseline(lz, "leading")
    ref = run(lz, date(2027, 8, 1))
    assert actions(ref) == [
        ("leading", "downgrade_waived_2026"),  # 2026-01
        ("leading", "downgrade_waived_2026"),
        ("leading", "downgrade_waived_2026"),
        ("leading", "downgrade_waived_2026"),  # 2026-10
        ("partner", "downgrade"),  # 2027-01
        ("partner", "unchanged"),  # 2027-04
        ("partner", "unchanged"),  # 2027-07
    ]


def test_a9_downgrade_not_in_window_in_april() -> None:
    lz = landing(RICH_MONTHS)
    performer(lz, "rising", months=RICH_MONTHS)
    baseline(lz, "rising")
    # reviews stop in mid-2026, so the 2027-04-15 window (2026-04..2027-03) has too few
    lz.rows["marketplace_reviews"] = [r for r in lz.rows["marketplace_reviews"] if r["submitted_at"] < "2026-06"]
    ref = run(lz, date(2027, 8, 1))
    got = dict(zip(ref.evaluations["evaluation_date"].dt.date, ref.evaluations["action"], strict=True))
    assert got[date(2027, 1, 15)] == "unchanged"  # W = 2026: Jan-May reviews = 5
    assert got[date(2027, 4, 15)] == "downgrade_not_in_window"
    assert got[date(2027, 7, 15)] == "downgrade"


def test_a9_left_program_joined_not_in_program() -> None:
    lz = landing()
    partner(lz)
    app(lz, "a1", delisted=E26[1])  # not live on 2026-04-15
    app(lz, "a2", listed=E26[2] + timedelta(days=1))  # live from 2026-07-16
    partner(lz, "never")
    partner(lz, "late")
    app(lz, "late_a", "late", listed=E26[1])
    ref = run(lz)
    assert actions(ref) == [
        ("partner", "unchanged"),
        ("not_in_program", "left_program"),
        ("not_in_program", "not_in_program"),
        ("partner", "joined"),
        ("partner", "unchanged"),
    ]
    assert pd.isna(evaluation(ref, E26[0], "never")["tier_before"])
    assert evaluation(ref, E26[1], "never")["tier_before"] == "not_in_program"
    assert actions(ref, "late")[:2] == [("not_in_program", "not_in_program"), ("partner", "joined")]


def test_a9_baseline_is_the_tier_before_the_first_date() -> None:
    lz = landing()
    performer(lz, "rising")
    baseline(lz, "premier")
    partner(lz, "gone")
    baseline(lz, "rising", "gone")
    ref = run(lz)
    assert evaluation(ref, E26[0])["tier_before"] == "premier"
    assert evaluation(ref, E26[0])["action"] == "downgrade_waived_2026"
    assert actions(ref, "gone")[0] == ("not_in_program", "left_program")


def test_a9_current_published_tier_overrides_the_computed_one() -> None:
    lz = landing()
    performer(lz, "rising")
    lz.publish("p", E26[0], "premier", version=1, current=False)
    lz.publish("p", E26[0], "leading", version=2)
    lz.publish("p", E26[2], "not_in_program")
    ref = run(lz)
    assert evaluation(ref, E26[0])["tier_after"] == "rising"  # the row of E itself is computed
    assert evaluation(ref, E26[1])["tier_before"] == "leading"
    assert evaluation(ref, E26[1])["action"] == "downgrade_waived_2026"
    assert evaluation(ref, E26[3])["tier_before"] == "not_in_program"
    assert evaluation(ref, E26[3])["action"] == "joined"
    assert evaluation(ref, E27)["action"] == "upgrade"


def test_a9_published_tier_of_the_date_before_the_first_chain_date() -> None:
    lz = landing()
    performer(lz, "rising", pid="prev")
    baseline(lz, "leading", "prev")
    lz.publish("prev", date(2025, 10, 15), "premier")  # the quarter before 2026-01-15: wins over baseline
    performer(lz, "rising", pid="older")
    lz.publish("older", date(2025, 7, 15), "premier")  # not the previous date: not read
    performer(lz, "rising", pid="stale")
    lz.publish("stale", date(2025, 10, 15), "premier", current=False)  # not current: not read
    ref = run(lz)
    assert evaluation(ref, E26[0], "prev")["tier_before"] == "premier"
    assert evaluation(ref, E26[0], "older")["tier_before"] == "partner"
    assert evaluation(ref, E26[0], "stale")["tier_before"] == "partner"


def test_d6_a7_latest_is_by_timestamp_then_id() -> None:
    lz = landing()
    performer(lz, "leading")
    form(lz, "f_b", date(2026, 1, 20), pm=True, at_time=time(8, 0))
    form(lz, "f_a", date(2026, 1, 20), pm=False, at_time=time(18, 0))  # later that day: the latest
    submission(lz, "s_b", "d9", "100.00", date(2026, 3, 3))
    lz.add("influenced_revenue_submissions", submission_id="s_a", partner_id="p", deal_id="d9", portal_id=None,
           submission_type="referral", mrr_usd="200.00", closed_on="2026-03-03",
           submitted_at="2026-03-03T18:00:00", review_status="approved")  # fmt: skip
    ref = run(lz)
    assert evaluation(ref, E26[0])["action"] == "upgrade_deferred_no_poc_form"
    assert metric(ref, E27, "influenced_deals_mrr") == Decimal("5200.00")  # 4 x 1250 + 200


def test_g1_timestamps_compare_by_their_utc_date() -> None:
    lz = landing()
    performer(lz, "leading")
    lz.add(
        "partner_poc_forms",
        form_id="z",
        partner_id="p",
        submitted_at="2026-01-29T23:59:59Z",
        technical_contact_email="t@x",
        partnership_manager_email="m@x",
        executive_sponsor_email=None,
        co_sell_contact_email=None,
        data_sharing=None,
    )
    assert evaluation(run(lz), E26[0])["action"] == "upgrade"


def test_money_format_helper() -> None:
    assert fmt_money(-5) == "-0.05" and fmt_money(123456) == "1234.56"
