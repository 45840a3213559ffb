"""Check results reused when nothing they depend on changed (the gate's incremental part).

A check's result is a function of its query and of the data of the feeds it reads. The loader
fingerprints every feed (sha256 of its files, `meta.load_history`) and does not reload an unchanged
one; the gate keys each result on:

- the gate's code version: the quality and ingest packages' Python, the expectation suites and
  the Great Expectations version;
- the check itself: name, feed, kind, severity, description and its SQL text (so a coverage check
  of other evaluation dates is another check);
- the fingerprint of every feed the check reads (the `raw.<feed>` tables its SQL names; one feed
  for a GX suite).

A key whose feeds all have the fingerprint they had when the result was stored gives the stored
result; anything else runs. Not reused, ever: checks computed in Python (`evaluate`: the volume
swings compare against the load history, which moves with every load), checks reading anything
but raw tables, checks on a feed without a fingerprint (a warehouse not written by the loader),
and results with status `error` (an error may be transient).

The results live in `meta.gate_check_results` of the warehouse, replaced after each gate run by the
results of that run.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb

from orchestration import settings
from orchestration.defs.ingest.load import last_fingerprints
from orchestration.defs.quality.report import CheckResult
from orchestration.defs.quality.sql_checks import RAW, SqlCheck

CACHE_TABLE = "meta.gate_check_results"
_RAW_TABLE = re.compile(rf"\b{RAW}\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
_OTHER_SCHEMA = re.compile(r"\b(meta|staging|intermediate|marts|config|publication|main)\.[a-z_]", re.IGNORECASE)
_CODE_DIRS = ("orchestration/defs/quality", "orchestration/defs/ingest")


def code_version(suites_dir: str | Path | None = None) -> str:
    """What the gate's results depend on besides the data: its code, the suites, the GX version."""
    h = hashlib.sha256()
    files = [p for d in _CODE_DIRS for p in sorted((settings.PROJECT_ROOT / d).glob("*.py"))]
    files += sorted(Path(suites_dir or settings.EXPECTATIONS_DIR).glob("*.json"))
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    try:
        h.update(importlib.metadata.version("great_expectations").encode())
    except importlib.metadata.PackageNotFoundError:
        h.update(b"no-gx")
    return h.hexdigest()


def feeds_read(check: SqlCheck) -> set[str] | None:
    """The raw feeds a SQL check reads, or None when its result cannot be keyed on feeds."""
    if check.evaluate is not None:
        return None
    sql = f"{check.count_sql}\n{check.sample_sql}"
    if _OTHER_SCHEMA.search(sql):
        return None
    return {m.lower() for m in _RAW_TABLE.findall(sql)} | {check.feed}


class GateCache:
    """The stored results of the last gate run and the feeds' current fingerprints.

    A disabled cache (`enabled=False`: `run_gate` without `reuse`) reads and stores nothing: every
    key is None, so every check runs."""

    def __init__(self, db_path: str | Path, suites_dir: str | Path | None = None, *, enabled: bool = True) -> None:
        self.db_path = Path(db_path)
        self.enabled = enabled
        self.suites_dir = suites_dir
        self.fingerprints: dict[str, str] = {}
        self.stored: dict[str, list[dict[str, Any]]] = {}
        self.fresh: dict[str, list[dict[str, Any]]] = {}
        self.hits = 0
        if not enabled:
            return
        self.code = code_version(suites_dir)
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            tables = {
                f"{s}.{t}" for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
            }
            if "meta.load_history" in tables:
                self.fingerprints = {f: fp for f, fp in last_fingerprints(con).items() if fp}
            if CACHE_TABLE in tables:
                rows = con.execute(f"SELECT key, results FROM {CACHE_TABLE}").fetchall()
                self.stored = {k: json.loads(v) for k, v in rows}
        finally:
            con.close()

    def _key(self, identity: dict[str, Any], feeds: set[str] | None) -> str | None:
        if not self.enabled or feeds is None or any(f not in self.fingerprints for f in feeds):
            return None
        payload = {"code": self.code, "check": identity, "feeds": {f: self.fingerprints[f] for f in sorted(feeds)}}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def sql_key(self, check: SqlCheck) -> str | None:
        identity = {k: v for k, v in asdict(check).items() if k != "evaluate"}
        return self._key(identity, feeds_read(check))

    def suite_key(self, feed: str) -> str | None:
        suite = Path(self.suites_dir or settings.EXPECTATIONS_DIR) / f"{feed}.json"
        if not suite.exists():
            return None
        return self._key({"suite": feed, "text": suite.read_text(encoding="utf-8")}, {feed})

    def get(self, key: str | None) -> list[CheckResult] | None:
        if key is None or key not in self.stored:
            return None
        self.hits += 1
        self.fresh[key] = self.stored[key]
        return [CheckResult(**r) for r in self.stored[key]]

    def put(self, key: str | None, results: list[CheckResult]) -> None:
        if key is not None and results and all(r.status != "error" for r in results):
            self.fresh[key] = [asdict(r) for r in results]

    def save(self) -> None:
        """Replace the stored results by this run's (one short write transaction)."""
        if not self.enabled:
            return
        con = duckdb.connect(str(self.db_path))
        try:
            con.execute("BEGIN")
            con.execute("CREATE SCHEMA IF NOT EXISTS meta")
            con.execute(f"CREATE TABLE IF NOT EXISTS {CACHE_TABLE} (key VARCHAR PRIMARY KEY, results VARCHAR)")
            con.execute(f"DELETE FROM {CACHE_TABLE}")
            if self.fresh:
                con.executemany(
                    f"INSERT INTO {CACHE_TABLE} VALUES (?, ?)",
                    [(k, json.dumps(v, ensure_ascii=False)) for k, v in self.fresh.items()],
                )
            con.execute("COMMIT")
        finally:
            con.close()
