"""generate_landing: a synthetic landing zone for every feed of the contract."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import pyarrow as pa

from orchestration.generate import shared, solutions, technology
from orchestration.generate._util import Calendar, last_complete_month
from orchestration.generate.params import Knobs, Sizes
from orchestration.generate.writer import LandingWriter


def generate_landing(
    out: Path,
    scale: float = 0.01,
    seed: int = 42,
    last_month: date | None = None,
    fmt: str = "parquet",
    progress: Callable[[str], None] | None = None,
    knobs: Knobs | None = None,
) -> dict[str, int]:
    """Write `out/<feed>/part-*.parquet` (or `.csv`) for every feed of the contract and return the
    rows per feed. Deterministic for (scale, seed, last_month); `last_month` defaults to the last
    complete month before today, and the data covers the 36 months ending there."""
    say = progress or (lambda _msg: None)
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    k = knobs or Knobs()
    sizes = Sizes.for_scale(scale, k)
    cal = Calendar((last_month or last_complete_month(date.today())).replace(day=1), k.n_months)
    w = LandingWriter(Path(out), fmt)
    t0 = time.perf_counter()
    say(
        f"generate: SF {scale:g}, seed {seed}, months {cal.month_day(0).astype('datetime64[D]')} .. {cal.last_month}:"
        f" {sizes.portals:,} portals, {sizes.tech_partners:,} technology and"
        f" {sizes.solutions_partners:,} solutions partners ({fmt})"
    )

    def emit(feed: str, columns: dict[str, pa.Array]) -> None:
        t = time.perf_counter()
        n = w.write(feed, columns)
        say(f"generate: {feed}: {n:,} rows ({time.perf_counter() - t:.1f}s)")

    def emit_chunks(feed: str, chunks: Iterable[dict[str, pa.Array]]) -> None:
        t = time.perf_counter()
        for chunk in chunks:
            w.write(feed, chunk)
        say(f"generate: {feed}: {w.rows[feed]:,} rows in {w.files(feed)} file(s) ({time.perf_counter() - t:.1f}s)")

    # shared reference
    portals = shared.make_portals(sizes.portals, cal, k, seed)
    segments = shared.make_segments(portals, cal, k, seed)
    emit("portals", shared.portals_table(portals, seed))
    emit_chunks("portal_mrr_monthly", shared.mrr_chunks(segments, portals, cal, k, seed))

    # technology partner program
    tp = technology.make_partners(sizes.tech_partners, cal, k, seed)
    apps = technology.make_apps(tp, sizes.portals, cal, k, seed)
    sp = solutions.make_partners(sizes.solutions_partners, cal, k, seed)
    emit("apps", technology.apps_table(apps, tp, seed))
    emit("app_certifications", technology.certifications_table(tp, apps, cal, k, seed))
    installs = technology.make_installs(apps, portals, cal, k, seed)
    emit("app_installs", technology.installs_table(installs, apps, portals))
    emit_chunks("app_usage_monthly", technology.usage_chunks(installs, apps, portals, cal, k, seed))
    emit("marketplace_reviews", technology.reviews_table(installs, apps, portals, cal, k, seed))
    emit("influenced_revenue_submissions", technology.submissions_table(tp, portals, cal, k, seed))
    emit("partner_poc_forms", technology.poc_forms_table(tp, cal, k, seed))
    emit("compliance_escalations", technology.escalations_table(tp, cal, k, seed))
    emit("technology_tier_baseline", technology.baseline_table(tp, apps, cal, k, seed))
    del installs

    # solutions partner program
    deals = solutions.make_deals(segments, portals, sp, cal, k, seed)
    solutions.join_before_first_deal(sp, deals, seed)
    tech_rows = technology.partners_table(tp, seed)
    sol_rows = solutions.partners_table(sp, seed)
    emit("partners", {c: pa.concat_arrays([tech_rows[c], sol_rows[c]]) for c in tech_rows})
    for feed, columns in solutions.deal_tables(deals, portals, sp).items():
        emit(feed, columns)
    emit("partner_portal_activity", solutions.activity_table(deals, portals, sp, cal, k, seed))

    rows = w.finish()
    total, secs = sum(rows.values()), time.perf_counter() - t0
    say(f"generate: {total:,} rows in {len(rows)} feeds written to {out} in {secs:.1f}s")
    return rows
