"""The expectation suites of `expectations/` (GX 1.x JSON, one per feed), read as plain JSON.

Reading a suite does not import Great Expectations: the Dagster definitions list the checks from
here at load time; only `row_checks` hands the suites to GX. Each expectation carries
`meta.check` (its name in the gate report), `meta.kind` (contract | oddity), a `description`, and
GX's own `severity` (critical = blocking, warning = reported only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration import settings
from orchestration.defs.ingest.contract import FEEDS

GX_SEVERITY_TO_GATE = {"critical": "blocking", "warning": "warning", "info": "warning"}


class SuiteError(ValueError):
    """A suite file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class ExpectationInfo:
    feed: str
    check: str
    kind: str  # contract | oddity
    severity: str  # blocking | warning
    description: str
    type: str


def suites_dir(directory: str | Path | None = None) -> Path:
    return Path(directory) if directory else settings.EXPECTATIONS_DIR


def suite_path(feed: str, directory: str | Path | None = None) -> Path:
    return suites_dir(directory) / f"{feed}.json"


def load_suite_json(feed: str, directory: str | Path | None = None) -> dict[str, Any]:
    path = suite_path(feed, directory)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SuiteError(f"expectation suite {path} is missing (one suite per feed in expectations/)") from exc
    except json.JSONDecodeError as exc:
        raise SuiteError(f"expectation suite {path} is not valid JSON: {exc}") from exc
    if not isinstance(data.get("expectations"), list):
        raise SuiteError(f"expectation suite {path} has no 'expectations' list")
    for i, exp in enumerate(data["expectations"]):
        if not (exp.get("meta") or {}).get("check"):
            raise SuiteError(
                f"expectation suite {path}: expectation #{i + 1} ({exp.get('type')}) has no meta.check name"
            )
    return data


def expectation_info(feed: str, expectation: dict[str, Any]) -> ExpectationInfo:
    meta = expectation.get("meta") or {}
    kind = meta.get("kind", "contract")
    severity = GX_SEVERITY_TO_GATE.get(str(expectation.get("severity", "critical")).lower(), "blocking")
    return ExpectationInfo(
        feed=feed,
        check=meta["check"],
        kind=kind,
        severity=severity,
        description=expectation.get("description") or expectation.get("type", ""),
        type=expectation.get("type", ""),
    )


def suite_checks(feed: str, directory: str | Path | None = None) -> list[ExpectationInfo]:
    return [expectation_info(feed, e) for e in load_suite_json(feed, directory)["expectations"]]


def all_suite_checks(directory: str | Path | None = None) -> list[ExpectationInfo]:
    return [info for feed in FEEDS for info in suite_checks(feed.name, directory)]
