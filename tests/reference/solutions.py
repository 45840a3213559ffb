"""Independent pandas reference of rules.md Part B (Solutions Partner credit).

Written from ../shared/spec/rules.md (B1, B2, B3, B4, B5, B6, B7, B8, B9, D14, D15, D16, D17, D18, D19, D20,
D21), feeds.md and the French source (program-docs/002_cf55e5dc858df827.txt) only, never from the dbt
models, so that the differential test (tests/test_differential_solutions.py) compares two independent
readings of the rules.

`compute_solutions(feeds)` takes the Solutions feeds as pandas DataFrames (columns as in feeds.md)
and returns DataFrames shaped like the marts:

- ``deal_line_credits``   deal_id, product_line, credited_partner_id, outcome
- ``associations``        partner_id, portal_id, product_line, deal_id, start_month, end_month, ...
- ``sold_mrr``            partner_id, month, sold_mrr
- ``managed_mrr``         partner_id, month, managed_mrr
- ``commission_accruals`` partner_id, portal_id, product_line, deal_id, month, month_number, accrual_usd
- ``commission_payouts``  partner_id, quarter_start, payout_usd

Conventions agreed with the project lead
---------------------------------------
- Months are keyed by their first day (G4). Line MRR of (portal, line, month) is the
  ``portal_mrr_monthly`` row (absent = 0). ``portal_mrr`` (managed MRR) excludes
  ``credit_overage`` (D3).
- Monthly values are computed only for the months covered by ``portal_mrr_monthly``: every calendar
  month from its first to its last month (over the whole feed).
- POI valid per D16 with a grace of 0 days (configurable): ``status = signed`` and the UTC date of
  ``signed_at`` <= ``closed_on`` + grace.
- Managed MRR is split evenly between the partners managing a portal in a month (switch:
  ``managed_split_evenly``).
- Commission 20 %; months 1-36 (solutions partner) / 1-12 (provider), the close month being month 1;
  commission and association stop from the first month the line MRR is 0 after it has been paid
  (D17) and never resume; months of a billing lag are held at MRR 0 and count on the clock.

Readings chosen where rules.md leaves something open (the most literal one)
--------------------------------------------------------------------------
Deal credit (B2, B3, B4, B5, B6)
- Only ``stage = closed_won`` deals with a ``closed_on`` get rows, one per line item; a closed-won
  deal without line items gets no row (it is returned in ``deals_without_line_items``, the warning).
- Hub lines are the six ``*_hub`` lines. An item is *eligible* (B2) when it is a professional or
  enterprise item of a hub line or of ``credit_capacity_pack``, ``reporting_addon``, ``core_seats``
  or ``other``. A deal with no eligible item gives ``not_eligible_starter_only`` to every line that is
  not ``credit_overage``.
- D14 (revised 2026-12-04) a Starter product is any ``starter`` item, whatever its line ("si elle ne
  contient que des produits Starter"): a starter item (hub or add-on) is ``starter_not_bundled``
  unless the deal holds a professional/enterprise hub item. (Before the revision both sides read
  Starter as a hub edition only and credited add-ons in any edition.)
- Best partner (B6) is resolved per deal among the deal's partners (``deal_partners``); POIs of
  partners that are not on the deal are ignored. A partner may have several POIs: any valid one
  makes it valid, and its onboarding coverage is the union of the lines of its *valid* POIs.
  1. When the deal has a ``recommended_by_originator`` partner and exactly one ``originator``, and
     the originator or a recommended partner has a valid POI, the originator is credited.
  2. Otherwise the candidates are the partners with a valid POI that are not
     ``recommended_by_originator`` (they are never credited): none -> ``no_valid_poi``; one -> it.
  3. Two or more: the deal's top line(s) are its line items with the highest ``mrr_usd`` among the
     items that are not ``credit_overage`` (the source says "l'abonnement au produit de plus grande
     valeur, en fonction du MRR": an overage is no subscription and not recurring, D3; first written
     over every item and changed when the differential test showed the dbt side excludes overage -
     rules.md should say so; reported); the candidates that are not providers and whose valid POI
     covers a top line: exactly one -> it.
  4. Otherwise the ``credit_decisions`` row of the deal decides: naming a candidate of step 2 ->
     that partner; naming anyone else -> ``manual_decision_invalid``; no row ->
     ``needs_manual_decision``.
- Deals are processed in ``closed_on`` order, ties by ``deal_id``. A (portal, line) is *held* by a
  deal's close month ``M`` when an association on it has ``start_month <= M < end_month``.
  For a line item whose deal has a winner ``W``:
  * held by another partner -> ``line_held_by_other_partner``;
  * held by ``W`` -> ``credited`` (B6: "a deal by the holder on a line it already holds is credited
    to it"; also for a professional -> enterprise upgrade by the holder, D15: "its association
    simply carries the higher MRR"); no new association, the existing one keeps its clock;
  * not held, item ``enterprise`` and the line's last paid month (MRR > 0) before ``M`` was
    ``professional`` -> ``pro_to_enterprise_upgrade``;
  * not held, the line was paid (MRR > 0) in some month before ``M`` -> ``already_owned``, unless the
    item is professional/enterprise and every earlier paid month of the line was ``starter`` (D15
    starter upgrade nobody holds) -> ``credited``;
  * otherwise ``credited``.
  A ``credited`` item that is not on a held line creates an association (W, portal, line) starting
  at ``M`` (B5).
- Association end (D17, revised 2026-12-04: a billing lag is not a cancellation): when the line is
  first paid (MRR > 0) in the close month or the two months after it, the first zero month after
  that first paid month; when it is paid in none of those three months, the third month after the
  close month. Searched within the covered months (from the first covered month when the deal
  closed before it); ``end_month`` is exclusive and NaT when the line is paid until the last covered
  month or still unpaid with the second month after the close not yet covered. (Before the revision
  the end was the first zero month from the close month on, so a line billed from the month after
  its close got an empty association.)

Sold MRR (B7, D18)
- For every covered month of an association: ``max(0, line_mrr(m) - line_mrr(m - 12 months))``
  (0 when the earlier month is absent, also before the covered months). Deals of both
  collaboration types give sold MRR.

Managed MRR (B8, D19)
- Eligible activity: any ``activity_type`` other than ``login``, ``logout`` and ``view``; its month
  is the month of the UTC date of ``occurred_at``. Rows for every (partner, covered month) with at
  least one eligible activity, ``managed_mrr`` possibly 0.

Commission (B9, D20, D21)
- Commission follows the association and the terms of the deal that created it; later credited
  deals by the holder on the same line change nothing (the clock does not restart; upsells earn on
  the full current line value).
- ``partner_collaboration``: 20 % of the line MRR, months 1-36 (partner) or 1-12 (provider).
- ``hubspot_collaboration``: only when the enterprise referral applies - the credited partner's
  ``solutions_tier`` is platinum/diamond/elite, it is ``crm_accredited`` (or, with the regional
  switch on, its region is APAC/EMEA/LATAM), it has a valid POI on the deal, and the deal's items of
  edition professional/enterprise (``credit_overage`` excluded: not recurring, D3) total >= 3,000
  MRR (exact decimal compare) - then 20 % for months 1-12 on the associations created by the deal's
  professional/enterprise items only.
- Accrual rows only for months with a non-zero accrual; payouts: quarter = first day of the
  quarter of the accrual month, payout = sum of its months' accruals.
- B9: each accrual (line, month) is rounded to cents half-up before any sum (rules.md states it since
  2026-12-04); payouts are sums of rounded accruals. Sold and managed MRR are computed unrounded
  (input MRR in integer cents); the comparison rounds.

Run date (G3): with ``config.run_date`` set, rows dated after it do not exist yet (as G3 says of POC
forms): deals closed after it, POIs signed after it, credit decisions decided after it and activity
after it are ignored. Without it every row counts (the differential test passes a run date after
every generated date, so the two agree either way).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

PRODUCT_LINES: tuple[str, ...] = (
    "marketing_hub",
    "sales_hub",
    "service_hub",
    "content_hub",
    "data_hub",
    "commerce_hub",
    "credit_capacity_pack",
    "credit_overage",
    "reporting_addon",
    "core_seats",
    "other",
)
HUB_LINES: frozenset[str] = frozenset(PRODUCT_LINES[:6])
NON_HUB_ELIGIBLE_LINES: frozenset[str] = frozenset({"credit_capacity_pack", "reporting_addon", "core_seats", "other"})
OVERAGE = "credit_overage"
PRO_EDITIONS: frozenset[str] = frozenset({"professional", "enterprise"})

# B6: the closed list of outcomes, in the order the first that applies is taken.
OUTCOMES: tuple[str, ...] = (
    "credit_overage",
    "not_eligible_starter_only",
    "starter_not_bundled",
    "no_valid_poi",
    "needs_manual_decision",
    "manual_decision_invalid",
    "line_held_by_other_partner",
    "pro_to_enterprise_upgrade",
    "already_owned",
    "credited",
)

NO_END = np.iinfo(np.int64).max  # association never ends within the covered months


@dataclass(frozen=True)
class SolutionsConfig:
    """Every rate, duration and threshold of Part B (the seeds of the dbt side)."""

    commission_rate: Decimal = Decimal("0.20")
    partner_commission_months: int = 36
    provider_commission_months: int = 12
    referral_rate: Decimal = Decimal("0.20")
    referral_commission_months: int = 12
    referral_min_mrr: Decimal = Decimal("3000")
    referral_tiers: frozenset[str] = frozenset({"platinum", "diamond", "elite"})
    referral_regional_exception: bool = False
    referral_exception_regions: frozenset[str] = frozenset({"APAC", "EMEA", "LATAM"})
    poi_grace_days: int = 0
    managed_split_evenly: bool = True
    run_date: date | None = None
    ineligible_activity_types: frozenset[str] = frozenset({"login", "logout", "view"})


@dataclass
class SolutionsResult:
    deal_line_credits: pd.DataFrame
    associations: pd.DataFrame
    sold_mrr: pd.DataFrame
    managed_mrr: pd.DataFrame
    commission_accruals: pd.DataFrame
    commission_payouts: pd.DataFrame
    deals_without_line_items: list[str] = field(default_factory=list)
    invalid_decisions: pd.DataFrame | None = None


# ---------------------------------------------------------------------------------------------
# Small helpers


def _month_index(values: pd.Series) -> pd.Series:
    """Calendar month number (year * 12 + month - 1) of dates/timestamps/strings."""
    ts = pd.to_datetime(values)
    return (ts.dt.year * 12 + ts.dt.month - 1).astype("int64")


def _month_start(index: pd.Series | np.ndarray) -> pd.Series:
    idx = pd.Series(np.asarray(index, dtype="int64"))
    return pd.to_datetime(
        pd.DataFrame({"year": idx // 12, "month": idx % 12 + 1, "day": 1}),
    )


def _cents(values: pd.Series) -> pd.Series:
    """Integer cents of decimal amounts (strings, Decimals or floats with <= 2 dp): exact for amounts
    below 10^13, the float nearest to a 2-dp value being within 1e-3 of it once multiplied by 100."""
    as_float = values.astype("float64")
    return pd.Series(np.rint(as_float.values * 100), index=values.index).astype("int64")


def _utc_date(values: pd.Series) -> pd.Series:
    ts = pd.to_datetime(values, utc=True, format="ISO8601")
    return ts.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()


def _feed(feeds: Mapping[str, pd.DataFrame], name: str, columns: list[str]) -> pd.DataFrame:
    df = feeds.get(name)
    if df is None:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return df.copy()


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


# ---------------------------------------------------------------------------------------------
# MRR history


@dataclass
class _Mrr:
    lines: pd.DataFrame  # portal_id, product_line, mi, edition, cents (rows of the feed)
    first_mi: int | None
    last_mi: int | None
    _line_cents: pd.Series | None = None

    @property
    def covered(self) -> bool:
        return self.first_mi is not None

    @property
    def line_cents(self) -> pd.Series:
        """Line MRR in cents by (portal_id, product_line, mi)."""
        if self._line_cents is None:
            self._line_cents = self.lines.groupby(["portal_id", "product_line", "mi"])["cents"].sum()
        return self._line_cents


def _prepare_mrr(feeds: Mapping[str, pd.DataFrame]) -> _Mrr:
    raw = _feed(feeds, "portal_mrr_monthly", ["portal_id", "month", "product_line", "edition", "mrr_usd"])
    if raw.empty:
        return _Mrr(
            _empty(
                {"portal_id": "object", "product_line": "object", "mi": "int64", "edition": "object", "cents": "int64"}
            ),
            None,
            None,
        )
    lines = pd.DataFrame(
        {
            "portal_id": raw["portal_id"].astype(str),
            "product_line": raw["product_line"].astype(str),
            "mi": _month_index(raw["month"]),
            "edition": raw["edition"].astype(str),
            "cents": _cents(raw["mrr_usd"]),
        }
    )
    return _Mrr(lines, int(lines["mi"].min()), int(lines["mi"].max()))


def _paid_runs(mrr: _Mrr) -> pd.DataFrame:
    """Runs of consecutive paid months (MRR > 0) per (portal, line): run_start, run_end (exclusive)."""
    paid = mrr.lines.loc[mrr.lines["cents"] > 0, ["portal_id", "product_line", "mi"]]
    paid = paid.sort_values(["portal_id", "product_line", "mi"]).reset_index(drop=True)
    if paid.empty:
        return _empty({"portal_id": "object", "product_line": "object", "run_start": "int64", "run_end": "int64"})
    same_line = (paid["portal_id"].eq(paid["portal_id"].shift())) & (
        paid["product_line"].eq(paid["product_line"].shift())
    )
    new_run = ~(same_line & paid["mi"].eq(paid["mi"].shift() + 1))
    paid["run"] = new_run.cumsum()
    runs = paid.groupby("run").agg(
        portal_id=("portal_id", "first"),
        product_line=("product_line", "first"),
        run_start=("mi", "min"),
        run_end=("mi", "max"),
    )
    runs["run_end"] = runs["run_end"] + 1
    return runs.reset_index(drop=True)


def _association_end(items: pd.DataFrame, mrr: _Mrr) -> pd.Series:
    """D17 (revised 2026-12-04): exclusive end of an association starting at the items' ``close_mi``.

    A billing lag is not a cancellation. With ``s`` the close month (the first covered month when the
    deal closed before it): when the line is first paid (MRR > 0) in ``s``, ``s + 1`` or ``s + 2``,
    the association ends at the end of that paid run (its first zero month after); when it is paid in
    none of those three months, it ends at ``s + 3`` without ever having been paid - known once
    ``s + 2`` is covered. NO_END when the paid run reaches the last covered month or the lag is still
    open at the last covered month."""
    if items.empty:
        return pd.Series(dtype="int64")
    assert mrr.first_mi is not None and mrr.last_mi is not None
    start = items["close_mi"].clip(lower=mrr.first_mi)
    probe = pd.DataFrame(
        {
            "portal_id": items["portal_id"].values,
            "product_line": items["product_line"].values,
            "s": start.values,
            "pos": np.arange(len(items)),
        }
    )
    runs = _paid_runs(mrr)
    joined = probe.merge(runs, on=["portal_id", "product_line"], how="inner")
    # the first paid run still going at or starting after s
    joined = joined[joined["run_end"] > joined["s"]].sort_values(["pos", "run_start"])
    first_run = joined.groupby("pos").head(1).set_index("pos")
    s = probe["s"].to_numpy()
    first_paid = first_run["run_start"].clip(lower=first_run["s"]).reindex(probe["pos"]).to_numpy(dtype="float64")
    run_end = first_run["run_end"].reindex(probe["pos"]).to_numpy(dtype="float64")
    paid_in_lag = ~np.isnan(first_paid) & (first_paid <= s + 2)
    unknown = np.where(paid_in_lag, run_end > mrr.last_mi, s + 2 > mrr.last_mi)
    end = np.where(paid_in_lag, np.nan_to_num(run_end), s + 3).astype("int64")  # float -> int before NO_END
    end[unknown] = NO_END
    return pd.Series(end, index=items.index, dtype="int64")


def _history_flags(items: pd.DataFrame, mrr: _Mrr) -> pd.DataFrame:
    """D15 facts of the line before the close month: ever paid, last paid edition, only starter."""
    paid = mrr.lines.loc[mrr.lines["cents"] > 0, ["portal_id", "product_line", "mi", "edition"]]
    probe = items[["portal_id", "product_line", "close_mi"]].reset_index()
    joined = probe.merge(paid, on=["portal_id", "product_line"], how="inner")
    joined = joined[joined["mi"] < joined["close_mi"]]
    out = pd.DataFrame(index=items.index)
    out["ever_paid"] = False
    out["last_paid_edition"] = pd.Series(pd.NA, index=items.index, dtype="object")
    out["only_starter_before"] = True
    if joined.empty:
        return out
    key = items.index.name or "index"
    g = joined.groupby(key)
    out.loc[g.size().index, "ever_paid"] = True
    last = joined.sort_values("mi").groupby(key).tail(1).set_index(key)["edition"]
    out.loc[last.index, "last_paid_edition"] = last
    non_starter = joined[joined["edition"] != "starter"].groupby(key).size()
    out.loc[non_starter.index, "only_starter_before"] = False
    return out


# ---------------------------------------------------------------------------------------------
# Deal credit (B2, B3, B4, B5, B6)


def _valid_pois(feeds: Mapping[str, pd.DataFrame], deals: pd.DataFrame, config: SolutionsConfig) -> pd.DataFrame:
    """D16: (deal_id, partner_id, onboarding line) of valid POIs; onboarding line may be None."""
    poi = _feed(
        feeds,
        "proof_of_involvement",
        ["poi_id", "deal_id", "partner_id", "status", "signed_at", "onboarding_product_lines"],
    )
    poi = poi[poi["status"].astype(str) == "signed"].copy()
    poi = poi[poi["signed_at"].notna() & (poi["signed_at"].astype(str) != "")]
    poi = poi.merge(deals[["deal_id", "closed_on"]], on="deal_id", how="inner")
    if poi.empty:
        return _empty({"deal_id": "object", "partner_id": "object", "onboarding_line": "object"})
    signed_on = _utc_date(poi["signed_at"])
    limit = poi["closed_on"] + pd.Timedelta(days=config.poi_grace_days)
    if config.run_date is not None:
        limit = limit.clip(upper=pd.Timestamp(config.run_date))
    poi = poi[signed_on.values <= limit.values]
    lines = poi["onboarding_product_lines"].fillna("").astype(str).str.split(";")
    exploded = poi.assign(onboarding_line=lines).explode("onboarding_line")
    exploded["onboarding_line"] = exploded["onboarding_line"].astype("object").str.strip()
    exploded.loc[
        exploded["onboarding_line"].isin(["", "nan"]) | exploded["onboarding_line"].isna(), "onboarding_line"
    ] = None
    return exploded[["deal_id", "partner_id", "onboarding_line"]].drop_duplicates().reset_index(drop=True)


def _resolve_best_partner(
    deals: pd.DataFrame,
    items: pd.DataFrame,
    deal_partners: pd.DataFrame,
    partners: pd.DataFrame,
    valid: pd.DataFrame,
    decisions: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """B6 per deal: (deal_id, status, winner) with status in {winner, no_valid_poi, needs_manual_decision,
    manual_decision_invalid}; also the invalid decisions (reported, not applied)."""
    dp = deal_partners.merge(deals[["deal_id"]], on="deal_id", how="inner")
    valid_pairs = valid[["deal_id", "partner_id"]].drop_duplicates()
    # POIs of partners that are not on the deal do not count.
    valid_pairs = valid_pairs.merge(dp[["deal_id", "partner_id", "role"]], on=["deal_id", "partner_id"], how="inner")

    result = pd.DataFrame({"deal_id": deals["deal_id"].values})
    result["status"] = None
    result["winner"] = None
    result = result.set_index("deal_id")

    # Step 1: the originator of a deal with a recommended partner.
    n_orig = dp[dp["role"] == "originator"].groupby("deal_id").size()
    n_rec = dp[dp["role"] == "recommended_by_originator"].groupby("deal_id").size()
    orig_or_rec_valid = (
        valid_pairs[valid_pairs["role"].isin(["originator", "recommended_by_originator"])].groupby("deal_id").size()
    )
    step1 = n_rec.index.intersection(n_orig[n_orig == 1].index).intersection(orig_or_rec_valid.index)
    originator = dp[dp["role"] == "originator"].set_index("deal_id")["partner_id"]
    result.loc[step1, "status"] = "winner"
    result.loc[step1, "winner"] = originator.loc[step1]

    # Step 2: candidates = valid POI, never a recommended partner.
    cand = valid_pairs[valid_pairs["role"] != "recommended_by_originator"]
    n_cand = cand.groupby("deal_id").size().reindex(result.index, fill_value=0)
    open_ = result["status"].isna()
    none = open_ & (n_cand == 0)
    result.loc[none, "status"] = "no_valid_poi"
    one = open_ & (n_cand == 1)
    single = cand.drop_duplicates("deal_id").set_index("deal_id")["partner_id"]
    result.loc[one, "status"] = "winner"
    result.loc[one[one].index, "winner"] = single.reindex(one[one].index)

    # Step 3: onboarding coverage of the deal's top line, providers' coverage ignored.
    many = result.index[result["status"].isna()]
    if len(many):
        deal_items = items[items["deal_id"].isin(many) & (items["product_line"] != OVERAGE)]
        top_mrr = deal_items.groupby("deal_id")["cents"].transform("max")
        top_lines = deal_items.loc[deal_items["cents"] == top_mrr, ["deal_id", "product_line"]]
        types = partners.set_index("partner_id")["solutions_type"]
        cov = valid.merge(cand[["deal_id", "partner_id"]], on=["deal_id", "partner_id"], how="inner")
        cov = cov[cov["deal_id"].isin(many) & cov["onboarding_line"].notna()]
        cov = cov[cov["partner_id"].map(types).astype(str) != "provider"]
        cov = cov.merge(top_lines, left_on=["deal_id", "onboarding_line"], right_on=["deal_id", "product_line"])
        coverers = cov[["deal_id", "partner_id"]].drop_duplicates()
        n_cov = coverers.groupby("deal_id").size()
        unique_cov = n_cov[n_cov == 1].index
        result.loc[unique_cov, "status"] = "winner"
        result.loc[unique_cov, "winner"] = coverers.set_index("deal_id")["partner_id"].loc[unique_cov]

    # Step 4: the manual decision.
    manual = result.index[result["status"].isna()]
    dec = decisions[decisions["deal_id"].isin(manual)].drop_duplicates("deal_id").set_index("deal_id")["partner_id"]
    cand_set = set(zip(cand["deal_id"], cand["partner_id"], strict=True))
    ok = pd.Series([(d, p) in cand_set for d, p in dec.items()], index=dec.index, dtype=bool)
    result.loc[ok[ok].index, "status"] = "winner"
    result.loc[ok[ok].index, "winner"] = dec[ok]
    result.loc[ok[~ok].index, "status"] = "manual_decision_invalid"
    result.loc[result["status"].isna(), "status"] = "needs_manual_decision"
    invalid = dec[~ok].rename("partner_id").reset_index()
    return result.reset_index(), invalid


def _deal_line_credits(
    feeds: Mapping[str, pd.DataFrame], mrr: _Mrr, config: SolutionsConfig
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], pd.DataFrame]:
    deals = _feed(feeds, "deals", ["deal_id", "portal_id", "collaboration_type", "registered_on", "closed_on", "stage"])
    deals = deals[(deals["stage"].astype(str) == "closed_won") & deals["closed_on"].notna()].copy()
    deals["closed_on"] = pd.to_datetime(deals["closed_on"]).dt.normalize()
    if config.run_date is not None:  # G3: not closed yet on the run date
        deals = deals[deals["closed_on"] <= pd.Timestamp(config.run_date)]
    deals["close_mi"] = _month_index(deals["closed_on"])

    raw_items = _feed(feeds, "deal_line_items", ["deal_id", "product_line", "edition", "mrr_usd"])
    items = raw_items.merge(
        deals[["deal_id", "portal_id", "closed_on", "close_mi", "collaboration_type"]], on="deal_id", how="inner"
    )
    items["cents"] = _cents(items["mrr_usd"]) if len(items) else pd.Series(dtype="int64")
    without_items = sorted(set(deals["deal_id"]) - set(items["deal_id"]))

    partners = _feed(feeds, "partners", ["partner_id", "solutions_type", "solutions_tier", "crm_accredited", "region"])
    deal_partners = _feed(feeds, "deal_partners", ["deal_id", "partner_id", "role"])
    decisions = _feed(feeds, "credit_decisions", ["deal_id", "partner_id", "decided_on", "note"])
    if config.run_date is not None and len(decisions):
        decided = pd.to_datetime(decisions["decided_on"])
        decisions = decisions[decided.isna() | (decided <= pd.Timestamp(config.run_date))]
    valid = _valid_pois(feeds, deals, config)

    # Line-level outcomes (B1, B2, D14).
    is_overage = items["product_line"] == OVERAGE
    is_pro = items["edition"].isin(PRO_EDITIONS)
    is_pro_hub = items["product_line"].isin(HUB_LINES) & is_pro
    is_eligible = is_pro_hub | (items["product_line"].isin(NON_HUB_ELIGIBLE_LINES) & is_pro)
    deal_eligible = is_eligible.groupby(items["deal_id"]).transform("any")
    deal_has_pro_hub = is_pro_hub.groupby(items["deal_id"]).transform("any")
    items["outcome"] = None
    items.loc[is_overage, "outcome"] = "credit_overage"
    items.loc[items["outcome"].isna() & ~deal_eligible, "outcome"] = "not_eligible_starter_only"
    is_starter = ~is_overage & (items["edition"] == "starter")  # D14: any line, hub or not
    items.loc[items["outcome"].isna() & is_starter & ~deal_has_pro_hub, "outcome"] = "starter_not_bundled"

    # Deal-level best partner (B4, B6).
    best, invalid = _resolve_best_partner(deals, items, deal_partners, partners, valid, decisions)
    items = items.merge(best, on="deal_id", how="left")
    open_ = items["outcome"].isna()
    for status in ("no_valid_poi", "needs_manual_decision", "manual_decision_invalid"):
        items.loc[open_ & (items["status"] == status), "outcome"] = status

    # Associations (B5, D15, D17), deal by deal in close order.
    todo = items[items["outcome"].isna()].copy()
    todo.index.name = "item"
    todo = todo.join(_history_flags(todo, mrr))
    todo["last_paid_edition"] = todo["last_paid_edition"].fillna("").astype(str)
    todo["end_mi"] = _association_end(todo, mrr) if mrr.covered else NO_END
    todo = todo.sort_values(["portal_id", "product_line", "closed_on", "deal_id"])
    outcome: dict[int, str] = {}
    assoc_rows: list[tuple] = []
    holder: dict[tuple[str, str], tuple[str, int, int]] = {}
    for row in todo.itertuples():
        key = (row.portal_id, row.product_line)
        held = holder.get(key)
        if held is not None and held[1] <= row.close_mi < held[2]:
            outcome[row.Index] = "credited" if held[0] == row.winner else "line_held_by_other_partner"
            continue
        if row.edition == "enterprise" and row.last_paid_edition == "professional":
            outcome[row.Index] = "pro_to_enterprise_upgrade"
        elif row.ever_paid and not (row.edition in PRO_EDITIONS and row.only_starter_before):
            outcome[row.Index] = "already_owned"
        else:
            outcome[row.Index] = "credited"
            holder[key] = (row.winner, row.close_mi, row.end_mi)
            assoc_rows.append(
                (
                    row.winner,
                    row.portal_id,
                    row.product_line,
                    row.deal_id,
                    row.close_mi,
                    row.end_mi,
                    row.edition,
                    row.collaboration_type,
                )
            )
    items.loc[list(outcome), "outcome"] = pd.Series(outcome)
    items["credited_partner_id"] = items["winner"].where(items["outcome"] == "credited")

    credits = items[["deal_id", "product_line", "credited_partner_id", "outcome"]].reset_index(drop=True)
    associations = pd.DataFrame(
        assoc_rows,
        columns=[
            "partner_id",
            "portal_id",
            "product_line",
            "deal_id",
            "start_mi",
            "end_mi",
            "edition",
            "collaboration_type",
        ],
    )
    associations = associations.astype({"start_mi": "int64", "end_mi": "int64"})
    # Deal facts the commission needs (B9 referral).
    pro_total = items[items["edition"].isin(PRO_EDITIONS) & ~is_overage.values].groupby("deal_id")["cents"].sum()
    associations["deal_pro_cents"] = associations["deal_id"].map(pro_total).fillna(0).astype("int64")
    valid_pairs = set(zip(valid["deal_id"], valid["partner_id"], strict=True))
    associations["partner_has_valid_poi"] = [
        (d, p) in valid_pairs for d, p in zip(associations["deal_id"], associations["partner_id"], strict=True)
    ]
    return credits, associations, without_items, invalid


# ---------------------------------------------------------------------------------------------
# Monthly amounts (B7, B8, B9)


def _association_months(assoc: pd.DataFrame, mrr: _Mrr) -> pd.DataFrame:
    """One row per association and covered month it is held (start <= m < end)."""
    if assoc.empty or not mrr.covered:
        return assoc.iloc[0:0].assign(mi=pd.Series(dtype="int64"))
    first = assoc["start_mi"].clip(lower=mrr.first_mi)
    last = np.minimum(assoc["end_mi"].clip(upper=mrr.last_mi + 1), mrr.last_mi + 1)  # exclusive
    n = (last - first).clip(lower=0).astype("int64")
    rep = assoc.loc[assoc.index.repeat(n)].copy()
    offsets = np.concatenate([np.arange(k) for k in n]) if len(n) else np.array([], dtype="int64")
    rep["mi"] = np.repeat(first.values, n) + offsets
    return rep.reset_index(drop=True)


def _lookup(cents: pd.Series, portal: pd.Series, line: pd.Series, mi: pd.Series) -> np.ndarray:
    keys = pd.MultiIndex.from_arrays([portal.values, line.values, mi.values])
    return cents.reindex(keys).fillna(0).astype("int64").values


def _sold_mrr(assoc_months: pd.DataFrame, mrr: _Mrr) -> pd.DataFrame:
    if assoc_months.empty:
        return _empty({"partner_id": "object", "month": "datetime64[ns]", "sold_mrr": "float64"})
    cents = mrr.line_cents
    now = _lookup(cents, assoc_months["portal_id"], assoc_months["product_line"], assoc_months["mi"])
    before = _lookup(cents, assoc_months["portal_id"], assoc_months["product_line"], assoc_months["mi"] - 12)
    df = assoc_months[["partner_id", "mi"]].assign(sold_cents=np.maximum(0, now - before))
    out = df.groupby(["partner_id", "mi"], as_index=False)["sold_cents"].sum()
    return pd.DataFrame(
        {"partner_id": out["partner_id"], "month": _month_start(out["mi"]).values, "sold_mrr": out["sold_cents"] / 100}
    )


def _managed_mrr(feeds: Mapping[str, pd.DataFrame], mrr: _Mrr, config: SolutionsConfig) -> pd.DataFrame:
    cols = {"partner_id": "object", "month": "datetime64[ns]", "managed_mrr": "float64", "portals": "int64"}
    act = _feed(feeds, "partner_portal_activity", ["partner_id", "portal_id", "occurred_at", "activity_type"])
    act = act[~act["activity_type"].astype(str).isin(config.ineligible_activity_types)]
    if act.empty or not mrr.covered:
        return _empty(cols)
    occurred = _utc_date(act["occurred_at"])
    if config.run_date is not None:
        existing = occurred <= pd.Timestamp(config.run_date)
        act, occurred = act[existing], occurred[existing]
    act = pd.DataFrame(
        {
            "partner_id": act["partner_id"].astype(str),
            "portal_id": act["portal_id"].astype(str),
            "mi": _month_index(occurred),
        }
    )
    act = act[(act["mi"] >= mrr.first_mi) & (act["mi"] <= mrr.last_mi)].drop_duplicates()
    if act.empty:
        return _empty(cols)
    recurring = mrr.lines[mrr.lines["product_line"] != OVERAGE]
    portal_cents = recurring.groupby(["portal_id", "mi"])["cents"].sum()
    keys = pd.MultiIndex.from_arrays([act["portal_id"].values, act["mi"].values])
    act["cents"] = portal_cents.reindex(keys).fillna(0).astype("int64").values
    managers = act.groupby(["portal_id", "mi"])["partner_id"].transform("nunique")
    act["share"] = act["cents"] / (managers if config.managed_split_evenly else 1)
    out = act.groupby(["partner_id", "mi"], as_index=False).agg(share=("share", "sum"), portals=("portal_id", "size"))
    return pd.DataFrame(
        {
            "partner_id": out["partner_id"],
            "month": _month_start(out["mi"]).values,
            "managed_mrr": out["share"] / 100,
            "portals": out["portals"].astype("int64"),
        }
    )


def _commission(
    assoc_months: pd.DataFrame, feeds: Mapping[str, pd.DataFrame], mrr: _Mrr, config: SolutionsConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    acc_cols = {
        "partner_id": "object",
        "portal_id": "object",
        "product_line": "object",
        "deal_id": "object",
        "month": "datetime64[ns]",
        "month_number": "int64",
        "accrual_usd": "float64",
    }
    pay_cols = {"partner_id": "object", "quarter_start": "datetime64[ns]", "payout_usd": "float64", "terms": "int64"}
    if assoc_months.empty:
        return _empty(acc_cols), _empty(pay_cols)
    partners = _feed(feeds, "partners", ["partner_id", "solutions_type", "solutions_tier", "crm_accredited", "region"])
    p = partners.set_index("partner_id")
    am = assoc_months.copy()
    am["month_number"] = am["mi"] - am["start_mi"] + 1
    ptype = am["partner_id"].map(p["solutions_type"]).astype(str)
    accredited = am["partner_id"].map(p["crm_accredited"]).map(lambda v: str(v).strip().lower() == "true")
    if config.referral_regional_exception:
        accredited = accredited | am["partner_id"].map(p["region"]).isin(config.referral_exception_regions)
    tier_ok = am["partner_id"].map(p["solutions_tier"]).isin(config.referral_tiers)
    threshold_cents = int(config.referral_min_mrr * 100)

    partner_collab = am["collaboration_type"] == "partner_collaboration"
    cap = np.where(ptype == "provider", config.provider_commission_months, config.partner_commission_months)
    standard = partner_collab & (am["month_number"] <= cap)
    referral = (
        (am["collaboration_type"] == "hubspot_collaboration")
        & tier_ok
        & accredited
        & am["partner_has_valid_poi"]
        & (am["deal_pro_cents"] >= threshold_cents)
        & am["edition"].isin(PRO_EDITIONS)
        & (am["month_number"] <= config.referral_commission_months)
    )
    # rates in exact ten-thousandths, so the B9 rounding below is integer arithmetic
    standard_bp, referral_bp = int(config.commission_rate * 10000), int(config.referral_rate * 10000)
    rate_bp = np.where(standard, standard_bp, np.where(referral, referral_bp, 0)).astype("int64")
    cents = _lookup(mrr.line_cents, am["portal_id"], am["product_line"], am["mi"])
    # B9: each line's monthly accrual is rounded to cents, half-up, before any sum
    am["accrual_cents"] = (cents * rate_bp * 2 + 10000) // 20000
    am = am[am["accrual_cents"] > 0]
    accruals = pd.DataFrame(
        {
            "partner_id": am["partner_id"].values,
            "portal_id": am["portal_id"].values,
            "product_line": am["product_line"].values,
            "deal_id": am["deal_id"].values,
            "month": _month_start(am["mi"]).values,
            "month_number": am["month_number"].values.astype("int64"),
            "accrual_usd": am["accrual_cents"].values / 100,
        }
    )
    if accruals.empty:
        return _empty(acc_cols), _empty(pay_cols)
    quarter = accruals["month"].dt.to_period("Q").dt.start_time
    payouts = (
        accruals.assign(quarter_start=quarter)
        .groupby(["partner_id", "quarter_start"], as_index=False)
        .agg(payout_usd=("accrual_usd", "sum"), terms=("accrual_usd", "size"))
    )
    return accruals, payouts


# ---------------------------------------------------------------------------------------------

SOLUTIONS_FEEDS = (
    "partners",
    "portal_mrr_monthly",
    "deals",
    "deal_partners",
    "deal_line_items",
    "proof_of_involvement",
    "partner_portal_activity",
    "credit_decisions",
)


def read_landing(landing: Path | str, feeds: tuple[str, ...] = SOLUTIONS_FEEDS) -> dict[str, pd.DataFrame]:
    """The feeds the reference reads, from a landing zone (one folder per feed, *.csv or *.parquet).
    CSV values are read as strings (the reference parses them); an absent folder is an empty feed."""
    out: dict[str, pd.DataFrame] = {}
    for name in feeds:
        folder = Path(landing) / name
        parts = []
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.suffix.lower() == ".csv":
                parts.append(pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]))
            elif path.suffix.lower() == ".parquet":
                parts.append(pd.read_parquet(path))
        if parts:
            df = pd.concat(parts, ignore_index=True)
            out[name] = df.astype(object).where(df.notna(), None)
    return out


def compute_solutions(feeds: Mapping[str, pd.DataFrame], config: SolutionsConfig | None = None) -> SolutionsResult:
    """Part B from the feeds (a mapping feed name -> DataFrame with the columns of feeds.md)."""
    config = config or SolutionsConfig()
    mrr = _prepare_mrr(feeds)
    credits, assoc, without_items, invalid = _deal_line_credits(feeds, mrr, config)
    assoc_months = _association_months(assoc, mrr)
    sold = _sold_mrr(assoc_months, mrr)
    managed = _managed_mrr(feeds, mrr, config)
    accruals, payouts = _commission(assoc_months, feeds, mrr, config)
    associations = assoc.copy()
    ends = assoc["end_mi"] != NO_END
    associations["start_month"] = _month_start(assoc["start_mi"]).values
    associations["end_month"] = _month_start(assoc["end_mi"].where(ends, 0)).where(ends.values).values
    return SolutionsResult(
        deal_line_credits=credits,
        associations=associations,
        sold_mrr=sold,
        managed_mrr=managed,
        commission_accruals=accruals,
        commission_payouts=payouts,
        deals_without_line_items=without_items,
        invalid_decisions=invalid,
    )
