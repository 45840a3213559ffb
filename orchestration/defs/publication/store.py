"""The publication store: immutable, versioned publications per evaluation date (issue 5, product.md).

Layout under the publish directory:

    technology_tiers/<E>/v<N>/          one immutable version (never rewritten)
        tier_extract.csv|xlsx|parquet   one row per partner
        requirements.csv|parquet        one row per partner x tier x requirement
        gate_report.md|html             every check of the run that made it
        manifest.json                   row counts, sha256 of every file, inputs, code version, checks
    technology_tiers/<E>/current.json   which version is current (replaced atomically)
    analytics.duckdb                    read-only marts as of the last successful publication (DuckDB >= 1.0 opens it)
    analytics_parquet/<mart>.parquet    the same marts as Parquet, for tools without DuckDB
    .staging/                           where a version is written and verified before the rename
    technology_tiers/<E>/.quarantine/   incomplete or unverifiable version folders moved aside, never deleted

A version directory appears by one `rename` of a fully written and verified staging directory, so
a reader never sees a partial publication; `current.json` is replaced with `os.replace`. A crash
between the two leaves a complete version that `current.json` does not name yet: the next run adopts
it (`recover`), and moves aside anything that is not a complete, verified version (issue 13 item 2).
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

from orchestration.failpoints import failpoint
from orchestration.program import PROGRAM

TIERS_DIR = "technology_tiers"
STAGING_DIR = ".staging"
MANIFEST = "manifest.json"
CURRENT = "current.json"
ANALYTICS_DB = "analytics.duckdb"
ANALYTICS_PARQUET_DIR = "analytics_parquet"
QUARANTINE_DIR = ".quarantine"


def _version_number(path: Path) -> int | None:
    name = path.name
    return int(name[1:]) if path.is_dir() and name.startswith("v") and name[1:].isdigit() else None


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
        """Problems with a published version's files against its manifest (empty = intact): a listed
        file missing or with another sha256, or a file the manifest does not list."""
        problems = []
        listed = version.manifest.get("files", {})
        for name, meta in listed.items():
            f = version.path / name
            if not f.exists():
                problems.append(f"{f}: missing")
            elif sha256_file(f) != meta["sha256"]:
                problems.append(f"{f}: sha256 differs from the manifest")
        for f in sorted(version.path.rglob("*")):
            if f.is_file() and f.name != MANIFEST and str(f.relative_to(version.path)) not in listed:
                problems.append(f"{f}: not listed in the manifest")
        return problems

    def committed(self, evaluation_date: date) -> list[Version]:
        """The versions up to the current one: the published record of the date."""
        current = self.current(evaluation_date)
        if current is None:
            return []
        return [v for v in self.versions(evaluation_date) if v.version <= current.version]

    def verify_all(self) -> list[str]:
        """Every problem of every committed version, and of a `current.json` naming no version."""
        problems = []
        for e in self.evaluation_dates():
            pointer = self.date_dir(e) / CURRENT
            if pointer.exists() and self.current(e) is None:
                problems.append(f"{pointer}: names a version that does not exist")
            for v in self.committed(e):
                problems += self.verify(v)
        return problems

    def uncommitted(self, evaluation_date: date) -> list[tuple[Path, list[str]]]:
        """Version folders after the current one (a crash between the rename and current.json, or a
        folder put there by hand), each with its problems: none = complete and verified."""
        d = self.date_dir(evaluation_date)
        if not d.is_dir():
            return []
        current = self.current(evaluation_date)
        floor = current.version if current else 0
        out = []
        for p in sorted(d.iterdir(), key=lambda q: _version_number(q) or -1):
            number = _version_number(p)
            if number is None or number <= floor:
                continue
            if not (p / MANIFEST).exists():
                out.append((p, [f"{p / MANIFEST}: missing"]))
                continue
            try:
                manifest = json.loads((p / MANIFEST).read_text())
            except ValueError:
                out.append((p, [f"{p / MANIFEST}: not valid JSON"]))
                continue
            problems = self.verify(Version(evaluation_date, number, p, manifest))
            if manifest.get("version") != number or manifest.get("evaluation_date") != evaluation_date.isoformat():
                problems.append(f"{p / MANIFEST}: describes another version or date")
            out.append((p, problems))
        return out

    def recover(self) -> list[str]:
        """Finish what a crashed run left (call it holding the run lock): adopt the newest complete,
        verified version after the current one; move every other uncommitted or incomplete folder
        to `.quarantine/`; delete staging leftovers and stray temporary files. Returns what it did."""
        done = []
        staging = self.root / STAGING_DIR
        if staging.is_dir():
            for leftover in sorted(staging.iterdir()):
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
                done.append(f"removed {leftover.name} from {staging} (left by a run that did not finish)")
        for e in self.evaluation_dates():
            d = self.date_dir(e)
            for tmp in d.glob(f".{CURRENT}.*.tmp"):
                tmp.unlink(missing_ok=True)
            pending = self.uncommitted(e)
            complete = [p for p, problems in pending if not problems]
            adopt = complete[-1] if complete else None
            for p, problems in pending:
                if problems:  # complete versions below the adopted one stay: superseded history
                    moved = d / QUARANTINE_DIR / f"{p.name}-{uuid.uuid4().hex[:8]}"
                    moved.parent.mkdir(exist_ok=True)
                    os.rename(p, moved)
                    done.append(f"{e}: moved the incomplete {p.name} aside to {moved} ({'; '.join(problems)})")
            if adopt is not None:
                manifest = json.loads((adopt / MANIFEST).read_text())
                self._point_current(e, _version_number(adopt), manifest)
                done.append(f"{e}: adopted {adopt.name}, complete and verified but not yet current (a run stopped)")
        return done

    def _point_current(self, evaluation_date: date, version: int, manifest: dict[str, Any]) -> None:
        write_json_atomic(
            self.date_dir(evaluation_date) / CURRENT,
            {"version": version, "published_at": manifest.get("published_at"), "final": manifest.get("final")},
        )

    # -- writing --------------------------------------------------------------------------------
    def new_staging(self, evaluation_date: date) -> Path:
        staging = self.root / STAGING_DIR / f"{evaluation_date.isoformat()}-{uuid.uuid4().hex[:12]}"
        staging.mkdir(parents=True)
        failpoint("staging_created")
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
        failpoint("version_renamed")
        manifest = json.loads((target / MANIFEST).read_text())
        self._point_current(evaluation_date, version, manifest)
        failpoint("current_written")
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
