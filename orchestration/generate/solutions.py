"""Solutions Partner Program feeds: deals, deal_partners, deal_line_items, proof_of_involvement,
partner_portal_activity, credit_decisions.

Won deals are derived from the portals' MRR segments (shared.py): a deal closes in the month one or
more lines start (first purchase, cross-sell or upgrade) and its line items are those segments, at
the MRR the portal pays that month. Around them: lines the portal already owns, credit_overage items,
deals without items, lost and open deals, several partners per deal with every role, POIs signed
before/on/after the close or never, onboarding coverage (with ties), manual credit decisions (some
naming a partner without a valid POI) and partner activity in portals (logins only, or eligible).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.defs.ingest.contract import PRODUCT_LINES
from orchestration.generate import params as P
from orchestration.generate._util import (
    SECONDS_PER_DAY,
    Calendar,
    bool_col,
    choice_index,
    date_col,
    dec_col,
    enum_col,
    expand,
    hash_uniform,
    ids,
    stratified_uniform,
    stream,
    take,
    ts_col,
)
from orchestration.generate.shared import LINE_OVERAGE, LINE_PACK, N_HUBS, Portals, Segments, overage_cents
from orchestration.generate.technology import REGION_P, REGIONS, company_names

SOLUTIONS_TIERS = ("partner", "gold", "platinum", "diamond", "elite")
ROLES = ("originator", "invited", "recommended_by_originator")
ACTIVITY_TYPES = (
    "login",
    "view",
    "logout",
    "asset_created",
    "asset_edited",
    "workflow_edited",
    "blog_published",
)
ACTIVITY_P_ACTIVE = (0.30, 0.15, 0.10, 0.15, 0.15, 0.10, 0.05)
ACTIVITY_P_LOGIN_ONLY = (0.50, 0.35, 0.15, 0.0, 0.0, 0.0, 0.0)
POI_ON_TIME, POI_LATE, POI_SENT, POI_REJECTED, POI_NONE = range(5)


def _onboarding_labels() -> pa.Array:
    """';'-joined product lines for every bitmask of the lines (index = mask)."""
    n = len(PRODUCT_LINES)
    labels = [";".join(PRODUCT_LINES[i] for i in range(n) if mask >> i & 1) for mask in range(1 << n)]
    return pa.array(labels, pa.string())


@dataclass
class SolutionsPartners:
    n: int
    ids: pa.Array
    weight: np.ndarray  # relative deal volume
    tier: np.ndarray
    provider: np.ndarray
    accredited: np.ndarray
    joined_day: np.ndarray
    names: pa.Array
    region: np.ndarray
    no_tier: np.ndarray  # providers delivered without a solutions_tier


def make_partners(n: int, cal: Calendar, k: P.Knobs, seed: int) -> SolutionsPartners:
    rng = stream(seed, "sol.partners")
    u = stratified_uniform(rng, n)
    z = np.log(u / (1.0 - u)) / 1.7  # ~ normal quantile
    weight = np.exp(k.solutions_size_sigma * z)
    tier = np.searchsorted(np.array(k.solutions_tier_cuts), (u + rng.normal(0, 0.04, n)).clip(0, 0.999), side="right")
    accredited = rng.random(n) < np.where(tier >= 2, k.accredited_prob[1], k.accredited_prob[0])
    suffix = np.array((" Agency", " Digital", " Consulting", " Growth", " Partners"))[rng.integers(0, 5, n)]
    provider = rng.random(n) < k.provider_share
    no_tier = provider & (hash_uniform(seed, "sol.partners.no_tier", np.arange(n)) < k.provider_no_tier_share)
    return SolutionsPartners(
        n=n,
        ids=ids("S", np.arange(n), 6),
        weight=weight,
        tier=tier,
        no_tier=no_tier,
        provider=provider,
        accredited=accredited,
        joined_day=cal.end_day - rng.integers(30, 3650, n),
        names=pa.array(np.char.add(company_names(rng, n), suffix)),
        region=choice_index(rng, np.array(REGION_P), n),
    )


def partners_table(sp: SolutionsPartners, seed: int) -> dict[str, pa.Array]:
    rng = stream(seed, "sol.partners.attributes")
    return {
        "partner_id": sp.ids,
        "partner_name": sp.names,
        "program": pa.array(["solutions"] * sp.n, pa.string()),
        "solutions_type": enum_col(("partner", "provider"), sp.provider.astype(np.int64)),
        # feeds.md (revised 2026-12-04): some providers have no tier
        "solutions_tier": enum_col(SOLUTIONS_TIERS, sp.tier, mask=sp.no_tier),
        "crm_accredited": bool_col(sp.accredited),
        "region": enum_col(REGIONS, sp.region, mask=rng.random(sp.n) < 0.03),
        "joined_on": date_col(sp.joined_day),
    }


def _weighted(rng: np.random.Generator, weight: np.ndarray, size: int) -> np.ndarray:
    cum = np.cumsum(weight / weight.sum())
    return np.searchsorted(cum, rng.random(size), side="right").clip(0, len(weight) - 1)


def _day_in_month(rng: np.random.Generator, cal: Calendar, month: np.ndarray) -> np.ndarray:
    first = cal.month_day(month)
    length = cal.month_day(month + 1) - first
    return np.minimum(first + np.floor(rng.random(len(month)) * length).astype(np.int64), cal.end_day)


@dataclass
class Deals:
    frame: pd.DataFrame  # deal, portal, collab, registered, closed (-1 open), stage, close_m
    items: pd.DataFrame  # deal, line, edition, cents
    partners: pd.DataFrame  # deal, partner, role, pos
    pois: pd.DataFrame  # deal, partner, status, signed_s, mask
    decisions: pd.DataFrame  # deal, partner, decided, note


def make_deals(seg: Segments, p: Portals, sp: SolutionsPartners, cal: Calendar, k: P.Knobs, seed: int) -> Deals:
    rng = stream(seed, "sol.deals")
    nm = cal.n_months
    # --- won deals: the months lines start in the data (first purchase, cross-sell, upgrade)
    in_window = np.flatnonzero((seg.start_m >= 0) & (seg.start_m <= nm - 1))
    ev_key = seg.portal[in_window] * nm + seg.start_m[in_window]
    keys, ev = np.unique(ev_key, return_inverse=True)
    is_new = np.zeros(len(keys), bool)
    np.logical_or.at(is_new, ev, seg.kind[in_window] == 0)
    has_paid_edition = np.zeros(len(keys), bool)
    np.logical_or.at(has_paid_edition, ev, seg.edition[in_window] > 0)
    prob = np.where(is_new, k.deal_prob_new_portal, k.deal_prob_expansion)
    prob = np.where(has_paid_edition, prob, prob * k.starter_only_deal_factor)
    won = rng.random(len(keys)) < prob
    won_ev = np.flatnonzero(won)
    deal_of_ev = np.full(len(keys), -1)
    deal_of_ev[won_ev] = np.arange(len(won_ev))
    n_won = len(won_ev)
    w_portal = keys[won_ev] // nm
    w_month = keys[won_ev] % nm
    item_seg = in_window[deal_of_ev[ev] >= 0]
    items = pd.DataFrame(
        {
            "deal": deal_of_ev[ev[deal_of_ev[ev] >= 0]],
            "line": seg.line[item_seg],
            "edition": seg.edition[item_seg],
            "cents": seg.value_cents(item_seg, seg.start_m[item_seg]),
        }
    )
    # lines the portal already holds (active since before the close month): renewals on a deal
    held = pd.DataFrame({"seg": np.arange(len(seg)), "portal": seg.portal, "start": seg.start_m, "end": seg.end_m})
    dk = pd.DataFrame({"deal": np.arange(n_won), "portal": w_portal, "month": w_month})
    cand = dk.merge(held, on="portal")
    cand = cand[(cand["start"] < cand["month"]) & (cand["end"] >= cand["month"])]
    cand = cand[seg.line[cand["seg"].to_numpy()] != LINE_PACK]
    cand = cand.assign(h=hash_uniform(seed, "deal.owned", cand["deal"].to_numpy(), cand["seg"].to_numpy()))
    cand = cand.sort_values(["deal", "h"]).drop_duplicates("deal")
    cand = cand[hash_uniform(seed, "deal.owned.pick", cand["deal"].to_numpy()) < k.owned_line_item_prob]
    cs = cand["seg"].to_numpy()
    owned = pd.DataFrame(
        {
            "deal": cand["deal"].to_numpy(),
            "line": seg.line[cs],
            "edition": seg.edition[cs],
            "cents": seg.value_cents(cs, cand["month"].to_numpy()),
        }
    )
    # credit_overage items: the portal had an overage that month (same draw as portal_mrr_monthly)
    packs = held[seg.line == LINE_PACK]
    pk = dk.merge(packs, on="portal")
    pk = pk[(pk["start"] <= pk["month"]) & (pk["end"] >= pk["month"])]
    ovg = overage_cents(seed, k, pk["portal"].to_numpy(), pk["month"].to_numpy())
    pk = pk.assign(cents=ovg)[ovg > 0]
    pk = pk[hash_uniform(seed, "deal.overage", pk["deal"].to_numpy()) < k.overage_item_prob]
    overage = pd.DataFrame(
        {
            "deal": pk["deal"].to_numpy(),
            "line": LINE_OVERAGE,
            "edition": seg.edition[pk["seg"].to_numpy()],
            "cents": pk["cents"].to_numpy(),
        }
    )
    never = _never_billed_items(seg, w_portal, k, seed)
    items = pd.concat([items, owned, overage, never], ignore_index=True).drop_duplicates(["deal", "line"])
    no_items = rng.random(n_won) < k.no_items_prob
    items = items[~no_items[items["deal"].to_numpy()]]
    closed = _day_in_month(rng, cal, w_month)
    # rules.md D17: a billing lag - a new portal's deal closes in the last days of the month before
    # its lines are first billed (the portal pays nothing before; its items are billed the month after)
    lag = (
        is_new[won_ev]
        & (w_month >= 1)
        & (hash_uniform(seed, "deal.billing_lag", np.arange(n_won)) < k.billing_lag_deal_prob)
    )
    last_day = cal.month_day(w_month) - 1
    closed = np.where(
        lag, last_day - np.floor(hash_uniform(seed, "deal.lag_day", np.arange(n_won)) * 5).astype(np.int64), closed
    )
    w_month = np.where(lag, w_month - 1, w_month)
    registered = closed - rng.integers(3, 151, n_won)
    won_frame = pd.DataFrame(
        {"portal": w_portal, "registered": registered, "closed": closed, "stage": 1, "close_m": w_month}
    )
    # --- lost and open deals, with items of their own (never in the MRR)
    n_lost = round(k.lost_deal_ratio * n_won)
    n_open = round(k.open_deal_ratio * n_won)
    paying = np.flatnonzero(p.paid)
    lost_portal = paying[rng.integers(0, len(paying), n_lost)]
    lost_m = rng.integers(0, nm, n_lost)
    lost_closed = _day_in_month(rng, cal, lost_m)
    open_portal = paying[rng.integers(0, len(paying), n_open)]
    open_reg = cal.end_day - rng.integers(0, 121, n_open)
    frame = pd.concat(
        [
            won_frame,
            pd.DataFrame(
                {
                    "portal": lost_portal,
                    "registered": lost_closed - rng.integers(3, 151, n_lost),
                    "closed": lost_closed,
                    "stage": 2,
                    "close_m": lost_m,
                }
            ),
            pd.DataFrame({"portal": open_portal, "registered": open_reg, "closed": -1, "stage": 0, "close_m": nm - 1}),
        ],
        ignore_index=True,
    )
    n_other = n_lost + n_open
    n_lines = 1 + (rng.random(n_other) < 0.4)
    od, _ = expand(n_lines)
    other_line = rng.integers(0, N_HUBS, len(od))
    other_ed = rng.integers(0, 3, len(od))
    other = pd.DataFrame(
        {
            "deal": n_won + od,
            "line": other_line,
            "edition": other_ed,
            "cents": np.round(
                np.array(P.BASE_PRICE)[other_line, other_ed] * rng.lognormal(0, 0.5, len(od)) * 100
            ).astype(np.int64),
        }
    ).drop_duplicates(["deal", "line"])
    items = pd.concat([items, other], ignore_index=True)
    n_deals = len(frame)
    frame["deal"] = np.arange(n_deals)
    frame["collab"] = (rng.random(n_deals) < k.hubspot_collaboration_share).astype(np.int64)

    # --- partners on each deal
    home = _weighted(rng, sp.weight, p.n)
    n_part = 1 + choice_index(rng, np.array(k.partners_per_deal_mix), n_deals)
    deal_idx, pos = expand(n_part)
    m = len(deal_idx)
    partner = _weighted(rng, sp.weight, m)
    first_home = (pos == 0) & (rng.random(m) < k.home_partner_prob)
    partner = np.where(first_home, home[frame["portal"].to_numpy()[deal_idx]], partner)
    dp = pd.DataFrame({"deal": deal_idx, "pos": pos, "partner": partner})
    for _ in range(3):  # make the partners of a deal distinct
        dupe = dp.duplicated(["deal", "partner"]).to_numpy()
        dp.loc[dupe, "partner"] = (dp.loc[dupe, "partner"] + 1) % sp.n
    dp = dp.drop_duplicates(["deal", "partner"])
    collab = frame["collab"].to_numpy()[dp["deal"].to_numpy()]
    pos = dp["pos"].to_numpy()
    recommended = (pos == 1) & (rng.random(len(dp)) < k.recommended_prob)
    role = np.where(collab == 1, 1, np.where(pos == 0, 0, np.where(recommended, 2, 1)))
    dp["role"] = role

    # --- proofs of involvement
    nd = len(dp)
    cat = choice_index(rng, np.array(k.poi_mix), nd)
    d = dp["deal"].to_numpy()
    closed_d = frame["closed"].to_numpy()[d]
    reg_d = frame["registered"].to_numpy()[d]
    is_open = closed_d < 0
    cat = np.where(is_open & (cat == POI_LATE), POI_SENT, cat)
    lead = np.minimum(rng.integers(0, 31, nd), np.maximum(closed_d - reg_d, 0))
    on_time_day = np.where(rng.random(nd) < k.poi_same_day_share, closed_d, closed_d - lead)
    on_time_day = np.where(is_open, np.minimum(reg_d + rng.integers(0, 31, nd), cal.end_day), on_time_day)
    late_day = np.minimum(closed_d + rng.integers(1, 31, nd), cal.end_day)
    signed_day = np.where(cat == POI_ON_TIME, on_time_day, late_day)
    signed = (cat == POI_ON_TIME) | (cat == POI_LATE)
    status = np.select([signed, cat == POI_SENT, cat == POI_REJECTED], [1, 0, 2], default=-1)
    signed_s = np.where(signed, signed_day * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, nd), -1)
    pois = pd.DataFrame({"deal": d, "partner": dp["partner"].to_numpy(), "status": status, "signed_s": signed_s})
    pois["valid"] = (cat == POI_ON_TIME) & ~is_open
    extra = pois[(rng.random(nd) < k.poi_extra_row_prob) & (status >= 0)].copy()
    extra["status"] = np.where(rng.random(len(extra)) < 0.5, 0, 2)
    extra["signed_s"] = -1
    extra["valid"] = False
    pois = pd.concat([pois[pois["status"] >= 0], extra], ignore_index=True)
    # onboarding coverage: a random subset of the deal's lines per POI (ties are possible)
    cov = pois[["deal"]].reset_index(names="poi").merge(items[["deal", "line"]], on="deal")
    cov = cov[
        hash_uniform(seed, "poi.onboarding", cov["poi"].to_numpy(), cov["line"].to_numpy()) < k.onboarding_line_prob
    ]
    mask = np.zeros(len(pois), np.int64)
    np.add.at(mask, cov["poi"].to_numpy(), np.left_shift(1, cov["line"].to_numpy().astype(np.int64)))
    pois["mask"] = mask

    # --- manual best-partner decisions on multi-partner won deals (rules.md B6.4)
    won_multi = dp[(frame["stage"].to_numpy()[dp["deal"].to_numpy()] == 1)]
    counts = won_multi.groupby("deal")["partner"].transform("size")
    won_multi = won_multi[counts.to_numpy() >= 2]
    deals_multi = np.unique(won_multi["deal"].to_numpy())
    decide = deals_multi[rng.random(len(deals_multi)) < k.credit_decision_prob]
    want_invalid = rng.random(len(decide)) < k.credit_decision_invalid_share
    valid_pair = pois[pois["valid"]].drop_duplicates(["deal", "partner"])[["deal", "partner"]].assign(v=True)
    opts = won_multi[won_multi["deal"].isin(decide)][["deal", "partner"]].merge(
        valid_pair, on=["deal", "partner"], how="left"
    )
    opts["v"] = opts["v"].fillna(False).astype(bool)
    wi = pd.Series(want_invalid, index=decide)
    opts["pref"] = opts["v"].to_numpy() != wi.loc[opts["deal"].to_numpy()].to_numpy()
    opts["h"] = hash_uniform(seed, "decision.pick", opts["deal"].to_numpy(), opts["partner"].to_numpy())
    choice = opts.sort_values(["deal", "pref", "h"], ascending=[True, False, True]).drop_duplicates("deal")
    cd = choice["deal"].to_numpy()
    decided = np.minimum(frame["closed"].to_numpy()[cd] + rng.integers(5, 61, len(cd)), cal.end_day)
    decisions = pd.DataFrame(
        {"deal": cd, "partner": choice["partner"].to_numpy(), "decided": decided, "note": rng.integers(0, 3, len(cd))}
    )
    return Deals(frame=frame, items=items, partners=dp, pois=pois, decisions=decisions)


def _never_billed_items(seg: Segments, w_portal: np.ndarray, k: P.Knobs, seed: int) -> pd.DataFrame:
    """rules.md D17: on a few won deals, an item of a line the portal never pays (never billed); the
    line is a hub or an add-on (not the pack, whose overage follows it), professional edition."""
    n_won = len(w_portal)
    deal = np.flatnonzero(hash_uniform(seed, "deal.never_billed", np.arange(n_won)) < k.never_billed_item_prob)
    lines = np.array([i for i in range(len(PRODUCT_LINES)) if i not in (LINE_PACK, LINE_OVERAGE)])
    line = lines[(hash_uniform(seed, "deal.never_billed.line", deal) * len(lines)).astype(np.int64)]
    paid = pd.DataFrame({"portal": seg.portal, "line": seg.line}).drop_duplicates()
    cand = pd.DataFrame({"deal": deal, "portal": w_portal[deal], "line": line})
    cand = cand.merge(paid, on=["portal", "line"], how="left", indicator=True)
    cand = cand[cand["_merge"] == "left_only"]
    deal, line = cand["deal"].to_numpy(), cand["line"].to_numpy()
    cents = np.round(np.array(P.BASE_PRICE)[line, 1] * 100).astype(np.int64)
    return pd.DataFrame({"deal": deal, "line": line, "edition": 1, "cents": cents})


def join_before_first_deal(sp: SolutionsPartners, deals: Deals, seed: int) -> None:
    """A solutions partner joined the program before the first deal it registered."""
    rng = stream(seed, "sol.partners.joined")
    first = np.full(sp.n, np.iinfo(np.int64).max)
    reg = deals.frame["registered"].to_numpy()[deals.partners["deal"].to_numpy()]
    np.minimum.at(first, deals.partners["partner"].to_numpy(), reg)
    sp.joined_day = np.minimum(sp.joined_day, first - rng.integers(10, 200, sp.n))


NOTES = (
    "best partner: onboarding coverage tie",
    "best partner: decided by partner manager",
    "best partner: escalated by the customer",
)


def deal_tables(deals: Deals, p: Portals, sp: SolutionsPartners) -> dict[str, dict[str, pa.Array]]:
    f = deals.frame
    # deal ids follow registration order
    order = np.lexsort((f["deal"].to_numpy(), f["registered"].to_numpy()))
    new_id = np.empty(len(f), np.int64)
    new_id[order] = np.arange(len(f))
    deal_ids = ids("D", np.arange(len(f)), 9)
    closed = f["closed"].to_numpy()

    def did(d: pd.Series) -> pa.Array:
        return take(deal_ids, new_id[d.to_numpy()])

    fo = f.iloc[order]
    items = deals.items.assign(nid=new_id[deals.items["deal"].to_numpy()]).sort_values(["nid", "line"])
    dp = deals.partners.assign(nid=new_id[deals.partners["deal"].to_numpy()]).sort_values(["nid", "pos"])
    pois = deals.pois.assign(nid=new_id[deals.pois["deal"].to_numpy()])
    pois = pois.sort_values(["nid", "signed_s"], kind="stable")
    dec = deals.decisions.assign(nid=new_id[deals.decisions["deal"].to_numpy()]).sort_values("nid")
    labels = _onboarding_labels()
    mask = pois["mask"].to_numpy()
    return {
        "deals": {
            "deal_id": deal_ids,
            "portal_id": take(p.ids, fo["portal"].to_numpy()),
            "collaboration_type": enum_col(("partner_collaboration", "hubspot_collaboration"), fo["collab"].to_numpy()),
            "registered_on": date_col(fo["registered"].to_numpy()),
            "closed_on": date_col(np.maximum(closed[order], 0), mask=closed[order] < 0),
            "stage": enum_col(("open", "closed_won", "closed_lost"), fo["stage"].to_numpy()),
        },
        "deal_line_items": {
            "deal_id": did(items["deal"]),
            "product_line": enum_col(PRODUCT_LINES, items["line"].to_numpy()),
            "edition": enum_col(("starter", "professional", "enterprise"), items["edition"].to_numpy()),
            "mrr_usd": dec_col(items["cents"].to_numpy()),
        },
        "deal_partners": {
            "deal_id": did(dp["deal"]),
            "partner_id": take(sp.ids, dp["partner"].to_numpy()),
            "role": enum_col(ROLES, dp["role"].to_numpy()),
        },
        "proof_of_involvement": {
            "poi_id": ids("POI", np.arange(len(pois)), 9),
            "deal_id": did(pois["deal"]),
            "partner_id": take(sp.ids, pois["partner"].to_numpy()),
            "status": enum_col(("sent", "signed", "rejected"), pois["status"].to_numpy()),
            "signed_at": ts_col(np.maximum(pois["signed_s"].to_numpy(), 0), mask=pois["signed_s"].to_numpy() < 0),
            "onboarding_product_lines": take(labels, mask, mask=mask == 0),
        },
        "credit_decisions": {
            "deal_id": did(dec["deal"]),
            "partner_id": take(sp.ids, dec["partner"].to_numpy()),
            "decided_on": date_col(dec["decided"].to_numpy()),
            "note": enum_col(NOTES, dec["note"].to_numpy()),
        },
    }


def activity_table(
    deals: Deals, p: Portals, sp: SolutionsPartners, cal: Calendar, k: P.Knobs, seed: int
) -> dict[str, pa.Array]:
    """partner_portal_activity: the partners of won deals work in the portal from the close month,
    and some partners manage portals without a deal; some relationships only ever log in or view
    (not eligible, rules.md B8)."""
    rng = stream(seed, "sol.activity")
    nm = cal.n_months
    f = deals.frame
    won = deals.partners[f["stage"].to_numpy()[deals.partners["deal"].to_numpy()] == 1]
    d = won["deal"].to_numpy()
    rel_partner = won["partner"].to_numpy()
    rel_portal = f["portal"].to_numpy()[d]
    rel_start = f["close_m"].to_numpy()[d]
    paying = np.flatnonzero(p.paid)
    managed = paying[rng.random(len(paying)) < k.managed_only_portal_share]
    m_start = np.maximum(p.start_m[managed], 0)
    m_start = m_start + np.floor(rng.random(len(managed)) * (nm - m_start)).astype(np.int64)
    rel_partner = np.concatenate([rel_partner, _weighted(rng, sp.weight, len(managed))])
    rel_portal = np.concatenate([rel_portal, managed])
    rel_start = np.concatenate([rel_start, m_start])
    n_rel = len(rel_portal)
    length = rng.geometric(1.0 / k.activity_months_mean, n_rel)
    length = np.minimum(length, nm - rel_start)
    login_only = rng.random(n_rel) < k.login_only_share
    r, off = expand(length)
    month = rel_start[r] + off
    active = rng.random(len(r)) < k.activity_month_prob
    r, month = r[active], month[active]
    n_ev = 1 + rng.poisson(k.activity_events_mean, len(r))
    e, _ = expand(n_ev)
    rm = r[e]
    mo = month[e]
    n = len(e)
    t_active = choice_index(rng, np.array(ACTIVITY_P_ACTIVE), n)
    t_login = choice_index(rng, np.array(ACTIVITY_P_LOGIN_ONLY), n)
    atype = np.where(login_only[rm], t_login, t_active)
    first = cal.month_day(mo)
    length_days = cal.month_day(mo + 1) - first
    day = first + np.floor(rng.random(n) * length_days).astype(np.int64)
    at = day * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, n)
    o = np.argsort(at, kind="stable")
    return {
        "partner_id": take(sp.ids, rel_partner[rm][o]),
        "portal_id": take(p.ids, rel_portal[rm][o]),
        "occurred_at": ts_col(at[o]),
        "activity_type": enum_col(ACTIVITY_TYPES, atype[o]),
    }
