"""Portals and their MRR: `portals` and `portal_mrr_monthly`.

A paying portal holds product lines as *segments*: (portal, line, edition, first month, last month,
base MRR, monthly drift). A line starts at the first purchase or later (cross-sell), may be upgraded
once (starter -> pro or pro -> enterprise: two segments), and ends when the portal churns or the line
is cancelled. portal_mrr_monthly is the segments expanded to months, plus credit_overage months
while a credit pack is held. Deals (solutions.py) are derived from the same segments, so a won deal's
lines appear in the portal's MRR from its close month.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.defs.ingest.contract import PRODUCT_LINES
from orchestration.generate import params as P
from orchestration.generate._util import (
    Calendar,
    choice_index,
    choice_rows,
    date_col,
    dec_col,
    dict_col,
    enum_col,
    expand,
    hash_uniform,
    ids,
    stream,
)
from orchestration.program import EDITIONS, PROGRAM

ALIVE = 1_000_000  # last month of a portal or line that has not ended
LINE_PACK = PRODUCT_LINES.index("credit_capacity_pack")
LINE_OVERAGE = PRODUCT_LINES.index("credit_overage")
N_HUBS = len(PROGRAM.hub_lines)  # the hub lines lead PRODUCT_LINES (tests/test_program.py)
COUNTRIES = ("US", "CA", "GB", "DE", "FR", "NL", "ES", "IT", "SE", "AU", "JP", "SG", "IN", "BR", "MX", "IE")
COUNTRY_P = (0.42, 0.05, 0.09, 0.06, 0.04, 0.03, 0.03, 0.02, 0.02, 0.05, 0.03, 0.02, 0.04, 0.04, 0.03, 0.03)
SEGMENTS = ("Free", "Small business", "Mid-market", "Enterprise")


@dataclass
class Portals:
    n: int
    ids: pa.Array
    cls: np.ndarray  # 0 free (never paid), 1 starter, 2 pro, 3 enterprise
    paid: np.ndarray
    start_m: np.ndarray  # relative month of the first purchase (free: of creation)
    end_m: np.ndarray  # last paying month (ALIVE if still paying)
    first_purchase_day: np.ndarray  # day number, meaningless where ~paid
    created_day: np.ndarray
    end_day: np.ndarray  # last day the portal is in use
    appetite: np.ndarray  # relative propensity to install apps
    seat: np.ndarray  # seat factor (mean 1)


def make_portals(n: int, cal: Calendar, k: P.Knobs, seed: int) -> Portals:
    rng = stream(seed, "portals")
    cls = choice_index(rng, np.array(k.portal_class_mix), n)
    paid = cls > 0
    nm = cal.n_months
    pre = rng.random(n) < k.portal_pre_window_share
    start = np.where(
        pre,
        -rng.integers(1, k.portal_history_months + 1, n),
        np.floor(nm * rng.random(n) ** k.portal_growth_exp).astype(np.int64).clip(0, nm - 1),
    )
    first_day = cal.month_day(start)
    month_len = cal.month_day(start + 1) - first_day
    first_purchase = first_day + np.floor(rng.random(n) * month_len).astype(np.int64)
    created = np.where(paid, first_purchase - rng.integers(0, 61, n), first_purchase)
    # Churn: memoryless from the later of the first purchase and the first generated month.
    end_m = np.maximum(start, 0) + rng.geometric(k.portal_churn_per_month, n) - 1
    end_m = np.where(end_m >= nm, ALIVE, end_m)
    end_m = np.where(paid, end_m, ALIVE)
    end_day = np.where(end_m >= ALIVE, cal.end_day, cal.month_day(np.minimum(end_m, nm) + 1) - 1)
    appetite = rng.lognormal(0.0, k.app_appetite_sigma, n) * np.array(k.app_appetite_by_class)[cls]
    s = k.seat_sigma[1]
    seat = rng.lognormal(-s * s / 2, s, n)
    return Portals(
        n=n,
        ids=ids("P", np.arange(n), 8),
        cls=cls,
        paid=paid,
        start_m=start,
        end_m=end_m,
        first_purchase_day=first_purchase,
        created_day=created,
        end_day=end_day,
        appetite=appetite,
        seat=seat,
    )


def portals_table(p: Portals, seed: int) -> dict[str, pa.Array]:
    rng = stream(seed, "portals.attributes")
    country = choice_index(rng, np.array(COUNTRY_P), p.n)
    return {
        "portal_id": p.ids,
        "first_purchase_on": date_col(p.first_purchase_day, mask=~p.paid),
        "country": enum_col(COUNTRIES, country, mask=rng.random(p.n) < 0.04),
        "segment": enum_col(SEGMENTS, p.cls, mask=rng.random(p.n) < 0.05),
    }


@dataclass
class Segments:
    """Line segments, sorted by (portal, line, start)."""

    portal: np.ndarray
    line: np.ndarray
    edition: np.ndarray
    start_m: np.ndarray
    end_m: np.ndarray  # inclusive; ALIVE if running
    base_cents: np.ndarray  # float: MRR in cents in the first month
    growth: np.ndarray  # monthly drift
    kind: np.ndarray  # 0 first purchase, 1 cross-sell, 2 upgrade
    prev_edition: np.ndarray  # edition before an upgrade, else -1

    def __len__(self) -> int:
        return len(self.portal)

    def value_cents(self, idx: np.ndarray, month: np.ndarray) -> np.ndarray:
        """MRR in cents of segment(s) idx in relative month(s)."""
        age = np.asarray(month) - self.start_m[idx]
        return np.round(self.base_cents[idx] * (1.0 + self.growth[idx]) ** age).astype(np.int64)


def _price_cents(line: np.ndarray, edition: np.ndarray, seat: np.ndarray, k: P.Knobs, rng) -> np.ndarray:
    price = np.array(P.BASE_PRICE)[line, edition]
    sig = np.array(k.seat_sigma)[edition]
    seat_factor = seat ** (sig / k.seat_sigma[1])  # same portal, more spread for higher editions
    noise = rng.lognormal(-(k.line_price_sigma**2) / 2, k.line_price_sigma, len(line))
    return np.round(price * seat_factor * noise * 100.0)


def make_segments(p: Portals, cal: Calendar, k: P.Knobs, seed: int) -> Segments:
    rng = stream(seed, "segments")
    nm = cal.n_months
    paying = np.flatnonzero(p.paid)
    cls = p.cls[paying] - 1  # 0 starter, 1 pro, 2 enterprise
    n, n_lines = len(paying), len(PRODUCT_LINES)
    init = rng.random((n, n_lines)) < np.array(P.INITIAL_LINE_PROB)[cls]
    no_hub = ~init[:, :N_HUBS].any(axis=1)
    init[no_hub, 0] = True
    start = p.start_m[paying]
    last = np.minimum(p.end_m[paying], nm - 1)  # last month a change can happen in the data
    horizon = last - start
    cross = (~init) & (rng.random((n, n_lines)) < np.array(P.CROSS_SELL_PROB)) & (horizon[:, None] >= 1)
    cross_m = start[:, None] + 1 + np.floor(rng.random((n, n_lines)) * np.maximum(horizon, 1)[:, None]).astype(np.int64)
    pi, line = np.nonzero(init | cross)
    portal = paying[pi]
    seg_start = np.where(init[pi, line], start[pi], cross_m[pi, line])
    kind = np.where(init[pi, line], 0, 1)
    m = len(pi)
    # Edition: hubs by the portal's class; add-ons follow the portal's class edition.
    hub = line < N_HUBS
    hub_ed = choice_rows(rng, np.array(P.HUB_EDITION_MIX)[cls[pi]])
    edition = np.where(hub, hub_ed, cls[pi])
    # Line end: the portal's churn, or an earlier cancellation.
    line_end = p.end_m[portal].copy()
    span_to_data = np.minimum(line_end, nm - 1) - seg_start
    cancel = (rng.random(m) < k.line_cancel_prob) & (span_to_data >= 1)
    cancel_m = seg_start + np.floor(rng.random(m) * np.maximum(span_to_data, 1)).astype(np.int64)
    line_end = np.where(cancel, cancel_m, line_end)
    # One upgrade at most: starter -> pro, pro -> enterprise, on hub lines.
    up_p = np.where(edition == 0, k.upgrade_starter_to_pro, np.where(edition == 1, k.upgrade_pro_to_enterprise, 0.0))
    span = np.minimum(line_end, nm - 1) - seg_start
    upgrade = hub & (rng.random(m) < up_p) & (span >= 1)
    up_m = seg_start + 1 + np.floor(rng.random(m) * np.maximum(span, 1)).astype(np.int64)
    seat = p.seat[portal]
    base = _price_cents(line, edition, seat, k, rng)
    growth = rng.normal(k.line_growth_mean, k.line_growth_sd, m).clip(-0.01, 0.03)
    growth = np.where(line == LINE_PACK, 0.0, growth)  # packs are bought in fixed sizes
    new_ed = np.minimum(edition + 1, 2)
    up_base = _price_cents(line, new_ed, seat, k, rng)

    u = np.flatnonzero(upgrade)
    seg = Segments(
        portal=np.concatenate([portal, portal[u]]),
        line=np.concatenate([line, line[u]]),
        edition=np.concatenate([edition, new_ed[u]]),
        start_m=np.concatenate([seg_start, up_m[u]]),
        end_m=np.concatenate([np.where(upgrade, up_m - 1, line_end), line_end[u]]),
        base_cents=np.concatenate([base, up_base[u]]),
        growth=np.concatenate([growth, growth[u]]),
        kind=np.concatenate([kind, np.full(len(u), 2)]),
        prev_edition=np.concatenate([np.full(m, -1), edition[u]]),
    )
    order = np.lexsort((seg.start_m, seg.line, seg.portal))
    return Segments(**{f: getattr(seg, f)[order] for f in seg.__dataclass_fields__})


def overage_cents(seed: int, k: P.Knobs, portal: np.ndarray, month: np.ndarray) -> np.ndarray:
    """credit_overage of (portal, month) while a credit pack is held: 0 = no overage that month.
    Hash-based, so deals (solutions.py) see the same overage as portal_mrr_monthly."""
    u = hash_uniform(seed, "overage", portal, month)
    v = hash_uniform(seed, "overage.amount", portal, month)
    amount = np.round((5.0 + v * (k.overage_max_usd - 5.0)) * 100.0).astype(np.int64)
    return np.where(u < k.overage_month_prob, amount, 0)


def mrr_chunks(
    seg: Segments, p: Portals, cal: Calendar, k: P.Knobs, seed: int, rows_per_chunk: int = 4_000_000
) -> Iterator[dict[str, pa.Array]]:
    """portal_mrr_monthly in chunks of whole portals."""
    nm = cal.n_months
    s = np.maximum(seg.start_m, 0)
    e = np.minimum(seg.end_m, nm - 1)
    keep = np.flatnonzero(s <= e)
    lengths = (e - s + 1)[keep]
    # chunk boundaries on portal changes, about rows_per_chunk rows each
    cum = np.cumsum(lengths)
    cut_rows = np.arange(rows_per_chunk, cum[-1] if len(cum) else 0, rows_per_chunk)
    cuts = np.searchsorted(cum, cut_rows)
    portals_kept = seg.portal[keep]
    # move each cut forward to the start of the next portal so a portal is never split
    cuts = np.unique(np.searchsorted(portals_kept, portals_kept[np.minimum(cuts, len(keep) - 1)], side="left"))
    bounds = np.concatenate([[0], cuts[cuts > 0], [len(keep)]])
    month_ids = date_col(cal.month_day(np.arange(nm)))
    line_ids = pa.array(list(PRODUCT_LINES))
    ed_ids = pa.array(list(EDITIONS))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b <= a:
            continue
        idx = keep[a:b]
        parent, off = expand(lengths[a:b])
        si = idx[parent]
        month = s[si] + off
        portal, line, edition = seg.portal[si], seg.line[si], seg.edition[si]
        cents = seg.value_cents(si, month)
        pack = line == LINE_PACK
        ovg = overage_cents(seed, k, portal[pack], month[pack])
        has = ovg > 0
        portal = np.concatenate([portal, portal[pack][has]])
        month = np.concatenate([month, month[pack][has]])
        line = np.concatenate([line, np.full(int(has.sum()), LINE_OVERAGE)])
        edition = np.concatenate([edition, edition[pack][has]])
        cents = np.concatenate([cents, ovg[has]])
        order = np.lexsort((line, month, portal))
        yield {
            "portal_id": dict_col(portal[order], p.ids),
            "month": month_ids.take(pa.array(month[order])),
            "product_line": dict_col(line[order], line_ids),
            "edition": dict_col(edition[order], ed_ids),
            "mrr_usd": dec_col(cents[order]),
        }
