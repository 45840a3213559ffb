"""Load the landing zone into the `raw` schema: the structural half of feeds.md "Bad input".

- Every file of a feed is read (CSV or Parquet), its header checked against the contract and every
  value checked against its type, in DuckDB (no per-row Python).
- An error names the feed, the file, the line (CSV; row for Parquet) and the column.
- The load is all-or-nothing across feeds: every raw table is replaced inside one transaction,
  which is rolled back when any feed fails, so the warehouse keeps its previous state.
- Every load appends to `meta.load_history` (feed, rows, file fingerprints, time); a feed whose
  files have the same fingerprints as its last load is not read again.
- Issue 18: every load records in `meta.feed_changes` the first month each changed feed changes (the
  incremental dbt models rebuild from there); a monthly feed (usage, MRR) writes only its months from
  the first changed one, so a new month is an append (meta.feed_months holds its per-month checksums).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration import settings
from orchestration.defs.ingest.contract import FEEDS, FEEDS_BY_NAME, Column, Feed

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
META_SCHEMA = "meta"
PUBLICATION_SCHEMA = "publication"
FILE_SUFFIXES = (".csv", ".parquet")


@dataclass(frozen=True)
class LoadError:
    feed: str
    message: str
    file: str | None = None
    line: int | None = None  # CSV: physical line (header = 1); Parquet: row number (first = 1)
    column: str | None = None

    def __str__(self) -> str:
        where = [f"feed {self.feed!r}"]
        if self.file:
            where.append(f"file {self.file}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class LoadFailed(Exception):
    """The load was rolled back; no raw table changed."""

    def __init__(self, errors: list[LoadError]):
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(
            f"load failed, nothing was changed in the warehouse ({len(errors)} error(s)):\n{lines}\n"
            "Fix the files named above and run again."
        )


@dataclass
class FeedLoad:
    feed: str
    files: list[str]
    fingerprint: str
    rows: int | None = None
    status: str = "loaded"  # loaded | unchanged | absent_optional
    # Issue 18: the first month the new snapshot changes (None with whole=False: no row changed);
    # whole: every month may have changed (no time columns, or the first load).
    changed_from: date | None = None
    whole: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    load_id: str
    feeds: dict[str, FeedLoad]
    landing_warnings: list[str] = field(default_factory=list)  # about the landing zone, not one feed

    @property
    def changed(self) -> list[str]:
        return [f for f, r in self.feeds.items() if r.status != "unchanged"]

    @property
    def warnings(self) -> list[str]:
        return [*self.landing_warnings, *(w for r in self.feeds.values() for w in r.warnings)]


# ---------------------------------------------------------------------------------------------
# Warehouse bootstrap


# publication.published_technology_tiers: the published decision per partner, date and version (the
# publication step rebuilds it from the files each run; the tier chain and the marts read it).
PUBLISHED_TIERS_COLUMNS = (
    "partner_id VARCHAR, evaluation_date DATE, version INTEGER, tier_after VARCHAR,"
    " is_current BOOLEAN, published_at TIMESTAMP, action VARCHAR"
)


# publication.published_technology_requirements: the requirement rows of each current version (value,
# threshold and status as published), the fact the requirement mart shows for a published date.
PUBLISHED_REQUIREMENTS_COLUMNS = (
    "partner_id VARCHAR, evaluation_date DATE, version INTEGER, tier VARCHAR, requirement VARCHAR,"
    " value DOUBLE, threshold DOUBLE, status VARCHAR"
)


def ensure_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas and bookkeeping tables every run relies on (idempotent)."""
    con.execute("SET TimeZone = 'UTC'")
    for schema in (RAW_SCHEMA, META_SCHEMA, PUBLICATION_SCHEMA):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {META_SCHEMA}.load_history (
            load_id VARCHAR, feed VARCHAR, status VARCHAR, rows BIGINT, file_count INTEGER,
            fingerprint VARCHAR, files VARCHAR, loaded_at TIMESTAMP)"""
    )
    # Facts written by the publication step; read by the tier chain (rules.md A9).
    published = f"{PUBLICATION_SCHEMA}.published_technology_tiers"
    con.execute(f"CREATE TABLE IF NOT EXISTS {published} ({PUBLISHED_TIERS_COLUMNS})")
    published = f"{PUBLICATION_SCHEMA}.published_technology_requirements"
    con.execute(f"CREATE TABLE IF NOT EXISTS {published} ({PUBLISHED_REQUIREMENTS_COLUMNS})")
    for feed in FEEDS:
        cols = ", ".join(f"{c.name} {c.duckdb_type}" for c in feed.columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{feed.name} ({cols})")
    # Issue 18: what each load changed, month by month; the incremental dbt models read it
    # (macros/incremental_months.sql) to know which months to build again.
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {META_SCHEMA}.feed_changes (
            load_id VARCHAR, feed VARCHAR, changed_from DATE, whole BOOLEAN, loaded_at TIMESTAMP)"""
    )
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {META_SCHEMA}.feed_months (
            feed VARCHAR, month DATE, rows BIGINT, checksum HUGEINT)"""
    )


# ---------------------------------------------------------------------------------------------
# Discovery and fingerprints


def feed_files(landing: Path, feed: Feed) -> list[Path] | None:
    """The feed's files, sorted; None when its folder is absent."""
    folder = landing / feed.name
    if not folder.is_dir():
        return None
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FILE_SUFFIXES)


def fingerprint_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def fingerprint_feed(files: Iterable[Path], file_fingerprints: dict[Path, str]) -> str:
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.name}:{file_fingerprints[p]}\n".encode())
    return h.hexdigest()


def _last_load(con: duckdb.DuckDBPyConnection, column: str) -> dict:
    """`column` of each feed's last load (meta.load_history), by feed name."""
    rows = con.execute(
        f"""SELECT feed, {column} FROM {META_SCHEMA}.load_history
            QUALIFY row_number() OVER (PARTITION BY feed ORDER BY loaded_at DESC) = 1 ORDER BY feed"""
    ).fetchall()
    return dict(rows)


def last_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The fingerprint of each feed's files at its last load, by feed name.

    What the loader compares to skip unchanged feeds, the publication records as its inputs and the
    gate keys its reusable results on."""
    return _last_load(con, "fingerprint")


def last_file_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many files each feed had at its last load, by feed name (a vanished feed, issue 13 item 6)."""
    return _last_load(con, "file_count")


def closest_feed(name: str) -> str | None:
    """The contract's feed name closest to `name` (difflib), if any is close."""
    match = difflib.get_close_matches(name, list(FEEDS_BY_NAME), n=1, cutoff=0.6)
    return match[0] if match else None


def unknown_folders(landing: Path) -> list[str]:
    """Folders of the landing zone that are no feed of the contract (hidden ones aside)."""
    return sorted(
        p.name for p in landing.iterdir() if p.is_dir() and p.name not in FEEDS_BY_NAME and not p.name.startswith(".")
    )


def unknown_folder_warning(folder: str) -> str:
    """Issue 13 item 6: an unknown folder is never read; say so, and which feed it may have meant."""
    near = closest_feed(folder)
    return f"landing folder {folder!r} is not a feed of the contract and was not read" + (
        f"; did you mean {near!r}? Rename the folder to load it." if near else "."
    )


def vanished_feed_error(feed: Feed, landing: Path, previous_files: int, strays: list[str]) -> LoadError:
    """Issue 13 item 6: an optional feed loaded last time and gone now is a disappearance."""
    renamed = [s for s in strays if closest_feed(s) == feed.name]
    hint = f" (is {renamed[0]!r} this feed, misspelled?)" if renamed else ""
    return LoadError(
        feed.name,
        f"optional feed folder {landing / feed.name} is missing or empty, but its last load had"
        f" {previous_files} file(s){hint}. A feed that disappears is an error, not an absence: restore"
        f" the folder, or run with --allow-missing {feed.name} if the feed really ended.",
    )


# ---------------------------------------------------------------------------------------------
# Reading and checking one file


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cast_check(col: Column, expr: str) -> str:
    """SQL that is true when a non-null value does not parse as the column's type."""
    if col.type == "str":
        return "false"
    if col.type == "bool":
        return f"({expr} IS NOT NULL AND lower(trim(CAST({expr} AS VARCHAR))) NOT IN ('true', 'false'))"
    if col.type == "dec":
        # Plain decimals with '.', no thousands separators or currency symbols (feeds.md).
        return (
            f"({expr} IS NOT NULL AND (TRY_CAST({expr} AS DECIMAL(18,2)) IS NULL"
            f" OR NOT regexp_full_match(trim(CAST({expr} AS VARCHAR)), '[-+]?[0-9]*\\.?[0-9]+')))"
        )
    if col.type == "int":
        return (
            f"({expr} IS NOT NULL AND (TRY_CAST({expr} AS BIGINT) IS NULL"
            f" OR NOT regexp_full_match(trim(CAST({expr} AS VARCHAR)), '[-+]?[0-9]+')))"
        )
    return f"({expr} IS NOT NULL AND TRY_CAST({expr} AS {col.duckdb_type}) IS NULL)"


def _cast_expr(col: Column, expr: str) -> str:
    if col.type == "bool":
        return f"CAST(lower(trim(CAST({expr} AS VARCHAR))) = 'true' AS BOOLEAN)"
    return f"CAST({expr} AS {col.duckdb_type})"


_NATIVE_TYPES = {
    "date": ("DATE",),
    "ts": ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"),
    "int": ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"),
    "dec": ("DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT"),
    "bool": ("BOOLEAN",),
}


class _FileReader:
    """Checks one file of a feed against the contract; gives the SQL that reads it typed."""

    def __init__(self, con: duckdb.DuckDBPyConnection, feed: Feed, path: Path, tmp_name: str):
        self.con, self.feed, self.path, self.tmp = con, feed, path, tmp_name
        self.is_csv = path.suffix.lower() == ".csv"
        self.errors: list[LoadError] = []
        self.warnings: list[str] = []
        self.rows_sql = ""  # the file's rows with a 1-based __row number, for the checks
        self.typed_source = ""  # what the typed insert reads

    def err(self, message: str, line: int | None = None, column: str | None = None) -> None:
        self.errors.append(LoadError(self.feed.name, message, str(self.path), line, column))

    def read(self) -> None:
        """Check the file; on failure `errors` says why."""
        src = _sql_str(str(self.path))
        try:
            if self.is_csv:
                header = self._csv_header()
                if header is None:
                    return
                columns = "{" + ", ".join(f"{_sql_str(n)}: 'VARCHAR'" for n in header) + "}"
                scan = (
                    f"read_csv({src}, header = true, columns = {columns}, delim = ',', quote = '\"',"
                    " escape = '\"', strict_mode = true, null_padding = false, auto_detect = false,"
                    " allow_quoted_nulls = true)"
                )
                # One parse of the CSV; the checks and the typed insert read this temporary table.
                self.con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {self.tmp} AS SELECT row_number() OVER () AS __row, * FROM {scan}"
                )
                self.rows_sql = f"(SELECT * FROM {self.tmp})"
                self.typed_source = self.tmp
            else:
                scan = f"read_parquet({src})"
                self.con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()  # fails on a corrupt file
                self.rows_sql = f"(SELECT row_number() OVER () AS __row, * FROM {scan})"
                self.typed_source = scan
        except duckdb.Error as exc:
            if self.is_csv and "Invalid unicode" in str(exc):
                self._not_utf8()
                return
            kind = "CSV" if self.is_csv else "Parquet"
            self.err(f"not a valid {kind} file: {_duckdb_reason(str(exc))}", line=_line_from_duckdb_message(str(exc)))
            return
        self._check_columns_and_types()

    def _not_utf8(self) -> None:
        """Issue 13 item 7: name the line and byte of the first byte that is not UTF-8 (Python's
        decoder reports a position inside its read buffer, and on the header's line)."""
        found = first_non_utf8_byte(self.path)
        if found is None:  # the reader failed on something else after all: say what we know
            self.err("not a valid CSV file: it is not UTF-8 encoded (feeds.md)", line=1)
            return
        line, offset, byte, prefix = found
        column = None
        if prefix is not None and b'"' not in prefix:  # unquoted: the field is the count of commas
            with self.path.open(encoding="utf-8", errors="replace", newline="") as fh:
                header = next(csv.reader(fh), [])
            index = prefix.count(b",")
            column = header[index].strip().lstrip("\ufeff") if line > 1 and index < len(header) else None
        self.err(
            f"the file is not UTF-8 (feeds.md): byte 0x{byte:02x}, byte {offset} of the line, is not valid UTF-8"
            f" (in Latin-1 it reads {bytes([byte]).decode('latin-1')!r}: the file looks Latin-1 or Windows-1252"
            " encoded). Save it as UTF-8 and run again.",
            line=line,
            column=column,
        )

    def _csv_header(self) -> list[str] | None:
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), None)
        except UnicodeDecodeError:
            self._not_utf8()
            return None
        except csv.Error as exc:
            self.err(f"not a valid CSV file: {exc}", line=1)
            return None
        if not header:
            self.err("not a valid CSV file: no header row", line=1)
            return None
        names = [h.strip() for h in header]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes or any(not n for n in names):
            self.err(f"not a valid CSV header: empty or repeated column names {dupes}", line=1)
            return None
        return names

    def _check_columns_and_types(self) -> None:
        described = self.con.execute(f"DESCRIBE SELECT * FROM {self.rows_sql}").fetchall()
        present = {r[0]: r[1] for r in described if r[0] != "__row"}
        expected = set(self.feed.column_names)
        for col in self.feed.columns:
            if col.name not in present and col.required:
                self.err(
                    f"required column {col.name!r} is missing (the file has: {', '.join(present) or 'none'})",
                    line=1 if self.is_csv else None,
                    column=col.name,
                )
        extra = [c for c in present if c not in expected]
        if extra:
            self.warnings.append(
                f"feed {self.feed.name!r}, file {self.path}: extra column(s) ignored: {', '.join(extra)}"
            )
        if self.errors:
            return
        checks = []
        for col in self.feed.columns:
            if col.name not in present:
                continue
            ptype = present[col.name].upper()
            native = _NATIVE_TYPES.get(col.type, ())
            if not self.is_csv and any(ptype.startswith(t) for t in native):
                continue  # a typed Parquet column needs no parse check
            checks.append((col, _cast_check(col, _quote(col.name))))
        if not checks:
            return
        select = ", ".join(f"min(__row) FILTER (WHERE {cond})" for _, cond in checks)
        first_bad = self.con.execute(f"SELECT {select} FROM {self.rows_sql}").fetchone()
        for (col, cond), row in zip(checks, first_bad, strict=True):
            if row is None:
                continue
            value, n_bad = self.con.execute(
                f"SELECT any_value(CAST({_quote(col.name)} AS VARCHAR)) FILTER (WHERE __row = ?),"
                f" count(*) FILTER (WHERE {cond}) FROM {self.rows_sql}",
                [row],
            ).fetchone()
            self.err(
                f"value {_shown(value)} is not a valid {col.type} ({col.duckdb_type}): {why_invalid(col, value)}"
                + (f"; {n_bad} values of this column are invalid" if n_bad > 1 else ""),
                line=row + 1 if self.is_csv else row,  # CSV: the header is line 1
                column=col.name,
            )

    def select_typed(self) -> str:
        described = {r[0] for r in self.con.execute(f"DESCRIBE SELECT * FROM {self.typed_source}").fetchall()}
        exprs = []
        for col in self.feed.columns:
            if col.name in described:
                expr = _cast_expr(col, _quote(col.name))
                if col.name in self.feed.defaults:  # feeds.md: e.g. crm_accredited defaults to false
                    expr = f"coalesce({expr}, CAST({self.feed.defaults[col.name]} AS {col.duckdb_type}))"
                exprs.append(f"{expr} AS {col.name}")
            else:
                default = self.feed.defaults.get(col.name, "NULL")
                exprs.append(f"CAST({default} AS {col.duckdb_type}) AS {col.name}")
        return f"SELECT {', '.join(exprs)} FROM {self.typed_source}"


def first_non_utf8_byte(path: Path, block_size: int = 1 << 22) -> tuple[int, int, int, bytes | None] | None:
    """(line, byte of that line (1-based), the byte, the line's bytes before it when they are in the
    same block) of the first byte of `path` that is not UTF-8; None when the file is UTF-8.

    Read in blocks: C-speed decoding and newline counting, nothing per line in Python."""
    line, line_start, base, carry = 1, 0, 0, b""
    with path.open("rb") as fh:
        while True:
            block = fh.read(block_size)
            data = carry + block
            try:
                _, used = codecs.utf_8_decode(data, "strict", not block)
            except UnicodeDecodeError as exc:
                bad = exc.start
                newline = data.rfind(b"\n", 0, bad)
                if newline >= 0:
                    line_start = base + newline + 1
                prefix = data[line_start - base : bad] if line_start >= base else None
                return line + data.count(b"\n", 0, bad), base + bad - line_start + 1, data[bad], prefix
            newline = data.rfind(b"\n", 0, used)
            if newline >= 0:
                line_start = base + newline + 1
            line += data.count(b"\n", 0, used)
            base, carry = base + used, data[used:]
            if not block:
                return None


_MAX_LINE = re.compile(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes")


def _duckdb_reason(message: str) -> str:
    """What a DuckDB CSV error says went wrong, in words (its first line only says where)."""
    if m := _MAX_LINE.search(message):
        limit, size = int(m.group(1)), int(m.group(2))
        return (
            f"the line is {size:,} bytes long, over the {limit:,} bytes a line may have: a value this long"
            " is not a value of this feed (often a quote that is never closed, which runs the lines after"
            " it into one value). Fix the value or its quoting and run again."
        )
    # DuckDB's layout: "CSV Error on Line: N", "Original Line: <the line, maybe several>", the reason,
    # then "Possible Solution"/"Possible fixes" and the reader's options.
    head, possible, _ = message.partition("\nPossible ")
    reason = [line.strip() for line in head.splitlines() if line.strip()]
    if possible and len(reason) > 1 and len(reason[-1]) <= 300:
        return f"{reason[-1]} ({reason[0]})"
    return _first_line(message)


_INTEGER = re.compile(r"[-+]?[0-9]+")
_DECIMAL = re.compile(r"[-+]?[0-9]*\.?[0-9]+")
_EXPECTED = {
    "date": "expected a date YYYY-MM-DD",
    "ts": "expected a UTC timestamp YYYY-MM-DDTHH:MM:SS",
    "bool": "expected true or false",
    "int": "expected a whole number",
    "dec": "expected a plain decimal number such as 1234.50 ('.' for decimals, no thousands separator or currency)",
}


def why_invalid(col: Column, value: str | None) -> str:
    """Why one value failed its column's type (issue 13 item 7: an over-long number reads as a
    number, so say that it is too long, not only that it is invalid)."""
    text = (value or "").strip()
    if col.type == "dec" and _DECIMAL.fullmatch(text):
        digits = len(text.lstrip("+-").split(".")[0].lstrip("0"))
        return f"it has {digits} digits before the decimal point and {col.duckdb_type} holds at most 16"
    if col.type == "int" and _INTEGER.fullmatch(text):
        return f"it is outside the range of {col.duckdb_type} (at most 9,223,372,036,854,775,807 either way)"
    return _EXPECTED.get(col.type, f"expected a {col.duckdb_type}")


def _shown(value: str | None, limit: int = 80) -> str:
    """A value for an error message: quoted, and cut when long (the message must stay readable)."""
    if value is None or len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value):,} characters)"


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message


def _line_from_duckdb_message(message: str) -> int | None:
    m = re.search(r"[Ll]ine:? (\d+)", message)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------------------------------------
# The load


def load_landing(
    db_path: str | Path,
    landing: str | Path,
    *,
    force: bool = False,
    allow_missing: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Load every feed of `landing` into `raw`, all or nothing. Raises LoadFailed on any error.

    `allow_missing` names optional feeds that may vanish although their last load had files."""
    landing = Path(landing)
    say = progress or log.info
    if not landing.is_dir():
        raise LoadFailed([LoadError("*", f"landing directory {landing} does not exist")])
    allowed = set(allow_missing)
    optional = sorted(f.name for f in FEEDS if not f.required)
    if bad := sorted(allowed - set(optional)):
        raise LoadFailed(
            [
                LoadError(n, f"--allow-missing {n}: not an optional feed (optional feeds: {', '.join(optional)})")
                for n in bad
            ]
        )
    con = settings.connect(db_path)  # memory_limit and spilling (issue 18)
    try:
        ensure_warehouse(con)
        return _load(con, landing, force=force, allowed_missing=allowed, say=say)
    finally:
        con.close()


def _load(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    *,
    force: bool,
    allowed_missing: set[str],
    say: Callable[[str], None],
) -> LoadReport:
    load_id = uuid.uuid4().hex[:12]
    previous = {} if force else last_fingerprints(con)
    previous_files = last_file_counts(con)
    strays = unknown_folders(landing)
    landing_warnings = [unknown_folder_warning(s) for s in strays]
    for w in landing_warnings:
        say(f"load: warning: {w}")
    errors: list[LoadError] = []
    plan: dict[str, FeedLoad] = {}
    files_by_feed: dict[str, list[Path]] = {}
    for feed in FEEDS:
        files = feed_files(landing, feed)
        if files is None and feed.required:
            errors.append(LoadError(feed.name, f"required feed folder {landing / feed.name} is missing"))
            continue
        files = files or []
        if not files and not feed.required and previous_files.get(feed.name, 0) > 0:
            if feed.name not in allowed_missing:
                errors.append(vanished_feed_error(feed, landing, previous_files[feed.name], strays))
                continue
            ended = f"optional feed {feed.name!r} is gone and allowed to be (--allow-missing): its raw table is emptied"
            landing_warnings.append(ended)
            say(f"load: warning: {ended}")
        fps = {p: fingerprint_file(p) for p in files}
        fp = fingerprint_feed(files, fps)
        status = "absent_optional" if not files and not feed.required else "loaded"
        if previous.get(feed.name) == fp:
            status = "unchanged"
        plan[feed.name] = FeedLoad(feed.name, [str(p) for p in files], fp, status=status)
        files_by_feed[feed.name] = files
    if errors:
        raise LoadFailed(errors)

    to_load = [f for f in FEEDS if plan[f.name].status != "unchanged"]
    if not to_load:
        say("load: every feed unchanged since the last load (same file fingerprints); nothing to do")
        return LoadReport(load_id, plan, landing_warnings)

    # Phase 1, outside any transaction: read and check every file of every changed feed.
    readers: dict[str, list[_FileReader]] = {}
    try:
        for feed in to_load:
            readers[feed.name] = []
            for i, path in enumerate(files_by_feed[feed.name]):
                reader = _FileReader(con, feed, path, f"__in_{feed.name}_{i}")
                reader.read()
                plan[feed.name].warnings.extend(reader.warnings)
                errors.extend(reader.errors)
                readers[feed.name].append(reader)
        if errors:
            raise LoadFailed(errors)

        # Phase 2: replace every changed raw table and record the load in one transaction.
        con.execute("BEGIN TRANSACTION")
        try:
            now = datetime.now(UTC).replace(tzinfo=None)
            for feed in to_load:
                entry = plan[feed.name]
                cols = ", ".join(f"{c.name} {c.duckdb_type}" for c in feed.columns)
                table, nxt = f"{RAW_SCHEMA}.{feed.name}", f"{RAW_SCHEMA}.__next_{feed.name}"
                typed = " UNION ALL ".join(r.select_typed() for r in readers[feed.name])
                if feed.monthly and typed:
                    # only the months from the first changed one are written again (issue 18)
                    entry.changed_from, entry.whole = load_changed_months(con, feed, typed, load_id, now)
                else:
                    con.execute(f"CREATE OR REPLACE TABLE {nxt} ({cols})")
                    if typed:
                        con.execute(f"INSERT INTO {nxt} {typed}")
                    entry.changed_from, entry.whole = record_changes(con, feed, table, nxt, load_id, now)
                    con.execute(f"DROP TABLE {table}")
                    con.execute(f"ALTER TABLE {nxt} RENAME TO {feed.name}")
                entry.rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                say(
                    f"load: {feed.name}: {entry.rows:,} rows from {len(entry.files)} file(s);"
                    f" {describe_change(entry.changed_from, entry.whole, monthly=feed.monthly)}"
                )
            for feed in to_load:
                e = plan[feed.name]
                con.execute(
                    f"INSERT INTO {META_SCHEMA}.load_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        load_id,
                        feed.name,
                        e.status,
                        e.rows,
                        len(e.files),
                        e.fingerprint,
                        json.dumps(e.files),
                        now,
                    ],
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        for rs in readers.values():
            for r in rs:
                con.execute(f"DROP TABLE IF EXISTS {r.tmp}")
    for w in (w for e in plan.values() for w in e.warnings):
        say(f"load: warning: {w}")
    return LoadReport(load_id, plan, landing_warnings)


# ---------------------------------------------------------------------------------------------
# What a new snapshot changed (issue 18: incremental runs)


def _month(expr: str) -> str:
    return f"CAST(date_trunc('month', {expr}) AS DATE)"


def record_changes(
    con: duckdb.DuckDBPyConnection, feed: Feed, old: str, new: str, load_id: str, now: datetime
) -> tuple[date | None, bool]:
    """Compare the feed's new rows (`new`) with the rows they replace (`old`) and record in
    meta.feed_changes the first month that differs: (changed_from, whole).

    - A monthly feed keeps a per-month (rows, checksum) ledger in meta.feed_months; the months whose
      ledger entry differs have changed (one aggregate over the new rows, the old ones are not read).
      A monthly feed with files is loaded by load_changed_months, which keeps the same ledger.
    - A keyed feed with time columns: rows are matched on the primary key. An added or removed row
      changes the months from its earliest time column; a changed row from the earliest of the time
      columns that differ (both versions), or from its earliest time column when another column differs.
    - Without time columns, or on the first load, every month counts as changed (whole)."""
    first_load = con.execute(f"SELECT count(*) = 0 FROM {old}").fetchone()[0]
    changed_from, whole = None, False
    if feed.monthly:
        changed_from, whole = _month_ledger(con, feed, f"SELECT * FROM {new}")
        whole = whole or first_load
    elif feed.time_columns and feed.primary_key and not first_load:
        key = " AND ".join(f"o.{_quote(k)} = n.{_quote(k)}" for k in feed.primary_key)
        times = [_quote(c) for c in feed.time_columns]
        others = [_quote(c) for c in feed.column_names if c not in feed.time_columns]
        earliest = f"least({', '.join(f'o.{t}, n.{t}' for t in times)})"
        affected = (
            "least("
            + ", ".join(f"CASE WHEN o.{t} IS DISTINCT FROM n.{t} THEN least(o.{t}, n.{t}) END" for t in times)
            + (
                f", CASE WHEN ({', '.join(f'o.{c}' for c in others)}) IS DISTINCT FROM"
                f" ({', '.join(f'n.{c}' for c in others)}) THEN {earliest} END"
                if others
                else ""
            )
            + ")"
        )
        k0 = _quote(feed.primary_key[0])
        row = con.execute(
            f"""SELECT min({_month("affected")}), bool_or(affected IS NULL)
                FROM (
                    SELECT CASE WHEN o.{k0} IS NULL OR n.{k0} IS NULL THEN {earliest} ELSE {affected} END AS affected
                    FROM {old} AS o FULL OUTER JOIN {new} AS n ON {key}
                    WHERE o.{k0} IS NULL OR n.{k0} IS NULL
                        OR ({", ".join(f"o.{_quote(c)}" for c in feed.column_names)})
                            IS DISTINCT FROM ({", ".join(f"n.{_quote(c)}" for c in feed.column_names)})
                )"""
        ).fetchone()
        changed_from, whole = row[0], bool(row[1])
    else:
        # no time columns: any difference is a change of every month
        whole = (
            first_load
            or con.execute(
                f"SELECT EXISTS (SELECT * FROM {old} EXCEPT ALL SELECT * FROM {new})"
                f" OR EXISTS (SELECT * FROM {new} EXCEPT ALL SELECT * FROM {old})"
            ).fetchone()[0]
        )
    if whole:
        changed_from = None
    return _record_change(con, feed, changed_from, whole, load_id, now)


def _month_ledger(con: duckdb.DuckDBPyConnection, feed: Feed, rows_sql: str) -> tuple[date | None, bool]:
    """Replace the feed's per-month (rows, checksum) ledger by that of `rows_sql`; return the first
    month whose entry differs (added, removed or changed), and whether there was no ledger (whole)."""
    month = _month(_quote(feed.time_columns[0]))
    cols = ", ".join(_quote(c) for c in feed.column_names)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE __months AS
            SELECT {month} AS month, count(*) AS rows, sum(CAST(hash({cols}) AS HUGEINT)) AS checksum
            FROM ({rows_sql}) GROUP BY ALL"""
    )
    had_ledger = con.execute(
        f"SELECT count(*) > 0 FROM {META_SCHEMA}.feed_months WHERE feed = ?", [feed.name]
    ).fetchone()[0]
    changed_from = con.execute(
        f"""SELECT min(coalesce(n.month, o.month))
            FROM __months AS n
            FULL OUTER JOIN (SELECT * FROM {META_SCHEMA}.feed_months WHERE feed = ?) AS o ON o.month = n.month
            WHERE n.rows IS DISTINCT FROM o.rows OR n.checksum IS DISTINCT FROM o.checksum""",
        [feed.name],
    ).fetchone()[0]
    con.execute(f"DELETE FROM {META_SCHEMA}.feed_months WHERE feed = ?", [feed.name])
    con.execute(f"INSERT INTO {META_SCHEMA}.feed_months SELECT ?, * FROM __months", [feed.name])
    con.execute("DROP TABLE __months")
    return changed_from, not had_ledger


def load_changed_months(
    con: duckdb.DuckDBPyConnection, feed: Feed, typed: str, load_id: str, now: datetime
) -> tuple[date | None, bool]:
    """Load a monthly feed's new snapshot (`typed`, its rows read from the files) by month.

    The months before the first month whose (rows, checksum) differs from the ledger hold the same
    rows as the raw table already does: they are kept, and only the months from the first changed one
    are deleted and inserted again. A new month is an append; a corrected old month reloads from it.
    Without a ledger (first load, or a warehouse loaded before the ledger existed) the table is
    replaced whole."""
    table = f"{RAW_SCHEMA}.{feed.name}"
    changed_from, whole = _month_ledger(con, feed, typed)
    month = _month(_quote(feed.time_columns[0]))
    if whole:
        changed_from = None
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} {typed}")
    elif changed_from is not None:
        con.execute(f"DELETE FROM {table} WHERE {month} >= ?", [changed_from])
        con.execute(f"INSERT INTO {table} SELECT * FROM ({typed}) WHERE {month} >= ?", [changed_from])
    return _record_change(con, feed, changed_from, whole, load_id, now)


def _record_change(
    con: duckdb.DuckDBPyConnection, feed: Feed, changed_from: date | None, whole: bool, load_id: str, now: datetime
) -> tuple[date | None, bool]:
    """One row of meta.feed_changes: what this load changed in `feed`."""
    con.execute(
        f"INSERT INTO {META_SCHEMA}.feed_changes VALUES (?, ?, ?, ?, ?)",
        [load_id, feed.name, changed_from, whole, now],
    )
    return changed_from, whole


def describe_change(changed_from: date | None, whole: bool, *, monthly: bool = False) -> str:
    if whole:
        return "every month counts as changed" + (" (loaded whole)" if monthly else "")
    if changed_from is None:
        return "no row changed" + (" (nothing written)" if monthly else "")
    return f"changed from {changed_from:%Y-%m}" + (
        f" (only the months from {changed_from:%Y-%m} written)" if monthly else ""
    )
