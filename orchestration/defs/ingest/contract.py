"""The raw feed contract of ../shared/spec/feeds.md, as data.

One place for the feeds, their columns, types, keys and whether they are required. The loader,
the synthetic generator, the dbt sources and the quality gate all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration import program

# feeds.md type legend -> DuckDB type of the raw table.
DUCKDB_TYPES: dict[str, str] = {
    "str": "VARCHAR",
    "date": "DATE",
    "ts": "TIMESTAMP",
    "int": "BIGINT",
    "dec": "DECIMAL(18,2)",
    "bool": "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a key of DUCKDB_TYPES
    required: bool = True  # an optional column may be missing from a file (loaded as null)

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Feed:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    required: bool = True
    program: str = "shared"  # shared | technology | solutions
    description: str = ""
    defaults: dict[str, str] = field(default_factory=dict)  # SQL default for a missing optional column
    # Issue 18 (incremental runs): the columns that place a row in time, earliest meaning first. When a
    # new snapshot of the feed arrives, the loader records the first month it changes
    # (meta.feed_changes): a row added, removed or changed affects the months from the earliest of its
    # time columns that differ. No time columns: any change is a change of every month.
    time_columns: tuple[str, ...] = ()
    # A big feed with one row per key and month: the loader keeps a per-month checksum of it
    # (meta.feed_months) instead of comparing rows with the previous snapshot; time_columns[0] is the month.
    monthly: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"feed {self.name!r} has no column {name!r}")


def _c(name: str, type_: str, required: bool = True) -> Column:
    return Column(name, type_, required)


FEEDS: tuple[Feed, ...] = (
    Feed(
        "partners",
        (
            _c("partner_id", "str"),
            _c("partner_name", "str"),
            _c("program", "str"),
            _c("solutions_type", "str"),
            _c("solutions_tier", "str"),
            _c("crm_accredited", "bool", required=False),
            _c("region", "str", required=False),
            _c("joined_on", "date"),
        ),
        ("partner_id",),
        description="Technology and solutions partners.",
        defaults={"crm_accredited": "false"},
    ),
    Feed(
        "portals",
        (
            _c("portal_id", "str"),
            _c("first_purchase_on", "date"),
            _c("country", "str", required=False),
            _c("segment", "str", required=False),
        ),
        ("portal_id",),
        description="HubSpot customer accounts.",
    ),
    Feed(
        "portal_mrr_monthly",
        (
            _c("portal_id", "str"),
            _c("month", "date"),
            _c("product_line", "str"),
            _c("edition", "str"),
            _c("mrr_usd", "dec"),
        ),
        ("portal_id", "month", "product_line"),
        description="MRR a portal pays per product line and month.",
        time_columns=("month",),
        monthly=True,
    ),
    Feed(
        "apps",
        (
            _c("app_id", "str"),
            _c("partner_id", "str"),
            _c("app_name", "str"),
            _c("listed_on", "date"),
            _c("delisted_on", "date"),
        ),
        ("app_id",),
        program="technology",
        description="Marketplace apps of technology partners.",
        time_columns=("listed_on", "delisted_on"),
    ),
    Feed(
        "app_certifications",
        (
            _c("app_id", "str"),
            _c("certified_on", "date"),
            _c("expires_on", "date"),
            _c("status", "str"),
        ),
        (),
        required=False,
        program="technology",
        description="App certifications (revoked rows never count).",
    ),
    Feed(
        "app_installs",
        (
            _c("install_id", "str"),
            _c("app_id", "str"),
            _c("portal_id", "str"),
            _c("installed_at", "ts"),
            _c("uninstalled_at", "ts"),
        ),
        ("install_id",),
        program="technology",
        description="App installs in customer portals.",
        time_columns=("installed_at", "uninstalled_at"),
    ),
    Feed(
        "app_usage_monthly",
        (
            _c("app_id", "str"),
            _c("portal_id", "str"),
            _c("month", "date"),
            _c("api_calls", "int"),
        ),
        ("app_id", "portal_id", "month"),
        program="technology",
        description="API calls per app, portal and month.",
        time_columns=("month",),
        monthly=True,
    ),
    Feed(
        "marketplace_reviews",
        (
            _c("review_id", "str"),
            _c("app_id", "str"),
            _c("portal_id", "str"),
            _c("rating", "int"),
            _c("submitted_at", "ts"),
            _c("status", "str"),
        ),
        ("review_id",),
        program="technology",
        description="Marketplace reviews of apps.",
    ),
    Feed(
        "influenced_revenue_submissions",
        (
            _c("submission_id", "str"),
            _c("partner_id", "str"),
            _c("deal_id", "str"),
            _c("portal_id", "str", required=False),
            _c("submission_type", "str"),
            _c("mrr_usd", "dec"),
            _c("closed_on", "date"),
            _c("submitted_at", "ts"),
            _c("review_status", "str"),
        ),
        ("submission_id",),
        program="technology",
        description="Influenced-revenue and referral submissions of technology partners.",
    ),
    Feed(
        "partner_poc_forms",
        (
            _c("form_id", "str"),
            _c("partner_id", "str"),
            _c("submitted_at", "ts"),
            _c("technical_contact_email", "str"),
            _c("partnership_manager_email", "str"),
            _c("executive_sponsor_email", "str"),
            _c("co_sell_contact_email", "str"),
            _c("data_sharing", "str"),
        ),
        ("form_id",),
        required=False,
        program="technology",
        description="Points-of-contact forms (contacts and data-sharing method).",
    ),
    Feed(
        "compliance_escalations",
        (
            _c("escalation_id", "str"),
            _c("partner_id", "str"),
            _c("opened_on", "date"),
            _c("resolved_on", "date"),
            _c("responsible", "bool"),
        ),
        ("escalation_id",),
        required=False,
        program="technology",
        description="Compliance escalations against partners.",
    ),
    Feed(
        "technology_tier_baseline",
        (
            _c("partner_id", "str"),
            _c("tier", "str"),
            _c("effective_on", "date"),
        ),
        ("partner_id",),
        required=False,
        program="technology",
        description="Tier in force before the first evaluated date.",
    ),
    Feed(
        "deals",
        (
            _c("deal_id", "str"),
            _c("portal_id", "str"),
            _c("collaboration_type", "str"),
            _c("registered_on", "date"),
            _c("closed_on", "date"),
            _c("stage", "str"),
        ),
        ("deal_id",),
        program="solutions",
        description="Solutions-partner deals.",
    ),
    Feed(
        "deal_partners",
        (
            _c("deal_id", "str"),
            _c("partner_id", "str"),
            _c("role", "str"),
        ),
        ("deal_id", "partner_id"),
        program="solutions",
        description="Partners on a deal and their role.",
    ),
    Feed(
        "deal_line_items",
        (
            _c("deal_id", "str"),
            _c("product_line", "str"),
            _c("edition", "str"),
            _c("mrr_usd", "dec"),
        ),
        ("deal_id", "product_line"),
        program="solutions",
        description="Line items (product line, edition, MRR) of deals.",
    ),
    Feed(
        "proof_of_involvement",
        (
            _c("poi_id", "str"),
            _c("deal_id", "str"),
            _c("partner_id", "str"),
            _c("status", "str"),
            _c("signed_at", "ts"),
            _c("onboarding_product_lines", "str"),
        ),
        ("poi_id",),
        program="solutions",
        description="Proofs of involvement of partners on deals.",
    ),
    Feed(
        "partner_portal_activity",
        (
            _c("partner_id", "str"),
            _c("portal_id", "str"),
            _c("occurred_at", "ts"),
            _c("activity_type", "str"),
        ),
        (),
        program="solutions",
        description="Partner activity inside customer portals.",
    ),
    Feed(
        "credit_decisions",
        (
            _c("deal_id", "str"),
            _c("partner_id", "str"),
            _c("decided_on", "date"),
            _c("note", "str"),
        ),
        ("deal_id",),
        required=False,
        program="solutions",
        description="Manual best-partner decisions (rules.md B6.4).",
    ),
)

FEEDS_BY_NAME: dict[str, Feed] = {f.name: f for f in FEEDS}

# Enumerations of feeds.md and rules.md B1 (checked by the quality gate, not by the loader), from the
# seeds through orchestration/program.py.
PRODUCT_LINES = program.PROGRAM.product_lines
HUB_LINES = program.PROGRAM.hub_lines
EDITIONS = program.EDITIONS
TIERS = program.PROGRAM.tiers_in_program
