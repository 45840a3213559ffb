"""Unit tests of the pandas reference of rules.md Part B (tests/reference/solutions.py).

Hand-built cases, one rule or decision each (the test name says which); expected values are worked
out by hand from rules.md, not from the reference.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.reference.solutions import OUTCOMES, SolutionsConfig, SolutionsResult, compute_solutions
from tests.strategies.solutions import Zone
from tests.support.landing import add_months


def d(text: str) -> date:
    return date.fromisoformat(text)


def zone_with(partners: dict[str, str] | None = None, portals: tuple[str, ...] = ("po1",)) -> Zone:
    """A zone with solutions partners {id: type} and portals."""
    z = Zone()
    for pid, solutions_type in (partners or {"sp1": "partner"}).items():
        z.partner(pid, solutions_type, "gold")
    for po in portals:
        z.portal(po)
    return z


def pay(z: Zone, portal: str, line: str, edition: str, amount: str, first: str, months: int) -> None:
    z.mrr_months(portal, line, edition, amount, d(first), months)


def run(z: Zone, **config: object) -> SolutionsResult:
    return compute_solutions(z.frames(), SolutionsConfig(**config))  # type: ignore[arg-type]


def outcome(res: SolutionsResult, deal_id: str, line: str) -> tuple[str, str | None]:
    rows = res.deal_line_credits
    row = rows[(rows["deal_id"] == deal_id) & (rows["product_line"] == line)]
    assert len(row) == 1, f"expected one row for {deal_id}/{line}, got {len(row)}"
    partner = row["credited_partner_id"].iloc[0]
    return row["outcome"].iloc[0], (None if pd.isna(partner) else partner)


def monthly(df: pd.DataFrame, partner: str, column: str) -> dict[str, float]:
    rows = df[df["partner_id"] == partner]
    key = "month" if "month" in rows else "quarter_start"
    out: dict[str, float] = {}
    for m, v in zip(rows[key], rows[column], strict=True):
        k = pd.Timestamp(m).strftime("%Y-%m")
        out[k] = round(out.get(k, 0.0) + float(v), 6)
    return {k: v for k, v in out.items() if v != 0}


def signed(z: Zone, poi_id: str, deal: str, partner: str, when: str, onboarding: tuple[str, ...] = ()) -> None:
    z.poi(poi_id, deal, partner, "signed", when, onboarding)


# ---------------------------------------------------------------------------------------------
# B9 - the document's own check


def test_b9_document_example_740_gives_148_per_month_and_444_per_quarter() -> None:
    z = zone_with()
    pay(z, "po1", "marketing_hub", "professional", "740.00", "2025-01-01", 6)
    z.deal("d1", "po1", "2025-01-15", [("marketing_hub", "professional", "740.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-10T09:00:00")
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("credited", "sp1")
    acc = monthly(res.commission_accruals, "sp1", "accrual_usd")
    assert acc == {f"2025-0{m}": 148.0 for m in range(1, 7)}
    assert monthly(res.commission_payouts, "sp1", "payout_usd") == {"2025-01": 444.0, "2025-04": 444.0}
    # B7: a new sale counts fully.
    assert monthly(res.sold_mrr, "sp1", "sold_mrr") == {f"2025-0{m}": 740.0 for m in range(1, 7)}


# ---------------------------------------------------------------------------------------------
# B1, B2, D14 - line-level outcomes


def test_b1_credit_overage_never_credited_nor_commissioned() -> None:
    z = zone_with()
    pay(z, "po1", "marketing_hub", "professional", "500.00", "2025-01-01", 3)
    pay(z, "po1", "credit_overage", "professional", "99.00", "2025-01-01", 3)
    z.deal(
        "d1",
        "po1",
        "2025-01-15",
        [("marketing_hub", "professional", "500.00"), ("credit_overage", "professional", "99.00")],
        [("sp1", "originator")],
    )
    signed(z, "poi1", "d1", "sp1", "2025-01-15T00:00:00")
    res = run(z)
    assert outcome(res, "d1", "credit_overage") == ("credit_overage", None)
    assert outcome(res, "d1", "marketing_hub") == ("credited", "sp1")
    assert set(res.associations["product_line"]) == {"marketing_hub"}
    assert monthly(res.commission_accruals, "sp1", "accrual_usd") == {
        "2025-01": 100.0,
        "2025-02": 100.0,
        "2025-03": 100.0,
    }


def test_b2_starter_only_deal_is_not_eligible() -> None:
    z = zone_with()
    pay(z, "po1", "marketing_hub", "starter", "20.00", "2025-01-01", 3)
    z.deal(
        "d1",
        "po1",
        "2025-01-15",
        [
            ("marketing_hub", "starter", "20.00"),
            ("sales_hub", "starter", "15.00"),
            ("credit_overage", "starter", "3.00"),
        ],
        [("sp1", "originator")],
    )
    signed(z, "poi1", "d1", "sp1", "2025-01-01T00:00:00")
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("not_eligible_starter_only", None)
    assert outcome(res, "d1", "sales_hub") == ("not_eligible_starter_only", None)
    assert outcome(res, "d1", "credit_overage") == ("credit_overage", None)
    assert res.associations.empty and res.sold_mrr.empty


def test_d14_starter_bundled_with_a_pro_hub_is_credited() -> None:
    z = zone_with()
    z.deal(
        "d1",
        "po1",
        "2025-01-15",
        [("marketing_hub", "starter", "20.00"), ("sales_hub", "professional", "450.00")],
        [("sp1", "originator")],
    )
    signed(z, "poi1", "d1", "sp1", "2025-01-02T00:00:00")
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("credited", "sp1")
    assert outcome(res, "d1", "sales_hub") == ("credited", "sp1")


def test_d14_starter_beside_only_a_credit_pack_is_not_bundled() -> None:
    z = zone_with()
    z.deal(
        "d1",
        "po1",
        "2025-01-15",
        [("marketing_hub", "starter", "20.00"), ("credit_capacity_pack", "professional", "100.00")],
        [("sp1", "originator")],
    )
    signed(z, "poi1", "d1", "sp1", "2025-01-02T00:00:00")
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("starter_not_bundled", None)
    assert outcome(res, "d1", "credit_capacity_pack") == ("credited", "sp1")


def test_b6_order_starter_not_bundled_before_no_valid_poi() -> None:
    z = zone_with()
    z.deal(
        "d1",
        "po1",
        "2025-01-15",
        [("marketing_hub", "starter", "20.00"), ("reporting_addon", "professional", "100.00")],
        [("sp1", "originator")],
    )
    res = run(z)  # no POI at all
    assert outcome(res, "d1", "marketing_hub") == ("starter_not_bundled", None)
    assert outcome(res, "d1", "reporting_addon") == ("no_valid_poi", None)


def test_b2_closed_won_deal_without_items_is_a_warning_with_no_rows() -> None:
    z = zone_with()
    z.deal("d1", "po1", "2025-01-15", [], [("sp1", "originator")])
    z.deal(
        "d2",
        "po1",
        "2025-01-16",
        [("sales_hub", "professional", "10.00")],
        [("sp1", "originator")],
        stage="closed_lost",
    )
    z.deal("d3", "po1", None, [("sales_hub", "professional", "10.00")], [("sp1", "originator")], stage="open")
    res = run(z)
    assert res.deal_line_credits.empty
    assert res.deals_without_line_items == ["d1"]


def test_b6_every_outcome_is_in_the_closed_list() -> None:
    assert len(OUTCOMES) == 10 and OUTCOMES[0] == "credit_overage" and OUTCOMES[-1] == "credited"


# ---------------------------------------------------------------------------------------------
# B4, D16 - proof of involvement


@pytest.mark.parametrize(
    ("signed_at", "status", "grace", "expected"),
    [
        ("2025-03-10T23:59:59", "signed", 0, "credited"),  # the day of close
        ("2025-03-11T00:00:00", "signed", 0, "no_valid_poi"),  # the day after
        ("2025-03-11T00:00:00", "signed", 1, "credited"),  # within a 1-day grace
        ("2025-03-12T00:00:00", "signed", 1, "no_valid_poi"),
        (None, "rejected", 0, "no_valid_poi"),
        (None, "sent", 0, "no_valid_poi"),
    ],
)
def test_d16_poi_signed_on_or_before_close(signed_at: str | None, status: str, grace: int, expected: str) -> None:
    z = zone_with()
    z.deal("d1", "po1", "2025-03-10", [("service_hub", "professional", "300.00")], [("sp1", "originator")])
    z.poi("poi1", "d1", "sp1", status, signed_at)
    res = run(z, poi_grace_days=grace)
    assert outcome(res, "d1", "service_hub")[0] == expected


# ---------------------------------------------------------------------------------------------
# B6 - best partner


def test_b6_rule1_recommended_partner_signature_credits_the_originator() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    z.deal(
        "d1",
        "po1",
        "2025-03-10",
        [("sales_hub", "enterprise", "900.00")],
        [("sp1", "originator"), ("sp2", "recommended_by_originator")],
    )
    signed(z, "poi2", "d1", "sp2", "2025-03-01T10:00:00", ("sales_hub",))
    res = run(z)
    assert outcome(res, "d1", "sales_hub") == ("credited", "sp1")


def test_b6_rule2_otherwise_includes_originator_and_recommended_without_valid_poi() -> None:
    """B6 rule 2's "Otherwise" (stated in rules.md since 2026-12-04): a deal with a recommended partner
    whose originator and recommended partner have no valid POI falls through to rule 2."""
    z = zone_with({"sp1": "partner", "sp2": "partner", "sp3": "partner"})
    z.deal(
        "d1",
        "po1",
        "2025-03-10",
        [("sales_hub", "enterprise", "900.00")],
        [("sp1", "originator"), ("sp2", "recommended_by_originator"), ("sp3", "invited")],
    )
    z.poi("poi2", "d1", "sp2", "rejected", None)
    signed(z, "poi3", "d1", "sp3", "2025-03-01T10:00:00")
    res = run(z)
    assert outcome(res, "d1", "sales_hub") == ("credited", "sp3")


def test_b6_rule2_the_only_partner_with_a_valid_poi_is_credited() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    z.deal(
        "d1",
        "po1",
        "2025-03-10",
        [("sales_hub", "professional", "900.00")],
        [("sp1", "originator"), ("sp2", "invited")],
    )
    z.poi("poi1", "d1", "sp1", "signed", "2025-03-11T08:00:00")  # too late
    signed(z, "poi2", "d1", "sp2", "2025-03-09T08:00:00")
    res = run(z)
    assert outcome(res, "d1", "sales_hub") == ("credited", "sp2")


def _two_signers(z: Zone, cover1: tuple[str, ...], cover2: tuple[str, ...]) -> None:
    z.deal(
        "d1",
        "po1",
        "2025-03-10",
        [("sales_hub", "professional", "900.00"), ("marketing_hub", "professional", "400.00")],
        [("sp1", "originator"), ("sp2", "invited")],
    )
    signed(z, "poi1", "d1", "sp1", "2025-03-01T08:00:00", cover1)
    signed(z, "poi2", "d1", "sp2", "2025-03-02T08:00:00", cover2)


def test_b6_rule3_onboarding_of_the_highest_mrr_line_wins() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    _two_signers(z, ("marketing_hub",), ("sales_hub",))
    res = run(z)
    assert outcome(res, "d1", "sales_hub") == ("credited", "sp2")
    assert outcome(res, "d1", "marketing_hub") == ("credited", "sp2")


def test_b6_rule3_a_providers_onboarding_coverage_is_ignored() -> None:
    z = zone_with({"sp1": "partner", "sp2": "provider"})
    _two_signers(z, ("marketing_hub",), ("sales_hub",))
    res = run(z)
    assert outcome(res, "d1", "sales_hub") == ("needs_manual_decision", None)
    z2 = zone_with({"sp1": "partner", "sp2": "provider"})
    _two_signers(z2, ("sales_hub",), ("sales_hub",))
    assert outcome(run(z2), "d1", "sales_hub") == ("credited", "sp1")


def test_b6_rule3_coverage_on_an_invalid_poi_does_not_count() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    _two_signers(z, (), ())
    z.poi("poi3", "d1", "sp2", "rejected", None, ("sales_hub",))
    assert outcome(run(z), "d1", "sales_hub") == ("needs_manual_decision", None)


def test_b6_rule4_tie_needs_a_manual_decision() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    _two_signers(z, ("sales_hub",), ("sales_hub",))
    res = run(z)
    assert outcome(res, "d1", "sales_hub") == ("needs_manual_decision", None)
    assert outcome(res, "d1", "marketing_hub") == ("needs_manual_decision", None)
    assert res.associations.empty


def test_b6_rule4_credit_decision_names_the_winner() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    _two_signers(z, (), ())
    z.decision("d1", "sp1")
    res = run(z)
    assert outcome(res, "d1", "sales_hub") == ("credited", "sp1")


def test_b6_rule4_decision_naming_a_partner_without_valid_poi_is_not_applied() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner", "sp3": "partner"})
    _two_signers(z, (), ())
    z.rows["deal_partners"].append({"deal_id": "d1", "partner_id": "sp3", "role": "invited"})
    z.poi("poi3", "d1", "sp3", "signed", "2025-03-20T08:00:00")
    z.decision("d1", "sp3")
    res = run(z)
    assert outcome(res, "d1", "sales_hub") == ("manual_decision_invalid", None)
    assert res.invalid_decisions.to_dict("records") == [{"deal_id": "d1", "partner_id": "sp3"}]


# ---------------------------------------------------------------------------------------------
# B3, B5, D15, D17 - associations


def test_b5_line_held_by_another_partner_is_not_credited_but_a_new_line_is() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    pay(z, "po1", "marketing_hub", "professional", "500.00", "2025-01-01", 12)
    pay(z, "po1", "sales_hub", "professional", "300.00", "2025-03-01", 10)
    z.deal("d1", "po1", "2025-01-15", [("marketing_hub", "professional", "500.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-15T08:00:00")
    z.deal(
        "d2",
        "po1",
        "2025-03-05",
        [("marketing_hub", "professional", "200.00"), ("sales_hub", "professional", "300.00")],
        [("sp2", "originator")],
    )
    signed(z, "poi2", "d2", "sp2", "2025-03-01T08:00:00")
    res = run(z)
    assert outcome(res, "d2", "marketing_hub") == ("line_held_by_other_partner", None)
    assert outcome(res, "d2", "sales_hub") == ("credited", "sp2")
    holders = res.associations.set_index("product_line")["partner_id"].to_dict()
    assert holders == {"marketing_hub": "sp1", "sales_hub": "sp2"}


def test_b5_holder_gets_later_increases_automatically() -> None:
    z = zone_with()
    pay(z, "po1", "marketing_hub", "professional", "500.00", "2025-01-01", 2)
    pay(z, "po1", "marketing_hub", "professional", "800.00", "2025-03-01", 1)
    z.deal("d1", "po1", "2025-01-15", [("marketing_hub", "professional", "500.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-15T08:00:00")
    res = run(z)
    assert monthly(res.commission_accruals, "sp1", "accrual_usd") == {
        "2025-01": 100.0,
        "2025-02": 100.0,
        "2025-03": 160.0,
    }


def test_d15_pro_to_enterprise_upgrade_by_the_holder_carries_the_association() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    pay(z, "po1", "marketing_hub", "professional", "500.00", "2025-01-01", 3)
    pay(z, "po1", "marketing_hub", "enterprise", "900.00", "2025-04-01", 3)
    z.deal("d1", "po1", "2025-01-15", [("marketing_hub", "professional", "500.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-15T08:00:00")
    z.deal("d2", "po1", "2025-04-03", [("marketing_hub", "enterprise", "900.00")], [("sp1", "originator")])
    signed(z, "poi2", "d2", "sp1", "2025-04-01T08:00:00")
    z.deal("d3", "po1", "2025-04-20", [("marketing_hub", "enterprise", "900.00")], [("sp2", "originator")])
    signed(z, "poi3", "d3", "sp2", "2025-04-01T08:00:00")
    res = run(z)
    assert outcome(res, "d2", "marketing_hub") == ("credited", "sp1")
    assert outcome(res, "d3", "marketing_hub") == ("line_held_by_other_partner", None)
    assert len(res.associations) == 1
    acc = monthly(res.commission_accruals, "sp1", "accrual_usd")
    assert acc == {
        "2025-01": 100.0,
        "2025-02": 100.0,
        "2025-03": 100.0,
        "2025-04": 180.0,
        "2025-05": 180.0,
        "2025-06": 180.0,
    }


def test_d15_pro_to_enterprise_upgrade_nobody_holds_is_not_credited() -> None:
    z = zone_with()
    pay(z, "po1", "marketing_hub", "professional", "500.00", "2025-01-01", 3)
    pay(z, "po1", "marketing_hub", "enterprise", "900.00", "2025-04-01", 3)
    z.deal("d1", "po1", "2025-04-03", [("marketing_hub", "enterprise", "900.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-04-01T08:00:00")
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("pro_to_enterprise_upgrade", None)
    assert res.sold_mrr.empty and res.commission_accruals.empty


def test_d15_starter_to_pro_upgrade_nobody_holds_is_credited_and_sold_mrr_counts_the_increase() -> None:
    z = zone_with()
    pay(z, "po1", "marketing_hub", "starter", "50.00", "2024-01-01", 12)
    pay(z, "po1", "marketing_hub", "professional", "800.00", "2025-01-01", 2)
    z.deal("d1", "po1", "2025-01-10", [("marketing_hub", "professional", "800.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-10T08:00:00")
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("credited", "sp1")
    assert monthly(res.sold_mrr, "sp1", "sold_mrr") == {"2025-01": 750.0, "2025-02": 750.0}
    assert monthly(res.commission_accruals, "sp1", "accrual_usd") == {"2025-01": 160.0, "2025-02": 160.0}


def test_d15_starter_line_held_by_another_partner_blocks_the_upgrade() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    pay(z, "po1", "marketing_hub", "starter", "50.00", "2024-06-01", 7)
    pay(z, "po1", "sales_hub", "professional", "400.00", "2024-06-01", 9)
    pay(z, "po1", "marketing_hub", "professional", "800.00", "2025-01-01", 2)
    z.deal(
        "d1",
        "po1",
        "2024-06-10",
        [("marketing_hub", "starter", "50.00"), ("sales_hub", "professional", "400.00")],
        [("sp1", "originator")],
    )
    signed(z, "poi1", "d1", "sp1", "2024-06-10T08:00:00")
    z.deal("d2", "po1", "2025-01-10", [("marketing_hub", "professional", "800.00")], [("sp2", "originator")])
    signed(z, "poi2", "d2", "sp2", "2025-01-10T08:00:00")
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("credited", "sp1")
    assert outcome(res, "d2", "marketing_hub") == ("line_held_by_other_partner", None)


def test_d15_already_owned_line_is_not_a_new_credit() -> None:
    z = zone_with()
    pay(z, "po1", "service_hub", "professional", "300.00", "2024-11-01", 6)
    z.deal("d1", "po1", "2025-02-10", [("service_hub", "professional", "350.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-02-10T08:00:00")
    res = run(z)
    assert outcome(res, "d1", "service_hub") == ("already_owned", None)


def test_d17_association_ends_at_cancellation_and_does_not_resume() -> None:
    for explicit_zero in (False, True):
        z = zone_with({"sp1": "partner", "sp2": "partner"})
        pay(z, "po1", "content_hub", "professional", "600.00", "2025-01-01", 3)
        if explicit_zero:
            z.mrr("po1", "2025-04-01", "content_hub", "professional", "0.00")
        pay(z, "po1", "content_hub", "professional", "600.00", "2025-05-01", 4)
        z.deal("d1", "po1", "2025-01-15", [("content_hub", "professional", "600.00")], [("sp1", "originator")])
        signed(z, "poi1", "d1", "sp1", "2025-01-15T08:00:00")
        z.deal("d2", "po1", "2025-06-02", [("content_hub", "professional", "600.00")], [("sp2", "originator")])
        signed(z, "poi2", "d2", "sp2", "2025-06-01T08:00:00")
        res = run(z)
        assert monthly(res.commission_accruals, "sp1", "accrual_usd") == {
            "2025-01": 120.0,
            "2025-02": 120.0,
            "2025-03": 120.0,
        }
        assert monthly(res.sold_mrr, "sp1", "sold_mrr") == {"2025-01": 600.0, "2025-02": 600.0, "2025-03": 600.0}
        assert pd.Timestamp(res.associations["end_month"].iloc[0]) == pd.Timestamp("2025-04-01")
        # Another partner re-selling a line the portal paid before: already owned (D15).
        assert outcome(res, "d2", "content_hub") == ("already_owned", None)


def test_d17_deal_closed_on_the_28th_billed_from_next_month_is_credited_and_earns() -> None:
    """D17 revised 2026-12-04: a billing lag is not a cancellation - the association holds from the
    close month (month 1, nothing paid) and earns from the first paid month; D20's clock still starts
    in the close month (a provider's month 12 is the 12th month from the close)."""
    z = zone_with({"sp1": "partner", "pv1": "provider", "sp2": "partner"}, portals=("po1", "po2"))
    pay(z, "po2", "service_hub", "professional", "10.00", "2025-01-01", 1)  # January is covered
    pay(z, "po1", "marketing_hub", "professional", "740.00", "2025-02-01", 3)
    z.deal("d1", "po1", "2025-01-28", [("marketing_hub", "professional", "740.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-28T08:00:00")
    # another partner closing during the lag finds the line held
    z.deal("d2", "po1", "2025-01-30", [("marketing_hub", "professional", "740.00")], [("sp2", "originator")])
    signed(z, "poi2", "d2", "sp2", "2025-01-30T08:00:00")
    pay(z, "po2", "sales_hub", "professional", "500.00", "2025-02-01", 14)
    z.deal("d3", "po2", "2025-01-28", [("sales_hub", "professional", "500.00")], [("pv1", "originator")])
    signed(z, "poi3", "d3", "pv1", "2025-01-28T08:00:00")
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("credited", "sp1")
    assert outcome(res, "d2", "marketing_hub") == ("line_held_by_other_partner", None)
    assert monthly(res.sold_mrr, "sp1", "sold_mrr") == {"2025-02": 740.0, "2025-03": 740.0, "2025-04": 740.0}
    assert monthly(res.commission_accruals, "sp1", "accrual_usd") == {
        "2025-02": 148.0,
        "2025-03": 148.0,
        "2025-04": 148.0,
    }
    ends = res.associations.set_index("deal_id")["end_month"]
    assert pd.Timestamp(ends["d1"]) == pd.Timestamp("2025-05-01")
    provider = monthly(res.commission_accruals, "pv1", "accrual_usd")
    assert sorted(provider) == [f"2025-{m:02d}" for m in range(2, 13)]  # months 2-12; month 1 unpaid
    assert set(provider.values()) == {100.0}


def test_d17_line_never_billed_ends_in_the_third_month_after_the_close() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    pay(z, "po1", "service_hub", "professional", "10.00", "2025-01-01", 1)  # another line: coverage
    pay(z, "po1", "core_seats", "professional", "90.00", "2025-01-01", 9)
    z.deal("d1", "po1", "2025-01-28", [("sales_hub", "professional", "300.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-28T08:00:00")
    # held in the lag (March), free again from the third month after the close (April)
    z.deal("d2", "po1", "2025-03-03", [("sales_hub", "professional", "300.00")], [("sp2", "originator")])
    signed(z, "poi2", "d2", "sp2", "2025-03-03T08:00:00")
    z.deal("d3", "po1", "2025-04-03", [("sales_hub", "professional", "300.00")], [("sp2", "originator")])
    signed(z, "poi3", "d3", "sp2", "2025-04-03T08:00:00")
    res = run(z)
    assert outcome(res, "d1", "sales_hub") == ("credited", "sp1")
    assert outcome(res, "d2", "sales_hub") == ("line_held_by_other_partner", None)
    assert outcome(res, "d3", "sales_hub") == ("credited", "sp2")
    ends = res.associations.set_index("deal_id")["end_month"]
    assert pd.Timestamp(ends["d1"]) == pd.Timestamp("2025-04-01")
    assert pd.Timestamp(ends["d3"]) == pd.Timestamp("2025-07-01")
    assert monthly(res.sold_mrr, "sp1", "sold_mrr") == {}
    assert res.commission_accruals.empty


def test_b9_accruals_rounded_to_cents_per_line_and_month_before_summing() -> None:
    """B9 (stated in rules.md since 2026-12-04): 20 % of 740.03 = 148.006 accrues 148.01 each month;
    the quarter pays 444.03, not 444.02 (the unrounded sum rounded once)."""
    z = zone_with()
    pay(z, "po1", "marketing_hub", "professional", "740.03", "2025-01-01", 3)
    z.deal("d1", "po1", "2025-01-10", [("marketing_hub", "professional", "740.03")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-10T08:00:00")
    res = run(z)
    assert monthly(res.commission_accruals, "sp1", "accrual_usd") == {
        "2025-01": 148.01,
        "2025-02": 148.01,
        "2025-03": 148.01,
    }
    assert monthly(res.commission_payouts, "sp1", "payout_usd") == {"2025-01": 444.03}


# ---------------------------------------------------------------------------------------------
# B7, D18 - sold MRR


def test_d18_sold_mrr_is_the_increase_over_twelve_months_earlier() -> None:
    z = zone_with()
    pay(z, "po1", "sales_hub", "professional", "500.00", "2024-01-01", 14)
    pay(z, "po1", "sales_hub", "professional", "700.00", "2025-03-01", 2)
    z.deal("d1", "po1", "2024-01-20", [("sales_hub", "professional", "500.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2024-01-20T08:00:00")
    sold = monthly(run(z).sold_mrr, "sp1", "sold_mrr")
    expected = {add_months(d("2024-01-01"), i).strftime("%Y-%m"): 500.0 for i in range(12)}
    expected.update({"2025-03": 200.0, "2025-04": 200.0})
    assert sold == expected


def test_b7_hubspot_collaboration_gives_sold_mrr_without_commission() -> None:
    z = zone_with()
    pay(z, "po1", "sales_hub", "professional", "500.00", "2025-01-01", 3)
    z.deal(
        "d1",
        "po1",
        "2025-01-20",
        [("sales_hub", "professional", "500.00")],
        [("sp1", "invited")],
        "hubspot_collaboration",
    )
    signed(z, "poi1", "d1", "sp1", "2025-01-20T08:00:00")
    res = run(z)
    assert monthly(res.sold_mrr, "sp1", "sold_mrr") == {"2025-01": 500.0, "2025-02": 500.0, "2025-03": 500.0}
    assert res.commission_accruals.empty and res.commission_payouts.empty


# ---------------------------------------------------------------------------------------------
# B8, D19 - managed MRR


def _managed_zone() -> Zone:
    z = zone_with({"sp1": "partner", "sp2": "partner", "sp3": "provider", "sp4": "partner"})
    z.mrr("po1", "2025-05-01", "marketing_hub", "professional", "600.00")
    z.mrr("po1", "2025-05-01", "sales_hub", "starter", "300.00")
    z.mrr("po1", "2025-05-01", "credit_overage", "professional", "50.00")  # D3: not recurring
    z.activity("sp1", "po1", "2025-05-02T10:00:00", "asset_created")
    z.activity("sp1", "po1", "2025-05-03T10:00:00", "asset_edited")
    z.activity("sp2", "po1", "2025-05-31T23:59:59", "workflow_edited")
    z.activity("sp3", "po1", "2025-05-15T10:00:00", "blog_published")
    for t in ("login", "logout", "view"):
        z.activity("sp4", "po1", "2025-05-10T10:00:00", t)
    z.activity("sp1", "po1", "2025-06-01T00:00:00", "login")
    return z


def test_d19_portal_managed_by_three_partners_is_split_evenly() -> None:
    res = run(_managed_zone())
    got = {p: monthly(res.managed_mrr, p, "managed_mrr") for p in ("sp1", "sp2", "sp3", "sp4")}
    assert got == {"sp1": {"2025-05": 300.0}, "sp2": {"2025-05": 300.0}, "sp3": {"2025-05": 300.0}, "sp4": {}}


def test_d19_switch_gives_each_partner_the_full_portal_mrr() -> None:
    res = run(_managed_zone(), managed_split_evenly=False)
    assert monthly(res.managed_mrr, "sp2", "managed_mrr") == {"2025-05": 900.0}


def test_b8_logins_and_views_are_not_eligible_activity() -> None:
    res = run(_managed_zone())
    assert "sp4" not in set(res.managed_mrr["partner_id"])
    assert set(res.managed_mrr["month"].dt.strftime("%Y-%m")) == {"2025-05"}


# ---------------------------------------------------------------------------------------------
# B9, D20, D21 - commission


def test_d20_provider_earns_months_1_to_12_and_partner_1_to_36() -> None:
    z = zone_with({"sp1": "provider", "sp2": "partner"}, portals=("po1", "po2"))
    pay(z, "po1", "marketing_hub", "professional", "1000.00", "2023-01-01", 40)
    pay(z, "po2", "marketing_hub", "professional", "1000.00", "2023-01-01", 40)
    z.deal("d1", "po1", "2023-01-31", [("marketing_hub", "professional", "1000.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2023-01-31T08:00:00")
    z.deal("d2", "po2", "2023-01-01", [("marketing_hub", "professional", "1000.00")], [("sp2", "originator")])
    signed(z, "poi2", "d2", "sp2", "2023-01-01T08:00:00")
    res = run(z)
    provider = monthly(res.commission_accruals, "sp1", "accrual_usd")
    assert sorted(provider) == [add_months(d("2023-01-01"), i).strftime("%Y-%m") for i in range(12)]
    assert set(provider.values()) == {200.0}
    partner = monthly(res.commission_accruals, "sp2", "accrual_usd")
    assert len(partner) == 36 and max(partner) == "2025-12"
    assert monthly(res.commission_payouts, "sp1", "payout_usd") == {
        "2023-01": 600.0,
        "2023-04": 600.0,
        "2023-07": 600.0,
        "2023-10": 600.0,
    }
    # Sold MRR does not stop with the commission.
    assert len(monthly(res.sold_mrr, "sp1", "sold_mrr")) == 12  # then equal to 12 months earlier: 0


def _referral_zone(
    second_amount: str, tier: str = "platinum", accredited: bool = True, region: str | None = "NA"
) -> Zone:
    z = Zone()
    z.partner("sp1", "partner", tier, accredited, region)
    z.portal("po1")
    pay(z, "po1", "marketing_hub", "professional", "2000.00", "2025-01-01", 14)
    pay(z, "po1", "sales_hub", "enterprise", second_amount, "2025-01-01", 14)
    pay(z, "po1", "service_hub", "starter", "40.00", "2025-01-01", 14)
    z.deal(
        "d1",
        "po1",
        "2025-01-20",
        [
            ("marketing_hub", "professional", "2000.00"),
            ("sales_hub", "enterprise", second_amount),
            ("service_hub", "starter", "40.00"),
            ("credit_overage", "professional", "5.00"),
        ],
        [("sp1", "invited")],
        "hubspot_collaboration",
    )
    signed(z, "poi1", "d1", "sp1", "2025-01-20T08:00:00")
    return z


def test_b9_enterprise_referral_below_3000_earns_no_commission() -> None:
    res = run(_referral_zone("999.99"))
    assert outcome(res, "d1", "marketing_hub") == ("credited", "sp1")
    assert res.commission_accruals.empty
    assert monthly(res.sold_mrr, "sp1", "sold_mrr")["2025-01"] == 3039.99


def test_b9_enterprise_referral_at_3000_earns_12_months_on_pro_items_only() -> None:
    res = run(_referral_zone("1000.00"))
    acc = monthly(res.commission_accruals, "sp1", "accrual_usd")
    assert sorted(acc) == [add_months(d("2025-01-01"), i).strftime("%Y-%m") for i in range(12)]
    assert set(acc.values()) == {600.0}  # 20 % of 2,000 + 1,000; not the starter line
    assert set(res.commission_accruals["product_line"]) == {"marketing_hub", "sales_hub"}


@pytest.mark.parametrize(
    ("tier", "accredited", "region", "regional_switch", "paid"),
    [
        ("gold", True, "NA", False, False),
        ("diamond", True, "NA", False, True),
        ("elite", False, "NA", False, False),
        ("elite", False, "EMEA", False, False),
        ("elite", False, "EMEA", True, True),
        ("elite", False, "NA", True, False),
    ],
)
def test_d21_referral_needs_tier_and_accreditation(
    tier: str, accredited: bool, region: str, regional_switch: bool, paid: bool
) -> None:
    res = run(_referral_zone("1000.00", tier, accredited, region), referral_regional_exception=regional_switch)
    assert (not res.commission_accruals.empty) == paid


def test_b9_provider_without_tier_is_below_platinum() -> None:
    """feeds.md revised 2026-12-04: a provider may have no tier; B9's referral treats it as below
    Platinum, while its own partner-originated deal earns the provider's 12 months."""
    z = _referral_zone("1000.00")
    z.rows["partners"][0].update(solutions_type="provider", solutions_tier=None)
    pay(z, "po2", "core_seats", "professional", "100.00", "2025-01-01", 14)
    z.portal("po2")
    z.deal("d2", "po2", "2025-01-20", [("core_seats", "professional", "100.00")], [("sp1", "originator")])
    signed(z, "poi2", "d2", "sp1", "2025-01-20T08:00:00")
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("credited", "sp1")
    assert set(res.commission_accruals["deal_id"]) == {"d2"}
    assert len(res.commission_accruals) == 12


def test_b9_referral_needs_the_partners_valid_poi() -> None:
    z = _referral_zone("1000.00")
    z.rows["proof_of_involvement"].clear()
    res = run(z)
    assert outcome(res, "d1", "marketing_hub") == ("no_valid_poi", None)
    assert res.commission_accruals.empty


def test_b9_commission_stops_on_cancellation_and_does_not_resume() -> None:
    z = zone_with()
    pay(z, "po1", "core_seats", "professional", "250.00", "2025-01-01", 2)
    pay(z, "po1", "core_seats", "professional", "250.00", "2025-04-01", 6)
    z.deal("d1", "po1", "2025-01-05", [("core_seats", "professional", "250.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-05T08:00:00")
    res = run(z)
    assert monthly(res.commission_accruals, "sp1", "accrual_usd") == {"2025-01": 50.0, "2025-02": 50.0}
    assert monthly(res.commission_payouts, "sp1", "payout_usd") == {"2025-01": 100.0}


def test_b9_credit_capacity_pack_is_commissioned() -> None:
    z = zone_with()
    pay(z, "po1", "credit_capacity_pack", "professional", "100.00", "2025-01-01", 1)
    z.deal("d1", "po1", "2025-01-05", [("credit_capacity_pack", "professional", "100.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-01-05T08:00:00")
    assert monthly(run(z).commission_accruals, "sp1", "accrual_usd") == {"2025-01": 20.0}


def test_d14_starter_edition_add_on_beside_only_a_pro_pack_is_not_bundled() -> None:
    """D14 revised 2026-12-04: a starter add-on is a Starter product; without a pro/enterprise hub item
    on the deal it is not bundled, while the professional pack keeps the deal eligible (B2)."""
    z = zone_with()
    z.deal(
        "d1",
        "po1",
        "2025-01-15",
        [("reporting_addon", "starter", "30.00"), ("credit_capacity_pack", "professional", "100.00")],
        [("sp1", "originator")],
    )
    signed(z, "poi1", "d1", "sp1", "2025-01-02T00:00:00")
    res = run(z)
    assert outcome(res, "d1", "reporting_addon") == ("starter_not_bundled", None)
    assert outcome(res, "d1", "credit_capacity_pack") == ("credited", "sp1")


def test_d14_deal_of_a_single_starter_edition_core_seats_is_not_eligible() -> None:
    """D14/B2 revised: "ne contient que des produits Starter" covers a starter-edition core_seats."""
    z = zone_with()
    pay(z, "po1", "core_seats", "starter", "45.00", "2025-03-01", 6)
    z.deal("d1", "po1", "2025-03-28", [("core_seats", "starter", "45.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-03-20T00:00:00")
    res = run(z)
    assert outcome(res, "d1", "core_seats") == ("not_eligible_starter_only", None)
    assert res.associations.empty and res.sold_mrr.empty and res.commission_accruals.empty


def test_d14_starter_add_on_bundled_with_a_pro_hub_is_credited_and_commissioned() -> None:
    z = zone_with()
    pay(z, "po1", "marketing_hub", "professional", "800.00", "2025-03-01", 1)
    pay(z, "po1", "core_seats", "starter", "45.00", "2025-03-01", 1)
    z.deal(
        "d1",
        "po1",
        "2025-03-10",
        [("marketing_hub", "professional", "800.00"), ("core_seats", "starter", "45.00")],
        [("sp1", "originator")],
    )
    signed(z, "poi1", "d1", "sp1", "2025-03-01T00:00:00")
    res = run(z)
    assert outcome(res, "d1", "core_seats") == ("credited", "sp1")
    assert monthly(res.commission_accruals, "sp1", "accrual_usd") == {"2025-03": 169.0}  # 20 % of 845


def test_b6_rule3_credit_overage_is_not_the_highest_mrr_subscription() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    z.deal(
        "d1",
        "po1",
        "2025-03-10",
        [("sales_hub", "professional", "600.00"), ("credit_overage", "professional", "2800.00")],
        [("sp1", "originator"), ("sp2", "invited")],
    )
    signed(z, "poi1", "d1", "sp1", "2025-03-01T08:00:00", ("credit_overage",))
    signed(z, "poi2", "d1", "sp2", "2025-03-02T08:00:00", ("sales_hub",))
    assert outcome(run(z), "d1", "sales_hub") == ("credited", "sp2")


def test_g3_rows_after_the_run_date_do_not_exist_yet() -> None:
    z = zone_with({"sp1": "partner", "sp2": "partner"})
    pay(z, "po1", "sales_hub", "professional", "500.00", "2025-03-01", 1)
    pay(z, "po1", "marketing_hub", "professional", "90.00", "2025-01-01", 3)
    z.deal("d1", "po1", "2025-03-10", [("sales_hub", "professional", "500.00")], [("sp1", "originator")])
    signed(z, "poi1", "d1", "sp1", "2025-03-01T08:00:00")
    z.deal(
        "d2",
        "po1",
        "2025-01-10",
        [("marketing_hub", "professional", "90.00")],
        [("sp1", "originator"), ("sp2", "invited")],
    )
    signed(z, "poi2", "d2", "sp1", "2025-01-01T08:00:00")
    signed(z, "poi3", "d2", "sp2", "2025-01-01T08:00:00")
    z.decision("d2", "sp2", decided_on="2025-02-15")
    z.activity("sp1", "po1", "2025-02-14T10:00:00", "asset_created")
    z.activity("sp2", "po1", "2025-02-16T10:00:00", "asset_created")
    before = run(z, run_date=d("2025-02-14"))
    assert set(before.deal_line_credits["deal_id"]) == {"d2"}
    assert outcome(before, "d2", "marketing_hub") == ("needs_manual_decision", None)
    assert set(before.managed_mrr["partner_id"]) == {"sp1"}
    after = run(z, run_date=d("2025-03-31"))
    assert outcome(after, "d1", "sales_hub") == ("credited", "sp1")
    assert outcome(after, "d2", "marketing_hub") == ("credited", "sp2")
    assert monthly(after.managed_mrr, "sp2", "managed_mrr") == {"2025-02": 45.0}
