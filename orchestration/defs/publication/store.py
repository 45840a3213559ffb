"""The publication store: immutable, versioned publications per evaluation date (issue 5, product.md).

Layout under the publish directory:

    technology_tiers/<E>/v<N>/          one immutable version (never rewritten)
        tier_extract.csv|xlsx|parquet   one row per partner
        requirements.csv|parquet        one row per partner x tier x requirement
        gate_report.md|html             every check of the run that made it
        manifest.json                   row counts, sha256 of every file, inputs, code version, checks
    technology_tiers/<E>/current.json   which version is current (replaced atomically)
    analytics.duckdb                    read-only marts as of the last successful publication
    .staging/                           where a version is written and verified before the rename

A version directory appears by one `rename` of a fully written and verified staging directory, so
a reader never sees a partial publication; `current.json` is replaced with `os.replace`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from orchestration.program import PROGRAM

TIERS_DIR = "technology_tiers"
STAGING_DIR = ".staging"
MANIFEST = "manifest.json"
CURRENT = "current.json"
ANALYTICS_DB = "analytics.duckdb"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_json_atomic(path: Path, payload: Any) -> None:
    """Write to a temporary file in the same directory, fsync, then os.replace (atomic on POSIX)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, sort_keys=True, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@dataclass(frozen=True)
class Version:
    evaluation_date: date
    version: int
    path: Path
    manifest: dict[str, Any]

    @property
    def final(self) -> bool:
        return bool(self.manifest.get("final"))


class PublicationStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    # -- reading --------------------------------------------------------------------------------
    def date_dir(self, evaluation_date: date) -> Path:
        return self.root / TIERS_DIR / evaluation_date.isoformat()

    def evaluation_dates(self) -> list[date]:
        base = self.root / TIERS_DIR
        if not base.is_dir():
            return []
        out = []
        for p in base.iterdir():
            try:
                out.append(date.fromisoformat(p.name))
            except ValueError:
                continue
        return sorted(out)

    def versions(self, evaluation_date: date) -> list[Version]:
        d = self.date_dir(evaluation_date)
        if not d.is_dir():
            return []
        out = []
        for p in d.iterdir():
            if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit() and (p / MANIFEST).exists():
                out.append(Version(evaluation_date, int(p.name[1:]), p, json.loads((p / MANIFEST).read_text())))
        return sorted(out, key=lambda v: v.version)

    def current(self, evaluation_date: date) -> Version | None:
        pointer = self.date_dir(evaluation_date) / CURRENT
        if not pointer.exists():
            return None
        number = json.loads(pointer.read_text())["version"]
        for v in self.versions(evaluation_date):
            if v.version == number:
                return v
        return None

    def verify(self, version: Version) -> list[str]:
        """Problems with a published version's files against its manifest (empty = intact)."""
        problems = []
        for name, meta in version.manifest.get("files", {}).items():
            f = version.path / name
            if not f.exists():
                problems.append(f"{name}: missing")
            elif sha256_file(f) != meta["sha256"]:
                problems.append(f"{name}: sha256 differs from the manifest")
        return problems

    # -- writing --------------------------------------------------------------------------------
    def new_staging(self, evaluation_date: date) -> Path:
        staging = self.root / STAGING_DIR / f"{evaluation_date.isoformat()}-{uuid.uuid4().hex[:12]}"
        staging.mkdir(parents=True)
        return staging

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def commit(self, staging: Path, evaluation_date: date, version: int) -> Version:
        """Move a written and verified staging directory into place, then point `current` at it."""
        target = self.date_dir(evaluation_date) / f"v{version}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise FileExistsError(f"{target} exists: a published version is never overwritten")
        os.rename(staging, target)  # same filesystem: atomic
        manifest = json.loads((target / MANIFEST).read_text())
        write_json_atomic(
            self.date_dir(evaluation_date) / CURRENT,
            {"version": version, "published_at": manifest.get("published_at"), "final": manifest.get("final")},
        )
        return Version(evaluation_date, version, target, manifest)


# ---------------------------------------------------------------------------------------------
# The publication rule (product.md "Public interface")


@dataclass(frozen=True)
class Decision:
    publish: bool
    version: int | None
    reason: str


def poc_window_open(evaluation_date: date, run_date: date, window_days: int = PROGRAM.poc_form_window_days) -> bool:
    """rules.md A7/D10: the form may arrive until E + 14 days; the window is open while run date <= E + 14."""
    return run_date <= evaluation_date + timedelta(days=window_days)


def decide(
    current: Version | None,
    *,
    evaluation_date: date,
    run_date: date,
    inputs_fingerprint: str,
    code_version: str,
    republish: bool = False,
    reason: str | None = None,
    window_days: int = PROGRAM.poc_form_window_days,
) -> Decision:
    """When a new version is made:
    - a date with no publication is published;
    - a date published while its POC window was open is republished once, as final, by the first run
      after the window closes;
    - any other new version needs an explicit republish with a reason;
    - identical inputs and code (and the same POC-window state) never make a new version.
    """
    window_open = poc_window_open(evaluation_date, run_date, window_days)
    if current is None:
        return Decision(True, 1, "first publication" + (" (POC window open)" if window_open else ""))
    m = current.manifest
    same = (
        m.get("inputs_fingerprint") == inputs_fingerprint
        and m.get("code_version") == code_version
        and bool(m.get("poc_window_open")) == window_open
    )
    if not current.final and not window_open:
        return Decision(True, current.version + 1, "final publication after the POC window closed")
    if same:
        return Decision(False, None, f"v{current.version} already published from identical inputs and code")
    if republish:
        if not reason or not reason.strip():
            return Decision(False, None, "a republication needs a reason (--reason TEXT)")
        return Decision(True, current.version + 1, f"republished: {reason.strip()}")
    return Decision(
        False,
        None,
        f"v{current.version} is published; inputs or code changed — use --republish --reason TEXT for a new version",
    )
