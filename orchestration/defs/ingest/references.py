"""The references between feeds (the arrows of ../shared/spec/feeds.md), as data, in one place.

The gate turns each into a blocking check (defs/quality/sql_checks.py) and the generator's sanity
checks count the same dangling rows (generate/checks.py), so a new arrow is added here once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    feed: str
    column: str
    parent: str
    parent_column: str
    program: str | None = None  # the parent partner must be of this program

    @property
    def name(self) -> str:
        target = f"{self.program}_partners" if self.program else self.parent
        return f"{self.column}_references_{target}"

    def dangling(self, schema: str = "raw") -> str:
        """`FROM ... WHERE ...` of the rows (alias c) whose non-null reference has no parent row."""
        extra = f" AND p.program = '{self.program}'" if self.program else ""
        return (
            f"FROM {schema}.{self.feed} c WHERE c.{self.column} IS NOT NULL AND NOT EXISTS"
            f" (SELECT 1 FROM {schema}.{self.parent} p WHERE p.{self.parent_column} = c.{self.column}{extra})"
        )


REFERENCES: tuple[Reference, ...] = (
    Reference("portal_mrr_monthly", "portal_id", "portals", "portal_id"),
    Reference("apps", "partner_id", "partners", "partner_id", program="technology"),
    Reference("app_certifications", "app_id", "apps", "app_id"),
    Reference("app_installs", "app_id", "apps", "app_id"),
    Reference("app_installs", "portal_id", "portals", "portal_id"),
    Reference("app_usage_monthly", "app_id", "apps", "app_id"),
    Reference("app_usage_monthly", "portal_id", "portals", "portal_id"),
    Reference("marketplace_reviews", "app_id", "apps", "app_id"),
    Reference("marketplace_reviews", "portal_id", "portals", "portal_id"),
    Reference("influenced_revenue_submissions", "partner_id", "partners", "partner_id"),
    Reference("influenced_revenue_submissions", "portal_id", "portals", "portal_id"),
    Reference("partner_poc_forms", "partner_id", "partners", "partner_id"),
    Reference("compliance_escalations", "partner_id", "partners", "partner_id"),
    Reference("technology_tier_baseline", "partner_id", "partners", "partner_id"),
    Reference("deals", "portal_id", "portals", "portal_id"),
    Reference("deal_partners", "deal_id", "deals", "deal_id"),
    Reference("deal_partners", "partner_id", "partners", "partner_id", program="solutions"),
    Reference("deal_line_items", "deal_id", "deals", "deal_id"),
    Reference("proof_of_involvement", "deal_id", "deals", "deal_id"),
    Reference("proof_of_involvement", "partner_id", "partners", "partner_id"),
    Reference("partner_portal_activity", "partner_id", "partners", "partner_id"),
    Reference("partner_portal_activity", "portal_id", "portals", "portal_id"),
    Reference("credit_decisions", "deal_id", "deals", "deal_id"),
)
