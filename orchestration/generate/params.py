"""The generator's knobs: sizes per scale factor and every distribution parameter, in one place.

docs/generator.md explains each group. The defaults are calibrated so that, at SF >= 0.1, the tier
mix of technology partners looks like a real program (most at `partner`, fewer at `rising`, a
handful at `leading` and `premier`) against the absolute-dollar thresholds of rules.md A4.
"""

from __future__ import annotations

from dataclasses import dataclass

# Product lines (index = position in contract.PRODUCT_LINES) and editions (starter, pro, ent).
# Monthly list price in USD per edition, before the portal's seat factor.
BASE_PRICE: tuple[tuple[float, float, float], ...] = (
    (20.0, 890.0, 3600.0),  # marketing_hub
    (20.0, 450.0, 1500.0),  # sales_hub
    (20.0, 450.0, 1500.0),  # service_hub
    (25.0, 450.0, 1500.0),  # content_hub
    (20.0, 720.0, 2000.0),  # data_hub
    (20.0, 400.0, 1200.0),  # commerce_hub
    (50.0, 100.0, 250.0),  # credit_capacity_pack
    (0.0, 0.0, 0.0),  # credit_overage (amount drawn per month, see OVERAGE_*)
    (150.0, 200.0, 300.0),  # reporting_addon
    (20.0, 90.0, 150.0),  # core_seats
    (50.0, 100.0, 300.0),  # other
)

# Probability that a portal of a class (rows: starter, pro, enterprise) holds a line from its
# first purchase (columns follow PRODUCT_LINES; credit_overage is never a held line).
INITIAL_LINE_PROB: tuple[tuple[float, ...], ...] = (
    (0.70, 0.45, 0.30, 0.15, 0.05, 0.10, 0.05, 0.0, 0.00, 0.30, 0.03),
    (0.78, 0.50, 0.35, 0.20, 0.12, 0.08, 0.22, 0.0, 0.10, 0.40, 0.08),
    (0.85, 0.70, 0.50, 0.30, 0.25, 0.12, 0.35, 0.0, 0.20, 0.50, 0.15),
)
# Probability that a line not held at the start is cross-sold later in the portal's life.
CROSS_SELL_PROB: tuple[float, ...] = (0.10, 0.14, 0.12, 0.08, 0.06, 0.05, 0.08, 0.0, 0.05, 0.10, 0.04)
# Edition of a hub line by portal class (rows) -> (starter, pro, enterprise).
HUB_EDITION_MIX: tuple[tuple[float, float, float], ...] = (
    (1.00, 0.00, 0.00),
    (0.28, 0.72, 0.00),
    (0.05, 0.30, 0.65),
)


@dataclass(frozen=True)
class Knobs:
    # --- sizes at SF 1 (everything scales linearly with SF; minimums keep tiny scales valid)
    n_months: int = 36
    portals_per_sf: int = 250_000
    tech_partners_per_sf: int = 2_000
    solutions_partners_per_sf: int = 7_000
    min_portals: int = 200
    min_tech_partners: int = 4
    min_solutions_partners: int = 10

    # --- portals
    portal_class_mix: tuple[float, float, float, float] = (0.07, 0.54, 0.34, 0.05)  # free, starter, pro, ent
    portal_pre_window_share: float = 0.45  # paying before the first generated month
    portal_history_months: int = 84  # how far back those first purchases go
    portal_growth_exp: float = 0.75  # in-window first purchases ~ u**exp: more recent = more
    portal_churn_per_month: float = 0.011
    seat_sigma: tuple[float, float, float] = (0.35, 0.6, 0.8)  # lognormal seat factor by edition
    line_price_sigma: float = 0.25
    line_growth_mean: float = 0.003  # monthly MRR drift of a line (seats added)
    line_growth_sd: float = 0.004
    line_cancel_prob: float = 0.05  # a line ends before the portal churns
    upgrade_starter_to_pro: float = 0.18
    upgrade_pro_to_enterprise: float = 0.06
    overage_month_prob: float = 0.12  # a month with credit_overage while a credit pack is held
    overage_max_usd: float = 300.0
    app_appetite_sigma: float = 0.8
    app_appetite_by_class: tuple[float, float, float, float] = (0.4, 0.8, 1.6, 3.0)

    # --- technology partners and apps
    # Installs created per technology partner (all its apps, whole history): quantile anchors,
    # log-linear in between; stratified so the partner-size mix is the same at every scale.
    tech_size_anchors: tuple[tuple[float, float], ...] = (
        (0.0, 6.0),
        (0.30, 60.0),
        (0.60, 230.0),
        (0.80, 650.0),
        (0.93, 1_600.0),
        (0.985, 16_000.0),
        (1.0, 400_000.0),
    )
    app_install_cap_share: float = 0.9  # an app is installed in at most this share of portals
    apps_per_partner_mix: tuple[float, float, float] = (0.94, 0.045, 0.015)  # 1, 2, 3 apps
    app_pre_window_share: float = 0.82
    app_delist_prob: float = 0.06
    app_mediocre_share: float = 0.15  # apps with a mediocre rating profile
    new_customer_install_share: tuple[float, float] = (0.01, 0.25)  # share of installs right after purchase
    quiet_partner_share: float = 0.08  # no new-customer installs, no submissions
    mature_app_share: float = 0.2  # apps with almost no installs by new customers
    uninstall_per_month: tuple[float, float] = (0.003, 0.02)
    uninstall_on_churn: float = 0.85
    usage_zero_prob: float = 0.04  # a live install month with api_calls = 0
    usage_missing_prob: float = 0.03  # a live install month with no usage row
    usage_after_uninstall_prob: float = 0.01  # a usage row the month after an uninstall (warning case)
    review_rate_per_install_year: float = 0.03
    review_removed_prob: float = 0.04
    certification_prob: tuple[float, float] = (0.15, 0.7)  # base + slope by partner size quantile
    certification_revoked_prob: float = 0.06
    submissions_active_prob: tuple[float, float] = (0.45, 0.5)
    submissions_per_month: tuple[float, float, float] = (0.25, 2.0, 0.6)  # a + b * (installs/1000)**c
    submissions_size_cap: float = 20_000.0  # installs beyond which the rate stops growing
    submission_mrr_median: float = 250.0
    submission_duplicate_prob: float = 0.10
    submission_shared_deal_prob: float = 0.02
    champion_share: float = 0.015  # co-sell champions: influenced deals >= 100k (premier exception)
    champion_submissions_per_month: float = 5.0
    champion_mrr_median: float = 2_500.0
    poc_form_prob: tuple[float, float] = (0.45, 0.5)
    escalation_share: float = 0.05
    baseline_prob: float = 0.75

    # --- solutions partners and deals
    solutions_size_sigma: float = 1.4
    solutions_tier_cuts: tuple[float, float, float, float] = (0.50, 0.75, 0.90, 0.97)  # gold/plat/diam/elite
    provider_share: float = 0.2
    provider_no_tier_share: float = 0.25  # feeds.md: a solutions provider may have no tier (B9: below Platinum)
    accredited_prob: tuple[float, float] = (0.08, 0.45)  # below platinum, platinum and above
    deal_prob_new_portal: float = 0.40
    deal_prob_expansion: float = 0.30
    starter_only_deal_factor: float = 0.4  # partners sell fewer starter-only purchases
    hubspot_collaboration_share: float = 0.28
    partners_per_deal_mix: tuple[float, float, float] = (0.78, 0.16, 0.06)
    home_partner_prob: float = 0.65
    recommended_prob: float = 0.3
    # POI status per deal partner: on time, late, sent only, rejected, none
    poi_mix: tuple[float, float, float, float, float] = (0.66, 0.08, 0.08, 0.06, 0.12)
    poi_same_day_share: float = 0.2
    poi_extra_row_prob: float = 0.06
    onboarding_line_prob: float = 0.45
    owned_line_item_prob: float = 0.06
    overage_item_prob: float = 0.5
    no_items_prob: float = 0.01
    # rules.md D17: a new portal's deal closing in the last days of the month before it is first billed
    billing_lag_deal_prob: float = 0.05
    # rules.md D17: an extra item of a line the portal never pays (the subscription never billed)
    never_billed_item_prob: float = 0.03
    lost_deal_ratio: float = 0.35
    open_deal_ratio: float = 0.08
    credit_decision_prob: float = 0.35
    credit_decision_invalid_share: float = 0.2
    activity_months_mean: float = 14.0
    activity_month_prob: float = 0.7
    activity_events_mean: float = 1.8
    login_only_share: float = 0.15
    managed_only_portal_share: float = 0.08


@dataclass(frozen=True)
class Sizes:
    portals: int
    tech_partners: int
    solutions_partners: int

    @classmethod
    def for_scale(cls, scale: float, k: Knobs) -> Sizes:
        if not scale > 0:
            raise ValueError(f"scale must be > 0, got {scale}")
        return cls(
            portals=max(k.min_portals, round(k.portals_per_sf * scale)),
            tech_partners=max(k.min_tech_partners, round(k.tech_partners_per_sf * scale)),
            solutions_partners=max(k.min_solutions_partners, round(k.solutions_partners_per_sf * scale)),
        )
