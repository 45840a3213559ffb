"""Reference implementation of rules.md Part A (Technology Partner tiers) in plain pandas.

Written from ../shared/spec/rules.md, feeds.md and product.md only, never from the dbt models, so
that tests/test_differential_technology.py can compare it with the marts
`fct_technology_partner_metrics`, `fct_technology_tier_requirements` and
`fct_technology_tier_evaluations`. Clarity first; vectorised where natural (it is also timed on
SF 0.01/0.1 data, so nothing is quadratic: every window is derived from partner x month rows).

Entry points: `read_landing(dir)` reads a landing zone into DataFrames (columns per feeds.md);
`evaluate(feeds, run_date, ...)` returns the three marts as DataFrames.

Conventions given by the project lead (not in rules.md, needed so both sides compare):
- Evaluation dates E are 15 Jan/Apr/Jul/Oct. The chain dates are every E <= run date and
  <= evaluation_to whose whole window W(E) (D2) lies within [min(month), max(month)] of
  `portal_mrr_monthly`. The A9 chain runs over every chain date from the first; the outputs hold
  the chain dates >= evaluation_from, with a row for every partner whose program is `technology`.
- C before the first chain date: the baseline tier, else `partner` when the partner has a live
  listing on E and no baseline row, else none (A9 row 2). Later dates: the tier_after of the current
  published version of the previous chain date when one exists, else the computed chain.
- Requirement rows exist only where A4 says required or preferred. status: pass/fail (required),
  pass/preferred_missing (preferred), not_enforced for the 2026 phase-in (A6, D9) whatever the
  result. value/threshold: decimals, 1/0 for yes/no requirements, null where undefined (avg_rating
  without reviews), of the branch that decided (`decided_by`, issue 12 item 5): the requirement's own,
  else `install_90d` (influenced_mrr passed on 90-day install MRR alone), else `exception` (A5).
  Premier `attached_mrr` / `influenced_mrr` satisfied through the A5 exception are `pass`.
- POC form used: the latest submitted (UTC date) on or before min(run date, E + 14 days).
- Amounts compare as exact decimals at 2 dp, ratings within 1e-9.

Readings of my own where rules.md leaves something open (the most literal one each time):
R1  "Latest" (D6 submissions, A7 POC forms) orders by the full `submitted_at` timestamp, then by
    the id (submission_id / form_id): D6 names the column `submitted_at`, the more specific rule;
    G1's UTC date is used for every window and cut-off (W, E + 14 days, the run date).
R2  D6: among the partner's `approved` submissions of a deal, the latest one is kept (pending and
    rejected rows are dropped first, so a later pending/rejected row never hides an approved one).
    Submissions are not filtered by the run date (G3 names only POC forms).
R3  D1 applies to every per-app fact by the month it falls in: usage (the usage month), the
    90-day installs (the month of the install date) and reviews (the month of the submission date).
R4  Attached MRR is unrounded for the threshold test (G2) and reported rounded half-up to 2 dp.
R5  X and X_perf are "the highest tier all of whose requirements pass", tier by tier (not
    cumulative): a Premier-by-exception partner may qualify for premier without qualifying for
    leading. `preferred_missing` and `not_enforced` never block. With no tier passing (no live
    listing) X and X_perf are `not_in_program`.
R6  `premier_exception_used` = X is premier while the standard attached/influenced path of Premier
    fails. A5: "true only when ... the exception makes the partner qualify for Premier", and A5
    lists the contacts and data sharing among the requirements that "still apply"; "qualifies on
    performance" (X_perf) is the phrase A7 uses when the form is set aside. So a partner that is
    premier on performance through the exception but lacks the form does not use the exception.
R7  Good standing (A8, D12): a responsible escalation with opened_on <= E and (resolved_on null or
    resolved_on >= E - 90 days). An escalation opened after E does not count; one resolved after E
    was open on E.
R8  The baseline's `effective_on` is not read: the baseline row is the tier in force before the
    first chain date whatever its date. But a current published tier of the evaluation date just
    before the first chain date (its quarterly predecessor, outside the chain because the data no
    longer cover its window) is used first: A9 "the tier_after of the previous evaluation date,
    taken from its current published version when one exists" and product.md "published tiers are
    facts". This refines the lead's convention, which lists only the baseline for the first date.
    When several published versions of a date are marked current, the highest version wins.
R9  Certification expiry default: certified_on + 2 calendar years (29 Feb -> 28 Feb).
R10 A contact is named when its e-mail is not null (feeds.md: null = not named); a blank string is
    therefore a name (the loader turns empty CSV cells into null; the generator writes no blanks).
R11 `pending_tier` is X_perf on rows 6 and 7 of A9 only, else null.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

NOT_IN_PROGRAM = "not_in_program"
TIERS: tuple[str, ...] = ("partner", "rising", "leading", "premier")
RANK: dict[str, int] = {NOT_IN_PROGRAM: 0, "partner": 1, "rising": 2, "leading": 3, "premier": 4}
# rules.md A9: the action of each row of the table, in order; row 11 (unchanged) is the default.
A9_ACTIONS: tuple[str, ...] = (
    "left_program",
    NOT_IN_PROGRAM,
    "joined",
    "upgrade_held_compliance",
    "upgrade",
    "upgrade_pending_poc_form",
    "upgrade_deferred_no_poc_form",
    "downgrade",
    "downgrade_waived_2026",
    "downgrade_not_in_window",
    "unchanged",
)
TIER_OF_RANK: dict[int, str] = {r: t for t, r in RANK.items()}
REQUIRED, PREFERRED = "required", "preferred"
PERFORMANCE_TIERS = ("rising", "leading", "premier")

# rules.md A4: the level of every requirement per tier ("-" = absent).
LEVELS: dict[str, dict[str, str]] = {
    "attached_mrr": dict.fromkeys(PERFORMANCE_TIERS, REQUIRED),
    "influenced_mrr": dict.fromkeys(PERFORMANCE_TIERS, REQUIRED),
    "review_count": dict.fromkeys(PERFORMANCE_TIERS, REQUIRED),
    "avg_rating": dict.fromkeys(PERFORMANCE_TIERS, REQUIRED),
    "live_listing": dict.fromkeys(TIERS, REQUIRED),
    "app_certification": {"leading": PREFERRED, "premier": REQUIRED},
    # D7: the table wins over the prose.
    "technical_contact": {"partner": PREFERRED, "rising": PREFERRED, "leading": REQUIRED, "premier": REQUIRED},
    "partnership_manager": {"leading": REQUIRED, "premier": REQUIRED},
    "executive_sponsor": {"leading": PREFERRED, "premier": REQUIRED},
    "data_sharing": {"leading": PREFERRED, "premier": REQUIRED},
}
# A7: what X_perf ignores (the POC form).
POC_REQUIREMENTS = frozenset({"technical_contact", "partnership_manager", "executive_sponsor", "data_sharing"})
CONTACT_COLUMNS = {
    "technical_contact": "technical_contact_email",
    "partnership_manager": "partnership_manager_email",
    "executive_sponsor": "executive_sponsor_email",
}


@dataclass(frozen=True)
class Rules:
    """Every threshold, window and calendar of Part A, copied from rules.md (not from the seeds)."""

    attached_mrr: dict[str, Decimal] = field(
        default_factory=lambda: {
            "rising": Decimal(400_000),
            "leading": Decimal(1_000_000),
            "premier": Decimal(7_000_000),
        }
    )
    influenced_deals_mrr: dict[str, Decimal] = field(
        default_factory=lambda: {"rising": Decimal(1_000), "leading": Decimal(5_000), "premier": Decimal(30_000)}
    )
    install_90d_mrr: dict[str, Decimal] = field(
        default_factory=lambda: {"rising": Decimal(5_000), "leading": Decimal(30_000), "premier": Decimal(100_000)}
    )
    review_count: dict[str, int] = field(default_factory=lambda: {"rising": 5, "leading": 5, "premier": 10})
    avg_rating: dict[str, Decimal] = field(
        default_factory=lambda: {"rising": Decimal("3.5"), "leading": Decimal("4.0"), "premier": Decimal("4.0")}
    )
    premier_exception_deals_mrr: Decimal = Decimal(100_000)  # A5
    # A6, D9: (requirement, tier) not enforced before `enforced_from`.
    phase_in: frozenset[tuple[str, str]] = frozenset(
        {("review_count", t) for t in PERFORMANCE_TIERS}
        | {("avg_rating", t) for t in PERFORMANCE_TIERS}
        | {("app_certification", "premier")}
    )
    enforced_from: date = date(2027, 1, 1)
    evaluation_months: tuple[int, ...] = (1, 4, 7, 10)  # A2
    evaluation_day: int = 15
    window_months: int = 12  # D2
    downgrade_months: tuple[int, ...] = (1, 7)  # A2
    no_downgrade_before: date = date(2027, 1, 1)  # A2
    install_days: int = 90  # A3, D5
    poc_form_days: int = 14  # A7, D10
    good_standing_days: int = 90  # A8, D12
    certification_years: int = 2  # D8
    excluded_product_lines: tuple[str, ...] = ("credit_overage",)  # D3
    passing_data_sharing: tuple[str, ...] = ("crossbeam", "other_approved")  # A4


RULES = Rules()


@dataclass
class TechnologyReference:
    metrics: pd.DataFrame
    requirements: pd.DataFrame
    evaluations: pd.DataFrame
    chain_dates: list[date]


# ---------------------------------------------------------------------------------------------
# Reading a landing zone (feeds.md layout)

FEED_COLUMNS: dict[str, dict[str, str]] = {
    "partners": {"partner_id": "str", "program": "str"},
    "portals": {"portal_id": "str", "first_purchase_on": "date"},
    "portal_mrr_monthly": {"portal_id": "str", "month": "date", "product_line": "str", "mrr_usd": "dec"},
    "apps": {"app_id": "str", "partner_id": "str", "listed_on": "date", "delisted_on": "date"},
    "app_certifications": {"app_id": "str", "certified_on": "date", "expires_on": "date", "status": "str"},
    "app_installs": {
        "install_id": "str",
        "app_id": "str",
        "portal_id": "str",
        "installed_at": "ts",
        "uninstalled_at": "ts",
    },
    "app_usage_monthly": {"app_id": "str", "portal_id": "str", "month": "date", "api_calls": "int"},
    "marketplace_reviews": {
        "review_id": "str",
        "app_id": "str",
        "rating": "int",
        "submitted_at": "ts",
        "status": "str",
    },
    "influenced_revenue_submissions": {
        "submission_id": "str",
        "partner_id": "str",
        "deal_id": "str",
        "mrr_usd": "dec",
        "closed_on": "date",
        "submitted_at": "ts",
        "review_status": "str",
    },
    "partner_poc_forms": {
        "form_id": "str",
        "partner_id": "str",
        "submitted_at": "ts",
        "technical_contact_email": "str",
        "partnership_manager_email": "str",
        "executive_sponsor_email": "str",
        "data_sharing": "str",
    },
    "compliance_escalations": {"partner_id": "str", "opened_on": "date", "resolved_on": "date", "responsible": "bool"},
    "technology_tier_baseline": {"partner_id": "str", "tier": "str"},
}


def read_landing(landing: Path) -> dict[str, pd.DataFrame]:
    """Every Part A feed of a landing zone (all *.csv / *.parquet of its folder), raw values as read."""
    frames: dict[str, pd.DataFrame] = {}
    for feed, columns in FEED_COLUMNS.items():
        folder = Path(landing) / feed
        parts = []
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() == ".csv":
                    parts.append(pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]))
                elif path.suffix.lower() == ".parquet":
                    parts.append(pd.read_parquet(path))
        parts = [p[[c for c in columns if c in p.columns]] for p in parts]
        frames[feed] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(columns))
    return frames


def _dates(s: pd.Series) -> pd.Series:
    """A date column as datetime64 at midnight (NaT for null)."""
    return pd.to_datetime(s, format="ISO8601").astype("datetime64[ns]").dt.normalize()


def _utc_timestamps(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="ISO8601", utc=True).dt.tz_convert(None).astype("datetime64[ns]")


def _utc_dates(s: pd.Series) -> pd.Series:
    """G1: a timestamp column reduced to its UTC calendar date."""
    return _utc_timestamps(s).dt.normalize()


def _cents(s: pd.Series) -> pd.Series:
    """G2: 2-dp amounts as exact integer cents."""
    return np.round(pd.to_numeric(s.astype(object).astype(str).where(s.notna()), errors="raise") * 100).astype("Int64")


def _bools(s: pd.Series) -> pd.Series:
    if s.dtype == bool:
        return s
    return s.astype(str).str.strip().str.lower().eq("true")


def _normalise(feeds: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for feed, columns in FEED_COLUMNS.items():
        df = feeds.get(feed)
        df = pd.DataFrame(columns=list(columns)) if df is None else df.copy()
        for col in columns:
            if col not in df.columns:
                df[col] = None
        df = df[list(columns)].reset_index(drop=True)
        for col, kind in columns.items():
            if kind == "str":
                df[col] = df[col].astype(object).where(df[col].notna(), None)
            elif kind == "date":
                df[col] = _dates(df[col])
            elif kind == "ts":
                df[f"{col}_ts"] = _utc_timestamps(df[col])  # R1: "latest" orders by the timestamp
                df[col] = _utc_dates(df[col])
            elif kind == "dec":
                df[col] = _cents(df[col]) if len(df) else pd.Series(dtype="Int64")
            elif kind == "int":
                df[col] = pd.to_numeric(df[col]).astype("Int64") if len(df) else pd.Series(dtype="Int64")
            elif kind == "bool":
                df[col] = _bools(df[col]) if len(df) else pd.Series(dtype=bool)
        out[feed] = df
    return out


# ---------------------------------------------------------------------------------------------
# Calendar (A2, D2, G4)


def _month_index(d: pd.Series) -> pd.Series:
    return d.dt.year * 12 + d.dt.month - 1


NEVER = 10**6  # a month index after any date


def _month_or_never(d: pd.Series, next_month_after_first_day: bool = False) -> pd.Series:
    """The month index of a closing date (null -> NEVER); with `next_month_after_first_day`, the first
    month the date no longer touches from its 1st (a delisting on the 2nd still counts that month)."""
    idx = _month_index(d)
    if next_month_after_first_day:
        idx = idx + (d.dt.day > 1).astype("int64")
    return idx.fillna(NEVER).astype("int64")


def quarter_start_index(e: date) -> int:
    """Month index of the first month of E's quarter."""
    return e.year * 12 + 3 * ((e.month - 1) // 3)


def window_months(e: date, rules: Rules = RULES) -> range:
    """D2: the month indexes of W(E), the 12 complete months before E's quarter."""
    q = quarter_start_index(e)
    return range(q - rules.window_months, q)


def previous_evaluation_date(e: date, rules: Rules = RULES) -> date:
    """The evaluation date just before E (one quarter earlier)."""
    months = sorted(rules.evaluation_months)
    i = months.index(e.month)
    return (
        date(e.year, months[i - 1], rules.evaluation_day) if i else date(e.year - 1, months[-1], rules.evaluation_day)
    )


def chain_dates(mrr_months: pd.Series, run_date: date, evaluation_to: date | None, rules: Rules = RULES) -> list[date]:
    """Every evaluation date the data covers (lead's convention on top of A2 / G3)."""
    if mrr_months.dropna().empty:
        return []
    idx = _month_index(mrr_months.dropna())
    first, last = int(idx.min()), int(idx.max())
    out = []
    for year in range(first // 12, last // 12 + 2):
        for month in rules.evaluation_months:
            e = date(year, month, rules.evaluation_day)
            w = window_months(e, rules)
            if e <= run_date and (evaluation_to is None or e <= evaluation_to) and w[0] >= first and w[-1] <= last:
                out.append(e)
    return sorted(out)


def _timestamps(dates: list[date]) -> pd.Series:
    return pd.Series(pd.to_datetime(dates), dtype="datetime64[ns]")


def _window_frame(dates: list[date], rules: Rules) -> pd.DataFrame:
    """(evaluation_date, m) for every month m of every W(E)."""
    rows = [(e, m) for e in dates for m in window_months(e, rules)]
    frame = pd.DataFrame(rows, columns=["evaluation_date", "m"]).astype({"m": "int64"})
    frame["evaluation_date"] = _timestamps(list(frame["evaluation_date"]))
    return frame


def _listed_in_month(df: pd.DataFrame, m: str = "m") -> pd.Series:
    """D1: listed_on <= last day of the month and (delisted_on null or delisted_on > first day).

    In month indexes: listed_m <= m, and m < delisted_m, or m == delisted_m when delisted after the 1st.
    """
    return (df["listed_from_m"] <= df[m]) & (df[m] < df["listed_until_m"])


def _live_on(df: pd.DataFrame, e: str = "evaluation_date") -> pd.Series:
    """A4 live listing: listed_on <= E and (delisted_on null or delisted_on > E)."""
    return (df["listed_on"] <= df[e]) & (df["delisted_on"].isna() | (df["delisted_on"] > df[e]))


# ---------------------------------------------------------------------------------------------
# Metrics (A3)


def _portal_mrr(feeds: dict[str, pd.DataFrame], rules: Rules) -> pd.DataFrame:
    """D3: portal x month MRR in cents, credit_overage excluded."""
    mrr = feeds["portal_mrr_monthly"]
    mrr = mrr[~mrr["product_line"].isin(rules.excluded_product_lines)]
    out = mrr.assign(m=_month_index(mrr["month"])).groupby(["portal_id", "m"], as_index=False)["mrr_usd"].sum()
    return out.rename(columns={"mrr_usd": "portal_mrr"}).astype({"portal_mrr": "int64"})


def _attached_month_sums(
    feeds: dict[str, pd.DataFrame], portal_mrr: pd.DataFrame, windows: pd.DataFrame
) -> pd.DataFrame:
    """A3 attached MRR: per partner and E, the sum over W of the monthly attached MRR (cents)."""
    usage = feeds["app_usage_monthly"]
    usage = usage[usage["api_calls"].fillna(0) > 0]
    usage = usage.assign(m=_month_index(usage["month"]))[["app_id", "portal_id", "m"]].drop_duplicates()
    installs = feeds["app_installs"][["app_id", "portal_id", "installed_at", "uninstalled_at"]]
    active = usage.merge(installs, on=["app_id", "portal_id"])
    # D4: the install is live on at least one day of the month.
    # installed_at <= last day of m  and  (uninstalled_at null or >= first day of m), in month indexes
    live = (_month_index(active["installed_at"]) <= active["m"]) & (
        _month_or_never(active["uninstalled_at"]) >= active["m"]
    )
    active = active[live][["app_id", "portal_id", "m"]].drop_duplicates()
    active = active.merge(feeds["apps"], on="app_id")
    active = active[_listed_in_month(active)]  # D1
    # Distinct portals per partner and month, across all its apps.
    pm = active[["partner_id", "portal_id", "m"]].drop_duplicates()
    pm = pm.merge(portal_mrr, on=["portal_id", "m"], how="left").fillna({"portal_mrr": 0})
    monthly = pm.groupby(["partner_id", "m"], as_index=False)["portal_mrr"].sum()
    per_e = (
        monthly.merge(windows, on="m").groupby(["partner_id", "evaluation_date"], as_index=False)["portal_mrr"].sum()
    )
    return per_e.rename(columns={"portal_mrr": "attached_sum_cents"})


def _install_90d(
    feeds: dict[str, pd.DataFrame], portal_mrr: pd.DataFrame, windows: pd.DataFrame, rules: Rules
) -> pd.DataFrame:
    """A3, D5: 90-day install MRR per partner and E (cents)."""
    inst = feeds["app_installs"][["app_id", "portal_id", "installed_at"]]
    inst = inst.merge(feeds["portals"], on="portal_id").merge(feeds["apps"], on="app_id")
    fp = inst["first_purchase_on"]
    inst = inst[
        fp.notna() & (inst["installed_at"] >= fp) & (inst["installed_at"] <= fp + pd.Timedelta(days=rules.install_days))
    ]
    inst = inst.assign(m=_month_index(inst["installed_at"]))
    inst = inst[_listed_in_month(inst)]  # D1 (reading R3)
    inst = inst.merge(windows, on="m")  # install dated in W(E)
    first = inst.sort_values("installed_at").drop_duplicates(["partner_id", "portal_id", "evaluation_date"])
    first = first.merge(portal_mrr, on=["portal_id", "m"], how="left").fillna({"portal_mrr": 0})
    out = first.groupby(["partner_id", "evaluation_date"], as_index=False)["portal_mrr"].sum()
    return out.rename(columns={"portal_mrr": "install_90d_cents"})


def _influenced(feeds: dict[str, pd.DataFrame], windows: pd.DataFrame) -> pd.DataFrame:
    """A3, D6: influenced-deals MRR per partner and E (cents)."""
    sub = feeds["influenced_revenue_submissions"]
    sub = sub[sub["review_status"] == "approved"]
    sub = sub.sort_values(["partner_id", "deal_id", "submitted_at_ts", "submission_id"])
    latest = sub.drop_duplicates(["partner_id", "deal_id"], keep="last")
    latest = latest.assign(m=_month_index(latest["closed_on"])).merge(windows, on="m")
    out = latest.groupby(["partner_id", "evaluation_date"], as_index=False)["mrr_usd"].sum()
    return out.rename(columns={"mrr_usd": "influenced_cents"})


def _reviews(feeds: dict[str, pd.DataFrame], windows: pd.DataFrame) -> pd.DataFrame:
    """A3: published reviews submitted in W across the partner's apps (count, sum of ratings)."""
    rev = feeds["marketplace_reviews"]
    rev = rev[rev["status"] == "published"].merge(feeds["apps"], on="app_id")
    rev = rev.assign(m=_month_index(rev["submitted_at"]))
    rev = rev[_listed_in_month(rev)]  # D1
    rev = rev.merge(windows, on="m")
    return rev.groupby(["partner_id", "evaluation_date"], as_index=False).agg(
        review_count=("rating", "size"), rating_sum=("rating", "sum")
    )


# ---------------------------------------------------------------------------------------------
# Per-date facts (A4, A7, A8)


def _by_date(df: pd.DataFrame, dates: list[date]) -> pd.DataFrame:
    """Cross join with the chain dates (the per-date feeds are small: apps, forms, escalations)."""
    return df.merge(pd.DataFrame({"evaluation_date": _timestamps(dates)}), how="cross")


def _live_and_certified(feeds: dict[str, pd.DataFrame], dates: list[date], rules: Rules) -> pd.DataFrame:
    apps = _by_date(feeds["apps"], dates)
    live = apps[_live_on(apps)]
    certs = feeds["app_certifications"]
    certs = certs[certs["status"] == "certified"]
    expires = certs["expires_on"].where(
        certs["expires_on"].notna(), certs["certified_on"] + pd.DateOffset(years=rules.certification_years)
    )
    certs = _by_date(certs.assign(expires=expires), dates)
    valid = certs[(certs["certified_on"] <= certs["evaluation_date"]) & (certs["evaluation_date"] < certs["expires"])]
    valid = valid[["app_id", "evaluation_date"]].drop_duplicates().assign(certified=True)
    live = live.merge(valid, on=["app_id", "evaluation_date"], how="left").fillna({"certified": False})
    return live.groupby(["partner_id", "evaluation_date"], as_index=False).agg(
        live_apps=("app_id", "nunique"), certified_live_apps=("certified", "sum")
    )


def _poc_forms(feeds: dict[str, pd.DataFrame], dates: list[date], run_date: date, rules: Rules) -> pd.DataFrame:
    """A7: the latest form submitted on or before min(run date, E + 14 days) (reading R1)."""
    forms = _by_date(feeds["partner_poc_forms"], dates)
    cutoff = (forms["evaluation_date"] + pd.Timedelta(days=rules.poc_form_days)).clip(upper=pd.Timestamp(run_date))
    forms = forms[forms["submitted_at"] <= cutoff]
    forms = forms.sort_values(["partner_id", "evaluation_date", "submitted_at_ts", "form_id"])
    latest = forms.drop_duplicates(["partner_id", "evaluation_date"], keep="last")
    out = latest[["partner_id", "evaluation_date"]].copy()
    for req, col in CONTACT_COLUMNS.items():
        out[req] = latest[col].notna()
    out["data_sharing"] = latest["data_sharing"].isin(rules.passing_data_sharing)
    return out


def _not_in_good_standing(feeds: dict[str, pd.DataFrame], dates: list[date], rules: Rules) -> pd.DataFrame:
    """A8, D12 (reading R7)."""
    esc = feeds["compliance_escalations"]
    esc = _by_date(esc[esc["responsible"]], dates)
    e = esc["evaluation_date"]
    hit = (esc["opened_on"] <= e) & (
        esc["resolved_on"].isna() | (esc["resolved_on"] >= e - pd.Timedelta(days=rules.good_standing_days))
    )
    return esc[hit][["partner_id", "evaluation_date"]].drop_duplicates().assign(held=True)


# ---------------------------------------------------------------------------------------------
# Requirements (A4, A5, A6, A10)


def _to_cents(amount: Decimal) -> int:
    return int(amount * 100)


def _money(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def _mean_money(sum_cents: int, months: int) -> Decimal:
    """R4: the 12-month mean, rounded half-up to 2 dp for display only."""
    return (Decimal(int(sum_cents)) / (100 * months)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _decided(decided: pd.Series, own: pd.Series, b: pd.DataFrame, rules: Rules, tier: str, what: str) -> pd.Series:
    """The value or threshold of the deciding branch (own unless install_90d or exception decided)."""
    if what == "value":
        install, exception = b["install_90d_mrr"], b["influenced_deals_mrr"]
    else:
        install = pd.Series(rules.install_90d_mrr.get(tier), index=b.index, dtype=object)
        exception = pd.Series(rules.premier_exception_deals_mrr, index=b.index, dtype=object)
    out = own.where(decided != "install_90d", install)
    return out.where(decided != "exception", exception)


def _requirement_rows(base: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One row per partner, date, tier and requirement present in A4."""
    b = base
    months = rules.window_months
    parts = []
    for requirement, levels in LEVELS.items():
        for tier, level in levels.items():
            # issue 12 item 5: value/threshold of the branch that decided (own threshold, the A4
            # 90-day alternative, the A5 exception), in that order; a failing row shows its own.
            decided = pd.Series("threshold", index=b.index, dtype=object)
            if requirement == "attached_mrr":
                thr = rules.attached_mrr[tier]
                value = b["attached_mrr"]
                ok = b["attached_sum_cents"] >= _to_cents(thr) * months  # G2: unrounded mean
                own = ok
                if tier == "premier":  # A5
                    exc = b["influenced_cents"] >= _to_cents(rules.premier_exception_deals_mrr)
                    decided = decided.where(own | ~exc, "exception")
                    ok = ok | exc
            elif requirement == "influenced_mrr":
                thr = rules.influenced_deals_mrr[tier]
                value = b["influenced_deals_mrr"]
                own = b["influenced_cents"] >= _to_cents(thr)
                alt = b["install_90d_cents"] >= _to_cents(rules.install_90d_mrr[tier])
                decided = decided.where(own | ~alt, "install_90d")
                ok = own | alt
                if tier == "premier":  # A5
                    exc = b["influenced_cents"] >= _to_cents(rules.premier_exception_deals_mrr)
                    decided = decided.where(ok | ~exc, "exception")
                    ok = ok | exc
            elif requirement == "review_count":
                thr = Decimal(rules.review_count[tier])
                value = b["review_count"].map(Decimal)
                ok = b["review_count"] >= rules.review_count[tier]
            elif requirement == "avg_rating":
                thr = rules.avg_rating[tier]
                value = b["avg_rating"]
                # exact: sum of ratings >= threshold x count; undefined (no reviews) fails
                ok = (b["review_count"] > 0) & (b["rating_sum"] >= b["review_count"] * float(thr))
            elif requirement == "live_listing":
                thr, ok = Decimal(1), b["live_listing"]
            elif requirement == "app_certification":
                thr, ok = Decimal(1), b["certified_live_apps"] > 0
            else:  # contacts and data sharing from the POC form (A7)
                thr, ok = Decimal(1), b[requirement]
            if requirement in ("live_listing", "app_certification") or requirement in POC_REQUIREMENTS:
                value = ok.map(lambda x: Decimal(1) if x else Decimal(0))
            ok = ok.astype(bool)
            status = np.where(ok, "pass", "fail") if level == REQUIRED else np.where(ok, "pass", "preferred_missing")
            if (requirement, tier) in rules.phase_in:
                status = np.where(b["evaluation_date"] < pd.Timestamp(rules.enforced_from), "not_enforced", status)
            parts.append(
                pd.DataFrame(
                    {
                        "partner_id": b["partner_id"],
                        "evaluation_date": b["evaluation_date"],
                        "tier": tier,
                        "requirement": requirement,
                        "value": _decided(decided, value.astype(object), b, rules, tier, "value"),
                        "threshold": _decided(
                            decided, pd.Series(thr, index=b.index, dtype=object), b, rules, tier, "threshold"
                        ),  # fmt: skip
                        "status": status,
                        "decided_by": decided,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def _qualified(req: pd.DataFrame) -> pd.DataFrame:
    """A7: X and X_perf (reading R5)."""
    r = req.assign(
        blocks=req["status"].eq("fail"),
        blocks_perf=req["status"].eq("fail") & ~req["requirement"].isin(POC_REQUIREMENTS),
        rank=req["tier"].map(RANK),
    )
    per_tier = r.groupby(["partner_id", "evaluation_date", "rank"], as_index=False)[["blocks", "blocks_perf"]].any()
    keys = ["partner_id", "evaluation_date"]
    x = per_tier[~per_tier["blocks"]].groupby(keys)["rank"].max().rename("x_rank")
    xp = per_tier[~per_tier["blocks_perf"]].groupby(keys)["rank"].max().rename("xp_rank")
    out = per_tier[keys].drop_duplicates().set_index(keys).join(x).join(xp).fillna(0).astype("int64")
    return out.reset_index()


# ---------------------------------------------------------------------------------------------
# The chain (A9)


def _chain(
    base: pd.DataFrame,
    dates: list[date],
    run_date: date,
    baseline: pd.DataFrame,
    published: pd.DataFrame,
    rules: Rules,
) -> pd.DataFrame:
    baseline_tier = baseline.drop_duplicates("partner_id", keep="last").set_index("partner_id")["tier"]
    pub = published[published["is_current"]].sort_values("version")
    pub = pub.drop_duplicates(["partner_id", "evaluation_date"], keep="last")
    pub_tier = pub.set_index(["partner_id", "evaluation_date"])["tier_after"]
    out = []
    previous: pd.Series | None = None  # tier_after by partner at the previous chain date
    previous_date: pd.Timestamp | None = None
    for e in dates:
        ts = pd.Timestamp(e)
        rows = base[base["evaluation_date"] == ts].set_index("partner_id")
        live = rows["live_listing"].astype(bool)

        def published_on(day: pd.Timestamp, rows: pd.DataFrame = rows) -> pd.Series:
            return pd.Series([pub_tier.get((p, day)) for p in rows.index], index=rows.index, dtype=object)

        if previous is None:  # reading R8
            published_prev = published_on(pd.Timestamp(previous_evaluation_date(e, rules)))
            c = pd.Series(rows.index.map(baseline_tier), index=rows.index, dtype=object)
            c = c.where(c.notna(), pd.Series(np.where(live, "partner", None), index=rows.index, dtype=object))
            c = published_prev.where(published_prev.notna(), c)
        else:
            published_prev = published_on(previous_date)
            c = published_prev.where(published_prev.notna(), previous.reindex(rows.index))
        c = c.astype(object).where(c.notna(), None)
        r_c = c.map(lambda t: RANK[t] if t is not None else -1).astype("int64")
        r_x, r_xp = rows["x_rank"], rows["xp_rank"]
        good = ~rows["held"]
        within_poc_window = run_date <= e + timedelta(days=rules.poc_form_days)
        c_absent = c.isna() | c.eq(NOT_IN_PROGRAM)
        up = r_xp > r_c
        down = r_x < r_c
        conditions = [
            ~live & ~c_absent,  # 1
            ~live,  # 2
            live & c.eq(NOT_IN_PROGRAM),  # 3
            up & ~good,  # 4
            up & (r_x == r_xp),  # 5
            up & within_poc_window,  # 6
            up,  # 7
            down & (e.month in rules.downgrade_months) & (e >= rules.no_downgrade_before),  # 8
            down & (e < rules.no_downgrade_before),  # 9
            down,  # 10 (April / October)
        ]
        max_c_x = np.maximum(r_c, r_x)
        after_rank = [0, 0, RANK["partner"], r_c, r_xp, max_c_x, max_c_x, r_x, r_c, r_c]
        action = np.select(conditions, list(A9_ACTIONS[:-1]), default=A9_ACTIONS[-1])
        after = pd.Series(np.select(conditions, after_rank, default=r_c), index=rows.index).map(TIER_OF_RANK)
        if (live & c.isna()).any():  # cannot happen: a live partner without baseline starts at partner
            raise AssertionError("live partner with no tier in force")
        pending = np.isin(action, ["upgrade_pending_poc_form", "upgrade_deferred_no_poc_form"])
        exception_used = (r_x == RANK["premier"]) & ~rows["premier_standard_path"]
        out.append(
            pd.DataFrame(
                {
                    "partner_id": rows.index,
                    "evaluation_date": ts,
                    "tier_before": c.values,
                    "qualified_tier_on_performance": r_xp.map(TIER_OF_RANK).values,
                    "qualified_tier": r_x.map(TIER_OF_RANK).values,
                    "tier_after": after.values,
                    "action": action,
                    "pending_tier": np.where(pending, r_xp.map(TIER_OF_RANK).values, None),
                    "premier_exception_used": exception_used.values.astype(bool),
                    "in_good_standing": good.values.astype(bool),
                }
            )
        )
        previous, previous_date = after, ts
    if not out:
        return pd.DataFrame(columns=EVALUATION_COLUMNS)
    return pd.concat(out, ignore_index=True)


METRIC_COLUMNS = [
    "partner_id",
    "evaluation_date",
    "attached_mrr",
    "install_90d_mrr",
    "influenced_deals_mrr",
    "review_count",
    "avg_rating",
]
REQUIREMENT_COLUMNS = ["partner_id", "evaluation_date", "tier", "requirement", "value", "threshold", "status",
                       "decided_by"]  # fmt: skip
EVALUATION_COLUMNS = [
    "partner_id",
    "evaluation_date",
    "tier_before",
    "qualified_tier_on_performance",
    "qualified_tier",
    "tier_after",
    "action",
    "pending_tier",
    "premier_exception_used",
    "in_good_standing",
]


def evaluate(
    feeds: Mapping[str, pd.DataFrame],
    run_date: date,
    evaluation_from: date | None = None,
    evaluation_to: date | None = None,
    published: pd.DataFrame | None = None,
    rules: Rules = RULES,
) -> TechnologyReference:
    """Part A for every chain date: the metrics, requirements and evaluations marts."""
    f = _normalise(feeds)
    apps = f["apps"]
    apps["listed_from_m"] = _month_index(apps["listed_on"]).astype("int64")
    apps["listed_until_m"] = _month_or_never(apps["delisted_on"], next_month_after_first_day=True)
    dates = chain_dates(f["portal_mrr_monthly"]["month"], run_date, evaluation_to, rules)
    partners = f["partners"]
    tech = sorted(partners.loc[partners["program"] == "technology", "partner_id"].dropna().unique())
    if not dates or not tech:
        return TechnologyReference(
            pd.DataFrame(columns=METRIC_COLUMNS),
            pd.DataFrame(columns=REQUIREMENT_COLUMNS),
            pd.DataFrame(columns=EVALUATION_COLUMNS),
            dates,
        )
    windows = _window_frame(dates, rules)
    portal_mrr = _portal_mrr(f, rules)
    keys = ["partner_id", "evaluation_date"]
    base = pd.MultiIndex.from_product([tech, _timestamps(dates)], names=keys).to_frame(index=False)
    for part in (
        _attached_month_sums(f, portal_mrr, windows),
        _install_90d(f, portal_mrr, windows, rules),
        _influenced(f, windows),
        _reviews(f, windows),
        _live_and_certified(f, dates, rules),
        _poc_forms(f, dates, run_date, rules),
        _not_in_good_standing(f, dates, rules),
    ):
        base = base.merge(part, on=keys, how="left")
    zero = [
        "attached_sum_cents",
        "install_90d_cents",
        "influenced_cents",
        "review_count",
        "rating_sum",
        "live_apps",
        "certified_live_apps",
    ]
    base[zero] = base[zero].fillna(0).astype("int64")
    flags = ["technical_contact", "partnership_manager", "executive_sponsor", "data_sharing", "held"]
    base[flags] = base[flags].astype(object).fillna(False).astype(bool)
    base["live_listing"] = base["live_apps"] > 0
    base["attached_mrr"] = base["attached_sum_cents"].map(lambda c: _mean_money(c, rules.window_months))
    base["install_90d_mrr"] = base["install_90d_cents"].map(_money)
    base["influenced_deals_mrr"] = base["influenced_cents"].map(_money)
    base["avg_rating"] = [s / n if n else None for s, n in zip(base["rating_sum"], base["review_count"], strict=True)]
    base["avg_rating"] = base["avg_rating"].astype(object)
    premier = "premier"
    base["premier_standard_path"] = (
        base["attached_sum_cents"] >= int(rules.attached_mrr[premier] * 100) * rules.window_months
    ) & (
        (base["influenced_cents"] >= int(rules.influenced_deals_mrr[premier] * 100))
        | (base["install_90d_cents"] >= int(rules.install_90d_mrr[premier] * 100))
    )

    requirements = _requirement_rows(base, rules)
    base = base.merge(_qualified(requirements), on=keys, how="left")

    pub = (
        published
        if published is not None
        else pd.DataFrame(columns=["partner_id", "evaluation_date", "version", "tier_after", "is_current"])
    )
    pub = pub.assign(
        evaluation_date=_dates(pub["evaluation_date"]) if len(pub) else pd.Series(dtype="datetime64[ns]"),
        is_current=_bools(pub["is_current"]) if len(pub) else pd.Series(dtype=bool),
    )
    evaluations = _chain(base, dates, run_date, f["technology_tier_baseline"], pub, rules)

    keep_from = pd.Timestamp(evaluation_from) if evaluation_from else pd.Timestamp.min
    metrics = base.loc[base["evaluation_date"] >= keep_from, METRIC_COLUMNS]
    requirements = requirements.loc[requirements["evaluation_date"] >= keep_from, REQUIREMENT_COLUMNS]
    evaluations = evaluations.loc[evaluations["evaluation_date"] >= keep_from, EVALUATION_COLUMNS]
    return TechnologyReference(
        metrics.reset_index(drop=True),
        requirements.reset_index(drop=True),
        evaluations.reset_index(drop=True),
        dates,
    )
