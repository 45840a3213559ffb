"""Words and number formats a partner manager reads (the ids stay in the files and the URLs)."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from orchestration.program import PROGRAM

TIER_LABELS = {
    "not_in_program": "Not in program",
    "partner": "Partner",
    "rising": "Rising",
    "leading": "Leading",
    "premier": "Premier",
}

# rules.md A9
ACTION_LABELS = {
    "left_program": "Left the program",
    "not_in_program": "Not in program",
    "joined": "Joined",
    "upgrade_held_compliance": "Upgrade held (good standing)",
    "upgrade": "Upgrade",
    "upgrade_pending_poc_form": "Upgrade pending POC form",
    "upgrade_deferred_no_poc_form": "Upgrade deferred (no POC form)",
    "downgrade": "Downgrade",
    "downgrade_waived_2026": "Downgrade waived (2026)",
    "downgrade_not_in_window": "Downgrade not in window",
    "unchanged": "Unchanged",
}

# rules.md A4
REQUIREMENT_LABELS = {
    "attached_mrr": "Attached MRR (12-month mean)",
    "influenced_mrr": "Influenced-deals MRR",
    "review_count": "Reviews in the window",
    "avg_rating": "Average rating",
    "live_listing": "Live app listing",
    "app_certification": "Certified app",
    "technical_contact": "Technical contact",
    "partnership_manager": "Partnership manager",
    "executive_sponsor": "Executive sponsor",
    "data_sharing": "Data-sharing method",
}
REQUIREMENT_SHORT = {
    "attached_mrr": "Attached MRR",
    "influenced_mrr": "Influenced MRR",
    "review_count": "Reviews",
    "avg_rating": "Rating",
    "live_listing": "Live listing",
    "app_certification": "Certification",
    "technical_contact": "Tech contact",
    "partnership_manager": "Partnership manager",
    "executive_sponsor": "Exec sponsor",
    "data_sharing": "Data sharing",
}
MONEY_REQUIREMENTS = {"attached_mrr", "influenced_mrr"}
COUNT_REQUIREMENTS = {"review_count"}
RATING_REQUIREMENTS = {"avg_rating"}

STATUS_LABELS = {
    "pass": "Pass",
    "fail": "Fail",
    "not_enforced": "Not enforced (2026)",
    "preferred_missing": "Preferred, missing",
}
LEVEL_LABELS = {
    "required": "Required",
    "preferred": "Preferred",
    "considered": "Considered",
    "prioritized": "Prioritized",
    "guaranteed": "Guaranteed",
}


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def money(v: Any) -> str:
    if _missing(v):
        return "—"
    return f"${Decimal(str(v)).quantize(Decimal('0.01')):,}"


def number(v: Any) -> str:
    if _missing(v):
        return "—"
    f = float(v)
    return f"{int(f):,}" if f.is_integer() else f"{f:,.2f}"


def rating(v: Any) -> str:
    return "—" if _missing(v) else f"{float(v):.2f}"


def long_date(d: date | None) -> str:
    return "—" if d is None else f"{d.day} {d:%B %Y}"


def short_date(d: date | None) -> str:
    return "—" if d is None else d.isoformat()


def timestamp(text: str | datetime | None) -> str:
    if not text:
        return "—"
    try:
        t = text if isinstance(text, datetime) else datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    return t.strftime("%Y-%m-%d %H:%M UTC")


def tier_label(t: str | None) -> str:
    return "None" if t is None else TIER_LABELS.get(t, t)


def action_label(a: str | None) -> str:
    return "—" if a is None else ACTION_LABELS.get(a, a)


def requirement_label(r: str) -> str:
    return REQUIREMENT_LABELS.get(r, r)


def requirement_short(r: str) -> str:
    return REQUIREMENT_SHORT.get(r, r)


def status_label(s: str) -> str:
    return STATUS_LABELS.get(s, s)


def level_label(s: str | None) -> str:
    return "—" if not s else LEVEL_LABELS.get(s, s)


def requirement_value(v: Any, requirement: str) -> str:
    """A value or threshold in the requirement's unit: USD, a count, a rating, or yes/no."""
    if _missing(v):
        return "—"
    if requirement in MONEY_REQUIREMENTS:
        return money(v)
    if requirement in COUNT_REQUIREMENTS:
        return number(v)
    if requirement in RATING_REQUIREMENTS:
        return rating(v)
    return "Yes" if float(v) >= 1 else "No"


def byte_size(n: Any) -> str:
    if _missing(n):
        return "—"
    n = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def shortfall_value(v: Any, requirement: str) -> str:
    """What is missing: an amount, a count, rating points, or the yes/no requirement itself."""
    if _missing(v):
        return ""
    if requirement in MONEY_REQUIREMENTS:
        return money(v)
    if requirement in COUNT_REQUIREMENTS:
        return number(v)
    if requirement in RATING_REQUIREMENTS:
        return f"{float(v):.2f} pts"
    return "Missing"


# rules.md A9, D11, D13: what each action means, in one sentence for the partner page.
ACTION_EXPLANATIONS = {
    "left_program": "Left the program: no live app listing on the evaluation date.",
    "not_in_program": "Not in the program: no live app listing on the evaluation date.",
    "joined": "Joined the program at {after} with its first live listing.",
    "upgrade_held_compliance": "Qualifies for a higher tier on performance but is not in good standing: "
    "the tier stays {after}.",
    "upgrade": "Moved up from {before} to {after}: it meets every requirement of {after}.",
    "upgrade_pending_poc_form": "Qualifies for {pending} on performance; the upgrade waits for a complete POC form "
    "(the form may arrive until {window_days} days after the evaluation date).",
    "upgrade_deferred_no_poc_form": "Qualified for {pending} on performance, but no complete POC form arrived within "
    "{window_days} days: the upgrade is deferred.",
    "downgrade": "Moved down from {before} to {after}: it no longer meets every requirement of {before}.",
    "downgrade_waived_2026": "Keeps {after} although it no longer meets all its requirements: downgrades are waived "
    "in 2026 (at risk).",
    "downgrade_not_in_window": "Keeps {after} although it no longer meets all its requirements: downgrades apply "
    "in January and July only (at risk).",
    "unchanged": "Stays {after}.",
}


def action_explanation(action: str | None, before: str | None, after: str | None, pending: str | None) -> str:
    text = ACTION_EXPLANATIONS.get(action or "", "")
    return text.format(
        before=tier_label(before),
        after=tier_label(after),
        pending=tier_label(pending),
        window_days=PROGRAM.poc_form_window_days,  # rules.md A7/D10
    )


# ---------------------------------------------------------------------------------------------
# Solutions commission statements (issue 15 item 3). The outcome of a line not credited comes in
# words from the published file (seeds/solutions_deal_line_outcomes.csv), not from here.

COMMISSION_PROGRAM_LABELS = {  # rules.md B9, D20, D21
    "standard": "Partner-originated deal",
    "enterprise_referral": "Enterprise referral",
}
PARTNER_ROLE_LABELS = {  # feeds.md deal_partners.role
    "originator": "Originator",
    "invited": "Invited",
    "recommended_by_originator": "Recommended by the originator",
}


def commission_program_label(p: str | None) -> str:
    return "—" if not p else COMMISSION_PROGRAM_LABELS.get(p, p)


def partner_role_label(r: str | None) -> str:
    return "—" if not r else PARTNER_ROLE_LABELS.get(r, r)


def product_line_label(line: str | None) -> str:
    """`marketing_hub` -> Marketing Hub (rules.md B1's ids, read as words)."""
    return "—" if not line else line.replace("_", " ").title()


def percent(v: Any) -> str:
    return "—" if _missing(v) else f"{float(v) * 100:g} %"


def month_label(d: date | None) -> str:
    return "—" if d is None else f"{d:%B %Y}"
