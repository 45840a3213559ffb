"""Backtest of the tier forecast (issue 17 item 2): how often the forecast made one quarter before a date
(marts.fct_technology_tier_forecast, run date = the previous evaluation date) named the tier the
warehouse actually decided on that date, per method; `partner-warehouse forecast-backtest` prints the
table and can write docs/forecast.md from it, so the document is re-made by one command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

FORECAST = "marts.fct_technology_tier_forecast"
# method -> the mart's projected tier column; "no change" (the tier before) is the baseline to beat
METHODS = {
    "no change (baseline)": "tier_before",
    "carry_forward": "projected_tier_after",
    "trend": "projected_tier_after_trend",
}


@dataclass(frozen=True)
class MethodScore:
    method: str
    forecasts: int  # partner x target dates with an actual decision
    tier_right: int
    changes: int  # actual tier after differs from the tier before
    changes_caught: int  # ... and the forecast named the new tier
    changes_predicted: int  # the forecast named a change
    changes_predicted_right: int

    @staticmethod
    def share(part: int, whole: int) -> str:
        return "—" if whole == 0 else f"{part / whole:.1%}"


def backtest(con: duckdb.DuckDBPyConnection) -> tuple[list[MethodScore], dict[str, object]]:
    """Scores per method, and what they were measured on (targets, partners, band coverage)."""
    scores = []
    for method, column in METHODS.items():
        row = con.execute(
            f"""select
                    count(*),
                    count(*) filter (where {column} = actual_tier_after),
                    count(*) filter (where actual_tier_after <> tier_before),
                    count(*) filter (where actual_tier_after <> tier_before and {column} = actual_tier_after),
                    count(*) filter (where {column} <> tier_before),
                    count(*) filter (where {column} <> tier_before and {column} = actual_tier_after)
                from {FORECAST}
                where actual_tier_after is not null"""
        ).fetchall()[0]
        scores.append(MethodScore(method, *row))
    facts = con.execute(
        f"""select
                count(distinct target_date), count(distinct partner_id), min(target_date), max(target_date),
                count(*) filter (where confidence = 'high'),
                count(*) filter (where confidence = 'high' and projected_tier_after = actual_tier_after)
            from {FORECAST}
            where actual_tier_after is not null"""
    ).fetchall()[0]
    keys = ("target_dates", "partners", "first_target", "last_target", "high_confidence", "high_confidence_right")
    return scores, dict(zip(keys, facts, strict=True))


def table(scores: list[MethodScore]) -> str:
    lines = [
        "| method | forecasts | tier right | tier changes | changes caught | changes predicted | predicted right |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        lines.append(
            f"| {s.method} | {s.forecasts} | {MethodScore.share(s.tier_right, s.forecasts)} | {s.changes} | "
            f"{MethodScore.share(s.changes_caught, s.changes)} | {s.changes_predicted} | "
            f"{MethodScore.share(s.changes_predicted_right, s.changes_predicted)} |"
        )
    return "\n".join(lines)


def report(con: duckdb.DuckDBPyConnection, *, source: str) -> str:
    """The backtest section of docs/forecast.md (between its markers)."""
    scores, facts = backtest(con)
    high = MethodScore.share(int(facts["high_confidence_right"]), int(facts["high_confidence"]))
    return "\n".join(
        [
            f"Measured {date.today()} on {source}: {facts['partners']} technology partners, "
            f"{facts['target_dates']} target dates ({facts['first_target']} to {facts['last_target']}), each "
            "forecast from the data of the quarter before.",
            "",
            table(scores),
            "",
            f"Where both ends of the band give the same tier (confidence high, {facts['high_confidence']} "
            f"forecasts), carry-forward names the right tier {high} of the time.",
        ]
    )


BEGIN, END = "<!-- backtest:begin -->", "<!-- backtest:end -->"


def write_doc(doc: Path, section: str) -> None:
    """Replace the text between the backtest markers of `doc`."""
    text = doc.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    doc.write_text(f"{head}{BEGIN}\n{section}\n{END}{tail}", encoding="utf-8")


def forecast_of(con: duckdb.DuckDBPyConnection, partner_id: str, run_date: date) -> dict[str, object] | None:
    """The forecast made on `run_date` for the partner (the portal's panel); None when there is none."""
    try:
        result = con.execute(f"select * from {FORECAST} where partner_id = ? and run_date = ?", [partner_id, run_date])
    except duckdb.CatalogException:  # a snapshot made before the forecast existed
        return None
    names = [d[0] for d in result.description]
    rows = result.fetchall()
    return dict(zip(names, rows[0], strict=True)) if rows else None
