"""Set-level checks of the gate, in DuckDB SQL: keys, references, coverage, volume and oddities.

Row-level expectations are the GX suites of `expectations/`; what needs more than one row at a
time (a duplicate key, a dangling reference, a missing month, a swing against the previous load)
is here, one SQL statement each, run inside DuckDB so nothing is pulled into Python but the
counts and at most five sample rows. Severity (rules.md Part C): keys, references and coverage
block; volume and oddities warn.

DuckDB-only SQL (the gate reads the DuckDB warehouse, not a dbt target): `ANTI JOIN`, `last_day`,
`generate_series` over dates, `GROUP BY ALL`, `date_trunc` returning a timestamp cast back to DATE.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from orchestration.calendar import EVALUATION_DAY, EVALUATION_MONTHS, window_months
from orchestration.defs.ingest.contract import FEEDS, FEEDS_BY_NAME
from orchestration.defs.ingest.references import REFERENCES
from orchestration.defs.quality.report import MAX_SAMPLES, CheckResult

RAW = "raw"
VOLUME_SWING_THRESHOLD = 0.5  # issue 5 / rules.md Part C: a swing of more than 50 % against the previous load


@dataclass(frozen=True)
class SqlCheck:
    """A check whose offending rows are a query: `count_sql` counts them, `sample_sql` shows some.

    `evaluate`, when given, replaces the two queries (checks that compare numbers, not rows).
    """

    name: str
    feed: str
    kind: str
    severity: str
    description: str
    count_sql: str = ""
    sample_sql: str = ""
    unit: str = "rows"  # what failing_rows counts
    evaluate: Callable[[duckdb.DuckDBPyConnection], tuple[int, list[dict[str, Any]], str]] | None = None

    def run(self, con: duckdb.DuckDBPyConnection) -> CheckResult:
        base = {"name": self.name, "feed": self.feed, "kind": self.kind, "severity": self.severity}
        try:
            if self.evaluate is not None:
                failing, samples, message = self.evaluate(con)
            else:
                failing = int(con.execute(self.count_sql).fetchone()[0] or 0)
                samples = fetch_dicts(con, self.sample_sql, MAX_SAMPLES) if failing else []
                unit = self.unit[:-1] if failing == 1 and self.unit.endswith("s") else self.unit
                message = f"{failing:,} {unit}" if failing and self.unit != "rows" else ""
        except duckdb.Error as exc:
            message = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
            return CheckResult(**base, status="error", description=self.description, message=message)
        return CheckResult(
            **base,
            status="failed" if failing else "passed",
            failing_rows=failing,
            sample_rows=samples,
            description=self.description,
            message=message,
        )


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, limit: int) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchmany(limit)]


def _t(feed: str) -> str:
    return f"{RAW}.{feed}"


# ---------------------------------------------------------------------------------------------
# Keys (contract, blocking): feeds.md **pk**. Null key parts are the suites' not-null expectations:
# a row with a null key part is left out here (it duplicates nothing).
#
# Two steps, so the big feeds are compared on one 64-bit number instead of the key's columns
# (app_usage_monthly at SF 1: 43.6M keys of two strings and a date): (1) the hashes of the key that
# occur more than once, found by sorting the hashes and comparing each with the previous one;
# (2) the exact duplicate keys, grouped on the real columns, among only the rows whose hash is one of
# those (none in a clean feed: DuckDB then skips the second scan). Rows sharing a key share its
# hash, so no duplicate is missed; two different keys with the same hash are told apart in step 2,
# so a collision fails nothing. The results (counts, samples) are those of grouping on the key.
# Sorting beat `GROUP BY hash(...) HAVING count(*) > 1` (a hash table of one entry per row): at SF 1,
# the usage key's first step takes 3.8-4.5 CPU s and 1.4 GiB against 10.0-13.3 s and 2.5 GiB
# (grouping on the key: 11.4-13.6 s, 3.2 GiB). docs/quality.md has the numbers.


def _duplicate_keys_sql(table: str, key_columns: Sequence[str], hash_function: str = "hash") -> str:
    """Every key of `table` held by more than one row (no null part), with `key_occurrences`.

    `hash_function` is there for the tests, which pass a weak one to make keys collide.
    """
    key = ", ".join(key_columns)
    not_null = " AND ".join(f"{c} IS NOT NULL" for c in key_columns)
    hashes = f"SELECT {hash_function}({key}) AS key_hash FROM {table} WHERE {not_null}"
    candidates = (
        f"SELECT DISTINCT key_hash FROM (SELECT key_hash, lag(key_hash) OVER (ORDER BY key_hash) AS previous_hash"
        f" FROM ({hashes})) WHERE key_hash = previous_hash"
    )
    return (
        f"SELECT {key}, count(*) AS key_occurrences FROM {table}"
        f" WHERE {not_null} AND {hash_function}({key}) IN ({candidates}) GROUP BY ALL HAVING count(*) > 1"
    )


def key_checks() -> list[SqlCheck]:
    out = []
    for feed in FEEDS:
        if not feed.primary_key:
            continue
        key = ", ".join(feed.primary_key)
        dups = _duplicate_keys_sql(_t(feed.name), feed.primary_key)
        out.append(
            SqlCheck(
                name="key_unique",
                feed=feed.name,
                kind="contract",
                severity="blocking",
                description=f"({key}) is unique (feeds.md pk); failing rows = rows sharing a key",
                count_sql=f"SELECT coalesce(sum(key_occurrences), 0) FROM ({dups})",
                sample_sql=(
                    f"SELECT t.*, d.key_occurrences FROM {_t(feed.name)} t"
                    f" JOIN (SELECT * FROM ({dups}) ORDER BY ALL LIMIT {MAX_SAMPLES}) d USING ({key})"
                    f" ORDER BY {key}"
                ),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# References (blocking): every arrow of feeds.md.


def reference_checks() -> list[SqlCheck]:
    out = []
    for r in REFERENCES:
        dangling = r.dangling(RAW)
        target = f"a {r.program} partner in partners" if r.program else f"a row of {r.parent}"
        out.append(
            SqlCheck(
                name=r.name,
                feed=r.feed,
                kind="reference",
                severity="blocking",
                description=f"every {r.column} is {target} (feeds.md)",
                count_sql=f"SELECT count(*) {dangling}",
                sample_sql=f"SELECT c.* {dangling} LIMIT {MAX_SAMPLES}",
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Coverage (blocking): rules.md Part C, every month of W has rows in the monthly feeds.


def _months_of(feed: str) -> str:
    return f"SELECT DISTINCT CAST(date_trunc('month', month) AS DATE) AS month FROM {_t(feed)} WHERE month IS NOT NULL"


def _mrr_span() -> str:
    """Every month from the first to the last month of portal_mrr_monthly."""
    return (
        f"SELECT CAST(unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH)) AS DATE) AS month"
        f" FROM ({_months_of('portal_mrr_monthly')}) HAVING count(*) > 0"
    )


def _missing_months(expected_sql: str, feed: str) -> str:
    return (
        f"SELECT e.month AS missing_month FROM ({expected_sql}) e"
        f" WHERE NOT EXISTS (SELECT 1 FROM ({_months_of(feed)}) m WHERE m.month = e.month)"
    )


def evaluation_windows(evaluation_from: date, evaluation_to: date, run_date: date | None = None) -> list[date]:
    """The evaluation dates E of [from, to] (rules.md A2), only E <= run date (G3)."""
    out = []
    for year in range(evaluation_from.year, evaluation_to.year + 1):
        for month in EVALUATION_MONTHS:
            e = date(year, month, EVALUATION_DAY)
            if evaluation_from <= e <= evaluation_to and (run_date is None or e <= run_date):
                out.append(e)
    return out


def coverage_checks(evaluation_dates: Sequence[date] = ()) -> list[SqlCheck]:
    mrr, usage = "portal_mrr_monthly", "app_usage_monthly"
    out = [
        SqlCheck(
            name="months_contiguous",
            feed=mrr,
            kind="coverage",
            severity="blocking",
            description="every month between the first and the last month of portal_mrr_monthly has rows "
            "(rules.md Part C); failing rows = missing months",
            count_sql=f"SELECT count(*) FROM ({_missing_months(_mrr_span(), mrr)})",
            sample_sql=f"{_missing_months(_mrr_span(), mrr)} ORDER BY 1 LIMIT {MAX_SAMPLES}",
            unit="missing months",
        ),
        SqlCheck(
            name="months_cover_mrr_months",
            feed=usage,
            kind="coverage",
            severity="blocking",
            description="app_usage_monthly has rows for every month of portal_mrr_monthly's span "
            "(rules.md Part C); failing rows = missing months",
            count_sql=f"SELECT count(*) FROM ({_missing_months(_mrr_span(), usage)})",
            sample_sql=f"{_missing_months(_mrr_span(), usage)} ORDER BY 1 LIMIT {MAX_SAMPLES}",
            unit="missing months",
        ),
    ]
    if evaluation_dates:
        months = sorted({m for e in evaluation_dates for m in window_months(e)})
        values = "SELECT CAST(m AS DATE) AS month FROM (VALUES " + ", ".join(f"('{m}')" for m in months) + ") v(m)"
        dates = ", ".join(str(e) for e in evaluation_dates)
        for feed in (mrr, usage):
            out.append(
                SqlCheck(
                    name="evaluation_windows_covered",
                    feed=feed,
                    kind="coverage",
                    severity="blocking",
                    description=f"every month of the windows W(E) of the evaluated dates ({dates}) has rows "
                    "(rules.md Part C, D2); failing rows = missing months",
                    count_sql=f"SELECT count(*) FROM ({_missing_months(values, feed)})",
                    sample_sql=f"{_missing_months(values, feed)} ORDER BY 1 LIMIT {MAX_SAMPLES}",
                    unit="missing months",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------
# Volume (warning): a swing of more than 50 % of a feed's rows against its previous load.


def _volume_evaluator(feed: str, threshold: float) -> Callable[[duckdb.DuckDBPyConnection], tuple[int, list, str]]:
    def evaluate(con: duckdb.DuckDBPyConnection) -> tuple[int, list[dict[str, Any]], str]:
        has_history = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' AND table_name = 'load_history'"
        ).fetchone()[0]
        if not has_history:
            return 0, [], "no load history"
        # The feed's loads, newest first; an unchanged feed is not reloaded and leaves no row, so
        # the newest row is the load the raw table holds and the second one the previous load.
        history = con.execute(
            """SELECT rows, loaded_at, load_id FROM meta.load_history
               WHERE feed = ? AND status <> 'unchanged' ORDER BY loaded_at DESC, load_id DESC LIMIT 2""",
            [feed],
        ).fetchall()
        current = int(con.execute(f"SELECT count(*) FROM {_t(feed)}").fetchone()[0])
        if len(history) < 2:
            return 0, [], "no previous load to compare with"
        previous, previous_at, previous_id = history[1]
        previous = int(previous or 0)
        if previous == current:
            return 0, [], f"{current:,} rows, as in the previous load"
        change = (current - previous) / previous if previous else float("inf")
        text = f"{current:,} rows against {previous:,} in the previous load ({_pct(change)})"
        if abs(change) <= threshold:
            return 0, [], text
        sample = {
            "previous_rows": previous,
            "current_rows": current,
            "change": _pct(change),
            "previous_load_id": previous_id,
            "previous_loaded_at": previous_at,
        }
        return abs(current - previous), [sample], text

    return evaluate


def _pct(change: float) -> str:
    return "new rows where there were none" if change == float("inf") else f"{change:+.0%}"


def volume_checks(threshold: float = VOLUME_SWING_THRESHOLD) -> list[SqlCheck]:
    return [
        SqlCheck(
            name="volume_swing",
            feed=f.name,
            kind="volume",
            severity="warning",
            description=f"the row count moved by at most {threshold:.0%} against the previous load; "
            "failing rows = the difference",
            evaluate=_volume_evaluator(f.name, threshold),
        )
        for f in FEEDS
    ]


# ---------------------------------------------------------------------------------------------
# Oddities (warning): reported, never blocking.


def oddity_checks() -> list[SqlCheck]:
    # ANTI JOIN with the D4 condition in ON: a hash join on (app_id, portal_id); the same test as a
    # correlated NOT EXISTS is planned as a nested delim join and takes 20x longer at SF 1.
    usage_without_install = f"""FROM {_t("app_usage_monthly")} u ANTI JOIN {_t("app_installs")} i
            ON i.app_id = u.app_id AND i.portal_id = u.portal_id
              AND CAST(i.installed_at AS DATE) <= last_day(u.month)
              AND (i.uninstalled_at IS NULL OR CAST(i.uninstalled_at AS DATE) >= u.month)
            WHERE u.api_calls > 0"""
    won_without_items = f"""FROM {_t("deals")} d WHERE d.stage = 'closed_won'
            AND NOT EXISTS (SELECT 1 FROM {_t("deal_line_items")} l WHERE l.deal_id = d.deal_id)"""
    won_without_partners = f"""FROM {_t("deals")} d WHERE d.stage = 'closed_won'
            AND NOT EXISTS (SELECT 1 FROM {_t("deal_partners")} p WHERE p.deal_id = d.deal_id)"""
    outside = f"""FROM {_t("app_usage_monthly")} u, (SELECT min(month) AS lo, max(month) AS hi
                FROM ({_months_of("portal_mrr_monthly")})) b
            WHERE b.lo IS NOT NULL AND (u.month < b.lo OR u.month > last_day(b.hi))"""
    spec = [
        (
            "usage_without_live_install",
            "app_usage_monthly",
            usage_without_install,
            "rows with api_calls > 0 have an install of the app in the portal live during the month "
            "(rules.md D4: such usage is not active use and is ignored)",
        ),
        (
            "usage_outside_mrr_months",
            "app_usage_monthly",
            outside,
            "usage months lie within the first and last month of portal_mrr_monthly",
        ),
        (
            "closed_won_without_line_items",
            "deals",
            won_without_items,
            "a closed_won deal has line items (rules.md B2: otherwise it credits nothing)",
        ),
        (
            "closed_won_without_partners",
            "deals",
            won_without_partners,
            "a closed_won deal has at least one partner in deal_partners (otherwise nobody is credited)",
        ),
    ]
    return [
        SqlCheck(
            name=name,
            feed=feed,
            kind="oddity",
            severity="warning",
            description=description,
            count_sql=f"SELECT count(*) {body}",
            sample_sql=f"SELECT {'u' if feed == 'app_usage_monthly' else 'd'}.* {body} LIMIT {MAX_SAMPLES}",
        )
        for name, feed, body, description in spec
    ]


# Issue 13 item 7, rules.md G3: the columns that say when a row happened, by feed. A row dated after
# the run date has not happened yet at the run date. (Not the end of something: an expiry, a
# delisting or an uninstall may be scheduled ahead; and deals.closed_on of an open deal is a forecast.)
EVENT_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "partners": ("joined_on",),
    "portals": ("first_purchase_on",),
    "portal_mrr_monthly": ("month",),
    "apps": ("listed_on",),
    "app_certifications": ("certified_on",),
    "app_installs": ("installed_at",),
    "app_usage_monthly": ("month",),
    "marketplace_reviews": ("submitted_at",),
    "influenced_revenue_submissions": ("submitted_at",),
    "partner_poc_forms": ("submitted_at",),
    "compliance_escalations": ("opened_on",),
    "technology_tier_baseline": ("effective_on",),
    "deals": ("registered_on",),
    "proof_of_involvement": ("signed_at",),
    "partner_portal_activity": ("occurred_at",),
    "credit_decisions": ("decided_on",),
}


# Where "ignored" is not the whole truth: the Part B monthly marts cover every month of
# portal_mrr_monthly (int_solutions__mrr_months), run date or not; said in the report, not hidden.
FUTURE_ROWS_CAVEAT = dict.fromkeys(
    ("portal_mrr_monthly", "partner_portal_activity"),
    " by the tier evaluations; the solutions monthly marts (managed MRR, commission accruals) may still"
    " include months after the run date",
)


def future_row_checks(run_date: date | None = None) -> list[SqlCheck]:
    """Warnings: rows dated after the run date, counted and sampled (issue 13 item 7, rules.md G3).
    The run date is in the SQL, so a stored result is reused only for the same run date."""
    rd = run_date or date.today()  # rules.md G3: the run date defaults to today
    checks = []
    for feed, columns in EVENT_DATE_COLUMNS.items():
        after = " OR ".join(f"CAST({c} AS DATE) > DATE '{rd.isoformat()}'" for c in columns)
        checks.append(
            SqlCheck(
                name="rows_after_run_date",
                feed=feed,
                kind="oddity",
                severity="warning",
                description=f"no row is dated after the run date {rd.isoformat()} ({', '.join(columns)}); such"
                " rows have not happened yet at the run date and are ignored (rules.md G3)"
                + FUTURE_ROWS_CAVEAT.get(feed, ""),
                count_sql=f"SELECT count(*) FROM {_t(feed)} WHERE {after}",
                sample_sql=f"SELECT * FROM {_t(feed)} WHERE {after} ORDER BY ALL LIMIT {MAX_SAMPLES}",
                unit="future-dated rows",
            )
        )
    return checks


def all_sql_checks(
    evaluation_dates: Sequence[date] = (),
    volume_threshold: float = VOLUME_SWING_THRESHOLD,
    run_date: date | None = None,
) -> list[SqlCheck]:
    checks = key_checks() + reference_checks() + coverage_checks(evaluation_dates)
    checks += volume_checks(volume_threshold) + oddity_checks() + future_row_checks(run_date)
    unknown = {c.feed for c in checks} - set(FEEDS_BY_NAME)
    assert not unknown, unknown
    return checks
