"""Hypothesis strategies that build small Technology Partner landing zones (rules.md Part A).

A *case* is one or two technology partners with their apps, portals, installs, usage, reviews,
influenced-revenue submissions, POC forms, escalations, certifications, baseline and published
tiers. Cases never interact (Part A is per partner), so many of them are batched into ONE landing
zone with namespaced ids (`c{k}_...`) and evaluated by one `dbt build`.

Hypothesis draws the scenario of each case (`CaseSpec`: which tier the performance aims at, which
boundary of which rule is probed); the details a scenario leaves free (which evaluation date a
boundary is anchored on, how many portals, time of day, noise rows) come from a `random.Random`
seeded by the spec, so that a case costs only a few bytes of Hypothesis entropy and a batch of
hundreds of cases fits in one example. Values are drawn around the thresholds of rules.md A4
(attached MRR near 400k / 1M / 7M, influenced MRR near 1k / 5k / 30k / 100k, 90-day MRR near
5k / 30k / 100k, 4 / 5 / 9 / 10 reviews, ratings at and just below 3.5 / 4.0), around the day
boundaries of G1 (POC forms on E+14 / E+15, escalations resolved 90 / 91 days before E, installs
on day 90 / 91 after the first purchase, delistings on E / E+1 and on the first of a month) and
across every tier of the baseline, so that every tier and every action of A9 occurs.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import product

from hypothesis import strategies as st

from tests.reference.technology import chain_dates, previous_evaluation_date
from tests.support.landing import FeedRows, add_months

TIER_VALUES = ("partner", "rising", "leading", "premier")
PUBLISHED_COLUMNS = ("partner_id", "evaluation_date", "version", "tier_after", "is_current", "published_at")


# ---------------------------------------------------------------------------------------------
# A landing zone under construction (CSV-ready strings, feeds.md formats)


def fmt_date(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def fmt_ts(d: date | None, at: time = time(12, 0), z: bool = False) -> str | None:
    if d is None:
        return None
    return datetime.combine(d, at).strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if z else "")


def fmt_money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@dataclass
class Landing(FeedRows):
    """Rows per feed (string values as written to CSV, tests/support/landing.py) plus the published tiers."""

    published: list[dict[str, object]] = field(default_factory=list)

    def publish(
        self, partner_id: str, evaluation_date: date, tier_after: str, version: int = 1, current: bool = True
    ) -> None:
        self.published.append(
            {
                "partner_id": partner_id,
                "evaluation_date": evaluation_date,
                "version": version,
                "tier_after": tier_after,
                "is_current": current,
                "published_at": datetime.combine(evaluation_date + timedelta(days=20), time(8, 0)),
            }
        )

    def published_frame(self):
        import pandas as pd

        return pd.DataFrame(self.published, columns=list(PUBLISHED_COLUMNS))


# ---------------------------------------------------------------------------------------------
# Calendar of one batch


def month_end(m: date) -> date:
    return add_months(m, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Context:
    """What every case of one batch shares: the months of the landing zone and the run parameters."""

    first_month: date
    n_months: int
    run_date: date
    evaluation_from: date | None = None
    evaluation_to: date | None = None

    @property
    def months(self) -> list[date]:
        return [add_months(self.first_month, i) for i in range(self.n_months)]

    @property
    def last_day(self) -> date:
        return month_end(self.months[-1])

    @property
    def chain(self) -> list[date]:
        import pandas as pd

        return chain_dates(pd.Series(pd.to_datetime(self.months)), self.run_date, self.evaluation_to)


# ---------------------------------------------------------------------------------------------
# Case scenarios (what Hypothesis draws)

LISTINGS = ("always", "always", "late", "delist", "relist", "two_apps", "none")
ATTACHED_LEVELS = (0, 400_000, 1_000_000, 7_000_000, 2_000_000, 400_000, 1_000_000, 7_000_000)
JITTERS = ("exact", "minus_cent", "plus_cent", "cents", "drop")
DISRUPTIONS = ("none", "none", "uninstall", "gap", "second_app", "reinstall", "overage", "late_install")
INSTALL_90D = (None, "4999.99", "5000.00", "29999.99", "30000.00", "99999.99", "100000.00")
INSTALL_OFFSETS = (-1, 0, 45, 90, 91)
DEALS = (None, "999.99", "1000.00", "4999.99", "5000.00", "29999.99", "30000.00", "99999.99", "100000.00",
         "100000.00", "250000.00")  # fmt: skip
REVIEWS = ((0, "none"), (4, "high"), (5, "at35"), (5, "below35"), (5, "at40"), (5, "below40"), (10, "at40"),
           (10, "below40"), (9, "high"), (12, "high"), (6, "high"), (11, "at40"))  # fmt: skip
FORMS = ("none", "tech", "leading", "premier", "premier", "premier_no_ds", "complete_then_tech")
FORM_TIMINGS: tuple[int | str, ...] = (-30, 0, 14, 15, "run", "run+1")
ESCALATIONS = ("none", "none", "open", "resolved_90", "resolved_91", "after", "not_responsible", "opened_after")
BASELINES = (None, "partner", "rising", "leading", "premier")
PUBLISHED = ("none", "none", "none", "some")
CERTS = ("none", "valid", "valid", "expiring", "expires_on_e", "revoked", "certified_on_e")
# Rare combinations made common: Premier through the A5 exception at most dates; leading on
# performance at the last date with the form still missing (A9 row 6 / 7).
ARCHETYPES = ("free",) * 8 + ("exception", "pending")


@dataclass(frozen=True)
class CaseSpec:
    listing: str
    attached: tuple[int, str]
    disruption: str
    install_90d: tuple[str | None, int]
    deals: str | None
    reviews: tuple[int, str]
    form: tuple[str, int | str]
    escalation: str
    baseline: tuple[str | None, str]
    cert: str
    seed: int
    archetype: str = "free"


def case_specs() -> st.SearchStrategy[CaseSpec]:
    """One case's scenario; knobs are combined into few draws to keep each case cheap in entropy."""
    return st.builds(
        CaseSpec,
        listing=st.sampled_from(LISTINGS),
        attached=st.sampled_from(list(product(ATTACHED_LEVELS, JITTERS))),
        disruption=st.sampled_from(DISRUPTIONS),
        install_90d=st.sampled_from(list(product(INSTALL_90D, INSTALL_OFFSETS))),
        deals=st.sampled_from(DEALS),
        reviews=st.sampled_from(REVIEWS),
        form=st.sampled_from(list(product(FORMS, FORM_TIMINGS))),
        escalation=st.sampled_from(ESCALATIONS),
        baseline=st.sampled_from(list(product(BASELINES, PUBLISHED))),
        cert=st.sampled_from(CERTS),
        archetype=st.sampled_from(ARCHETYPES),
        seed=st.integers(0, 2**24),
    )


class Batch:
    """The cases of one landing zone, with a short repr (Hypothesis prints the failing example)."""

    def __init__(self, specs: list[CaseSpec]):
        self.specs = list(specs)

    def __len__(self) -> int:
        return len(self.specs)

    def __iter__(self):
        return iter(self.specs)

    def __getitem__(self, k: int) -> CaseSpec:
        return self.specs[k]

    def __repr__(self) -> str:
        return f"<batch of {len(self.specs)} cases: the failure message shows the differing ones>"

    def _repr_pretty_(self, p, cycle: bool) -> None:  # Hypothesis's pretty printer
        p.text(repr(self))


def batches(n_cases: int) -> st.SearchStrategy[Batch]:
    """`n_cases` case scenarios for one landing zone (fixed size: one dbt build each)."""
    return st.lists(case_specs(), min_size=n_cases, max_size=n_cases).map(Batch)


# ---------------------------------------------------------------------------------------------
# Building a case


def _cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _random_time(rng: random.Random) -> time:
    return rng.choice([time(0, 0, 0), time(9, 30), time(12, 0), time(23, 59, 59)])


class _CaseBuilder:
    def __init__(self, landing: Landing, ctx: Context, k: int, spec: CaseSpec):
        self.landing, self.ctx, self.spec = landing, ctx, spec
        self.rng = random.Random(spec.seed * 7919 + k * 31 + ctx.run_date.toordinal())
        self.prefix = f"c{k}_"
        self.months = ctx.months
        self.chain = ctx.chain or [ctx.run_date]
        self.mrr: dict[tuple[str, date, str], int] = {}  # (portal, month, line) -> cents
        self.usage: dict[tuple[str, str, date], int] = {}  # (app, portal, month) -> api calls
        self.n_ids: dict[str, int] = defaultdict(int)

    def new_id(self, kind: str) -> str:
        self.n_ids[kind] += 1
        return f"{self.prefix}{kind}{self.n_ids[kind]}"

    def anchor(self) -> date:
        return self.rng.choice(self.chain)

    def boundary_day(self) -> date:
        """A date that sits on a boundary of the calendar: an E, E+1, E-1, a 1st or last of a month."""
        rng = self.rng
        e = self.anchor()
        m = rng.choice(self.months)
        return rng.choice(
            [
                e,
                e + timedelta(days=1),
                e - timedelta(days=1),
                m,
                month_end(m),
                _random_day(rng, self.months[0], self.ctx.last_day),
            ]
        )

    # -- feeds -------------------------------------------------------------------------------

    def partner(self) -> str:
        pid = self.new_id("p")
        self.landing.add(
            "partners", partner_id=pid, partner_name=f"Partner {pid}", program="technology", joined_on="2020-01-01"
        )
        return pid

    def app(self, partner_id: str, listed: date, delisted: date | None = None) -> str:
        app_id = self.new_id("a")
        self.landing.add(
            "apps",
            app_id=app_id,
            partner_id=partner_id,
            app_name=f"App {app_id}",
            listed_on=fmt_date(listed),
            delisted_on=fmt_date(delisted),
        )
        return app_id

    def portal(self, first_purchase: date | None) -> str:
        portal_id = self.new_id("q")
        self.landing.add("portals", portal_id=portal_id, first_purchase_on=fmt_date(first_purchase), country="FR")
        return portal_id

    def set_mrr(self, portal: str, month: date, cents: int, line: str = "marketing_hub") -> None:
        self.mrr[(portal, month, line)] = max(0, cents)

    def install(self, app: str, portal: str, at: date, until: date | None = None, calls: bool = True) -> None:
        self.landing.add(
            "app_installs",
            install_id=self.new_id("i"),
            app_id=app,
            portal_id=portal,
            installed_at=fmt_ts(at, _random_time(self.rng), z=self.rng.random() < 0.3),
            uninstalled_at=fmt_ts(until, time(23, 0)) if until else None,
        )
        if calls:
            for m in self.months:
                self.usage[(app, portal, m)] = self.rng.randint(1, 900)

    def flush(self) -> None:
        for (portal, month, line), cents in sorted(self.mrr.items()):
            edition = "professional" if line != "credit_overage" else "starter"
            self.landing.add(
                "portal_mrr_monthly",
                portal_id=portal,
                month=fmt_date(month),
                product_line=line,
                edition=edition,
                mrr_usd=fmt_money(cents),
            )
        for (app, portal, month), calls in sorted(self.usage.items()):
            self.landing.add(
                "app_usage_monthly", app_id=app, portal_id=portal, month=fmt_date(month), api_calls=str(calls)
            )

    # -- the scenario --------------------------------------------------------------------------

    def build(self) -> None:
        if self.spec.archetype == "exception":
            self.spec = replace(self.spec, listing="always", attached=(self.rng.choice([0, 400_000]), "exact"),
                                form=("premier", -30), cert="none")  # fmt: skip
        elif self.spec.archetype == "pending":
            self.spec = replace(self.spec, listing="always", attached=(1_000_000, "exact"), form=("none", 0))
        rng, spec = self.rng, self.spec
        p1 = self.partner()
        if spec.archetype != "free":
            self.steady_support(p1, spec.archetype)
        apps = self.apps(p1, spec.listing)
        self.attached(apps, *spec.attached)
        self.install_90d(apps, *spec.install_90d)
        self.deals(p1, spec.deals)
        self.reviews(apps, *spec.reviews)
        self.forms(p1, *spec.form)
        self.escalation(p1, spec.escalation)
        self.baseline(p1, *spec.baseline)
        self.certification(apps, spec.cert)
        if rng.random() < 0.2:  # a second partner whose apps share the first partner's portals
            self.second_partner()
        self.flush()

    def steady_support(self, partner: str, archetype: str) -> None:
        """Deals every 6 months and reviews every quarter (every window sees them), plus the form."""
        rng = self.rng
        app = self.app(partner, self.months[0] - timedelta(days=500))
        amount = "100000.00" if archetype == "exception" else "5000.00"
        for n, m in enumerate(self.months[::6]):
            sid = f"{partner}_steady{n}"
            self.landing.add("influenced_revenue_submissions", submission_id=sid, partner_id=partner,
                             deal_id=sid, portal_id=None, submission_type="influenced_deal", mrr_usd=amount,
                             closed_on=fmt_date(m + timedelta(days=9)), submitted_at=fmt_ts(m + timedelta(days=12)),
                             review_status="approved")  # fmt: skip
        for m in self.months[::3]:
            for _ in range(3):
                self._review(app, rng.choice([4, 5]), m + timedelta(days=rng.randint(0, 27)))
        email = f"steady@{self.prefix}example.com"
        if archetype == "exception":
            self.landing.add("app_certifications", app_id=app, certified_on=fmt_date(self.months[0]),
                             expires_on="2035-01-01", status="certified")  # fmt: skip
            self.landing.add("partner_poc_forms", form_id=f"{partner}_steady", partner_id=partner,
                             submitted_at=fmt_ts(self.months[0]), technical_contact_email=email,
                             partnership_manager_email=email, executive_sponsor_email=email,
                             co_sell_contact_email=None, data_sharing="crossbeam")  # fmt: skip
        else:  # the form for leading arrives after E + 14 of the last date, or after the run date
            last = self.chain[-1]
            late = rng.choice([last + timedelta(days=15), self.ctx.run_date + timedelta(days=1)])
            self.landing.add("partner_poc_forms", form_id=f"{partner}_steady", partner_id=partner,
                             submitted_at=fmt_ts(late), technical_contact_email=email,
                             partnership_manager_email=email, executive_sponsor_email=None,
                             co_sell_contact_email=None, data_sharing=None)  # fmt: skip

    def apps(self, partner: str, listing: str) -> list[tuple[str, date, date | None]]:
        rng, first = self.rng, self.months[0]
        early = first - timedelta(days=rng.randint(30, 400))
        out: list[tuple[str, date, date | None]] = []

        def add(listed: date, delisted: date | None = None) -> None:
            if delisted is not None and delisted < listed:
                delisted = listed
            out.append((self.app(partner, listed, delisted), listed, delisted))

        if listing in ("always", "two_apps"):
            add(early)
        if listing == "two_apps":
            add(rng.choice([early, self.boundary_day()]))
        if listing == "late":
            add(self.boundary_day())
        if listing == "delist":
            add(early, self.boundary_day())
        if listing == "relist":
            i = rng.randrange(max(1, len(self.chain) - 1))
            e = self.chain[i]
            delisted = e - timedelta(days=rng.choice([0, 3, 40]))
            nxt = self.chain[i + 1] if i + 1 < len(self.chain) else e + timedelta(days=91)
            relisted = rng.choice([e + timedelta(days=1), nxt - timedelta(days=1), nxt, nxt + timedelta(days=1)])
            add(early, delisted)
            add(relisted)
        return out

    def attached(self, apps: list[tuple[str, date, date | None]], level: int, jitter: str) -> None:
        rng, spec = self.rng, self.spec
        if level == 0 or not apps:
            return
        n = rng.choice([1, 1, 2, 3])
        total = level * 100
        shares = []
        for i in range(n - 1):
            share = total // n + rng.randint(-1000, 1000) * 100 * (i + 1)
            shares.append(share)
        shares.append(total - sum(shares))
        portals = []
        for share in shares:
            fp = rng.choice([None, date(2019, 5, 1), self.boundary_day()])
            q = self.portal(fp)
            portals.append(q)
            split = rng.random() < 0.4
            for m in self.months:
                if split:
                    part = share * 7 // 10
                    self.set_mrr(q, m, part, "marketing_hub")
                    self.set_mrr(q, m, share - part, "sales_hub")
                else:
                    self.set_mrr(q, m, share)
        q0 = portals[0]
        line0 = "sales_hub" if (q0, self.months[0], "sales_hub") in self.mrr else "marketing_hub"

        def bump(m: date, cents: int) -> None:
            self.mrr[(q0, m, line0)] = max(0, self.mrr[(q0, m, line0)] + cents)

        if jitter == "minus_cent":
            for m in rng.sample(self.months, rng.randint(1, 2)):
                bump(m, -1)
        elif jitter == "plus_cent":
            for m in rng.sample(self.months, rng.randint(1, 2)):
                bump(m, 1)
        elif jitter == "cents":
            for m in self.months:
                bump(m, rng.randint(-7, 7))
        elif jitter == "drop":
            bump(rng.choice(self.months), -total // 2)

        # Installs: every portal uses the first app; the others as the scenario says.
        first_seen = self.months[0] - timedelta(days=rng.randint(10, 200))
        for i, q in enumerate(portals):
            for j, (app, listed, _delisted) in enumerate(apps):
                if j > 0 and spec.listing != "relist" and not (spec.listing == "two_apps" and rng.random() < 0.7):
                    continue
                at = first_seen if j == 0 else max(first_seen, listed - timedelta(days=rng.randint(0, 40)))
                until = None
                if i == 0 and j == 0 and spec.disruption == "uninstall":
                    until = rng.choice(
                        [rng.choice(self.months), month_end(rng.choice(self.months)), self.boundary_day()]
                    )
                if i == 0 and j == 0 and spec.disruption == "late_install":
                    at = self.boundary_day()
                self.install(app, q, at, until)
                if i == 0 and j == 0 and spec.disruption == "reinstall":
                    self.install(app, q, self.boundary_day(), None, calls=False)
        q0_app = apps[0][0]
        if spec.disruption == "gap":
            for m in rng.sample(self.months, rng.randint(1, 3)):
                if rng.random() < 0.5:
                    self.usage[(q0_app, q0, m)] = 0
                else:
                    self.usage.pop((q0_app, q0, m), None)
        if spec.disruption == "second_app":
            extra = self.app(f"{self.prefix}p1", first_seen)  # same partner, same portal: counted once
            self.install(extra, q0, first_seen)
        if spec.disruption == "overage":
            for m in rng.sample(self.months, rng.randint(1, 6)):
                self.set_mrr(q0, m, rng.choice([100_000_00, 700_000_00]), "credit_overage")

    def install_90d(self, apps: list[tuple[str, date, date | None]], amount: str | None, offset: int) -> None:
        rng = self.rng
        if amount is None or not apps:
            return
        installed = _random_day(rng, self.months[0] + timedelta(days=1), self.ctx.last_day - timedelta(days=62))
        fp = installed - timedelta(days=offset)
        q = self.portal(fp)
        month = installed.replace(day=1)
        for m in self.months:
            if m >= min(month, fp.replace(day=1)):
                self.set_mrr(q, m, _cents(amount) if m == month else _cents(amount) * 2 + rng.randint(0, 99))
        app = rng.choice(apps)[0]
        active = rng.random() < 0.5
        self.install(app, q, installed, calls=False)
        if active:
            for m in self.months:
                if m >= month:
                    self.usage[(app, q, m)] = rng.randint(1, 50)
        if rng.random() < 0.3:  # a second install of the partner's apps: the portal counts once
            self.install(rng.choice(apps)[0], q, installed + timedelta(days=rng.randint(1, 60)), calls=False)

    def deals(self, partner: str, amount: str | None) -> None:
        rng = self.rng
        subs: list[tuple[date, dict[str, str | None]]] = []

        def sub(deal: str, cents: int, closed: date, submitted: date, status: str = "approved") -> None:
            subs.append(
                (
                    submitted,
                    {
                        "partner_id": partner,
                        "deal_id": deal,
                        "portal_id": None,
                        "submission_type": rng.choice(["influenced_deal", "referral"]),
                        "mrr_usd": fmt_money(cents),
                        "closed_on": fmt_date(closed),
                        "review_status": status,
                    },
                )
            )

        if amount is not None:
            deal = self.new_id("d")
            q = rng.choice(self.months[-12:] if rng.random() < 0.5 else self.months[:-1])
            closed = rng.choice([q, month_end(q), _random_day(rng, q, month_end(q))])
            submitted = closed + timedelta(days=rng.randint(0, 30))
            if rng.random() < 0.3:  # superseded by the later approved one (D6)
                sub(deal, _cents(amount) * 3 + 1, closed, submitted - timedelta(days=rng.choice([0, 0, 1, 20])))
            sub(deal, _cents(amount), closed, submitted)
            if rng.random() < 0.3:  # a later pending / rejected one never counts
                sub(
                    deal,
                    _cents(amount) * 5,
                    closed,
                    submitted + timedelta(days=rng.randint(0, 20)),
                    rng.choice(["pending", "rejected"]),
                )
        if rng.random() < 0.3:
            d = self.new_id("d")
            closed = _random_day(rng, self.months[0], self.ctx.last_day)
            sub(d, rng.randint(1, 90_000) * 100, closed, closed, rng.choice(["pending", "rejected"]))
        if rng.random() < 0.3:
            d = self.new_id("d")
            closed = _random_day(rng, self.months[0], self.ctx.last_day)
            sub(d, rng.randint(1, 900_00), closed, closed + timedelta(days=rng.randint(0, 10)))
        # Same-day submissions get distinct times whose order is unrelated to the ids: "latest" is by
        # timestamp, then id (reading R1 of the reference).
        times = rng.sample(range(24 * 60), len(subs))
        ids = rng.sample(range(len(subs)), len(subs))
        for n, (submitted, values) in enumerate(sorted(subs, key=lambda s: s[0])):
            self.landing.add(
                "influenced_revenue_submissions",
                submission_id=f"{partner}_s{ids[n]:03d}",
                submitted_at=fmt_ts(submitted, time(times[n] // 60, times[n] % 60)),
                **values,
            )

    def reviews(self, apps: list[tuple[str, date, date | None]], n: int, profile: str) -> None:
        rng = self.rng
        if not apps:
            return
        target = {
            "none": 0,
            "high": 5 * n,
            "at35": -(-7 * n // 2),
            "below35": -(-7 * n // 2) - 1,
            "at40": 4 * n,
            "below40": 4 * n - 1,
        }[profile]
        if profile == "high":
            target = rng.randint(max(n, -(-9 * n // 2)), 5 * n)
        ratings = [target // n + (1 if i < target % n else 0) for i in range(n)] if n else []
        for _ in range(n):  # shuffle the mass around without changing the sum
            i, j = rng.randrange(n), rng.randrange(n)
            if ratings[i] < 5 and ratings[j] > 1 and i != j:
                ratings[i] += 1
                ratings[j] -= 1
        # often in the last 12 months, so that the enforced (2027) windows see them (A6)
        start = rng.choice(self.months[-12:-2] if rng.random() < 0.65 else self.months[:-2])
        for r in ratings:
            day = _random_day(rng, start, month_end(add_months(start, 2)))
            self._review(rng.choice(apps)[0], r, day)
        for _ in range(rng.choice([0, 0, 1, 3])):  # noise: elsewhere in time, or removed
            day = _random_day(rng, self.months[0], self.ctx.last_day)
            self._review(rng.choice(apps)[0], rng.randint(1, 5), day, rng.choice(["published", "removed"]))

    def _reviewer(self) -> str:
        """One portal per case writes the reviews (no MRR: it never changes a metric)."""
        if getattr(self, "_review_portal", None) is None:
            self._review_portal = self.portal(None)
        return self._review_portal

    def _review(self, app: str, rating: int, day: date, status: str = "published") -> None:
        self.landing.add(
            "marketplace_reviews",
            review_id=self.new_id("r"),
            app_id=app,
            portal_id=self._reviewer(),  # feeds.md: a review names its portal (the gate checks it)
            rating=str(rating),
            submitted_at=fmt_ts(day, _random_time(self.rng)),
            status=status,
        )

    def forms(self, partner: str, kind: str, timing: int | str) -> None:
        rng = self.rng
        if kind == "none":
            return
        # often the last date: its POC window may still be open on the run date (A9 row 6)
        e = self.chain[-1] if self.rng.random() < 0.4 else self.anchor()
        when = {"run": self.ctx.run_date, "run+1": self.ctx.run_date + timedelta(days=1)}.get(
            timing, e + timedelta(days=timing if isinstance(timing, int) else 0)
        )
        email = f"x@{self.prefix}example.com"
        contacts = {
            "tech": (email, None, None, rng.choice([None, "none"])),
            "leading": (email, email, rng.choice([None, email]), rng.choice([None, "none"])),
            "premier": (email, email, email, rng.choice(["crossbeam", "other_approved"])),
            "premier_no_ds": (email, email, email, rng.choice([None, "none"])),
            "complete_then_tech": (email, None, None, None),
        }[kind]
        forms = [(when, contacts)]
        if kind == "complete_then_tech":
            forms.insert(0, (when - timedelta(days=rng.choice([0, 1, 60, 200])), (email, email, email, "crossbeam")))
        elif kind == "premier" and rng.random() < 0.5:  # an early complete form that holds for every date
            forms.insert(0, (self.months[0], contacts))
        ids = rng.sample(range(len(forms)), len(forms))  # id order unrelated to time order (R1)
        for n, (day, (tech, pm, exec_, ds)) in enumerate(forms):
            self.landing.add(
                "partner_poc_forms",
                form_id=f"{self.prefix}f{ids[n]}",
                partner_id=partner,
                submitted_at=fmt_ts(day, time(23, 59, 59) if n else rng.choice([time(0, 0), time(9, 30)])),
                technical_contact_email=tech,
                partnership_manager_email=pm,
                executive_sponsor_email=exec_,
                co_sell_contact_email=rng.choice([None, email]),
                data_sharing=ds,
            )

    def escalation(self, partner: str, kind: str) -> None:
        if kind == "none":
            return
        # often the last date: its POC window may still be open on the run date (A9 row 6)
        e = self.chain[-1] if self.rng.random() < 0.4 else self.anchor()
        d = timedelta
        opened, resolved, responsible = {
            "open": (e - d(days=self.rng.randint(0, 100)), None, True),
            "resolved_90": (e - d(days=200), e - d(days=90), True),
            "resolved_91": (e - d(days=200), e - d(days=91), True),
            "after": (e - d(days=30), e + d(days=10), True),
            "not_responsible": (e - d(days=30), None, False),
            "opened_after": (e + d(days=1), None, True),
        }[kind]
        self.landing.add(
            "compliance_escalations",
            escalation_id=self.new_id("e"),
            partner_id=partner,
            opened_on=fmt_date(opened),
            resolved_on=fmt_date(resolved),
            responsible="true" if responsible else "false",
        )

    def baseline(self, partner: str, tier: str | None, published: str) -> None:
        rng = self.rng
        if tier is not None:
            self.landing.add(
                "technology_tier_baseline",
                partner_id=partner,
                tier=tier,
                effective_on=fmt_date(self.months[0] - timedelta(days=rng.randint(0, 300))),
            )
        if published == "some" and self.ctx.chain:
            tiers = ("not_in_program", *TIER_VALUES)
            # chain dates, and the two dates before the first one (only the previous one is read, R8)
            before = previous_evaluation_date(self.ctx.chain[0])
            candidates = [*self.ctx.chain, before, previous_evaluation_date(before)]
            for e in rng.sample(candidates, min(2, len(candidates))):
                if rng.random() < 0.4:  # an older version that is no longer current
                    self.landing.publish(partner, e, rng.choice(tiers), version=1, current=False)
                    self.landing.publish(partner, e, rng.choice(tiers), version=2)
                else:
                    self.landing.publish(partner, e, rng.choice(tiers))

    def certification(self, apps: list[tuple[str, date, date | None]], kind: str) -> None:
        rng = self.rng
        if kind == "none" or not apps:
            return
        e = self.anchor()
        app = rng.choice(apps)[0]
        two_years_before = e.replace(year=e.year - 2)
        certified, expires, status = {
            "valid": (
                _random_day(rng, self.months[0] - timedelta(days=400), self.months[len(self.months) // 2]),
                None,
                "certified",
            ),
            "expiring": (two_years_before, None, "certified"),
            "expires_on_e": (e - timedelta(days=300), e, "certified"),
            "revoked": (self.months[0] - timedelta(days=100), None, "revoked"),
            "certified_on_e": (e, None, "certified"),
        }[kind]
        self.landing.add(
            "app_certifications",
            app_id=app,
            certified_on=fmt_date(certified),
            expires_on=fmt_date(expires),
            status=status,
        )

    def second_partner(self) -> None:
        """Another partner of the same case: its apps are used by the case's portals (counted per partner)."""
        rng = self.rng
        p2 = self.partner()
        portals = sorted({q for (_a, q, _m) in self.usage})
        app = self.app(p2, self.months[0] - timedelta(days=10), rng.choice([None, self.boundary_day()]))
        for q in portals[:2]:
            self.install(app, q, self.months[0] - timedelta(days=5))
        if rng.random() < 0.5:
            self.deals(p2, rng.choice(DEALS[1:]))


def build_case(landing: Landing, ctx: Context, k: int, spec: CaseSpec) -> None:
    _CaseBuilder(landing, ctx, k, spec).build()


def build_anchor(landing: Landing, ctx: Context) -> None:
    """A partner with MRR and usage in every month, so the landing zone covers the whole range."""
    b = _CaseBuilder(
        landing,
        ctx,
        0,
        CaseSpec(
            "always", (0, "exact"), "none", (None, 0), None, (0, "none"), ("none", 0), "none", (None, "none"), "none", 0
        ),
    )
    b.prefix = "anchor_"
    p = b.partner()
    app = b.app(p, ctx.months[0] - timedelta(days=30))
    q = b.portal(None)
    for m in ctx.months:
        b.set_mrr(q, m, 1234_56)
    b.install(app, q, ctx.months[0] - timedelta(days=30))
    # a solutions partner (apps belong to technology partners, feeds.md): Part A has no rows for it
    landing.add("partners", partner_id="anchor_s1", partner_name="Solutions", program="solutions",
                solutions_type="partner", solutions_tier="gold", joined_on="2020-01-01")  # fmt: skip
    b.flush()


def build_landing(ctx: Context, specs: Batch | list[CaseSpec]) -> Landing:
    landing = Landing()
    build_anchor(landing, ctx)
    for k, spec in enumerate(specs):
        build_case(landing, ctx, k, spec)
    return landing


def case_of(partner_id: str) -> str:
    """The case id of a namespaced partner id (`c12_p1` -> `c12`)."""
    return partner_id.split("_", 1)[0]
