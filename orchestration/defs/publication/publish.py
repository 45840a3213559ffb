"""Write, audit, publish: the quarterly technology-tier publication (issue 5, rules.md Part C).

For one evaluation date: decide whether a new version is due (store.decide), write every file into
a staging directory, verify what was written (row counts re-read from each file, sha256 recorded in
the manifest), then rename the directory into place. Afterwards the published tiers are synced into
`publication.published_technology_tiers` (the tier chain reads them, rules.md A9) and the analytics
snapshot is replaced atomically.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration import settings
from orchestration.defs.ingest.load import PUBLISHED_REQUIREMENTS_COLUMNS, PUBLISHED_TIERS_COLUMNS, last_fingerprints
from orchestration.defs.publication.analytics import attach_for_writing, export_marts_parquet, replace_dir
from orchestration.defs.publication.notifications import NOTIFICATIONS, write_notifications
from orchestration.defs.publication.store import (
    ANALYTICS_DB,
    ANALYTICS_PARQUET_DIR,
    MANIFEST,
    STAGING_DIR,
    Decision,
    PublicationStore,
    Version,
    decide,
    poc_window_open,
    sha256_file,
)
from orchestration.defs.publication.workbook import ExtractContext, workbook_row_counts, write_workbook
from orchestration.failpoints import failpoint

EXTRACT = "tier_extract"
REQUIREMENTS = "requirements"
GATE_REPORT = "gate_report"
PACKAGE_VERSION = "0.1.0"


class PublicationError(Exception):
    """The publication was not made; the previous one is untouched."""


class PublicationIntegrityError(PublicationError):
    """A published file differs from its manifest: the run refuses to read it as a fact."""


def open_record(store: PublicationStore, progress: Callable[[str], None] = print) -> None:
    """Before a run trusts the published record (issue 13 items 2-3): finish what a crashed run left
    (store.recover), then check every committed version's files against its manifest. A difference
    stops the run: a tampered or damaged file must never flow into tier_before or the snapshot."""
    for line in store.recover():
        progress(f"publication recovery: {line}")
    problems = store.verify_all()
    if problems:
        raise PublicationIntegrityError(
            "the published record does not match its manifests, so this run will not read it: "
            + "; ".join(problems)
            + ". Restore those files from a backup (`partner-warehouse publications --verify` lists every"
            " problem), then run again."
        )


@dataclass(frozen=True)
class PublicationOutcome:
    evaluation_date: date
    decision: Decision
    path: Path | None = None


# ---------------------------------------------------------------------------------------------
# Fingerprints


def code_version() -> str:
    """The package version and a hash of everything that decides the numbers (SQL, seeds, Python)."""
    root = settings.PROJECT_ROOT
    files: list[Path] = [root / "dbt_project" / "dbt_project.yml"]
    for sub, pattern in (
        ("dbt_project/models", "*"),
        ("dbt_project/macros", "*"),
        ("dbt_project/tests", "*"),
        ("seeds", "*"),
        ("orchestration", "*.py"),
    ):
        files.extend(p for p in (root / sub).rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return f"{PACKAGE_VERSION}+{h.hexdigest()[:12]}"


def poc_window_days(con: duckdb.DuckDBPyConnection) -> int:
    """rules.md A7/D10: the POC-form window, from the program configuration seed."""
    row = con.execute("SELECT poc_form_window_days FROM config.technology_program_settings").fetchone()
    if row is None:
        raise PublicationError("config.technology_program_settings has no poc_form_window_days")
    return int(float(row[0]))


def combined_fingerprint(fingerprints: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(fingerprints, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# The extracts

EXTRACT_SQL = """
WITH gaps AS (
    SELECT partner_id, evaluation_date,
           string_agg(
               requirement || ': ' || coalesce(printf('%.2f', value), 'none') || ' of '
               || coalesce(printf('%.2f', threshold), '-')
               || CASE WHEN shortfall IS NOT NULL THEN ' (short ' || printf('%.2f', shortfall) || ')' ELSE '' END,
               '; ' ORDER BY requirement) AS gap_to_next_tier
    FROM marts.fct_technology_tier_gaps
    WHERE evaluation_date = $e AND is_blocking
    GROUP BY ALL
),
reqs AS (
    SELECT r.partner_id, r.evaluation_date,
           string_agg(r.requirement || '=' || r.recomputed_status, '; ' ORDER BY r.requirement)
               FILTER (WHERE r.tier = e.recomputed_tier_after) AS requirements_tier_after,
           string_agg(r.requirement || '=' || r.recomputed_status, '; ' ORDER BY r.requirement)
               FILTER (WHERE r.tier = e.next_tier) AS requirements_next_tier
    FROM marts.fct_technology_tier_requirements AS r
    JOIN marts.fct_technology_tier_evaluations AS e USING (partner_id, evaluation_date)
    WHERE r.evaluation_date = $e
    GROUP BY ALL
),
benefits AS (
    SELECT partner_id, evaluation_date,
           string_agg(benefit || ' (' || level || coalesce(', ' || qualifier, '') || ')', '; ' ORDER BY benefit_id)
               AS benefits,
           string_agg(benefit_en || ' (' || level || coalesce(', ' || qualifier_en, '') || ')', '; '
                      ORDER BY benefit_id) AS benefits_en,
           bool_and(is_active) AS benefits_active
    FROM marts.fct_technology_partner_benefits
    WHERE evaluation_date = $e
    GROUP BY ALL
)
SELECT
    e.partner_id,
    p.partner_name,
    e.evaluation_date,
    e.tier_before,
    e.qualified_tier_on_performance,
    e.qualified_tier,
    e.recomputed_tier_after AS tier_after,  -- a new version publishes this run's decision (issue 12 item 4)
    e.recomputed_action AS action,
    e.pending_tier,
    e.premier_exception_used,
    e.in_good_standing,
    e.needs_review,
    e.at_risk,
    m.attached_mrr,
    m.install_90d_mrr,
    m.influenced_deals_mrr,
    m.review_count,
    m.avg_rating,
    m.live_app_count,
    m.certified_live_app_count,
    e.poc_form_submitted_on,
    e.next_tier,
    e.next_tier_blocking_requirements,
    g.gap_to_next_tier,
    r.requirements_tier_after,
    r.requirements_next_tier,
    b.benefits,
    coalesce(b.benefits_active, false) AS benefits_active,
    e.run_date,
    -- columns added by issue 15 (product.md: add, never rename): the benefits in English, and the
    -- escalations holding an upgrade (A8, D12)
    b.benefits_en,
    e.breaking_escalation_ids,
    e.breaking_escalations_since,
    e.breaking_escalations_unresolved,
    e.good_standing_restored_on
FROM marts.fct_technology_tier_evaluations AS e
JOIN marts.fct_technology_partner_metrics AS m USING (partner_id, evaluation_date)
LEFT JOIN staging.stg_hubspot__partners AS p USING (partner_id)
LEFT JOIN gaps AS g USING (partner_id, evaluation_date)
LEFT JOIN reqs AS r USING (partner_id, evaluation_date)
LEFT JOIN benefits AS b USING (partner_id, evaluation_date)
WHERE e.evaluation_date = $e
ORDER BY e.partner_id
"""

REQUIREMENTS_SQL = """
SELECT r.* EXCLUDE (source, published_version, recomputed_value, recomputed_threshold, recomputed_status,
                   differs_from_published)
           REPLACE (r.recomputed_value AS value, r.recomputed_threshold AS threshold, r.recomputed_status AS status,
                    -- issue 16: the mart holds these amounts as DECIMAL(18,2); the published file keeps the
                    -- DOUBLE columns of every earlier version (the same values: they are whole cents)
                    CAST(r.install_90d_value AS DOUBLE) AS install_90d_value,
                    CAST(r.install_90d_threshold AS DOUBLE) AS install_90d_threshold,
                    CAST(r.exception_deals_threshold AS DOUBLE) AS exception_deals_threshold,
                    CAST(r.influenced_deals_value AS DOUBLE) AS influenced_deals_value)
           -- a new version publishes this run's rows (issue 12 item 4)
FROM marts.fct_technology_tier_requirements AS r
WHERE r.evaluation_date = $e
ORDER BY r.partner_id, r.tier, r.requirement
"""


# The Excel workbook's other inputs (workbook.py): the next tier's blocking gaps and the benefits.
GAPS_SQL = """
SELECT partner_id, requirement, value, threshold, shortfall, install_90d_value, install_90d_threshold
FROM marts.fct_technology_tier_gaps
WHERE evaluation_date = $e AND is_blocking
"""
BENEFITS_SQL = """
SELECT partner_id, benefit_id, benefit, benefit_en, level, qualifier, qualifier_en
FROM marts.fct_technology_partner_benefits
WHERE evaluation_date = $e
"""
# Issue 15 item 2: the Excel extract in each language; tier_extract.xlsx keeps its name (English).
WORKBOOKS = {"en": f"{EXTRACT}.xlsx", "fr": f"{EXTRACT}_fr.xlsx"}


# Issue 13 item 5 (formula injection, OWASP "CSV Injection"): a spreadsheet reads a cell that starts
# with one of these as a formula (tab and CR too: Excel drops them and reads what follows).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_CLASS = "[" + "".join("\\-" if t == "-" else t for t in FORMULA_TRIGGERS) + "]"


def csv_safe_sql(con: duckdb.DuckDBPyConnection, sql: str, e: date) -> str:
    """`sql` with every text column neutralised for spreadsheets: a value starting with a formula
    trigger gets a leading single quote, as OWASP advises. Only text columns: numbers, dates and
    booleans (a negative MRR) stay as they are. Parquet is written from `sql` itself, raw."""
    columns = con.execute(f"SELECT * FROM ({sql}) LIMIT 0", {"e": e}).description
    exprs = []
    for name, type_, *_ in columns:
        col = '"' + name.replace('"', '""') + '"'
        if str(type_) == "VARCHAR":
            col = f"CASE WHEN regexp_matches({col}, '^{_TRIGGER_CLASS}') THEN '''' || {col} ELSE {col} END AS {col}"
        exprs.append(col)
    return f"SELECT {', '.join(exprs)} FROM ({sql})"


def _copy(con: duckdb.DuckDBPyConnection, sql: str, e: date, target: Path, fmt: str) -> None:
    if fmt == "parquet":
        options = "FORMAT parquet, COMPRESSION zstd"
    else:
        sql, options = csv_safe_sql(con, sql, e), "FORMAT csv, HEADER true"
    con.execute(f"COPY ({sql}) TO '{target}' ({options})", {"e": e})


def _count_rows(con: duckdb.DuckDBPyConnection, path: Path, sheets: list[str] | None = None) -> int | dict[str, int]:
    if path.suffix == ".csv":
        return con.execute(
            "SELECT count(*) FROM read_csv(?, header = true, all_varchar = true)", [str(path)]
        ).fetchone()[0]
    if path.suffix == ".parquet":
        return con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:  # the data rows of the first sheet, or of each sheet named
            return wb.worksheets[0].max_row - 1 if sheets is None else {name: wb[name].max_row - 1 for name in sheets}
        finally:
            wb.close()
    raise ValueError(path)


def write_version(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    *,
    evaluation_date: date,
    version: int,
    run_date: date,
    reason: str,
    final: bool,
    window_open: bool,
    inputs: dict[str, str],
    code: str,
    gate: dict[str, str],
    gate_summary: dict[str, object],
    engine: str = "duckdb",
    pool: Executor | None = None,
) -> dict[str, object]:
    """Write every file of one version into `staging`, verify it, and write its manifest last."""
    extract = con.execute(EXTRACT_SQL, {"e": evaluation_date}).df()
    if extract.empty:
        raise PublicationError(f"no evaluation rows for {evaluation_date}: nothing to publish")
    requirements = con.execute(REQUIREMENTS_SQL, {"e": evaluation_date}).df()
    gaps = con.execute(GAPS_SQL, {"e": evaluation_date}).df()
    benefits = con.execute(BENEFITS_SQL, {"e": evaluation_date}).df()
    context = ExtractContext(evaluation_date, version, run_date, final, str(gate_summary.get("summary") or ""), code)
    # Issue 18 item 5: the workbooks are single-threaded Python; with helper processes (`pool`) they are
    # written there while this process writes the CSV, Parquet and notification files.
    frames = (extract, requirements, gaps, benefits)
    with helper_jobs(pool) as jobs:
        for lang, name in WORKBOOKS.items():
            jobs.run(_write_workbook_in_helper, *frames, staging / name, lang=lang, context=context)
        _copy(con, EXTRACT_SQL, evaluation_date, staging / f"{EXTRACT}.csv", "csv")
        _copy(con, EXTRACT_SQL, evaluation_date, staging / f"{EXTRACT}.parquet", "parquet")
        drafts = write_notifications(extract, staging, evaluation_date)  # issue 17 item 3
        _copy(con, REQUIREMENTS_SQL, evaluation_date, staging / f"{REQUIREMENTS}.csv", "csv")
        _copy(con, REQUIREMENTS_SQL, evaluation_date, staging / f"{REQUIREMENTS}.parquet", "parquet")
        for suffix, text in gate.items():
            (staging / f"{GATE_REPORT}.{suffix}").write_text(text, encoding="utf-8")

    expected: dict[str, Any] = {EXTRACT: len(extract), REQUIREMENTS: len(requirements), NOTIFICATIONS: drafts}
    # The audit of each workbook: its Tiers sheet holds the extract's rows, its Requirements sheet the
    # requirement rows (the Read me sheet is prose).
    audited = {
        **expected,
        **{name: workbook_row_counts(lang, len(extract), len(requirements)) for lang, name in WORKBOOKS.items()},
    }
    manifest: dict[str, object] = {
        "evaluation_date": evaluation_date.isoformat(),
        "version": version,
        "run_date": run_date.isoformat(),
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reason": reason,
        "final": final,
        "poc_window_open": window_open,
        "code_version": code,
        "engine": engine,  # where dbt built the marts (issue 19): duckdb or spark
        "inputs_fingerprint": combined_fingerprint(inputs),
        "input_fingerprints": inputs,
        "row_counts": expected,
        "tier_counts": extract["tier_after"].value_counts().sort_index().to_dict(),
        "action_counts": extract["action"].value_counts().sort_index().to_dict(),
        "checks": gate_summary,
    }
    return seal_version(con, staging, audited, manifest)


def seal_version(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    expected: dict[str, Any],
    manifest: dict[str, object],
) -> dict[str, object]:
    """The audit of write-audit-publish, for every kind of publication: re-read the rows of each
    file written into `staging` (`expected` by file name or by stem for every format of one table;
    a workbook's rows by sheet name),
    record every file's size and sha256, and write the manifest last (its presence = complete)."""
    files: dict[str, dict[str, object]] = {}
    for path in sorted(staging.iterdir()):
        entry: dict[str, object] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
        want = expected.get(path.name, expected.get(path.stem))  # by file name, else for every format
        if want is not None:
            rows = _count_rows(con, path, sheets=list(want) if isinstance(want, dict) else None)
            if rows != want:  # audit: what was written is what was meant
                raise PublicationError(f"{path.name}: wrote {rows} rows, expected {want}")
            entry["rows"] = rows
        files[path.name] = entry
    manifest = {**manifest, "files": files}
    tmp = staging / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str), encoding="utf-8")
    os.replace(tmp, staging / MANIFEST)
    return manifest


def rule_inputs(
    run_date: date, inputs: dict[str, str], code: str, republish: bool, reason: str | None
) -> dict[str, Any]:
    """What store.decide weighs besides the current version, alike for every kind of publication."""
    return {
        "run_date": run_date,
        "inputs_fingerprint": combined_fingerprint(inputs),
        "code_version": code,
        "republish": republish,
        "reason": reason,
    }


def publish_due(
    store: PublicationStore,
    key: date,
    *,
    label: str,
    decide_with: dict[str, Any],
    write: Callable[[Path, Decision], object],
    progress: Callable[[str], None],
) -> PublicationOutcome:
    """One key's step of a run, for every kind of publication: the publication rule (store.decide with
    `decide_with`), then, when a version is due, write-audit-publish it (commit_version)."""
    current = store.current(key)
    d = decide(current, evaluation_date=key, **decide_with)
    if not d.publish:
        progress(f"{label}: no new version — {d.reason}")
        return PublicationOutcome(key, d, current.path if current else None)
    version = commit_version(store, key, d.version, lambda staging: write(staging, d))
    progress(f"{label}: v{d.version} published ({d.reason}) -> {version.path}")
    return PublicationOutcome(key, d, version.path)


def commit_version(store: PublicationStore, key: date, version: int, write: Callable[[Path], object]) -> Version:
    """Write a version into a fresh staging folder (`write`, which ends with seal_version), then
    rename it into place; whatever fails on the way leaves no trace but the discarded staging folder."""
    staging = store.new_staging(key)
    try:
        write(staging)
        failpoint("version_written")
        return store.commit(staging, key, version)
    except BaseException:
        store.discard(staging)
        raise


# ---------------------------------------------------------------------------------------------
# Published tiers and the analytics snapshot


def sync_published_tiers(con: duckdb.DuckDBPyConnection, store: PublicationStore) -> int:
    """Rebuild publication.published_technology_tiers (every version) and
    publication.published_technology_requirements (current versions) from the store: the files are the
    record. Call open_record first: this reads the files it verified. The published tier, action and
    requirement rows are what the marts show as the fact for a published date (issue 12 item 4)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS publication")
    con.execute("BEGIN TRANSACTION")
    try:
        # rebuilt whole every run, so its shape follows the code (a warehouse made before the action
        # column was synced has the table without it)
        con.execute("DROP TABLE IF EXISTS publication.published_technology_tiers")
        con.execute(f"CREATE TABLE publication.published_technology_tiers ({PUBLISHED_TIERS_COLUMNS})")
        con.execute("DROP TABLE IF EXISTS publication.published_technology_requirements")
        con.execute(f"CREATE TABLE publication.published_technology_requirements ({PUBLISHED_REQUIREMENTS_COLUMNS})")
        for e in store.evaluation_dates():
            current = store.current(e)
            requirements = current.path / f"{REQUIREMENTS}.parquet" if current else None
            if requirements is not None and requirements.exists():
                con.execute(
                    """INSERT INTO publication.published_technology_requirements
                       SELECT partner_id, CAST(? AS DATE), ?, tier, requirement, value, threshold, status
                       FROM read_parquet(?)""",
                    [e, current.version, str(requirements)],
                )
            for v in store.versions(e):
                con.execute(
                    """INSERT INTO publication.published_technology_tiers
                       SELECT partner_id, CAST(? AS DATE), ?, tier_after, ?, CAST(? AS TIMESTAMP), action
                       FROM read_parquet(?)""",
                    [
                        e,
                        v.version,
                        current is not None and current.version == v.version,
                        v.manifest["published_at"].replace("+00:00", ""),
                        str(v.path / f"{EXTRACT}.parquet"),
                    ],
                )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return con.execute("SELECT count(*) FROM publication.published_technology_tiers").fetchone()[0]


SNAPSHOT_SOURCE = "snapshot_source"  # publication.snapshot_source inside analytics.duckdb


def snapshot_source(store: PublicationStore, *, run_date: date, inputs: dict[str, str], code: str) -> pd.DataFrame:
    """What an analytics snapshot reflects (issue 13 item 4): one row per published date, its current
    version, and whether that version was made from the inputs and code of the marts copied beside
    it (when not, the date's published files are the fact and its marts rows a later recomputation)."""
    marts_inputs = combined_fingerprint(inputs)
    rows = []
    for e in store.evaluation_dates():
        v = store.current(e)
        if v is None:
            continue
        m = v.manifest
        same = m.get("inputs_fingerprint") == marts_inputs and m.get("code_version") == code
        rows.append((e, v.version, m.get("inputs_fingerprint"), m.get("code_version"), same))
    frame = pd.DataFrame(
        rows,
        columns=["evaluation_date", "current_version", "version_inputs_fingerprint", "version_code_version",
                 "marts_from_same_inputs_and_code"],
    )  # fmt: skip
    frame["marts_run_date"] = run_date
    frame["marts_inputs_fingerprint"] = marts_inputs
    frame["marts_code_version"] = code
    frame["refreshed_at"] = datetime.now(UTC).replace(tzinfo=None)
    return frame


def refresh_analytics(con: duckdb.DuckDBPyConnection, publish_dir: Path, source: pd.DataFrame) -> Path:
    """Copy the marts into a new file and rename it over the analytics database (readers of the old
    file keep their snapshot; new readers see the new one; nobody sees a half-built file).

    Called only by a run that published (issue 13 item 4, product.md: the marts as of the last
    successful publication); `source` (snapshot_source) is stored beside them. Issue 16 item 1: the file
    is in a storage format DuckDB 1.x opens, and every mart is also exported to Parquet
    (`analytics_parquet/`), from the snapshot's own tables."""
    staging = publish_dir / STAGING_DIR
    staging.mkdir(parents=True, exist_ok=True)
    stamp = f"{os.getpid()}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
    tmp = staging / f"analytics-{stamp}.duckdb"
    parquet_tmp = staging / f"analytics-parquet-{stamp}"
    attach_for_writing(con, tmp, "snapshot")
    try:
        for schema in ("marts", "config"):
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
                    " AND table_type = 'BASE TABLE' AND table_catalog = current_database()",
                    [schema],
                ).fetchall()
            ]
            if not tables:
                continue
            con.execute(f"CREATE SCHEMA IF NOT EXISTS snapshot.{schema}")
            for t in tables:
                con.execute(f"CREATE TABLE snapshot.{schema}.{t} AS SELECT * FROM {schema}.{t}")
        con.execute("CREATE SCHEMA IF NOT EXISTS snapshot.publication")
        con.execute(
            "CREATE TABLE snapshot.publication.published_technology_tiers AS "
            "SELECT * FROM publication.published_technology_tiers"
        )
        con.register("snapshot_source_frame", source)
        con.execute(
            f"CREATE TABLE snapshot.publication.{SNAPSHOT_SOURCE} AS SELECT"
            " CAST(evaluation_date AS DATE) AS evaluation_date, * EXCLUDE (evaluation_date) FROM snapshot_source_frame"
        )
        con.unregister("snapshot_source_frame")
        export_marts_parquet(con, "snapshot", parquet_tmp)
    finally:
        con.execute("DETACH snapshot")
    target = publish_dir / ANALYTICS_DB
    failpoint("snapshot_written")
    # Parquet first: a death between the two leaves the DuckDB file behind the store, which the next
    # run notices (_snapshot_behind) and repairs by writing both again.
    replace_dir(parquet_tmp, publish_dir / ANALYTICS_PARQUET_DIR, staging / f"analytics-parquet-old-{stamp}")
    os.replace(tmp, target)
    failpoint("snapshot_replaced")
    return target


def _snapshot_behind(publish_dir: Path, store: PublicationStore, inputs: dict[str, str], code: str) -> bool:
    """True when a run died after publishing but before replacing the snapshot (issue 13 item 2): the
    snapshot does not name the store's current versions, and the marts in hand are those versions'
    own (same inputs and code), so refreshing it now publishes nothing that was not published."""
    current = {e: v for e in store.evaluation_dates() if (v := store.current(e)) is not None}
    if not current:
        return False
    try:
        con = duckdb.connect(str(publish_dir / ANALYTICS_DB), read_only=True)
    except duckdb.Error:
        recorded: dict[date, int] = {}
    else:
        try:
            recorded = dict(
                con.execute(f"SELECT evaluation_date, current_version FROM publication.{SNAPSHOT_SOURCE}").fetchall()
            )
        except duckdb.Error:
            recorded = {}
        finally:
            con.close()
    behind = [v for e, v in current.items() if recorded.get(e) != v.version]
    fingerprint = combined_fingerprint(inputs)
    return bool(behind) and all(
        v.manifest.get("inputs_fingerprint") == fingerprint and v.manifest.get("code_version") == code for v in behind
    )


# ---------------------------------------------------------------------------------------------
# One run's publication step


def _workbook_helper(workers: int = len(WORKBOOKS)) -> ProcessPoolExecutor:
    """The helper processes the workbooks of each version are written in (write_version): forkserver,
    not fork, since this process runs DuckDB's threads. The helpers die with this process."""
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("forkserver"), initializer=_die_with_the_publisher
    )


class HelperJobs:
    """The files of one version written by helper processes (or here, without a pool): `run` submits
    one; leaving the `with` block waits for every one, and raises the first failure."""

    def __init__(self, pool: Executor | None):
        self.pool = pool
        self.pending: list[Future[Any]] = []

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        if self.pool is None:
            fn(*args, **kwargs)
        else:
            self.pending.append(self.pool.submit(fn, *args, **kwargs))


@contextmanager
def helper_jobs(pool: Executor | None) -> Iterator[HelperJobs]:
    """Jobs that run beside the `with` block. Every job has ended before this returns or raises (when
    the block fails, those not started are cancelled), so nothing writes into the staging folder once
    it is discarded; then the first job's failure is raised."""
    jobs = HelperJobs(pool)
    try:
        yield jobs
    except BaseException:
        for job in jobs.pending:
            job.cancel()
        wait(jobs.pending)
        raise
    wait(jobs.pending)
    for job in jobs.pending:
        job.result()


def _write_workbook_in_helper(*args: Any, **kwargs: Any) -> None:
    """What a helper runs: a module-level function pickles by name, whatever `write_workbook` is in
    this process. A callable that does not pickle (a test's stand-in) failed in the pool's feeder
    thread instead, where CPython 3.11's ProcessPoolExecutor lost the error and its shutdown waited
    forever (CI's fault suite hung on it). Without a pool it runs here, and a stand-in with it."""
    write_workbook(*args, **kwargs)


def _die_with_the_publisher() -> None:
    """The helper's initializer: it exits as soon as the publishing process dies without shutting the
    pool down (a crash, a kill, a failpoint). Otherwise it would outlive it, holding its stdout and
    stderr open (and the forkserver and resource tracker with them), and whoever reads those to the end
    (a shell pipe, Dagster's log capture, a test's subprocess.run) would wait forever: CI did, for 85
    minutes. The parent's sentinel is a pipe the publisher holds open while it lives."""
    publisher = multiprocessing.parent_process()

    def watch() -> None:
        publisher.join()
        os._exit(1)

    threading.Thread(target=watch, name="die-with-the-publisher", daemon=True).start()


def publish(
    warehouse: Path,
    publish_dir: Path,
    *,
    run_date: date,
    evaluation_dates: list[date] | None = None,
    gate: dict[str, str] | None = None,
    gate_summary: dict[str, object] | None = None,
    republish: bool = False,
    reason: str | None = None,
    progress: Callable[[str], None] = print,
    engine: str = "duckdb",
) -> list[PublicationOutcome]:
    """Publish every evaluation date of the marts (or the given ones) that is due a new version;
    `engine` is where dbt built the marts, recorded in each manifest (issue 19)."""
    store = PublicationStore(publish_dir)
    publish_dir.mkdir(parents=True, exist_ok=True)
    open_record(store, progress)
    con = duckdb.connect(str(warehouse))
    outcomes: list[PublicationOutcome] = []
    pool = _workbook_helper()
    try:
        con.execute("SET TimeZone = 'UTC'")
        dates = evaluation_dates
        if dates is None:
            dates = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT evaluation_date FROM marts.fct_technology_tier_evaluations ORDER BY 1"
                ).fetchall()
            ]
        inputs = last_fingerprints(con)
        code = code_version()
        window_days = poc_window_days(con)
        for e in dates:
            window_open = poc_window_open(e, run_date, window_days)
            outcomes.append(
                publish_due(
                    store,
                    e,
                    label=f"publication {e}",
                    decide_with={
                        **rule_inputs(run_date, inputs, code, republish, reason),
                        "window_days": window_days,
                    },
                    write=lambda staging, d, e=e, window_open=window_open: write_version(
                        con,
                        staging,
                        evaluation_date=e,
                        version=d.version,
                        run_date=run_date,
                        reason=d.reason,
                        final=not window_open,
                        window_open=window_open,
                        inputs=inputs,
                        code=code,
                        gate=gate or {},
                        gate_summary=gate_summary or {},
                        engine=engine,
                        pool=pool,
                    ),
                    progress=progress,
                )
            )
        sync_published_tiers(con, store)
        failpoint("tiers_synced")
        if any(o.decision.publish for o in outcomes) or _snapshot_behind(publish_dir, store, inputs, code):
            source = snapshot_source(store, run_date=run_date, inputs=inputs, code=code)
            refresh_analytics(con, publish_dir, source)
            progress(f"analytics snapshot refreshed: {publish_dir / ANALYTICS_DB}")
        else:  # issue 13 item 4: marts nobody published never reach the analysts' snapshot
            progress("analytics snapshot kept: nothing was published, it still holds the last publication's marts")
    finally:
        pool.shutdown(cancel_futures=True)
        con.close()
    return outcomes
