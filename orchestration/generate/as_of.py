"""landing_as_of: the landing zone as it was delivered at the end of an earlier month.

Issue 18's "new month" case: the warehouse holds the feeds delivered at the end of month M-1, and the
next delivery (month M) re-delivers every feed as a full snapshot in which every row that existed at
M-1 and did not change is identical. The generator draws a window of months ending at its last month,
so two generations are two different worlds; this cuts one generated world back in time instead:

- a row is dropped when it happens after the cut (a usage month, an install, a review, a deal
  registered or closed, a proof signed, an activity, a partner joining, an app listed, ...);
- an end date after the cut (an app delisted, an install removed, an escalation resolved) is not known
  yet at the cut: it is null;
- rows of a deal that is dropped go with it (partners, line items, proofs, credit decisions), and the
  certifications of an app not listed yet go with the app.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from orchestration.defs.ingest.contract import FEEDS

# feed -> (WHERE that keeps a row at the cut, {column: expression after the cut}); `:end` is the last
# day of the cut month, `:next` the first day after it.
_RULES: dict[str, tuple[str, dict[str, str]]] = {
    "partners": ("joined_on <= :end", {}),
    # a portal exists (installs, usage, reviews) before its first purchase: every portal is kept
    "portals": ("true", {}),
    "portal_mrr_monthly": ("month <= :end", {}),
    "apps": ("listed_on <= :end", {"delisted_on": "CASE WHEN delisted_on <= :end THEN delisted_on END"}),
    "app_certifications": ("certified_on <= :end AND app_id IN (SELECT app_id FROM apps)", {}),
    "app_installs": (
        "installed_at < :next",
        {"uninstalled_at": "CASE WHEN uninstalled_at < :next THEN uninstalled_at END"},
    ),
    "app_usage_monthly": ("month <= :end", {}),
    "marketplace_reviews": ("submitted_at < :next", {}),
    "influenced_revenue_submissions": ("submitted_at < :next AND closed_on <= :end", {}),
    "partner_poc_forms": ("submitted_at < :next", {}),
    "compliance_escalations": (
        "opened_on <= :end",
        {"resolved_on": "CASE WHEN resolved_on <= :end THEN resolved_on END"},
    ),
    "technology_tier_baseline": ("true", {}),
    "deals": ("registered_on <= :end AND (closed_on IS NULL OR closed_on <= :end)", {}),
    "deal_partners": ("deal_id IN (SELECT deal_id FROM deals)", {}),
    "deal_line_items": ("deal_id IN (SELECT deal_id FROM deals)", {}),
    "proof_of_involvement": ("signed_at < :next AND deal_id IN (SELECT deal_id FROM deals)", {}),
    "partner_portal_activity": ("occurred_at < :next", {}),
    "credit_decisions": ("decided_on <= :end AND deal_id IN (SELECT deal_id FROM deals)", {}),
}


def landing_as_of(src: Path, dst: Path, last_month: date) -> dict[str, int]:
    """Write into `dst` (replaced) the landing zone `src` as delivered at the end of `last_month`,
    one Parquet file per feed; returns the rows per feed. Feeds absent from `src` stay absent."""
    src, dst = Path(src), Path(dst)
    if missing := sorted(set(_RULES) ^ {f.name for f in FEEDS}):
        raise RuntimeError(f"landing_as_of has no rule for, or an unknown feed: {missing}")
    if dst.exists():
        shutil.rmtree(dst)
    first_next = date(last_month.year + last_month.month // 12, last_month.month % 12 + 1, 1)
    end = date.fromordinal(first_next.toordinal() - 1)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    counts: dict[str, int] = {}
    try:
        for feed in FEEDS:  # contract order: deals come before the feeds that refer to them
            folder = src / feed.name
            files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
            if not files:
                continue
            keep, changed = _RULES[feed.name]
            columns = ", ".join(f"{changed.get(c, c)} AS {c}" for c in feed.column_names)
            sql = f"SELECT {columns} FROM read_parquet({[str(p) for p in files]!r}) WHERE {keep}"
            sql = sql.replace(":end", f"DATE '{end}'").replace(":next", f"TIMESTAMP '{first_next}'")
            con.execute(f"CREATE OR REPLACE TABLE {feed.name} AS {sql}")
            (dst / feed.name).mkdir(parents=True)
            con.execute(f"COPY {feed.name} TO '{dst / feed.name / 'part-0.parquet'}' (FORMAT parquet)")
            counts[feed.name] = con.execute(f"SELECT count(*) FROM {feed.name}").fetchone()[0]
    finally:
        con.close()
    return counts
