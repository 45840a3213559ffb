"""What the partner-manager portal reads: published artefacts and the analytics snapshot, nothing else.

- The list of dates, versions and gate results comes from the publication store (manifests and
  `current.json`), plus the evaluation dates of the analytics snapshot that were never published.
- A quarter's partner list and a partner's requirement table come from the files of the date's
  current version (`tier_extract.parquet`, `requirements.parquet`): the page shows exactly what was
  published.
- The tier history, the metric series of the chart and the benefits come from the analytics
  snapshot (`analytics.duckdb`). That file is replaced by a rename after each publication, so it is
  opened afresh for every request: an in-memory DuckDB with the file ATTACHed read-only. (A plain
  `duckdb.connect(path)` would reuse a cached database instance of the *old* file while any other
  connection to that path is still open.)

Version directories are immutable (store.py), so a version's parsed files are cached by path.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from orchestration.defs.publication.store import ANALYTICS_DB, MANIFEST, PublicationStore, Version
from orchestration.program import A9_ACTIONS, PROGRAM

EXTRACT_FILE = "tier_extract.parquet"
REQUIREMENTS_FILE = "requirements.parquet"
GATE_DIR = "gate"

# product.md "Public interface": tier values, in rank order (seeds/technology_tiers.csv).
TIERS = PROGRAM.tiers
TIER_RANK = PROGRAM.tier_rank
# rules.md A4: the requirement ids, in the guide's order.
REQUIREMENTS = (
    "live_listing",
    "attached_mrr",
    "influenced_mrr",
    "review_count",
    "avg_rating",
    "app_certification",
    "technical_contact",
    "partnership_manager",
    "executive_sponsor",
    "data_sharing",
)
REQUIREMENT_ORDER = {r: i for i, r in enumerate(REQUIREMENTS)}
# The metric chart's series (columns of both the metrics mart and the published extract).
SERIES_METRICS = ("attached_mrr", "influenced_deals_mrr", "install_90d_mrr")
# rules.md A9: the actions, in the table's order.
ACTIONS = A9_ACTIONS


class NotFound(Exception):
    """The page asked for does not exist (an unpublished date, an unknown partner, a file not listed)."""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@lru_cache(maxsize=64)
def _read_parquet(path: str, mtime_ns: int) -> tuple[dict[str, Any], ...]:
    """Rows of a published parquet file (immutable; the mtime only guards against a test rewriting it)."""
    con = duckdb.connect()
    try:
        return tuple(_rows(con, "SELECT * FROM read_parquet(?)", [path]))
    finally:
        con.close()


def read_parquet(path: Path) -> tuple[dict[str, Any], ...]:
    return _read_parquet(str(path), path.stat().st_mtime_ns)


def change_of(tier_before: str | None, tier_after: str | None) -> str:
    """'up', 'down' or 'same' from tier_before to tier_after (no tier before counts as not in program)."""
    before = TIER_RANK.get(tier_before or "not_in_program", 0)
    after = TIER_RANK.get(tier_after or "not_in_program", 0)
    return "up" if after > before else "down" if after < before else "same"


def gate_of(checks: dict[str, Any] | None) -> dict[str, Any]:
    """A version's gate result from its manifest's `checks` (the gate summary of the run that made it)."""
    if not checks:
        return {"state": "unknown", "label": "Not recorded", "summary": None, "warnings": 0, "checks": None}
    counts = checks.get("counts") or {}
    # one count everywhere (issue 15 item 4): a manifest's gate summary and gate/latest.json both carry
    # the report's own counts (with the dbt tests folded in), the numbers its summary sentence states
    warnings = checks.get("warnings")
    if not isinstance(warnings, int):
        warnings = counts.get("warnings") or 0
    total = checks.get("checks") if isinstance(checks.get("checks"), int) else counts.get("checks")
    if checks.get("blocked"):
        state, label = "blocked", "Blocked"
    elif warnings:
        state, label = "warn", f"Passed, {warnings} warning{'s' if warnings != 1 else ''}"
    else:
        state, label = "passed", "Passed"
    summary = checks.get("summary")
    return {
        "state": state,
        "label": label,
        "summary": summary if isinstance(summary, str) else None,
        "warnings": warnings,
        "checks": total,
    }


@dataclass
class DateOverview:
    evaluation_date: date
    published: bool
    current: Version | None = None
    versions: list[Version] = field(default_factory=list)
    gate: dict[str, Any] = field(default_factory=dict)

    @property
    def partner_count(self) -> int | None:
        if self.current is None:
            return None
        return (self.current.manifest.get("row_counts") or {}).get("tier_extract")

    @property
    def tier_counts(self) -> list[tuple[str, int]]:
        if self.current is None:
            return []
        counts = self.current.manifest.get("tier_counts") or {}
        return [(t, int(counts[t])) for t in TIERS if counts.get(t)]


@dataclass
class Quarter:
    evaluation_date: date
    current: Version
    versions: list[Version]
    rows: list[dict[str, Any]]
    gate: dict[str, Any]


@dataclass
class RequirementLine:
    requirement: str
    level: str
    value: float | None
    threshold: float | None
    status: str
    shortfall: float | None
    would_pass: bool
    passed_by_exception: bool
    install_90d_value: float | None = None
    install_90d_threshold: float | None = None
    install_90d_shortfall: float | None = None
    exception_deals_threshold: float | None = None
    exception_value: float | None = None
    exception_shortfall: float | None = None
    enforced_from: date | None = None


@dataclass
class PartnerPage:
    evaluation_date: date
    current: Version
    row: dict[str, Any]
    tier_requirements: list[RequirementLine]
    next_requirements: list[RequirementLine]
    history: list[dict[str, Any]]
    series: list[dict[str, Any]]
    benefits: list[dict[str, Any]]
    analytics_available: bool
    published_dates: set[date]

    @property
    def blocking(self) -> list[RequirementLine]:
        return [r for r in self.next_requirements if r.status == "fail"]


def _num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def _short(value: float | None, threshold: float | None) -> float | None:
    if value is None or threshold is None or value >= threshold:
        return None
    return threshold - value


def _standard(r: dict[str, Any], column: str) -> Any:
    """The requirement's own value or threshold. The line shows each branch in its own place, and since
    issue 12 item 5 `value`/`threshold` are the deciding branch's; versions published before carry only
    `value`/`threshold`, which were the own ones."""
    key = f"standard_{column}"
    return r[key] if key in r else r.get(column)


def requirement_line(r: dict[str, Any]) -> RequirementLine:
    """One published requirement row with its shortfall (A10: threshold - value when below; for the
    influenced pair both shortfalls; for the Premier exception its own)."""
    value, threshold = _num(_standard(r, "value")), _num(_standard(r, "threshold"))
    i90v, i90t = _num(r.get("install_90d_value")), _num(r.get("install_90d_threshold"))
    exc_t = _num(r.get("exception_deals_threshold"))
    met = r.get("status") == "pass"
    return RequirementLine(
        requirement=r["requirement"],
        level=r.get("level") or "",
        value=value,
        threshold=threshold,
        status=r["status"],
        shortfall=None if met else _short(value, threshold),
        would_pass=bool(r.get("would_pass")),
        passed_by_exception=bool(r.get("passed_by_exception")),
        install_90d_value=i90v,
        install_90d_threshold=i90t,
        install_90d_shortfall=None if met else _short(i90v, i90t),
        exception_deals_threshold=exc_t,
        exception_value=None if exc_t is None else _num(r.get("influenced_deals")),
        exception_shortfall=None if met or exc_t is None else _short(_num(r.get("influenced_deals")), exc_t),
        enforced_from=r.get("enforced_from"),
    )


class PortalData:
    def __init__(self, publish_dir: Path):
        self.root = Path(publish_dir)
        self.store = PublicationStore(self.root)

    @property
    def analytics_path(self) -> Path:
        return self.root / ANALYTICS_DB

    # -- the analytics snapshot ------------------------------------------------------------------
    @contextmanager
    def analytics(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """A fresh read-only view of whatever file `analytics.duckdb` is now (None when absent)."""
        path = self.analytics_path
        if not path.is_file():
            yield None
            return
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute(f"ATTACH '{_sql_literal(path)}' AS analytics (READ_ONLY)")
            con.execute("USE analytics")
            yield con
        finally:
            con.close()

    def _analytics_tables(self, con: duckdb.DuckDBPyConnection) -> set[str]:
        return {
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'analytics'"
            ).fetchall()
        }

    # -- the list of dates -----------------------------------------------------------------------
    def overview(self) -> list[DateOverview]:
        out: dict[date, DateOverview] = {}
        for e in self.store.evaluation_dates():
            versions = self.store.versions(e)
            current = self.store.current(e)
            if current is None:
                continue
            out[e] = DateOverview(e, True, current, versions, gate_of(current.manifest.get("checks")))
        with self.analytics() as con:
            if con is not None and "marts.fct_technology_tier_evaluations" in self._analytics_tables(con):
                for (e,) in con.execute(
                    "SELECT DISTINCT evaluation_date FROM marts.fct_technology_tier_evaluations"
                ).fetchall():
                    out.setdefault(
                        e, DateOverview(e, False, gate={"state": "none", "label": "—", "summary": None, "warnings": 0})
                    )
        return [out[e] for e in sorted(out, reverse=True)]

    def latest_gate(self) -> dict[str, Any] | None:
        """The last gate report's summary (gate/latest.json), when one exists and parses."""
        path = self.root / GATE_DIR / "latest.json"
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        checks = [c for c in data.get("checks") or [] if isinstance(c, dict)]
        order = {"blocking": 0, "warning": 1}
        # the report as a table (issue 15 item 4): what failed first, as the Markdown report orders it
        checks.sort(key=lambda c: (c.get("status") == "passed", order.get(c.get("severity"), 2)))
        return {
            **gate_of(data),
            "run_date": data.get("run_date"),
            "generated_at": data.get("generated_at"),
            "engine": data.get("engine"),
            "rows": checks,
        }

    # -- one quarter -----------------------------------------------------------------------------
    def version(self, evaluation_date: date, number: int | None = None) -> Version:
        if number is None:
            v = self.store.current(evaluation_date)
        else:
            v = next((x for x in self.store.versions(evaluation_date) if x.version == number), None)
        if v is None:
            raise NotFound(f"{evaluation_date} has no published version" + (f" v{number}" if number else ""))
        return v

    def quarter(self, evaluation_date: date) -> Quarter:
        current = self.version(evaluation_date)
        rows = []
        for r in read_parquet(current.path / EXTRACT_FILE):
            rows.append({**r, "change": change_of(r.get("tier_before"), r.get("tier_after"))})
        return Quarter(
            evaluation_date,
            current,
            self.store.versions(evaluation_date),
            rows,
            gate_of(current.manifest.get("checks")),
        )

    def download(self, evaluation_date: date, number: int, name: str) -> Path:
        """A file of a published version, only when its manifest lists it (or the manifest itself)."""
        version = self.version(evaluation_date, number)
        listed = set((version.manifest.get("files") or {}).keys()) | {MANIFEST}
        if name not in listed or Path(name).name != name or name.startswith("."):
            raise NotFound(f"{name!r} is not a file of {evaluation_date} v{number}")
        path = (version.path / name).resolve()
        if not path.is_relative_to(version.path.resolve()) or not path.is_file():
            raise NotFound(f"{name!r} is not a file of {evaluation_date} v{number}")
        return path

    # -- one partner -----------------------------------------------------------------------------
    def partner(self, evaluation_date: date, partner_id: str) -> PartnerPage:
        current = self.version(evaluation_date)
        row = next((r for r in read_parquet(current.path / EXTRACT_FILE) if r["partner_id"] == partner_id), None)
        if row is None:
            raise NotFound(f"partner {partner_id!r} is not in the {evaluation_date} publication")
        row = {**row, "change": change_of(row.get("tier_before"), row.get("tier_after"))}
        reqs = [r for r in read_parquet(current.path / REQUIREMENTS_FILE) if r["partner_id"] == partner_id]
        deals = next((_num(_standard(r, "value")) for r in reqs if r["requirement"] == "influenced_mrr"), None)

        def lines(tier: str | None) -> list[RequirementLine]:
            picked = [r for r in reqs if tier and r["tier"] == tier]
            picked.sort(key=lambda r: REQUIREMENT_ORDER.get(r["requirement"], 99))
            return [requirement_line({**r, "influenced_deals": deals}) for r in picked]

        history: list[dict[str, Any]] = []
        series: list[dict[str, Any]] = []
        benefits: list[dict[str, Any]] = []
        available = False
        with self.analytics() as con:
            if con is not None:
                tables = self._analytics_tables(con)
                available = True
                if "marts.fct_technology_partner_tier_history" in tables:
                    history = _rows(
                        con,
                        """SELECT evaluation_date, tier_before, tier_after, action
                           FROM marts.fct_technology_partner_tier_history
                           WHERE partner_id = ? ORDER BY evaluation_date""",
                        [partner_id],
                    )
                if "marts.fct_technology_partner_metrics" in tables:
                    series = _rows(
                        con,
                        """SELECT evaluation_date, attached_mrr, influenced_deals_mrr, install_90d_mrr
                           FROM marts.fct_technology_partner_metrics
                           WHERE partner_id = ? ORDER BY evaluation_date""",
                        [partner_id],
                    )
                if "marts.fct_technology_partner_benefits" in tables:
                    benefits = _rows(
                        con,
                        """SELECT benefit_id, category, category_label, benefit, level, qualifier, tier_after,
                                  requires_poc_form, is_active, category_label_en, benefit_en, qualifier_en
                           FROM marts.fct_technology_partner_benefits
                           WHERE partner_id = ? AND evaluation_date = ? AND tier_after = ?
                           ORDER BY category, benefit_id""",
                        [partner_id, evaluation_date, row.get("tier_after")],
                    )
        history = self._history(partner_id, history)
        series = self._series(partner_id, series)
        return PartnerPage(
            evaluation_date=evaluation_date,
            current=current,
            row=row,
            tier_requirements=lines(row.get("tier_after")),
            next_requirements=lines(row.get("next_tier")),
            history=history,
            series=series,
            benefits=benefits,
            analytics_available=available,
            published_dates=set(self.store.evaluation_dates()),
        )

    def _history(self, partner_id: str, computed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One row per evaluation date: the current published version's row where the date is published
        (published tiers are facts), else the analytics snapshot's computed chain; newest first."""
        by_date: dict[date, dict[str, Any]] = {}
        for h in computed:
            by_date[h["evaluation_date"]] = {
                "evaluation_date": h["evaluation_date"],
                "tier_before": h.get("tier_before"),
                "tier_after": h.get("tier_after"),
                "action": h.get("action"),
                "version": None,
                "computed_tier_after": h.get("tier_after"),
            }
        for e in self.store.evaluation_dates():
            v = self.store.current(e)
            if v is None:
                continue
            r = next((x for x in read_parquet(v.path / EXTRACT_FILE) if x["partner_id"] == partner_id), None)
            if r is None:
                continue
            computed_after = by_date.get(e, {}).get("computed_tier_after")
            by_date[e] = {
                "evaluation_date": e,
                "tier_before": r.get("tier_before"),
                "tier_after": r.get("tier_after"),
                "action": r.get("action"),
                "version": v.version,
                "computed_tier_after": computed_after,
            }
        out = []
        for e in sorted(by_date, reverse=True):
            h = by_date[e]
            h["change"] = change_of(h["tier_before"], h["tier_after"])
            h["differs"] = (
                h["version"] is not None
                and h["computed_tier_after"] is not None
                and h["computed_tier_after"] != h["tier_after"]
            )
            out.append(h)
        return out

    def _series(self, partner_id: str, computed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The chart's metrics by date: the current published version's numbers where the date is
        published (issue 13 item 4: the portal never shows a number that differs from the published
        extract of the same date), else the analytics snapshot's; oldest first."""
        by_date = {s["evaluation_date"]: s for s in computed}
        for e in self.store.evaluation_dates():
            v = self.store.current(e)
            r = (
                None
                if v is None
                else next((x for x in read_parquet(v.path / EXTRACT_FILE) if x["partner_id"] == partner_id), None)
            )
            if r is not None:
                by_date[e] = {"evaluation_date": e, **{k: r.get(k) for k in SERIES_METRICS}}
        return [by_date[e] for e in sorted(by_date)]

    def latest_date_of(self, partner_id: str) -> date | None:
        """The latest published date whose current extract lists the partner."""
        for e in reversed(self.store.evaluation_dates()):
            v = self.store.current(e)
            if v and any(r["partner_id"] == partner_id for r in read_parquet(v.path / EXTRACT_FILE)):
                return e
        return None


def _sql_literal(path: Path) -> str:
    return str(path).replace("'", "''")
