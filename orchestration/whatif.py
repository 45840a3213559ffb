"""What-if simulator (issue 17 item 1): change inputs of a technology partner's tier decision and get the
qualified tiers, the action and every requirement's status.

The rules are not here. The warehouse stores the decision's SQL (marts.rpt_technology_what_if_sql),
rendered by dbt from the macros the intermediate models run (macros/technology_decision.sql,
tier_change.sql), and the decision's inputs as the real decision used them
(marts.fct_technology_decision_inputs). This module only applies the changes to those inputs — in SQL,
every scenario of a call in one query — and runs the stored SQL over them against the warehouse's own
requirement seed (config.technology_tier_requirements). With no change it reproduces the decision.
The connection is read-only: the working warehouse or the analytics snapshot both work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

DECISION_INPUTS = "marts.fct_technology_decision_inputs"
DECISION_SQL = "marts.rpt_technology_what_if_sql"
EVALUATIONS = "marts.fct_technology_tier_evaluations"
REQUIREMENT_SEED = "config.technology_tier_requirements"
TIER_SEED = "config.technology_tiers"


class WhatIfError(ValueError):
    """A what-if question this warehouse cannot answer; the message says what to do."""


@dataclass(frozen=True)
class Input:
    """One input of the decision a user may change: `kind` is money, count, rating or flag."""

    name: str
    kind: str
    help: str


# The inputs of issue 17 item 1, in the order they are shown. Each changes its own columns only
# (inputs are independent): setting live_listing=false does not also remove certifications.
INPUTS: dict[str, Input] = {
    i.name: i
    for i in (
        Input("attached_mrr", "money", "12-month mean attached MRR (A3)"),
        Input("influenced_mrr", "money", "influenced-deals MRR over the window (A3, D6)"),
        Input("install_90d_mrr", "money", "90-day install MRR (A3, D5)"),
        Input("review_count", "count", "published reviews in the window; the average rating is kept (A3)"),
        Input("avg_rating", "rating", "average rating of the window's reviews (A3)"),
        Input("certified_app", "flag", "a live app with a valid certification (D8)"),
        Input("live_listing", "flag", "at least one live app on E (A4)"),
        Input("technical_contact", "flag", "the POC form names a technical contact (A7)"),
        Input("partnership_manager", "flag", "the POC form names a partnership manager (A7)"),
        Input("executive_sponsor", "flag", "the POC form names an executive sponsor (A7)"),
        Input("data_sharing", "flag", "the POC form's data-sharing method passes (A4)"),
        Input("good_standing", "flag", "no responsible compliance escalation (A8, D12)"),
        Input(
            "poc_form",
            "flag",
            "a complete POC form: every contact and data sharing (A7, D10); a contact set alone wins",
        ),
    )
}
# The requirement (A4 id) each input moves; good_standing and poc_form move the action, not one requirement.
REQUIREMENT_INPUT = {
    "attached_mrr": "attached_mrr",
    "influenced_mrr": "influenced_mrr",
    "review_count": "review_count",
    "avg_rating": "avg_rating",
    "app_certification": "certified_app",
    "live_listing": "live_listing",
    "technical_contact": "technical_contact",
    "partnership_manager": "partnership_manager",
    "executive_sponsor": "executive_sponsor",
    "data_sharing": "data_sharing",
}
TRUE_WORDS = {"true", "yes", "y", "1", "on"}
FALSE_WORDS = {"false", "no", "n", "0", "off"}


@dataclass(frozen=True)
class Change:
    """NAME=VALUE (`delta` False) or NAME=+DELTA / NAME=-DELTA (`delta` True) for one input."""

    name: str
    value: float | bool
    delta: bool = False

    def __str__(self) -> str:
        if isinstance(self.value, bool):
            return f"{self.name}={'true' if self.value else 'false'}"
        return f"{self.name}={'+' if self.delta and self.value >= 0 else ''}{self.value:.15g}"


def parse_change(text: str) -> Change:
    """`--set` text -> Change; the message of a bad one names the input and the accepted forms."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name or not raw:
        raise WhatIfError(f"--set {text!r}: write NAME=VALUE or NAME=+DELTA, e.g. review_count=+3")
    spec = INPUTS.get(name)
    if spec is None:
        raise WhatIfError(f"--set {text!r}: no input named {name!r}; the inputs are {', '.join(INPUTS)}")
    if spec.kind == "flag":
        word = raw.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise WhatIfError(f"--set {text!r}: {name} is yes or no (true/false)")
        return Change(name, word in TRUE_WORDS)
    delta = raw[0] in "+-"
    try:
        value = float(raw.replace(",", "").replace("_", ""))
    except ValueError:
        raise WhatIfError(f"--set {text!r}: {raw!r} is not a number (write {name}=450000 or {name}=+3)") from None
    if spec.kind == "count" and value != int(value):
        raise WhatIfError(f"--set {text!r}: {name} is a whole number")
    if not delta and value < 0:
        raise WhatIfError(f"--set {text!r}: {name} cannot be negative")
    return Change(name, value, delta)


@dataclass(frozen=True)
class Scenario:
    partner_id: str
    evaluation_date: date
    changes: tuple[Change, ...] = ()


@dataclass
class Outcome:
    """One scenario's answer: the decision and every requirement row, as the stored SQL computed them."""

    scenario: Scenario
    decision: dict[str, Any]
    requirements: list[dict[str, Any]] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)


# The scenario table has, per input, <name>_set (the value set; a flag's true/false) and <name>_delta.
def _scenario_table(scenarios: Sequence[Scenario]) -> pa.Table:
    fields = [
        pa.field("scenario_id", pa.int64()),
        pa.field("partner_id", pa.string()),
        pa.field("evaluation_date", pa.date32()),
    ]
    for spec in INPUTS.values():
        fields.append(pa.field(f"{spec.name}_set", pa.bool_() if spec.kind == "flag" else pa.float64()))
        if spec.kind != "flag":
            fields.append(pa.field(f"{spec.name}_delta", pa.float64()))
    columns: dict[str, list[Any]] = {f.name: [] for f in fields}
    for n, s in enumerate(scenarios):
        by_name = {c.name: c for c in s.changes}
        columns["scenario_id"].append(n)
        columns["partner_id"].append(s.partner_id)
        columns["evaluation_date"].append(s.evaluation_date)
        for spec in INPUTS.values():
            c = by_name.get(spec.name)
            columns[f"{spec.name}_set"].append(None if c is None or c.delta else c.value)
            if spec.kind != "flag":
                columns[f"{spec.name}_delta"].append(c.value if c is not None and c.delta else None)
    return pa.table(columns, schema=pa.schema(fields))


def _amount(name: str, current: str) -> str:
    """The changed amount: set, or current + delta, never below 0; exact (DECIMAL) when unchanged (G2)."""
    return (
        f"case when s.{name}_set is null and s.{name}_delta is null then cast({current} as decimal(38, 10))"
        f" else cast(greatest(coalesce(s.{name}_set, {current} + s.{name}_delta), 0) as decimal(38, 10)) end"
    )


# The changed inputs, shaped like fct_technology_decision_inputs plus scenario_id. Review count and
# rating: a changed count keeps the average (rating_sum = average x count; undefined stays undefined), a
# changed average applies to the (changed) count. Ratings round to 6 decimals so that 3.9 + 0.1 is 4.0.
_INPUTS_SQL = f"""
what_if_scenarios as (select * from what_if_scenario_frame),
what_if_changed as (
    select
        s.scenario_id,
        d.*,
        {_amount("attached_mrr", "d.attached_mrr_mean")} as new_attached_mrr_mean,
        s.attached_mrr_set is null and s.attached_mrr_delta is null as attached_mrr_unchanged,
        cast(greatest(coalesce(s.review_count_set, d.review_count + s.review_count_delta, d.review_count), 0)
            as integer) as new_review_count,
        round(greatest(coalesce(s.avg_rating_set, d.avg_rating + s.avg_rating_delta), 0), 6) as new_avg_rating,
        s.review_count_set is null and s.review_count_delta is null as review_count_unchanged,
        s.avg_rating_set is null and s.avg_rating_delta is null as avg_rating_unchanged,
        s.certified_app_set, s.live_listing_set, s.technical_contact_set, s.partnership_manager_set,
        s.executive_sponsor_set, s.data_sharing_set, s.good_standing_set, s.poc_form_set,
        {_amount("influenced_mrr", "d.influenced_deals_mrr")} as new_influenced_deals_mrr,
        {_amount("install_90d_mrr", "d.install_90d_mrr")} as new_install_90d_mrr
    from what_if_scenarios as s
    inner join {DECISION_INPUTS} as d
        on d.partner_id = s.partner_id
        and d.evaluation_date = s.evaluation_date
),
what_if_inputs as (
    select
        c.scenario_id,
        c.partner_id,
        c.evaluation_date,
        c.window_months,
        case when c.attached_mrr_unchanged then c.attached_mrr_total
            else c.new_attached_mrr_mean * c.window_months end as attached_mrr_total,
        case when c.attached_mrr_unchanged then c.attached_mrr_mean
            else cast(c.new_attached_mrr_mean as double) end as attached_mrr_mean,
        c.new_install_90d_mrr as install_90d_mrr,
        c.new_influenced_deals_mrr as influenced_deals_mrr,
        c.new_review_count as review_count,
        case
            when c.review_count_unchanged and c.avg_rating_unchanged then c.rating_sum
            when c.avg_rating_unchanged then c.avg_rating * c.new_review_count
            else c.new_avg_rating * c.new_review_count
        end as rating_sum,
        case
            when c.new_review_count = 0 then null
            when c.avg_rating_unchanged then c.avg_rating
            else c.new_avg_rating
        end as avg_rating,
        case when c.live_listing_set is null then c.live_app_count
            when c.live_listing_set then greatest(c.live_app_count, 1) else 0 end as live_app_count,
        case when c.certified_app_set is null then c.certified_live_app_count
            when c.certified_app_set then greatest(c.certified_live_app_count, 1) else 0 end
            as certified_live_app_count,
        coalesce(c.technical_contact_set, c.poc_form_set, c.has_technical_contact) as has_technical_contact,
        coalesce(c.partnership_manager_set, c.poc_form_set, c.has_partnership_manager)
            as has_partnership_manager,
        coalesce(c.executive_sponsor_set, c.poc_form_set, c.has_executive_sponsor) as has_executive_sponsor,
        coalesce(c.data_sharing_set, c.poc_form_set, c.data_sharing_passes) as data_sharing_passes,
        coalesce(c.live_listing_set, c.has_live_listing) as has_live_listing,
        coalesce(c.good_standing_set, c.in_good_standing) as in_good_standing,
        c.form_window_open,
        c.downgrade_window,
        c.downgrades_in_force,
        c.not_in_program_rank,
        c.partner_rank,
        c.tier_before_rank
    from what_if_changed as c
),
what_if_requirement_seed as (select * from {REQUIREMENT_SEED}),
what_if_tier_seed as (select tier, tier_rank from {TIER_SEED}),
"""
# One query: every requirement row with its scenario's decision (d_*) and changed inputs (i_*).
_REQUIREMENT_COLUMNS = (
    "tier",
    "requirement",
    "level",
    "value",
    "threshold",
    "install_90d_value",
    "install_90d_threshold",
    "influenced_deals_value",
    "exception_deals_threshold",
    "status",
    "would_pass",
    "passed_by_exception",
    "is_blocking",
    "is_poc_form_requirement",
)
_SELECT = f"""
select
    r.scenario_id,
    {", ".join(f"r.{c}" for c in _REQUIREMENT_COLUMNS)},
    before.tier as d_tier_before,
    perf.tier as d_qualified_tier_on_performance,
    x.tier as d_qualified_tier,
    d.action as d_action,
    after.tier as d_tier_after,
    pending.tier as d_pending_tier,
    d.premier_exception_used as d_premier_exception_used,
    d.form_complete_for_tier as d_form_complete_for_tier,
    d.at_risk as d_at_risk,
    i.attached_mrr_mean as i_attached_mrr,
    i.influenced_deals_mrr as i_influenced_mrr,
    i.install_90d_mrr as i_install_90d_mrr,
    i.review_count as i_review_count,
    i.avg_rating as i_avg_rating,
    i.certified_live_app_count > 0 as i_certified_app,
    i.live_app_count > 0 as i_live_listing,
    i.has_technical_contact as i_technical_contact,
    i.has_partnership_manager as i_partnership_manager,
    i.has_executive_sponsor as i_executive_sponsor,
    i.data_sharing_passes as i_data_sharing,
    i.in_good_standing as i_good_standing
from what_if_results as r
inner join what_if_decisions as d on d.scenario_id = r.scenario_id
inner join what_if_inputs as i on i.scenario_id = r.scenario_id
left join what_if_tier_seed as before on before.tier_rank = d.tier_before_rank
left join what_if_tier_seed as perf on perf.tier_rank = d.qualified_on_performance_rank
left join what_if_tier_seed as x on x.tier_rank = d.qualified_rank
left join what_if_tier_seed as after on after.tier_rank = d.tier_after_rank
left join what_if_tier_seed as pending on pending.tier_rank = d.pending_rank
order by r.scenario_id, r.tier_rank, r.requirement
"""


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Read-only; a warehouse a run is writing is said so, with the snapshot to use instead."""
    if not warehouse.exists():
        raise WhatIfError(f"{warehouse}: no such warehouse file (run `partner-warehouse run` first)")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:
        raise WhatIfError(
            f"{warehouse}: cannot be opened read-only ({exc}); a run may be writing it — try again when it "
            "ends, or ask the analytics snapshot (publications/analytics.duckdb) instead"
        ) from None


def _decision_sql(con: duckdb.DuckDBPyConnection) -> str:
    try:
        # fetchall: DuckDB 2.0 keeps a half-read result open and refuses the connection's next query
        rows = con.execute(f"select sql_text from {DECISION_SQL} where query_name = 'technology_decision'").fetchall()
    except duckdb.CatalogException:
        rows = []
    if not rows:
        raise WhatIfError(
            f"this warehouse has no {DECISION_SQL}: it was built before the what-if existed; "
            "run `partner-warehouse run` once to build it"
        )
    return rows[0][0]


def _check_scenarios(con: duckdb.DuckDBPyConnection) -> None:
    missing = con.execute(
        f"""select s.partner_id, s.evaluation_date from what_if_scenario_frame as s
            anti join {DECISION_INPUTS} as d
                on d.partner_id = s.partner_id and d.evaluation_date = s.evaluation_date
            limit 1"""
    ).fetchall()
    if not missing:
        return
    partner_id, evaluation_date = missing[0]
    dates = [
        r[0]
        for r in con.execute(
            f"select distinct evaluation_date from {DECISION_INPUTS} where partner_id = ? order by 1", [partner_id]
        ).fetchall()
    ]
    if not dates:
        raise WhatIfError(f"partner {partner_id!r} is no technology partner of this warehouse (check --partner)")
    raise WhatIfError(
        f"partner {partner_id} has no decision on {evaluation_date}; its evaluated dates are "
        f"{', '.join(str(d) for d in dates)} (check --date)"
    )


def simulate(con: duckdb.DuckDBPyConnection, scenarios: Sequence[Scenario]) -> list[Outcome]:
    """Every scenario's decision and requirement rows, all in one pass of the stored decision SQL."""
    if not scenarios:
        return []
    # registered on the connection itself: a cursor would not keep the caller's `USE` (the portal's snapshot)
    con.register("what_if_scenario_frame", _scenario_table(scenarios))
    # A few partner-dates against a seed of 28 rows: DuckDB's optimizer costs more than it saves here
    # (about a third of the answer's time, measured on the portal's page); the rows are the same.
    con.execute("PRAGMA disable_optimizer")
    try:
        _check_scenarios(con)
        result = con.execute("with " + _INPUTS_SQL + _decision_sql(con) + _SELECT)
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    finally:
        con.execute("PRAGMA enable_optimizer")
        con.unregister("what_if_scenario_frame")
    outcomes = [Outcome(s, {}) for s in scenarios]
    for values in rows:
        row = dict(zip(names, values, strict=True))
        outcome = outcomes[row["scenario_id"]]
        if not outcome.decision:
            outcome.decision = {k[2:]: v for k, v in row.items() if k.startswith("d_")}
            outcome.inputs = {k[2:]: v for k, v in row.items() if k.startswith("i_")}
        outcome.requirements.append({c: row[c] for c in _REQUIREMENT_COLUMNS})
    return outcomes


def recorded_decision(con: duckdb.DuckDBPyConnection, partner_id: str, evaluation_date: date) -> dict[str, Any]:
    """The decision the marts hold (published when the date is published) for comparison."""
    result = con.execute(
        f"""select tier_before, qualified_tier_on_performance, qualified_tier, tier_after, action, pending_tier,
                   source, published_version, recomputed_tier_after, recomputed_action
            from {EVALUATIONS} where partner_id = ? and evaluation_date = ?""",
        [partner_id, evaluation_date],
    )
    names = [d[0] for d in result.description]
    rows = result.fetchall()
    return dict(zip(names, rows[0], strict=True)) if rows else {}


# ---------------------------------------------------------------------------------------------
# the least change that reaches the next tier


@dataclass(frozen=True)
class LeastChange:
    """For one unmet requirement of the target tier: the change of its input that passes it, alone."""

    requirement: str
    change: Change
    alternative: Change | None  # influenced_mrr: the 90-day install MRR that passes it instead
    note: str


def least_changes(outcome: Outcome, target_tier: str) -> list[LeastChange]:
    """Each requirement of `target_tier` that blocks it, and the change that passes it, read from the
    requirement rows' own thresholds (the seed): the least value of its input, or yes for a flag."""
    changes: list[LeastChange] = []
    for r in outcome.requirements:
        if r["tier"] != target_tier or not r["is_blocking"]:
            continue
        name = REQUIREMENT_INPUT[r["requirement"]]
        spec = INPUTS[name]
        if spec.kind == "flag":
            changes.append(LeastChange(r["requirement"], Change(name, True), None, "yes"))
            continue
        threshold = float(r["threshold"])
        current = None if r["value"] is None else float(r["value"])
        alternative = None
        if r["requirement"] == "influenced_mrr" and r["install_90d_threshold"] is not None:
            alternative = Change("install_90d_mrr", float(r["install_90d_threshold"]))
        if spec.kind == "count":
            threshold = float(int(-(-threshold // 1)))
        gap = "" if current is None else f" ({threshold - current:+,.2f})"
        changes.append(LeastChange(r["requirement"], Change(name, threshold), alternative, f"{threshold:,.2f}{gap}"))
    return changes


def reach(con: duckdb.DuckDBPyConnection, base: Scenario, outcome: Outcome) -> tuple[str | None, Outcome | None]:
    """The tier above the what-if's tier_after and the what-if with every least change applied to `base`
    (so what that tier still needs — the POC form, good standing — shows in its decision)."""
    tiers = [r[0] for r in con.execute(f"select tier from {TIER_SEED} order by tier_rank").fetchall()]
    after = outcome.decision.get("tier_after")
    if after not in tiers or tiers.index(after) + 1 >= len(tiers):
        return None, None
    target = tiers[tiers.index(after) + 1]
    extra = {lc.change.name: lc.change for lc in least_changes(outcome, target)}
    kept = tuple(c for c in base.changes if c.name not in extra)
    combined = Scenario(base.partner_id, base.evaluation_date, kept + tuple(extra.values()))
    return target, simulate(con, [combined])[0]


# ---------------------------------------------------------------------------------------------
# the command's report


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) or hasattr(value, "as_tuple"):
        number = float(value)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"
    return str(value)


def _decision_line(d: Mapping[str, Any]) -> str:
    line = (
        f"tier before {d['tier_before'] or 'none'}; X_perf {d['qualified_tier_on_performance']}, "
        f"X {d['qualified_tier']} -> {d['action']} -> tier after {d['tier_after']}"
    )
    if d.get("pending_tier"):
        line += f" (pending {d['pending_tier']})"
    return line


@dataclass
class Answer:
    """A what-if as the command and the portal show it: the decision without and with the changes, the
    recorded one, and the least change to the tier above the simulated one (with all of it applied)."""

    before: Outcome
    after: Outcome
    recorded: dict[str, Any]
    target: str | None
    least: list[LeastChange]
    reached: Outcome | None

    def was(self, tier: str, requirement: str) -> str | None:
        """The requirement's status without the changes, where the changes moved it."""
        old = {(r["tier"], r["requirement"]): r["status"] for r in self.before.requirements}[(tier, requirement)]
        new = {(r["tier"], r["requirement"]): r["status"] for r in self.after.requirements}[(tier, requirement)]
        return old if old != new else None


def answer(con: duckdb.DuckDBPyConnection, partner_id: str, evaluation_date: date, changes: Sequence[Change]) -> Answer:
    base = Scenario(partner_id, evaluation_date)
    asked = Scenario(partner_id, evaluation_date, tuple(changes))
    before, after = simulate(con, [base, asked])
    target, reached = reach(con, asked, after)
    least = least_changes(after, target) if target else []
    return Answer(before, after, recorded_decision(con, partner_id, evaluation_date), target, least, reached)


def parse_form(params: Mapping[str, str]) -> tuple[list[Change], list[str]]:
    """The portal form's fields (one per input; empty = unchanged) -> changes, and the errors to show."""
    changes: list[Change] = []
    errors: list[str] = []
    for name in INPUTS:
        raw = (params.get(name) or "").strip()
        if raw:
            try:
                changes.append(parse_change(f"{name}={raw}"))
            except WhatIfError as exc:
                errors.append(str(exc).removeprefix("--set "))
    return changes, errors


def report(con: duckdb.DuckDBPyConnection, partner_id: str, evaluation_date: date, changes: Sequence[Change]) -> str:
    """The what-if as text: recorded decision, the changes, the simulated decision, every requirement
    (with its status without the changes where it differs) and the least change to the next tier."""
    a = answer(con, partner_id, evaluation_date, changes)
    lines = [f"what-if: technology partner {partner_id} on {evaluation_date}"]
    if a.recorded:
        recorded = a.recorded
        source = f"published v{recorded['published_version']}" if recorded["source"] == "published" else "computed"
        lines.append(
            f"recorded:  {recorded['tier_before'] or 'none'} -> {recorded['action']} -> "
            f"{recorded['tier_after']} ({source})"
        )
    if changes:
        shown = [
            f"{c.name} {_fmt(a.before.inputs[c.name])} -> {_fmt(a.after.inputs[c.name])}"
            if c.name in a.before.inputs
            else str(c)
            for c in changes
        ]
        lines.append("changes:   " + "; ".join(shown))
    else:
        lines.append("changes:   none (this reproduces the decision)")
    lines.append("decision:  " + _decision_line(a.after.decision))
    if a.after.decision.get("premier_exception_used"):
        lines.append("           premier through the A5 exception")
    lines.append("")
    lines.append(f"  {'tier':8s} {'requirement':20s} {'level':9s} {'value':>14s} {'threshold':>14s}  status")
    for r in a.after.requirements:
        status = r["status"] + (" (passed by exception)" if r["passed_by_exception"] else "")
        was = a.was(r["tier"], r["requirement"])
        if was:
            status += f"   (was {was})"
        lines.append(
            f"  {r['tier']:8s} {r['requirement']:20s} {r['level']:9s} {_fmt(r['value']):>14s} "
            f"{_fmt(r['threshold']):>14s}  {status}"
        )
    if a.target is not None and a.reached is not None:
        lines.append("")
        lines.append(f"least change to reach {a.target} (each passes its requirement on its own):")
        for lc in a.least:
            alt = f"   or --set {lc.alternative}" if lc.alternative else ""
            lines.append(f"  --set {lc.change}   ({lc.requirement}: {lc.note}){alt}")
        if not a.least:
            lines.append(f"  no requirement of {a.target} fails; what holds it back is the A9 row below")
        lines.append("  with all of them: " + _decision_line(a.reached.decision))
    return "\n".join(lines)
