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
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from orchestration import settings
from orchestration.defs.ingest.load import PUBLISHED_REQUIREMENTS_COLUMNS, PUBLISHED_TIERS_COLUMNS, last_fingerprints
from orchestration.defs.publication.store import (
    ANALYTICS_DB,
    MANIFEST,
    STAGING_DIR,
    Decision,
    PublicationStore,
    decide,
    poc_window_open,
    sha256_file,
)
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
    e.run_date
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
           REPLACE (r.recomputed_value AS value, r.recomputed_threshold AS threshold, r.recomputed_status AS status)
           -- a new version publishes this run's rows (issue 12 item 4)
FROM marts.fct_technology_tier_requirements AS r
WHERE r.evaluation_date = $e
ORDER BY r.partner_id, r.tier, r.requirement
"""


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


def write_xlsx(frame: pd.DataFrame, target: Path, sheet: str = "tiers") -> None:
    """A formatted workbook: typed cells, frozen header, filters, readable widths.

    Written in openpyxl's write-only mode (rows streamed to the file, not held as cell objects):
    0.74 instead of 0.89 CPU s for 2000 partners x 29 columns, the same cells, styles, widths,
    panes and filter (docs/benchmarks.md, proposal 8; most of what is left is openpyxl's XML
    writer). A write-only sheet takes its widths and panes before the first row, styles per cell.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ref = f"A1:{get_column_letter(max(1, len(frame.columns)))}{len(frame) + 1}"
    # A write-only sheet does not know its size, and openpyxl leaves out the <dimension> element
    # then; read-only readers (openpyxl's read_only=True, the row-count audit below) take the
    # sheet's size from it. Its writer asks the sheet for `calculate_dimension()`: answer that.
    ws.calculate_dimension = lambda: ref
    money = {c for c in frame.columns if c.endswith("_mrr") or c.endswith("_usd")}
    formats: list[str | None] = []
    for idx, col in enumerate(frame.columns, start=1):
        sample = [len(str(col))] + [len(str(v)) for v in frame[col].head(200) if not pd.isna(v)]
        ws.column_dimensions[get_column_letter(idx)].width = min(60, max(10, max(sample) + 2))
        fmt = "#,##0.00" if col in money else "0.00" if col == "avg_rating" else None
        is_date = str(frame[col].dtype).startswith(("date", "datetime"))
        formats.append(fmt or ("yyyy-mm-dd" if is_date else None))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ref

    font, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="33475B")
    header = []
    for col in frame.columns:
        cell = WriteOnlyCell(ws, value=col)
        cell.font, cell.fill = font, fill
        header.append(cell)
    ws.append(header)
    formatted = [(i, f) for i, f in enumerate(formats) if f]
    texts = [i for i, col in enumerate(frame.columns) if not pd.api.types.is_numeric_dtype(frame[col].dtype)]
    for row in frame.itertuples(index=False):
        values = [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row]
        for i, fmt in formatted:
            cell = WriteOnlyCell(ws, value=values[i])
            cell.number_format = fmt
            values[i] = cell
        for i in texts:
            # Issue 13 item 5: openpyxl writes a text starting with '=' as a formula and '#N/A' as an
            # error; a cell typed 's' is a string Excel never evaluates (the text stays as it came).
            v = values[i]
            if isinstance(v, str) and (v.startswith("=") or v in ERROR_CODES):
                values[i] = WriteOnlyCell(ws, value=v)
                values[i].data_type = "s"
        ws.append(values)
    wb.save(target)


def _count_rows(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    if path.suffix == ".csv":
        return con.execute(
            "SELECT count(*) FROM read_csv(?, header = true, all_varchar = true)", [str(path)]
        ).fetchone()[0]
    if path.suffix == ".parquet":
        return con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:
            return wb.active.max_row - 1
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
) -> dict[str, object]:
    """Write every file of one version into `staging`, verify it, and write its manifest last."""
    extract = con.execute(EXTRACT_SQL, {"e": evaluation_date}).df()
    if extract.empty:
        raise PublicationError(f"no evaluation rows for {evaluation_date}: nothing to publish")
    _copy(con, EXTRACT_SQL, evaluation_date, staging / f"{EXTRACT}.csv", "csv")
    _copy(con, EXTRACT_SQL, evaluation_date, staging / f"{EXTRACT}.parquet", "parquet")
    write_xlsx(extract, staging / f"{EXTRACT}.xlsx")
    _copy(con, REQUIREMENTS_SQL, evaluation_date, staging / f"{REQUIREMENTS}.csv", "csv")
    _copy(con, REQUIREMENTS_SQL, evaluation_date, staging / f"{REQUIREMENTS}.parquet", "parquet")
    for suffix, text in gate.items():
        (staging / f"{GATE_REPORT}.{suffix}").write_text(text, encoding="utf-8")

    expected = {
        EXTRACT: len(extract),
        REQUIREMENTS: con.execute(f"SELECT count(*) FROM ({REQUIREMENTS_SQL})", {"e": evaluation_date}).fetchone()[0],
    }
    files: dict[str, dict[str, object]] = {}
    for path in sorted(staging.iterdir()):
        entry: dict[str, object] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
        stem = path.stem
        if stem in expected:
            rows = _count_rows(con, path)
            if rows != expected[stem]:  # audit: what was written is what was meant
                raise PublicationError(f"{path.name}: wrote {rows} rows, expected {expected[stem]}")
            entry["rows"] = rows
        files[path.name] = entry
    manifest: dict[str, object] = {
        "evaluation_date": evaluation_date.isoformat(),
        "version": version,
        "run_date": run_date.isoformat(),
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reason": reason,
        "final": final,
        "poc_window_open": window_open,
        "code_version": code,
        "engine": settings.engine(),  # where dbt built the marts (issue 19): duckdb or spark
        "inputs_fingerprint": combined_fingerprint(inputs),
        "input_fingerprints": inputs,
        "row_counts": expected,
        "tier_counts": extract["tier_after"].value_counts().sort_index().to_dict(),
        "action_counts": extract["action"].value_counts().sort_index().to_dict(),
        "checks": gate_summary,
        "files": files,
    }
    tmp = staging / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str), encoding="utf-8")
    os.replace(tmp, staging / MANIFEST)
    return manifest


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
    successful publication); `source` (snapshot_source) is stored beside them."""
    staging = publish_dir / STAGING_DIR
    staging.mkdir(parents=True, exist_ok=True)
    tmp = staging / f"analytics-{os.getpid()}-{datetime.now(UTC):%Y%m%d%H%M%S%f}.duckdb"
    con.execute(f"ATTACH '{tmp}' AS snapshot")
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
    finally:
        con.execute("DETACH snapshot")
    target = publish_dir / ANALYTICS_DB
    failpoint("snapshot_written")
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
) -> list[PublicationOutcome]:
    """Publish every evaluation date of the marts (or the given ones) that is due a new version."""
    store = PublicationStore(publish_dir)
    publish_dir.mkdir(parents=True, exist_ok=True)
    open_record(store, progress)
    con = duckdb.connect(str(warehouse))
    outcomes: list[PublicationOutcome] = []
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
            current = store.current(e)
            window_open = poc_window_open(e, run_date, window_days)
            d = decide(
                current,
                evaluation_date=e,
                run_date=run_date,
                inputs_fingerprint=combined_fingerprint(inputs),
                code_version=code,
                republish=republish,
                reason=reason,
                window_days=window_days,
            )
            if not d.publish:
                progress(f"publication {e}: no new version — {d.reason}")
                outcomes.append(PublicationOutcome(e, d, current.path if current else None))
                continue
            staging = store.new_staging(e)
            try:
                write_version(
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
                )
                failpoint("version_written")
                version = store.commit(staging, e, d.version)
            except BaseException:
                store.discard(staging)
                raise
            progress(f"publication {e}: v{d.version} published ({d.reason}) -> {version.path}")
            outcomes.append(PublicationOutcome(e, d, version.path))
        sync_published_tiers(con, store)
        failpoint("tiers_synced")
        if any(o.decision.publish for o in outcomes) or _snapshot_behind(publish_dir, store, inputs, code):
            source = snapshot_source(store, run_date=run_date, inputs=inputs, code=code)
            refresh_analytics(con, publish_dir, source)
            progress(f"analytics snapshot refreshed: {publish_dir / ANALYTICS_DB}")
        else:  # issue 13 item 4: marts nobody published never reach the analysts' snapshot
            progress("analytics snapshot kept: nothing was published, it still holds the last publication's marts")
    finally:
        con.close()
    return outcomes
