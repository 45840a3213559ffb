"""Small Solutions-program landing zones: a row builder and hypothesis strategies.

`Zone` accumulates feed rows as the strings a CSV landing zone holds (feeds.md), gives them as pandas
DataFrames (the input of tests/reference/solutions.py) and writes them as a landing zone (every
feed folder, the Technology ones header-only) for `orchestration.pipeline.run_pipeline`.

`landing_zones()` draws many independent *cases* and batches them into one Zone: case ``k``'s ids
are prefixed ``c{k}_`` so that the pipeline runs once for hundreds of cases and every output row can
be traced back to its case. Every case shares one calendar: the MRR history covers
`COVERAGE_START` .. `COVERAGE_END` (an anchor portal pins both ends), deals close inside it.

Hypothesis draws the number of cases and a seed; case ``k`` is built from its own RNG seeded by
(seed, k) - a few hundred cases drawn choice by choice would overrun Hypothesis' buffer. Cases are
built by *kind*: the kinds cycle (case k has kind ``KINDS[k % len(KINDS)]``) so that every example
holds every kind, and each kind is built so that one outcome of rules.md B6 (or one commission /
managed-MRR situation) is likely, with everything else random.

The random cases avoid, on purpose, what rules.md leaves open: same-day deals on one line, deals
outside the covered months, several originators, POIs of partners absent from ``deal_partners``,
rows after the run date. `edge_cases()` pins most of those with fixed cases (ids ``e{n}_``) added to
every batch; a POI of a partner who is not on the deal is left out (the two sides disagree: see the
report of the reference's author).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from hypothesis import strategies as st

from tests.support.landing import FeedRows, add_months

T = TypeVar("T")

HUBS = ("marketing_hub", "sales_hub", "service_hub", "content_hub", "data_hub", "commerce_hub")
NON_HUB_ELIGIBLE = ("credit_capacity_pack", "reporting_addon", "core_seats", "other")
OVERAGE = "credit_overage"
EDITIONS = ("starter", "professional", "enterprise")
TIERS = ("partner", "gold", "platinum", "diamond", "elite")
NO_TIER = ""  # feeds.md (revised 2026-12-04): a solutions provider may have a null solutions_tier
ELIGIBLE_ACTIVITY = ("asset_created", "asset_edited", "workflow_edited", "blog_published")
INELIGIBLE_ACTIVITY = ("login", "logout", "view")

COVERAGE_START = date(2023, 1, 1)
COVERAGE_MONTHS = 44  # 2023-01 .. 2026-08: room for a 36-month commission after a close
COVERAGE_END = date(2026, 8, 1)
RUN_DATE = date(2026, 12, 31)  # after every generated date


def month_of(i: int) -> date:
    """The i-th covered month (0 = COVERAGE_START)."""
    return add_months(COVERAGE_START, i)


def money(value: float | str) -> str:
    return f"{float(value):.2f}" if not isinstance(value, str) else value


def ts(d: date, hour: int = 12, minute: int = 0, second: int = 0, zulu: bool = False) -> str:
    """An ISO-8601 UTC timestamp as feeds.md allows it (optional ``Z``)."""
    text = datetime(d.year, d.month, d.day, hour, minute, second).strftime("%Y-%m-%dT%H:%M:%S")
    return text + "Z" if zulu else text


@dataclass
class Zone(FeedRows):
    """Feed rows as CSV strings (None = empty); written by tests/support/landing.py."""

    case_of: dict[str, str] = field(default_factory=dict)  # deal_id / partner_id -> case id

    # -- shared reference
    def partner(
        self,
        partner_id: str,
        solutions_type: str = "partner",
        tier: str | None = "gold",
        accredited: bool = False,
        region: str | None = "NA",
        joined_on: str = "2020-01-01",
    ) -> str:
        self.rows["partners"].append(
            {
                "partner_id": partner_id,
                "partner_name": f"Partner {partner_id}",
                "program": "solutions",
                "solutions_type": solutions_type,
                "solutions_tier": tier,
                "crm_accredited": "true" if accredited else "false",
                "region": region,
                "joined_on": joined_on,
            }
        )
        return partner_id

    def portal(self, portal_id: str, first_purchase_on: str | None = "2020-01-01") -> str:
        self.rows["portals"].append(
            {"portal_id": portal_id, "first_purchase_on": first_purchase_on, "country": "FR", "segment": None}
        )
        return portal_id

    def mrr(self, portal_id: str, month: date | str, product_line: str, edition: str, mrr_usd: float | str) -> None:
        self.rows["portal_mrr_monthly"].append(
            {
                "portal_id": portal_id,
                "month": str(month),
                "product_line": product_line,
                "edition": edition,
                "mrr_usd": money(mrr_usd),
            }
        )

    def mrr_months(
        self, portal_id: str, product_line: str, edition: str, mrr_usd: float | str, first: date, months: int
    ) -> None:
        for i in range(months):
            self.mrr(portal_id, add_months(first, i), product_line, edition, mrr_usd)

    # -- solutions program
    def deal(
        self,
        deal_id: str,
        portal_id: str,
        closed_on: date | str | None,
        items: list[tuple[str, str, float | str]] | tuple = (),
        partners: list[tuple[str, str]] | tuple = (),
        collaboration_type: str = "partner_collaboration",
        stage: str = "closed_won",
        registered_on: str | None = None,
    ) -> str:
        closed = str(closed_on) if closed_on is not None else None
        registered = registered_on or (closed[:8] + "01" if closed else "2022-01-01")
        self.rows["deals"].append(
            {
                "deal_id": deal_id,
                "portal_id": portal_id,
                "collaboration_type": collaboration_type,
                "registered_on": registered,
                "closed_on": closed,
                "stage": stage,
            }
        )
        for line, edition, amount in items:
            self.rows["deal_line_items"].append(
                {"deal_id": deal_id, "product_line": line, "edition": edition, "mrr_usd": money(amount)}
            )
        for partner_id, role in partners:
            self.rows["deal_partners"].append({"deal_id": deal_id, "partner_id": partner_id, "role": role})
        return deal_id

    def poi(
        self,
        poi_id: str,
        deal_id: str,
        partner_id: str,
        status: str = "signed",
        signed_at: str | None = None,
        onboarding: list[str] | tuple = (),
    ) -> None:
        self.rows["proof_of_involvement"].append(
            {
                "poi_id": poi_id,
                "deal_id": deal_id,
                "partner_id": partner_id,
                "status": status,
                "signed_at": signed_at,
                "onboarding_product_lines": ";".join(onboarding) or None,
            }
        )

    def activity(self, partner_id: str, portal_id: str, occurred_at: str, activity_type: str) -> None:
        self.rows["partner_portal_activity"].append(
            {
                "partner_id": partner_id,
                "portal_id": portal_id,
                "occurred_at": occurred_at,
                "activity_type": activity_type,
            }
        )

    def decision(self, deal_id: str, partner_id: str, decided_on: str = "2026-10-01") -> None:
        self.rows["credit_decisions"].append(
            {"deal_id": deal_id, "partner_id": partner_id, "decided_on": decided_on, "note": "manual best partner"}
        )

    # -- outputs
    def with_usage_coverage(self) -> dict[str, list[dict]]:
        """The rows plus one technology app used in every month of portal_mrr_monthly: the quality
        gate's coverage check (rules.md Part C) needs app_usage_monthly over the same months, and
        Part B ignores the technology feeds."""
        months = sorted({r["month"] for r in self.rows.get("portal_mrr_monthly", [])})
        rows = {k: list(v) for k, v in self.rows.items()}
        if not months:
            return rows
        rows.setdefault("partners", []).append(
            {"partner_id": "zz_tech", "partner_name": "Coverage", "program": "technology", "joined_on": "2020-01-01"}
        )
        rows.setdefault("portals", []).append({"portal_id": "zz_portal", "first_purchase_on": None})
        rows.setdefault("apps", []).append(
            {"app_id": "zz_app", "partner_id": "zz_tech", "app_name": "Coverage", "listed_on": "2020-01-01"}
        )
        rows.setdefault("app_installs", []).append(
            {"install_id": "zz_i", "app_id": "zz_app", "portal_id": "zz_portal", "installed_at": "2020-01-01T00:00:00"}
        )
        rows.setdefault("app_usage_monthly", []).extend(
            {"app_id": "zz_app", "portal_id": "zz_portal", "month": m, "api_calls": 1} for m in months
        )
        return rows

    def feed_rows(self) -> dict[str, list[dict]]:
        """What `write` writes: the rows plus the usage coverage the quality gate needs."""
        return self.with_usage_coverage()

    def add_anchor(self) -> None:
        """Pin the covered months: a portal paying from COVERAGE_START to COVERAGE_END."""
        self.portal("anchor_portal")
        self.mrr("anchor_portal", COVERAGE_START, "sales_hub", "professional", "1.00")
        self.mrr("anchor_portal", COVERAGE_END, "sales_hub", "professional", "1.00")


# =============================================================================================
# Random cases. Hypothesis draws the number of cases and one seed per example; each case is built
# from its own `random.Random` (seeded by the example seed and the case number), which keeps
# Hypothesis' choice sequence short (a few hundred cases would overrun its buffer otherwise) while
# Hypothesis still owns the randomness (reproducible with @seed, printed on failure).


class R:
    """The few random draws a case needs."""

    def __init__(self, seed: str):
        self.rng = random.Random(seed)

    def int(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def coin(self, p: float = 0.5) -> bool:
        return self.rng.random() < p

    def pick(self, seq: Sequence[T]) -> T:
        return self.rng.choice(list(seq))

    def subset(self, seq: Sequence[T], min_size: int = 0, max_size: int | None = None) -> list[T]:
        pool = list(dict.fromkeys(seq))
        high = len(pool) if max_size is None else min(max_size, len(pool))
        return self.rng.sample(pool, self.int(min(min_size, high), high))


KINDS = (
    "credited_new_line",  # a new line sold by one partner with a valid POI
    "starter_only",  # B2
    "starter_bundles",  # D14: starter hub or add-on item with a pro hub / beside a pro pack or add-on only
    "poi_timing",  # D16: signed before / on / after close, rejected, sent
    "recommended",  # B6.1
    "coverage",  # B6.3 incl. providers
    "manual",  # B6.4: decisions valid, invalid, absent
    "held_line",  # B5: held by other / by holder, upsells
    "upgrades",  # D15: starter -> pro, pro -> enterprise, already owned
    "referral",  # B9: hubspot_collaboration around 3,000
    "cancellation",  # D17: MRR back to 0, then resumes
    "billing_lag",  # D17 revised: billed from 1-4 months after the close, or never; deals in the lag
    "managed",  # B8: shared portals, ineligible activity
    "random",  # anything
)


def _day(r: R, month: date) -> date:
    return month + timedelta(days=r.int(0, 27))


def _activity_time(r: R, m: int) -> str:
    """A time in covered month m; often the first or last second of the month (G1, G4)."""
    edge = r.int(0, 4)
    if edge == 0:
        return ts(month_of(m), 0, 0, 0, zulu=r.coin())
    if edge == 1:
        return ts(add_months(month_of(m), 1) - timedelta(days=1), 23, 59, 59, zulu=r.coin())
    return ts(_day(r, month_of(m)), r.int(0, 23), r.int(0, 59), zulu=r.coin())


def _amount(r: R, low: int = 50, high: int = 4000) -> str:
    return f"{r.int(low * 100, high * 100) / 100:.2f}"


@dataclass
class _Line:
    """The MRR history of one (portal, line): segments of (first month index, edition, amount)."""

    portal: str
    line: str
    segments: list[tuple[int, str, str]]
    stop: int | None = None  # first month index with no MRR (cancellation); None = pays to the end
    resume: int | None = None  # month index the line pays again after the stop (D17: no resumption)
    explicit_zero: bool = False  # the stop month is a 0.00 row instead of an absent row

    def write(self, zone: Zone) -> None:
        last = COVERAGE_MONTHS - 1
        for n, (first, edition, amount) in enumerate(self.segments):
            if n + 1 < len(self.segments):
                end = self.segments[n + 1][0]
            else:
                end = self.stop if self.stop is not None else last + 1
            if self.stop is not None:
                end = min(end, self.stop)
            for i in range(first, min(end, last + 1)):
                zone.mrr(self.portal, month_of(i), self.line, edition, amount)
        if self.stop is not None and self.stop <= last:
            edition, amount = self.segments[-1][1], self.segments[-1][2]
            if self.explicit_zero:
                zone.mrr(self.portal, month_of(self.stop), self.line, edition, "0.00")
            if self.resume is not None:
                for i in range(self.resume, last + 1):
                    zone.mrr(self.portal, month_of(i), self.line, edition, amount)

    def edition_at(self, i: int) -> str | None:
        if self.stop is not None and i >= self.stop and (self.resume is None or i < self.resume):
            return None
        current = None
        for first, edition, _ in self.segments:
            if first <= i:
                current = edition
        return current

    def amount_at(self, i: int) -> str | None:
        current = None
        for first, _, amount in self.segments:
            if first <= i:
                current = amount
        return current if self.edition_at(i) else None


def _history(r: R, portal: str, line: str, start: int, kind: str = "any") -> _Line:
    """An MRR history of a line from month `start`: an edition path with upsells and maybe a stop."""
    if kind == "starter_to_pro":
        path = ["starter", r.pick(["professional", "enterprise"])]
    elif kind == "pro_to_ent":
        path = ["professional", "enterprise"]
    elif kind == "constant":
        path = [r.pick(EDITIONS)]
    else:
        path = r.pick(
            [
                ["professional"],
                ["starter"],
                ["enterprise"],
                ["starter", "professional"],
                ["professional", "enterprise"],
                ["professional", "professional"],
                ["starter", "professional", "enterprise"],
            ]
        )
    segments: list[tuple[int, str, str]] = []
    month = min(start, COVERAGE_MONTHS - 1)
    for edition in path:
        if month >= COVERAGE_MONTHS:
            break
        segments.append((month, edition, _amount(r)))
        month += r.int(1, 14)
    stop = resume = None
    explicit_zero = False
    if r.int(0, 3) == 0:
        stop = segments[-1][0] + r.int(1, 20)
        explicit_zero = r.coin()
        if r.coin():
            resume = stop + r.int(1, 4)
    return _Line(portal, line, segments, stop, resume, explicit_zero)


@dataclass
class _Case:
    cid: str
    r: R
    zone: Zone = field(default_factory=Zone)
    partners: list[str] = field(default_factory=list)
    portals: list[str] = field(default_factory=list)
    lines: dict[tuple[str, str], _Line] = field(default_factory=dict)
    n_deals: int = 0
    n_pois: int = 0
    used_days: dict[str, set[date]] = field(default_factory=lambda: defaultdict(set))

    def new_partner(
        self, solutions_type: str | None = None, tier: str | None = None, accredited: bool | None = None
    ) -> str:
        """tier None = drawn; NO_TIER = explicitly none (feeds.md: a provider may have no tier)."""
        r = self.r
        pid = f"{self.cid}_sp{len(self.partners) + 1}"
        solutions_type = solutions_type or r.pick(["partner", "partner", "provider"])
        if tier is None:
            tier = NO_TIER if solutions_type == "provider" and r.coin(0.3) else r.pick(TIERS)
        self.zone.partner(
            pid,
            solutions_type,
            tier or None,
            r.coin() if accredited is None else accredited,
            r.pick(["NA", "EMEA", "APAC", "LATAM", None]),
        )
        self.partners.append(pid)
        return pid

    def new_portal(self) -> str:
        pid = f"{self.cid}_po{len(self.portals) + 1}"
        self.zone.portal(pid)
        self.portals.append(pid)
        return pid

    def line(self, portal: str, product_line: str, start: int, kind: str = "any") -> _Line:
        """The line's history (drawn the first time; one history per (portal, line))."""
        key = (portal, product_line)
        if key not in self.lines:
            self.lines[key] = _history(self.r, portal, product_line, start, kind)
        return self.lines[key]

    def fixed_line(
        self, portal: str, product_line: str, segments: list[tuple[int, str, str]], stop: int | None = None
    ) -> _Line:
        key = (portal, product_line)
        if key not in self.lines:
            self.lines[key] = _Line(portal, product_line, segments, stop)
        return self.lines[key]

    def close_day(self, portal: str, month_index: int) -> date:
        """A close date in the month, distinct from the portal's other deals (no same-day ties)."""
        month = month_of(max(0, min(month_index, COVERAGE_MONTHS - 1)))
        days = [month + timedelta(days=k) for k in range(28)]
        free = [d for d in days if d not in self.used_days[portal]]
        assert free, "more than 28 deals in one month of one portal"
        d = self.r.pick(free)
        self.used_days[portal].add(d)
        return d

    def deal(
        self,
        portal: str,
        month_index: int,
        items: list[tuple[str, str, str]],
        partners: list[tuple[str, str]],
        collaboration_type: str | None = None,
        stage: str = "closed_won",
        distinct_amounts: bool = True,
    ) -> tuple[str, date]:
        self.n_deals += 1
        did = f"{self.cid}_d{self.n_deals}"
        closed = self.close_day(portal, month_index)
        collab = collaboration_type or self.r.pick(["partner_collaboration", "hubspot_collaboration"])
        # One item per line; distinct item MRRs (the top line of B6.3 is then a single line).
        seen: set[str] = set()
        lines: set[str] = set()
        unique_items = []
        for line, edition, amount in items:
            if line in lines:
                continue
            while distinct_amounts and amount in seen:
                amount = f"{float(amount) + 0.01:.2f}"
            seen.add(amount)
            lines.add(line)
            unique_items.append((line, edition, amount))
        self.zone.deal(did, portal, closed, unique_items, partners, collab, stage)
        self.zone.case_of[did] = self.cid
        return did, closed

    def poi(
        self, deal: str, closed: date, partner: str, timing: str | None = None, onboarding: Sequence[str] = ()
    ) -> None:
        """timing: valid (on/before close), same_day (23:59:59 on close), after (a later day), rejected, sent."""
        r = self.r
        self.n_pois += 1
        pid = f"{self.cid}_poi{self.n_pois}"
        timing = timing or r.pick(["valid", "valid", "valid", "same_day", "after", "rejected", "sent"])
        if timing == "valid":
            when = ts(closed - timedelta(days=r.int(0, 40)), r.int(0, 23), r.int(0, 59), zulu=r.coin())
            self.zone.poi(pid, deal, partner, "signed", when, onboarding)
        elif timing == "same_day":
            self.zone.poi(pid, deal, partner, "signed", ts(closed, 23, 59, 59, zulu=r.coin()), onboarding)
        elif timing == "after":
            when = ts(closed + timedelta(days=r.pick([1, 1, 2, 15])), r.pick([0, 0, 12]), zulu=r.coin())
            self.zone.poi(pid, deal, partner, "signed", when, onboarding)
        elif timing == "rejected":
            self.zone.poi(pid, deal, partner, "rejected", None, onboarding)
        else:
            self.zone.poi(pid, deal, partner, "sent", None, onboarding)


def _pro(edition: str) -> str:
    return edition if edition != "starter" else "professional"


def _build_case(case: _Case, kind: str) -> None:  # noqa: C901 - one branch per kind
    r, z = case.r, case.zone
    portal = case.new_portal()
    for _ in range(r.int(2, 4)):
        case.new_partner()
    P = case.partners
    start = r.int(0, COVERAGE_MONTHS - 8)

    if kind == "credited_new_line":
        line = r.pick(HUBS + NON_HUB_ELIGIBLE)
        h = case.line(portal, line, start, r.pick(["constant", "any"]))
        ed = _pro(h.segments[0][1]) if line in HUBS else h.segments[0][1]
        h.segments[0] = (h.segments[0][0], ed, h.segments[0][2])
        items = [(line, ed, h.segments[0][2])]
        if r.coin():
            items.append((OVERAGE, r.pick(EDITIONS), _amount(r, 1, 300)))
        did, closed = case.deal(portal, start, items, [(P[0], "originator")])
        case.poi(did, closed, P[0], "valid", [line] if r.coin() else [])

    elif kind == "starter_only":
        # D14 revised: starter add-ons (a lone starter core_seats among them) are Starter products too
        lines = r.subset(HUBS, 1, 3) if r.coin() else r.subset(HUBS + NON_HUB_ELIGIBLE, 1, 3)
        for line in lines:
            case.fixed_line(portal, line, [(start, "starter", _amount(r))])
        items = [(line, "starter", case.lines[(portal, line)].segments[0][2]) for line in lines]
        if r.coin():
            items.append((OVERAGE, "starter", _amount(r, 1, 300)))
        did, closed = case.deal(portal, start, items, [(P[0], "originator")])
        case.poi(did, closed, P[0], "valid")

    elif kind == "starter_bundles":
        starter_line, other = r.subset(HUBS, 2, 2)
        if r.coin():  # D14 revised: a starter add-on is a Starter product too
            starter_line = r.pick(NON_HUB_ELIGIBLE)
        bundle = r.pick(["pro_hub", "pack_only", "addon_only"])
        items = [(starter_line, "starter", _amount(r))]
        if bundle == "pro_hub":
            items.append((other, r.pick(["professional", "enterprise"]), _amount(r)))
        elif bundle == "pack_only":
            items.append(("credit_capacity_pack", r.pick(["professional", "enterprise"]), _amount(r)))
        else:
            addon = r.pick([x for x in ("reporting_addon", "core_seats", "other") if x != starter_line])
            items.append((addon, "professional", _amount(r)))
        if items[1][0] == starter_line:  # a starter pack beside a pro pack: one item per line
            items[1] = ("reporting_addon", items[1][1], items[1][2])
        for line, ed, amt in items:
            case.fixed_line(portal, line, [(start, ed, amt)])
        did, closed = case.deal(portal, start, items, [(P[0], "originator")])
        case.poi(did, closed, P[0], "valid")

    elif kind == "poi_timing":
        line = r.pick(HUBS)
        amount = _amount(r)
        case.fixed_line(portal, line, [(start, "professional", amount)])
        partners = r.subset(P, 1, 2)
        roles = [(p, "originator" if i == 0 else "invited") for i, p in enumerate(partners)]
        did, closed = case.deal(portal, start, [(line, "professional", amount)], roles)
        for p in partners:
            case.poi(did, closed, p, r.pick(["same_day", "after", "rejected", "sent", "valid"]))

    elif kind == "recommended":
        line = r.pick(HUBS)
        amount = _amount(r)
        case.fixed_line(portal, line, [(start, "enterprise", amount)])
        roles = [(P[0], "originator"), (P[1], "recommended_by_originator")]
        if len(P) > 2 and r.coin():
            roles.append((P[2], "invited"))
        did, closed = case.deal(portal, start, [(line, "enterprise", amount)], roles, "partner_collaboration")
        case.poi(did, closed, P[1], r.pick(["valid", "valid", "after"]), [line])
        if r.coin():
            case.poi(did, closed, P[0], r.pick(["after", "rejected", "valid"]))
        if len(roles) > 2:
            case.poi(did, closed, P[2], "valid", [line])

    elif kind in ("coverage", "manual"):
        lines = r.subset(HUBS + NON_HUB_ELIGIBLE, 1, 3)
        items = []
        for line in lines:
            ed = r.pick(["professional", "enterprise"] + (["starter"] if line not in HUBS else []))
            amt = _amount(r)
            case.fixed_line(portal, line, [(start, ed, amt)], start + r.int(1, 30) if r.coin(0.2) else None)
            items.append((line, ed, amt))
        if r.coin(0.3):  # a starter hub item, bundled or not, with the highest MRR of the deal
            line = r.pick([x for x in HUBS if x not in lines])
            amt = f"{max(float(a) for _, _, a in items) + r.int(1, 500):.2f}"
            case.fixed_line(portal, line, [(start, "starter", amt)])
            lines.append(line)
            items.append((line, "starter", amt))
        roles = [(p, "originator" if i == 0 else "invited") for i, p in enumerate(P)]
        did, closed = case.deal(portal, start, items, roles)
        top = max(items, key=lambda it: float(it[2]))[0]
        signed = r.subset(P, 2, len(P))
        cover_top = r.coin()
        for p in signed:
            if kind == "coverage":
                onboarding = r.subset(lines, 0, 2)
            else:  # every signer or none covers the top line: a tie
                onboarding = [top] if cover_top else [line for line in lines if line != top][:1]
            case.poi(did, closed, p, "valid", onboarding)
            if r.int(0, 3) == 0:  # an invalid POI covering the top line does not count
                case.poi(did, closed, p, r.pick(["after", "rejected"]), [top])
        if kind == "manual" or r.coin():
            choice = r.pick(["signed", "unsigned", "none", "outsider"])
            unsigned = [p for p in P if p not in signed]
            if choice == "signed":
                z.decision(did, r.pick(signed))
            elif choice == "unsigned" and unsigned:
                z.decision(did, r.pick(unsigned))
            elif choice in ("outsider", "unsigned"):
                z.decision(did, f"{case.cid}_nobody")

    elif kind == "held_line":
        line = r.pick(HUBS)
        h = case.line(portal, line, start, r.pick(["pro_to_ent", "constant", "any"]))
        ed0 = _pro(h.segments[0][1])
        h.segments[0] = (h.segments[0][0], ed0, h.segments[0][2])
        did, closed = case.deal(portal, start, [(line, ed0, h.segments[0][2])], [(P[0], "originator")])
        case.poi(did, closed, P[0], "valid")
        for _ in range(r.int(1, 3)):
            later = start + r.int(0, 18)
            by = r.pick(P)
            items = [(line, _pro(h.edition_at(later) or r.pick(EDITIONS)), _amount(r))]
            if r.coin():
                other = r.pick([x for x in HUBS if x != line])
                oh = case.line(portal, other, later, "constant")
                items.append((other, _pro(oh.edition_at(later) or "professional"), _amount(r)))
            d2, c2 = case.deal(portal, later, items, [(by, "originator")])
            case.poi(d2, c2, by, r.pick(["valid", "valid", "after"]))

    elif kind == "upgrades":
        line = r.pick(HUBS)
        h = case.line(portal, line, start, r.pick(["starter_to_pro", "pro_to_ent", "pro_to_ent", "constant"]))
        if len(h.segments) > 1:
            at, ed, amt = h.segments[1]
        else:
            at, ed, amt = start + r.int(0, 6), _pro(h.segments[0][1]), _amount(r)
        if r.coin(0.35) and h.segments[0][1] != "starter":  # somebody already holds the line
            d0, c0 = case.deal(portal, start, [(line, h.segments[0][1], h.segments[0][2])], [(P[1], "originator")])
            case.poi(d0, c0, P[1], "valid")
        by = r.pick(P[:2])
        items = [(line, ed, amt)]
        if ed == "starter" or r.coin():
            items.append((r.pick([x for x in HUBS if x != line]), "professional", _amount(r)))
        if at == start and r.coin():
            at = start + 1
        d1, c1 = case.deal(portal, at, items, [(by, "originator")])
        case.poi(d1, c1, by, "valid")

    elif kind == "referral":
        # Mostly an eligible partner (tier, accreditation) on a hubspot_collaboration deal with a valid
        # POI, so that the threshold itself decides; an overage or a starter item never counts.
        solutions_type = r.pick(["partner", "provider"])
        below = ["partner", "gold"] + ([NO_TIER] if solutions_type == "provider" else [])  # B9: null < Platinum
        tier = r.pick(["platinum", "diamond", "elite"]) if r.coin(0.8) else r.pick(below)
        p = case.new_partner(solutions_type, tier, r.coin(0.8))
        lines = r.subset(HUBS + NON_HUB_ELIGIBLE, 1, 3)
        total = r.pick(["2999.99", "2999.99", "3000.00", "3000.01", "1500.00", "8000.00"])
        cents = round(float(total) * 100)
        parts = [cents // len(lines)] * len(lines)
        parts[0] += cents - sum(parts)
        if len(parts) > 1 and parts[1] > 1:  # distinct amounts, same total
            parts[1] -= 1
            parts[0] += 1
        items = [
            (line, r.pick(["professional", "enterprise"]), f"{c / 100:.2f}")
            for line, c in zip(lines, parts, strict=True)
        ]
        if r.coin():
            items.append((r.pick([x for x in HUBS if x not in lines]), "starter", "1.23"))
        if r.coin(0.6):
            items.append((OVERAGE, r.pick(["professional", "enterprise"]), "0.45"))
        for line, ed, amt in items:
            if line != OVERAGE:
                case.fixed_line(portal, line, [(start, ed, amt)], start + r.int(2, 20) if r.coin() else None)
        collab = "hubspot_collaboration" if r.coin(0.8) else "partner_collaboration"
        did, closed = case.deal(portal, start, items, [(p, "invited")], collab, distinct_amounts=False)
        case.poi(did, closed, p, "valid" if r.coin(0.85) else "after")

    elif kind == "cancellation":
        line = r.pick(HUBS + NON_HUB_ELIGIBLE)
        amt = _amount(r)
        stop = start + r.int(1, 15)
        h = _Line(portal, line, [(start, "professional", amt)], stop, stop + r.int(1, 3), r.coin())
        if stop - start > 1 and r.coin():  # an upsell before the cancellation
            h.segments.append((start + r.int(1, stop - start - 1), "professional", _amount(r)))
        case.lines[(portal, line)] = h
        did, closed = case.deal(
            portal, start, [(line, "professional", amt)], [(P[0], "originator")], "partner_collaboration"
        )
        case.poi(did, closed, P[0], "valid")
        if r.coin():  # the same partner sells the line again after the cancellation
            d2, c2 = case.deal(portal, h.resume or stop, [(line, "professional", amt)], [(P[0], "originator")])
            case.poi(d2, c2, P[0], "valid")

    elif kind == "billing_lag":
        # D17 revised: a deal closed late in its month, the line billed from 1-4 months after the close
        # or never; sometimes cancelled after it was paid; other deals on the line during the lag; a
        # close near the end of the covered months leaves the lag open.
        line = r.pick(HUBS + NON_HUB_ELIGIBLE)
        if r.coin(0.15):
            start = COVERAGE_MONTHS - r.int(1, 3)
        lag = r.pick([1, 1, 1, 2, 3, 4, None])
        amt = _amount(r)
        if lag is not None and start + lag < COVERAGE_MONTHS:
            stop = start + lag + r.int(1, 10) if r.coin(0.3) else None
            case.lines[(portal, line)] = _Line(portal, line, [(start + lag, "professional", amt)], stop)
        by = case.new_partner(r.pick(["partner", "provider"]))
        did, closed = case.deal(
            portal,
            start,
            [(line, "professional", amt)],
            [(by, "originator")],
            r.pick(["partner_collaboration"] * 3 + ["hubspot_collaboration"]),
        )
        case.poi(did, closed, by, "valid")
        for _ in range(r.int(0, 2)):  # by another partner or the holder, in the lag or just after it
            other = r.pick(P + [by])
            d2, c2 = case.deal(
                portal, start + r.int(0, 5), [(line, "professional", _amount(r))], [(other, "originator")]
            )
            case.poi(d2, c2, other, "valid")

    elif kind == "managed":
        second = case.new_portal()
        for po in (portal, second):
            for line in r.subset(HUBS + (OVERAGE, "core_seats"), 1, 3):
                case.line(po, line, r.int(0, COVERAGE_MONTHS - 1))
        for m in r.subset(range(COVERAGE_MONTHS), 1, 4):
            for p in P:
                for po in (portal, second):
                    if r.int(0, 2) > 0:
                        when = _activity_time(r, m)
                        z.activity(p, po, when, r.pick(ELIGIBLE_ACTIVITY + INELIGIBLE_ACTIVITY))

    else:  # random
        for line in r.subset(HUBS + NON_HUB_ELIGIBLE + (OVERAGE,), 0, 3):
            case.line(portal, line, r.int(0, COVERAGE_MONTHS - 1))
        for _ in range(r.int(1, 3)):
            m = r.int(0, COVERAGE_MONTHS - 1)
            items = [
                (line, r.pick(EDITIONS), _amount(r)) for line in r.subset(HUBS + NON_HUB_ELIGIBLE + (OVERAGE,), 1, 3)
            ]
            paying = [h for h in case.lines.values() if h.edition_at(m)]
            if paying and r.coin():  # sell what the history shows that month
                h = r.pick(paying)
                items = [(h.line, h.edition_at(m) or "professional", h.amount_at(m) or "100.00"), *items]
            partners = r.subset(P, 0, 3)
            roles = [
                (p, "originator" if i == 0 else r.pick(["invited", "invited", "recommended_by_originator"]))
                for i, p in enumerate(partners)
            ]
            stage = r.pick(["closed_won"] * 6 + ["open", "closed_lost"])
            did, closed = case.deal(portal, m, items if r.int(0, 9) else [], roles, stage=stage)
            for p in partners:
                for _ in range(r.int(1, 2)):
                    case.poi(did, closed, p, None, r.subset([it[0] for it in items] + ["sales_hub"], 0, 2))
            if r.int(0, 3) == 0:
                z.decision(did, r.pick(P))
        for _ in range(r.int(0, 6)):
            when = _activity_time(r, r.int(0, COVERAGE_MONTHS - 1))
            z.activity(r.pick(P), portal, when, r.pick(ELIGIBLE_ACTIVITY + INELIGIBLE_ACTIVITY))

    for h in case.lines.values():
        h.write(z)


def build_case(k: int, seed: int, kind: str | None = None) -> Zone:
    """Case number k (kind cycling through KINDS unless given), ids prefixed ``c{k}_``."""
    case = _Case(cid=f"c{k}", r=R(f"{seed}:{k}"))
    _build_case(case, kind or KINDS[k % len(KINDS)])
    for p in case.partners:
        case.zone.case_of[p] = case.cid
    return case.zone


def edge_cases() -> Zone:
    """Fixed cases (ids ``e{n}_``) for situations rules.md is silent on and the random cases avoid,
    so that both sides' readings are pinned (each was checked to agree, see the report)."""
    z = Zone()

    def partner(pid: str, tier: str = "gold", accredited: bool = False) -> None:
        z.partner(pid, "partner", tier, accredited, "NA")
        z.case_of[pid] = pid.split("_", 1)[0]

    def sign(poi: str, deal: str, p: str, when: str, onboarding: tuple[str, ...] = ()) -> None:
        z.poi(poi, deal, p, "signed", when, onboarding)

    sales = [("sales_hub", "professional", "500.00")]
    # e1: two deals closed the same day on the same line: the lower deal_id comes first.
    partner("e1_a"), partner("e1_b"), z.portal("e1_po")
    z.mrr_months("e1_po", "sales_hub", "professional", "500.00", date(2024, 3, 1), 6)
    z.deal("e1_d2", "e1_po", "2024-03-10", sales, [("e1_a", "originator")])
    z.deal("e1_d1", "e1_po", "2024-03-10", sales, [("e1_b", "originator")])
    sign("e1_poi1", "e1_d2", "e1_a", "2024-03-01T00:00:00")
    sign("e1_poi2", "e1_d1", "e1_b", "2024-03-01T00:00:00")
    # e2: a deal closed before the covered months; e3: after them (before the run date).
    partner("e2_a"), z.portal("e2_po")
    z.mrr_months("e2_po", "sales_hub", "professional", "500.00", COVERAGE_START, 6)
    z.deal("e2_d1", "e2_po", "2022-11-10", sales, [("e2_a", "originator")])
    sign("e2_poi1", "e2_d1", "e2_a", "2022-11-01T00:00:00")
    partner("e3_a"), z.portal("e3_po")
    z.deal("e3_d1", "e3_po", "2026-10-10", sales, [("e3_a", "originator")])
    sign("e3_poi1", "e3_d1", "e3_a", "2026-10-01T00:00:00")
    # e4: two originators and a recommended partner who signed: B6.1 does not apply.
    partner("e4_a"), partner("e4_b"), partner("e4_c"), z.portal("e4_po")
    z.mrr_months("e4_po", "sales_hub", "professional", "500.00", date(2024, 3, 1), 3)
    z.deal(
        "e4_d1",
        "e4_po",
        "2024-03-10",
        sales,
        [("e4_a", "originator"), ("e4_b", "originator"), ("e4_c", "recommended_by_originator")],
    )
    sign("e4_poi1", "e4_d1", "e4_c", "2024-03-01T00:00:00")
    # e5: enterprise referral, pro hub 2,900 + a starter-edition credit pack 200 (not a pro item).
    partner("e5_a", "platinum", True), z.portal("e5_po")
    z.mrr_months("e5_po", "marketing_hub", "professional", "2900.00", date(2024, 3, 1), 3)
    z.mrr_months("e5_po", "credit_capacity_pack", "starter", "200.00", date(2024, 3, 1), 3)
    z.deal(
        "e5_d1",
        "e5_po",
        "2024-03-10",
        [("marketing_hub", "professional", "2900.00"), ("credit_capacity_pack", "starter", "200.00")],
        [("e5_a", "invited")],
        "hubspot_collaboration",
    )
    sign("e5_poi1", "e5_d1", "e5_a", "2024-03-01T00:00:00")
    # e6: a recommended partner without an originator is never credited.
    partner("e6_a"), z.portal("e6_po")
    z.mrr_months("e6_po", "sales_hub", "professional", "500.00", date(2024, 3, 1), 3)
    z.deal("e6_d1", "e6_po", "2024-03-10", sales, [("e6_a", "recommended_by_originator")], "hubspot_collaboration")
    sign("e6_poi1", "e6_d1", "e6_a", "2024-03-01T00:00:00")
    # e7: a deal closed after the run date does not exist yet (G3).
    partner("e7_a"), z.portal("e7_po")
    z.deal("e7_d1", "e7_po", (RUN_DATE + timedelta(days=10)).isoformat(), sales, [("e7_a", "originator")])
    sign("e7_poi1", "e7_d1", "e7_a", RUN_DATE.isoformat() + "T00:00:00")
    # e8: a decision on a deal that needs none; e9: a decision decided after the run date.
    partner("e8_a"), partner("e8_b"), z.portal("e8_po")
    z.mrr_months("e8_po", "sales_hub", "professional", "500.00", date(2024, 3, 1), 3)
    z.deal("e8_d1", "e8_po", "2024-03-10", sales, [("e8_a", "originator"), ("e8_b", "invited")])
    sign("e8_poi1", "e8_d1", "e8_a", "2024-03-01T00:00:00")
    z.poi("e8_poi2", "e8_d1", "e8_b", "rejected", None)
    z.decision("e8_d1", "e8_b")
    partner("e9_a"), partner("e9_b"), z.portal("e9_po")
    z.mrr_months("e9_po", "sales_hub", "professional", "500.00", date(2024, 3, 1), 3)
    z.deal("e9_d1", "e9_po", "2024-03-10", sales, [("e9_a", "originator"), ("e9_b", "invited")])
    sign("e9_poi1", "e9_d1", "e9_a", "2024-03-01T00:00:00")
    sign("e9_poi2", "e9_d1", "e9_b", "2024-03-01T00:00:00")
    z.decision("e9_d1", "e9_b", decided_on=(RUN_DATE + timedelta(days=1)).isoformat())
    # e10: a signed POI without signed_at; e11: onboarding list with spaces and an empty entry.
    partner("e10_a"), z.portal("e10_po")
    z.mrr_months("e10_po", "sales_hub", "professional", "500.00", date(2024, 3, 1), 3)
    z.deal("e10_d1", "e10_po", "2024-03-10", sales, [("e10_a", "originator")])
    z.poi("e10_poi1", "e10_d1", "e10_a", "signed", None)
    partner("e11_a"), partner("e11_b"), z.portal("e11_po")
    z.mrr_months("e11_po", "sales_hub", "professional", "500.00", date(2024, 3, 1), 3)
    z.deal("e11_d1", "e11_po", "2024-03-10", sales, [("e11_a", "originator"), ("e11_b", "invited")])
    sign("e11_poi1", "e11_d1", "e11_a", "2024-03-01T00:00:00", ("marketing_hub",))
    sign("e11_poi2", "e11_d1", "e11_b", "2024-03-01T00:00:00", (" sales_hub ", ""))
    # e12: a line item at 0.00 MRR; e13: eligible activity in the last second of the covered months.
    partner("e12_a"), z.portal("e12_po")
    z.deal("e12_d1", "e12_po", "2024-03-10", [("sales_hub", "professional", "0.00")], [("e12_a", "originator")])
    sign("e12_poi1", "e12_d1", "e12_a", "2024-03-01T00:00:00")
    partner("e13_a"), z.portal("e13_po")
    z.mrr("e13_po", COVERAGE_END, "sales_hub", "professional", "500.00")
    last_day = add_months(COVERAGE_END, 1) - timedelta(days=1)
    z.activity("e13_a", "e13_po", ts(last_day, 23, 59, 59, zulu=True), "asset_created")
    z.activity("e13_a", "e13_po", ts(last_day + timedelta(days=1), 0, 0, 0, zulu=True), "asset_created")
    for row in z.rows["deals"]:
        z.case_of[row["deal_id"]] = row["deal_id"].split("_", 1)[0]
    return z


def batch(cases: Sequence[Zone], with_edge_cases: bool = True) -> Zone:
    """One landing zone of many cases, with the anchor portal pinning the covered months and the fixed
    edge cases."""
    zone = Zone()
    zone.add_anchor()
    for case in [*cases, edge_cases()] if with_edge_cases else cases:
        for feed, rows in case.rows.items():
            zone.rows[feed].extend(rows)
        zone.case_of.update(case.case_of)
    return zone


@st.composite
def landing_zones(draw: st.DrawFn, min_cases: int = 150, max_cases: int = 300) -> Zone:
    """Many independent random cases batched into one Zone (ids prefixed c{k}_)."""
    n = draw(st.integers(min_cases, max_cases), label="cases")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    return batch([build_case(k, seed) for k in range(n)])


def case_id(identifier: object) -> str:
    """The case of a namespaced id (``c12_d3`` -> ``c12``, edge case ``e4_d1`` -> ``e4``)."""
    head = str(identifier).split("_", 1)[0]
    return head if len(head) > 1 and head[0] in "ce" and head[1:].isdigit() else "-"
