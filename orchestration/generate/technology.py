"""Technology Partner Program feeds: apps, certifications, installs, usage, reviews, influenced
revenue, POC forms, compliance escalations, tier baseline.

Partner size (installs created over the whole history) is a stratified draw from a long-tailed
quantile function (params.Knobs.tech_size_anchors) that does not depend on the scale factor, so the
share of partners reaching each absolute-dollar tier threshold is the same at every scale (an app is
capped at a share of the portals, which only binds for the very largest apps at small scales).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.generate import params as P
from orchestration.generate._util import (
    SECONDS_PER_DAY,
    Calendar,
    bool_col,
    choice_index,
    date_col,
    day_number,
    dec_col,
    dict_col,
    enum_col,
    expand,
    hash_uniform,
    ids,
    int_col,
    loglinear_quantile,
    stratified_uniform,
    stream,
    take,
    ts_col,
)
from orchestration.generate.shared import Portals
from orchestration.program import PROGRAM

NAME_A = ("Bright", "Blue", "North", "Swift", "Clear", "Prime", "Nimble", "Smart", "Open", "Happy", "Red", "Green")
NAME_B = ("Funnel", "Sync", "Pipe", "Signal", "Forms", "Data", "Chat", "Docs", "Ledger", "Flow", "Metrics", "Cloud")
NAME_C = ("Labs", "Inc", "Software", "HQ", "Systems", "Apps", "Tech", "Works")
APP_SUFFIX = (" for HubSpot", " Sync", " Connector", " Integration", "")
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_P = (0.55, 0.25, 0.12, 0.08)
TIERS = PROGRAM.tiers_in_program
# Rough size quantiles of the tiers, only used to draw plausible baseline tiers.
TIER_CUTS = (0.88, 0.95, 0.985)


@dataclass
class TechPartners:
    n: int
    ids: pa.Array
    names: pa.Array
    size_u: np.ndarray  # size quantile (0..1)
    installs: np.ndarray  # target installs created
    champion: np.ndarray  # co-sell champion (influenced deals >= 100k)
    quiet: np.ndarray  # no new-customer installs and no submissions: fails the influenced requirement
    joined_day: np.ndarray
    region: np.ndarray


@dataclass
class Apps:
    n: int
    ids: pa.Array
    partner: np.ndarray
    listed_day: np.ndarray
    delisted_day: np.ndarray  # -1 = live
    target: np.ndarray
    trend: np.ndarray
    new_customer_share: np.ndarray
    quiet: np.ndarray
    uninstall_rate: np.ndarray
    intensity: np.ndarray
    mediocre: np.ndarray


@dataclass
class Installs:
    n: int
    app: np.ndarray
    portal: np.ndarray
    installed_s: np.ndarray  # seconds
    uninstalled_s: np.ndarray  # seconds, -1 = still installed


def company_names(rng: np.random.Generator, n: int) -> np.ndarray:
    a = np.array(NAME_A)[rng.integers(0, len(NAME_A), n)]
    b = np.array(NAME_B)[rng.integers(0, len(NAME_B), n)]
    c = np.array(NAME_C)[rng.integers(0, len(NAME_C), n)]
    return np.char.add(np.char.add(np.char.add(a, b), " "), c)


def make_partners(n: int, cal: Calendar, k: P.Knobs, seed: int) -> TechPartners:
    rng = stream(seed, "tech.partners")
    u = stratified_uniform(rng, n)
    installs = loglinear_quantile(u, k.tech_size_anchors)
    # co-sell champions: mid-sized partners (rising/leading on attached MRR) whose influenced deals
    # reach the premier exception (rules.md A5). Two narrow bands of the stratified size quantile,
    # so their count is champion_share * n at every scale.
    half = k.champion_share / 2
    champion = ((u >= 0.82) & (u < 0.82 + half)) | ((u >= 0.91) & (u < 0.91 + half))
    quiet = (rng.random(n) < k.quiet_partner_share) & ~champion & (u < 0.97)  # not the giants
    return TechPartners(
        n=n,
        ids=ids("T", np.arange(n), 6),
        names=pa.array(company_names(rng, n)),
        size_u=u,
        installs=installs,
        champion=champion,
        quiet=quiet,
        joined_day=np.zeros(n, dtype=np.int64),  # set from the apps
        region=choice_index(rng, np.array(REGION_P), n),
    )


def make_apps(tp: TechPartners, n_portals: int, cal: Calendar, k: P.Knobs, seed: int) -> Apps:
    rng = stream(seed, "tech.apps")
    v = stratified_uniform(rng, tp.n)
    mix = np.cumsum(k.apps_per_partner_mix)
    n_apps = 1 + (v > mix[0]).astype(np.int64) + (v > mix[1]).astype(np.int64)
    if tp.n >= 4 and (n_apps == 1).all():  # small scales still have a multi-app partner
        n_apps[np.argmax(v)] = 2
    partner, rank = expand(n_apps)
    share_table = np.array([[1.0, 0.0, 0.0], [0.75, 0.25, 0.0], [0.6, 0.25, 0.15]])
    share = share_table[n_apps[partner] - 1, rank]
    cap = max(1, int(k.app_install_cap_share * n_portals))
    target = np.clip(np.round(tp.installs[partner] * share), 1, cap).astype(np.int64)
    n = len(partner)
    # Listing: most apps were listed before the data starts; some partners join during it.
    pre = rng.random(tp.n) < k.app_pre_window_share
    first_listed = np.where(
        pre,
        cal.first_day - rng.integers(30, 8 * 365, tp.n),
        cal.first_day + rng.integers(0, max(1, cal.end_day - cal.first_day - 60), tp.n),
    )
    listed = first_listed[partner] + np.where(rank == 0, 0, rng.integers(60, 1500, n))
    listed = np.minimum(listed, cal.end_day - 30)
    lo = np.maximum(listed + 90, cal.first_day)
    delist = (rng.random(n) < k.app_delist_prob) & (lo < cal.end_day)
    if n >= 5 and not delist.any() and (lo < cal.end_day).any():  # small scales still delist one app
        delist[rng.choice(np.flatnonzero(lo < cal.end_day))] = True
    delisted = np.where(delist, lo + np.floor(rng.random(n) * np.maximum(cal.end_day - lo, 1)).astype(np.int64), -1)
    tp.joined_day = first_listed - rng.integers(20, 400, tp.n)
    mature = rng.random(n) < k.mature_app_share
    lo_s, hi_s = k.new_customer_install_share
    new_share = np.where(mature, 0.003, lo_s + rng.random(n) * (hi_s - lo_s))
    new_share = np.where(tp.quiet[partner], 0.0, new_share)
    lo_u, hi_u = k.uninstall_per_month
    mediocre = (rng.random(n) < k.app_mediocre_share) & ~tp.champion[partner]
    uninstall = lo_u + rng.random(n) * (hi_u - lo_u) + np.where(mediocre, 0.01, 0.0)
    # trend of the install dates: > 0 growing apps, < 0 apps whose installs came early
    trend = rng.normal(0.3, 0.8, n).clip(-1.0, 2.5)
    return Apps(
        n=n,
        ids=ids("A", np.arange(n), 6),
        partner=partner,
        listed_day=listed,
        delisted_day=delisted,
        target=target,
        trend=trend,
        new_customer_share=new_share,
        quiet=tp.quiet[partner],
        uninstall_rate=uninstall,
        intensity=rng.lognormal(0.0, 0.7, n),
        mediocre=mediocre,
    )


def apps_table(apps: Apps, tp: TechPartners, seed: int) -> dict[str, pa.Array]:
    rng = stream(seed, "tech.apps.names")
    suffix = np.array(APP_SUFFIX)[rng.integers(0, len(APP_SUFFIX), apps.n)]
    base = np.asarray(tp.names.to_numpy(zero_copy_only=False), dtype=str)[apps.partner]
    first_word = np.char.partition(base, " ")[:, 0]
    return {
        "app_id": apps.ids,
        "partner_id": take(tp.ids, apps.partner),
        "app_name": pa.array(np.char.add(first_word, suffix)),
        "listed_on": date_col(apps.listed_day),
        "delisted_on": date_col(apps.delisted_day, mask=apps.delisted_day < 0),
    }


def make_installs(apps: Apps, p: Portals, cal: Calendar, k: P.Knobs, seed: int) -> Installs:
    rng = stream(seed, "tech.installs")
    # Portals are drawn by install appetite. Big apps draw without replacement (Efraimidis-Spirakis
    # keys, one pass over the portals per big app); the others draw with replacement and drop the
    # few repeats, since there is one install per (app, portal).
    big = apps.target > max(50, 0.05 * p.n)
    small_target = np.where(big, 0, apps.target)
    app = np.repeat(np.arange(apps.n), small_target)
    w = p.appetite / p.appetite.sum()
    portal = np.searchsorted(np.cumsum(w), rng.random(len(app)), side="right").clip(0, p.n - 1)
    big_app, big_portal = [], []
    for a in np.flatnonzero(big):  # a loop over apps, not rows
        keys = np.log(rng.random(p.n)) / p.appetite
        chosen = np.argpartition(-keys, apps.target[a] - 1)[: apps.target[a]]
        big_portal.append(np.sort(chosen))
        big_app.append(np.full(len(chosen), a))
    app = np.concatenate([app, *big_app])
    portal = np.concatenate([portal, *big_portal])
    key = app * p.n + portal
    _, first = np.unique(key, return_index=True)
    first.sort()
    app, portal = app[first], portal[first]
    n = len(app)
    listed = apps.listed_day[app]
    delisted = np.where(apps.delisted_day[app] >= 0, apps.delisted_day[app], cal.end_day)
    lo = np.maximum(p.created_day[portal], listed)
    hi = np.minimum(np.minimum(p.end_day[portal], delisted), cal.end_day)
    # organic installs come after the onboarding period where the portal lives long enough, so
    # the 90-day install MRR (rules.md A3) comes from the app's new-customer share
    after_onboarding = np.maximum(lo, p.first_purchase_day[portal] + 91)
    lo_organic = np.where(p.paid[portal] & (after_onboarding <= hi), after_onboarding, lo)
    # trend-shaped date within the portal's life while the app is listed
    t = apps.trend[app]
    r = rng.random(n)
    frac = np.where(t >= 0, r ** (1.0 / (1.0 + np.abs(t))), 1.0 - r ** (1.0 / (1.0 + np.abs(t))))
    day = lo_organic + np.floor(frac * np.maximum(hi - lo_organic, 0)).astype(np.int64)
    # some installs come right after the first purchase (rules.md A3, 90-day install MRR); a few
    # of those are dated just before it and must not qualify (D5)
    fp = p.first_purchase_day[portal]
    bump_day = fp + rng.integers(-20, PROGRAM.install_window_days + 1, n)
    bump = (rng.random(n) < apps.new_customer_share[app]) & p.paid[portal] & (bump_day >= lo) & (bump_day <= hi)
    day = np.where(bump, bump_day, day)
    ok = lo <= hi
    # a quiet partner's apps never get installs in a portal's first 90 days (install_window_days)
    ok &= ~(apps.quiet[app] & p.paid[portal] & (day >= fp) & (day <= fp + PROGRAM.install_window_days))
    app, portal, day = app[ok], portal[ok], day[ok]
    n = len(app)
    inst_s = day * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, n)
    # uninstall: hazard per app, and most installs go when the portal churns
    life_days = rng.exponential(30.44 / apps.uninstall_rate[app])
    un_s = inst_s + (life_days * SECONDS_PER_DAY).astype(np.int64)
    churned = p.end_day[portal] < cal.end_day
    churn_un = (p.end_day[portal] + rng.integers(0, 46, n)) * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, n)
    churn_un = np.maximum(churn_un, inst_s + 3600)
    take_churn = churned & (rng.random(n) < k.uninstall_on_churn)
    un_s = np.where(take_churn, np.minimum(un_s, churn_un), un_s)
    un_s = np.where(un_s > (cal.end_day + 1) * SECONDS_PER_DAY - 1, -1, un_s)
    order = np.lexsort((portal, app, inst_s))  # install ids follow install time
    return Installs(n=n, app=app[order], portal=portal[order], installed_s=inst_s[order], uninstalled_s=un_s[order])


def installs_table(ins: Installs, apps: Apps, p: Portals) -> dict[str, pa.Array]:
    return {
        "install_id": ids("I", np.arange(ins.n), 10),
        "app_id": dict_col(ins.app, apps.ids),
        "portal_id": dict_col(ins.portal, p.ids),
        "installed_at": ts_col(ins.installed_s),
        "uninstalled_at": ts_col(ins.uninstalled_s, mask=ins.uninstalled_s < 0),
    }


def usage_chunks(
    ins: Installs, apps: Apps, p: Portals, cal: Calendar, k: P.Knobs, seed: int, rows_per_chunk: int = 5_000_000
) -> Iterator[dict[str, pa.Array]]:
    """app_usage_monthly: one row per live install month, with gaps (0 calls or no row), no use
    after the portal stopped paying, and a few rows the month after an uninstall."""
    nm = cal.n_months
    first_m = cal.month_of(ins.installed_s // SECONDS_PER_DAY)
    un = ins.uninstalled_s >= 0
    last_m = np.where(un, cal.month_of(np.maximum(ins.uninstalled_s, 0) // SECONDS_PER_DAY), nm - 1)
    s = np.maximum(first_m, 0)
    e = np.minimum(last_m, nm - 1)
    after = (
        un
        & (last_m >= -1)
        & (last_m + 1 <= nm - 1)
        & (hash_uniform(seed, "usage.after", ins.app, ins.portal) < k.usage_after_uninstall_prob)
    )
    lengths = np.where(s <= e, e - s + 1, 0) + after
    cum = np.cumsum(lengths)
    bounds = np.unique(
        np.concatenate([[0], np.searchsorted(cum, np.arange(rows_per_chunk, cum[-1], rows_per_chunk)), [ins.n]])
    )
    month_ids = date_col(cal.month_day(np.arange(nm)))
    portal_end_m = np.minimum(p.end_m, nm + 1)
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        parent, off = expand(lengths[a:b])
        i = a + parent
        month = s[i] + off
        app, portal = ins.app[i], ins.portal[i]
        u = hash_uniform(seed, "usage", app, portal, month)
        v = hash_uniform(seed, "usage.calls", app, portal, month)
        missing = (u >= k.usage_zero_prob) & (u < k.usage_zero_prob + k.usage_missing_prob)
        zero = (u < k.usage_zero_prob) | (p.paid[portal] & (month > portal_end_m[portal]))
        # lognormal calls via an inverse-logistic approximation of the normal quantile
        z = np.log(np.maximum(v, 1e-12) / np.maximum(1 - v, 1e-12)) / 1.7
        calls = np.round(200.0 * apps.intensity[app] * np.sqrt(p.appetite[portal]) * np.exp(1.0 * z)) + 1
        calls = np.where(zero, 0, calls).astype(np.int64)
        keep = ~missing
        yield {
            "app_id": dict_col(app[keep], apps.ids),
            "portal_id": dict_col(portal[keep], p.ids),
            "month": month_ids.take(pa.array(month[keep])),
            "api_calls": int_col(calls[keep]),
        }


def reviews_table(ins: Installs, apps: Apps, p: Portals, cal: Calendar, k: P.Knobs, seed: int) -> dict[str, pa.Array]:
    rng = stream(seed, "tech.reviews")
    start = np.maximum(ins.installed_s, (cal.first_day - 365) * SECONDS_PER_DAY)
    end = np.where(ins.uninstalled_s >= 0, ins.uninstalled_s, (cal.end_day + 1) * SECONDS_PER_DAY - 1)
    years = np.maximum(end - start, 0) / (365.25 * SECONDS_PER_DAY)
    has = rng.random(ins.n) < np.minimum(k.review_rate_per_install_year * years, 0.9)
    i = np.flatnonzero(has)
    n = len(i)
    at = start[i] + (rng.random(n) * (end[i] - start[i])).astype(np.int64)
    good_p = np.array([0.02, 0.03, 0.07, 0.23, 0.65])
    bad_p = np.array([0.12, 0.13, 0.25, 0.28, 0.22])
    r = rng.random(n)
    rating = (
        np.where(
            apps.mediocre[ins.app[i]],
            np.searchsorted(np.cumsum(bad_p), r, side="right"),
            np.searchsorted(np.cumsum(good_p), r, side="right"),
        ).clip(0, 4)
        + 1
    )
    order = np.argsort(at, kind="stable")
    removed = rng.random(n) < k.review_removed_prob
    return {
        "review_id": ids("R", np.arange(n), 9),
        "app_id": dict_col(ins.app[i][order], apps.ids),
        "portal_id": dict_col(ins.portal[i][order], p.ids),
        "rating": int_col(rating[order]),
        "submitted_at": ts_col(at[order]),
        "status": enum_col(("published", "removed"), removed.astype(np.int64)),
    }


def submissions_table(tp: TechPartners, p: Portals, cal: Calendar, k: P.Knobs, seed: int) -> dict[str, pa.Array]:
    """influenced_revenue_submissions with pending, rejected and repeated (partner, deal) rows."""
    rng = stream(seed, "tech.submissions")
    a, b, c = k.submissions_per_month
    active = rng.random(tp.n) < k.submissions_active_prob[0] + k.submissions_active_prob[1] * tp.size_u
    active &= ~tp.quiet
    # bigger partners co-sell more, up to a point (the biggest apps do not submit thousands of deals)
    rate = np.where(active, a + b * (np.minimum(tp.installs, k.submissions_size_cap) / 1000.0) ** c, 0.0)
    rate = np.where(tp.champion, k.champion_submissions_per_month, rate)
    months = cal.n_months + 2
    count = rng.poisson(rate * months)
    partner, _ = expand(count)
    n = len(partner)
    median = np.where(tp.champion[partner], k.champion_mrr_median, k.submission_mrr_median)
    cents = np.round(median * rng.lognormal(0.0, 0.9, n) * 100.0).astype(np.int64)
    closed = cal.first_day - 60 + np.floor(rng.random(n) * (cal.end_day - cal.first_day + 59)).astype(np.int64)
    sub_day = np.minimum(closed + rng.integers(0, 46, n), cal.end_day)
    deal = np.arange(n)
    # resubmissions of the same (partner, deal), and a few deals claimed by two partners
    dup = rng.random(n) < k.submission_duplicate_prob
    d_idx = np.repeat(np.flatnonzero(dup), rng.integers(1, 3, int(dup.sum())))
    shared = np.flatnonzero(rng.random(n) < k.submission_shared_deal_prob) if tp.n > 1 else np.array([], np.int64)
    other = (partner[shared] + rng.integers(1, max(tp.n, 2), len(shared))) % tp.n
    partner = np.concatenate([partner, partner[d_idx], other])
    deal = np.concatenate([deal, deal[d_idx], deal[shared]])
    closed = np.concatenate([closed, closed[d_idx], closed[shared]])
    m = len(d_idx) + len(shared)
    cents = np.concatenate(
        [cents, np.round(cents[np.concatenate([d_idx, shared])] * rng.uniform(0.7, 1.3, m)).astype(np.int64)]
    )
    sub_day = np.concatenate(
        [sub_day, np.minimum(sub_day[np.concatenate([d_idx, shared])] + rng.integers(1, 41, m), cal.end_day)]
    )
    n = len(partner)
    recent = sub_day > cal.end_day - 45
    r = rng.random(n)
    status = np.where(r < 0.74, 0, np.where(r < 0.82, 1, 2))  # approved, pending, rejected
    status = np.where(recent & (rng.random(n) < 0.6), 1, status)
    sub_s = sub_day * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, n)
    order = np.argsort(sub_s, kind="stable")
    paying = np.flatnonzero(p.paid)
    portal = paying[rng.integers(0, len(paying), n)]
    return {
        "submission_id": ids("IRS", np.arange(n), 9),
        "partner_id": take(tp.ids, partner[order]),
        "deal_id": ids("HD", deal[order], 9),
        "portal_id": take(p.ids, portal, mask=rng.random(n) < 0.2),
        "submission_type": enum_col(("influenced_deal", "referral"), (rng.random(n) < 0.3).astype(np.int64)),
        "mrr_usd": dec_col(cents[order]),
        "closed_on": date_col(closed[order]),
        "submitted_at": ts_col(sub_s[order]),
        "review_status": enum_col(("approved", "pending", "rejected"), status[order]),
    }


def _emails(role: str, slug: np.ndarray, mask: np.ndarray) -> pa.Array:
    return pa.array(np.char.add(f"{role}@", slug), mask=mask)


def poc_forms_table(tp: TechPartners, cal: Calendar, k: P.Knobs, seed: int) -> dict[str, pa.Array]:
    """partner_poc_forms: most partners file one, bigger ones more often; contacts fill in over time,
    so some partners qualify on performance before their form is complete (rules.md A7, D10, D11)."""
    rng = stream(seed, "tech.forms")
    has = (rng.random(tp.n) < k.poc_form_prob[0] + k.poc_form_prob[1] * tp.size_u) | tp.champion
    n_forms = np.where(has, 1 + rng.poisson(0.7, tp.n), 0)
    partner, rank = expand(n_forms)
    n = len(partner)
    lo = np.maximum(tp.joined_day, cal.first_day - 180)[partner]
    span = np.maximum(cal.end_day - lo, 1)
    # later forms of a partner are later in time: sort uniform draws within each partner
    r = rng.random(n)
    r_sorted = r[np.lexsort((r, partner))]  # partner groups are contiguous: sorted within each
    day = lo + np.floor(r_sorted * span).astype(np.int64)
    completeness = (0.5 * rng.random(tp.n) + 0.4 * tp.size_u)[partner] + 0.1 * rank
    completeness = np.where(tp.champion[partner], 1.0, completeness)
    noise = rng.normal(0.0, 0.08, (n, 5))
    score = completeness[:, None] + noise
    thresholds = np.array([0.12, 0.22, 0.42, 0.5, 0.38])  # technical, manager, sponsor, co-sell, sharing
    present = score > thresholds
    slug = np.char.add(np.char.add("t", np.char.zfill(np.arange(tp.n).astype(str), 6)), ".example.com")[partner]
    sharing = np.where(present[:, 4], np.where(score[:, 4] > 0.55, 0, 1), 2)  # crossbeam, other, none
    sub_s = day * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, n)
    o = np.argsort(sub_s, kind="stable")
    return {
        "form_id": ids("F", np.arange(n), 7),
        "partner_id": take(tp.ids, partner[o]),
        "submitted_at": ts_col(sub_s[o]),
        "technical_contact_email": _emails("tech", slug[o], ~present[o, 0]),
        "partnership_manager_email": _emails("partners", slug[o], ~present[o, 1]),
        "executive_sponsor_email": _emails("ceo", slug[o], ~present[o, 2]),
        "co_sell_contact_email": _emails("cosell", slug[o], ~present[o, 3]),
        "data_sharing": enum_col(("crossbeam", "other_approved", "none"), sharing[o], mask=rng.random(n) < 0.03),
    }


def escalations_table(tp: TechPartners, cal: Calendar, k: P.Knobs, seed: int) -> dict[str, pa.Array]:
    """compliance_escalations, bigger partners more often; at every scale at least one responsible
    open escalation, one responsible escalation resolved shortly before the last evaluation date and
    one not responsible (rules.md A8, D12)."""
    rng = stream(seed, "tech.escalations")
    n = max(3, round(k.escalation_share * tp.n))
    w = np.sqrt(tp.installs)
    partner = np.searchsorted(np.cumsum(w / w.sum()), rng.random(n), side="right").clip(0, tp.n - 1)
    opened = cal.first_day + np.floor(rng.random(n) * (cal.end_day - cal.first_day)).astype(np.int64)
    resolved = opened + rng.integers(7, 200, n)
    open_ = (rng.random(n) < 0.25) | (resolved > cal.end_day)
    responsible = rng.random(n) < 0.7
    big = np.flatnonzero(tp.size_u >= np.quantile(tp.size_u, 0.8))
    partner[:3] = rng.choice(big, 3)
    evals = cal.evaluation_dates()
    last_eval = day_number(evals[-1]) if evals else cal.end_day
    opened[0], open_[0], responsible[0] = cal.end_day - rng.integers(60, 270), True, True
    resolved[1] = last_eval - rng.integers(10, 80)
    opened[1], open_[1], responsible[1] = resolved[1] - rng.integers(20, 100), False, True
    open_[2], responsible[2] = True, False
    order = np.argsort(opened, kind="stable")
    return {
        "escalation_id": ids("E", np.arange(n), 6),
        "partner_id": take(tp.ids, partner[order]),
        "opened_on": date_col(opened[order]),
        "resolved_on": date_col(resolved[order], mask=open_[order]),
        "responsible": bool_col(responsible[order]),
    }


def baseline_table(tp: TechPartners, apps: Apps, cal: Calendar, k: P.Knobs, seed: int) -> dict[str, pa.Array]:
    """technology_tier_baseline: the tier before the first evaluated date, for most partners already
    listed then; roughly their size, sometimes above it (downgrade cases) or below (upgrades)."""
    rng = stream(seed, "tech.baseline")
    evals = cal.evaluation_dates()
    first_eval = day_number(evals[0]) if evals else cal.end_day
    first_listed = np.full(tp.n, np.iinfo(np.int64).max)
    np.minimum.at(first_listed, apps.partner, apps.listed_day)
    eligible = (first_listed < first_eval) & (rng.random(tp.n) < k.baseline_prob)
    i = np.flatnonzero(eligible)
    tier = np.searchsorted(np.array(TIER_CUTS), tp.size_u[i], side="right")
    shift = rng.random(len(i))
    tier = np.where(shift < 0.15, tier + 1, np.where(shift > 0.9, tier - 1, tier)).clip(0, 3)
    lo = np.maximum(first_listed[i], first_eval - 400)
    eff = lo + np.floor(rng.random(len(i)) * np.maximum(first_eval - lo, 1)).astype(np.int64)
    return {
        "partner_id": take(tp.ids, i),
        "tier": enum_col(TIERS, tier),
        "effective_on": date_col(eff),
    }


def certifications_table(tp: TechPartners, apps: Apps, cal: Calendar, k: P.Knobs, seed: int) -> dict[str, pa.Array]:
    """app_certifications: bigger partners certify more; some expire (explicit or the 2-year
    default), some are revoked, some renewed."""
    rng = stream(seed, "tech.certifications")
    u = tp.size_u[apps.partner]
    prob = k.certification_prob[0] + k.certification_prob[1] * u
    prob = np.where(tp.champion[apps.partner] | (u > 0.97), 0.95, prob)
    app = np.flatnonzero(rng.random(apps.n) < prob)
    n = len(app)
    cert = cal.first_day - 600 + np.floor(rng.random(n) * (cal.end_day - 30 - cal.first_day + 600)).astype(np.int64)
    explicit = rng.random(n) < 0.4
    expires = cert + rng.integers(300, 731, n)
    revoked = rng.random(n) < k.certification_revoked_prob
    if n >= 3 and not revoked.any():  # small scales still have a revoked certification
        revoked[rng.integers(0, n)] = True
    eff_exp = np.where(explicit, expires, cert + 365 * PROGRAM.certification_validity_years)  # D8 default expiry
    renew = ~revoked & (eff_exp < cal.end_day) & (rng.random(n) < 0.35)
    r = np.flatnonzero(renew)
    app_all = np.concatenate([app, app[r]])
    cert_all = np.concatenate([cert, eff_exp[r] - rng.integers(0, 21, len(r))])
    exp_all = np.concatenate([expires, np.zeros(len(r), np.int64)])
    exp_null = np.concatenate([~explicit, np.ones(len(r), bool)])
    status = np.concatenate([revoked, np.zeros(len(r), bool)]).astype(np.int64)
    o = np.lexsort((cert_all, app_all))
    return {
        "app_id": take(apps.ids, app_all[o]),
        "certified_on": date_col(cert_all[o]),
        "expires_on": date_col(exp_all[o], mask=exp_null[o]),
        "status": enum_col(("certified", "revoked"), status[o]),
    }


def partners_table(tp: TechPartners, seed: int) -> dict[str, pa.Array]:
    rng = stream(seed, "tech.partners.attributes")
    n = tp.n
    return {
        "partner_id": tp.ids,
        "partner_name": tp.names,
        "program": pa.array(["technology"] * n, pa.string()),
        "solutions_type": pa.nulls(n, pa.string()),
        "solutions_tier": pa.nulls(n, pa.string()),
        "crm_accredited": bool_col(np.zeros(n, bool)),  # feeds.md: solutions only, default false
        "region": enum_col(REGIONS, tp.region, mask=rng.random(n) < 0.03),
        "joined_on": date_col(tp.joined_day),
    }
