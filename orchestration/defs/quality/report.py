"""The gate report: every check with its status, failing row count and sample rows (rules.md Part C).

Plain data, cheap to import: the publication and the CLI read it without Great Expectations.
Renderers: Markdown, self-contained HTML (every value escaped) and JSON (`GateReport.from_json`
reads it back). `add_dbt_results` folds the tests of a dbt invocation into a report.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

Kind = Literal["contract", "reference", "coverage", "volume", "oddity", "dbt"]
Severity = Literal["blocking", "warning"]
Status = Literal["passed", "failed", "error"]

KINDS: tuple[str, ...] = ("contract", "reference", "coverage", "volume", "oddity", "dbt")
BLOCKING_KINDS: tuple[str, ...] = ("contract", "reference", "coverage")  # rules.md Part C
MAX_SAMPLES = 5
REPORT_FORMAT_VERSION = 1
REPORT_BASENAME = "latest"


def failing_rows_text(n: int) -> str:
    return f"{n:,} failing row{'' if n == 1 else 's'}"


def json_safe(value: Any) -> Any:
    """A value as JSON can hold it: dates as ISO text, decimals as text (no float rounding)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)


@dataclass
class CheckResult:
    """One check of the gate. `failing_rows` counts offending rows (missing months for coverage)."""

    name: str
    feed: str
    kind: str  # one of KINDS
    severity: str  # blocking | warning
    status: str = "passed"  # passed | failed | error
    failing_rows: int = 0
    sample_rows: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""
    message: str = ""  # why it errored, or what the numbers mean

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown check kind {self.kind!r}")
        if self.severity not in ("blocking", "warning"):
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.status not in ("passed", "failed", "error"):
            raise ValueError(f"unknown status {self.status!r}")
        self.failing_rows = int(self.failing_rows or 0)
        self.sample_rows = [json_safe(dict(r)) for r in self.sample_rows[:MAX_SAMPLES]]

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def blocks(self) -> bool:
        """A blocking check that did not pass (an error blocks too: the data was not verified)."""
        return self.severity == "blocking" and not self.passed

    @property
    def qualified_name(self) -> str:
        return f"{self.feed}.{self.name}"

    def headline(self) -> str:
        what = failing_rows_text(self.failing_rows) if self.status == "failed" else self.status
        if self.status == "error":
            what = f"error: {self.message}" if self.message else "error"
        return f"{self.qualified_name} [{self.kind}, {self.severity}]: {what} — {self.description}"


@dataclass
class GateReport:
    checks: list[CheckResult] = field(default_factory=list)
    run_date: str | None = None
    generated_at: str = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0).isoformat())
    warehouse: str = ""
    duration_seconds: float = 0.0
    engine: str = ""

    # -- verdict ----------------------------------------------------------------------------

    @property
    def blocked(self) -> bool:
        return any(c.blocks for c in self.checks)

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return [c for c in self.checks if c.blocks]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if c.severity == "warning" and not c.passed]

    @property
    def status(self) -> str:
        if self.blocked:
            return "blocked"
        return "passed_with_warnings" if self.warnings else "passed"

    def summary(self) -> str:
        n = len(self.checks)
        if self.blocked:
            return (
                f"BLOCKED: {len(self.blocking_failures)} blocking check(s) failed "
                f"({len(self.warnings)} warning(s), {n} checks)"
            )
        if self.warnings:
            return f"PASSED with {len(self.warnings)} warning(s) ({n} checks)"
        return f"PASSED ({n} checks)"

    def find(self, name: str, feed: str | None = None) -> CheckResult:
        """The check called `name` (optionally of `feed`); KeyError when absent."""
        for c in self.checks:
            if c.name == name and (feed is None or c.feed == feed):
                return c
        raise KeyError(f"no check {name!r}" + (f" on feed {feed!r}" if feed else ""))

    def ordered(self) -> list[CheckResult]:
        """Blocking failures first, then warnings, then the rest; stable within each group."""

        def rank(c: CheckResult) -> int:
            if c.blocks:
                return 0
            if not c.passed:
                return 1
            return 2

        return sorted(self.checks, key=rank)

    # -- JSON ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": REPORT_FORMAT_VERSION,
            "status": self.status,
            "blocked": self.blocked,
            "summary": self.summary(),
            "run_date": self.run_date,
            "generated_at": self.generated_at,
            "warehouse": self.warehouse,
            "duration_seconds": round(self.duration_seconds, 2),
            "engine": self.engine,
            "counts": {
                "checks": len(self.checks),
                "blocking_failures": len(self.blocking_failures),
                "warnings": len(self.warnings),
            },
            "checks": [asdict(c) for c in self.checks],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateReport:
        return cls(
            checks=[CheckResult(**c) for c in data.get("checks", [])],
            run_date=data.get("run_date"),
            generated_at=data.get("generated_at", ""),
            warehouse=data.get("warehouse", ""),
            duration_seconds=float(data.get("duration_seconds", 0.0)),
            engine=data.get("engine", ""),
        )

    @classmethod
    def from_json(cls, text: str) -> GateReport:
        return cls.from_dict(json.loads(text))

    # -- Markdown --------------------------------------------------------------------------

    def to_markdown(self) -> str:
        lines = [
            "# Data-quality gate report",
            "",
            f"**{_md(self.summary())}**",
            "",
            f"- run date: {_md(self.run_date or 'not given')}",
            f"- generated at: {_md(self.generated_at)}",
            f"- warehouse: {_md(self.warehouse)}",
            f"- engine: {_md(self.engine)}",
            f"- duration: {self.duration_seconds:.1f} s",
            "",
            "Blocking checks (contract, reference, coverage, dbt tests of error severity) stop the publication "
            "and the analytics snapshot refresh; warnings are reported and never block (rules.md Part C).",
            "",
            "| status | check | feed | kind | severity | failing rows | description |",
            "|---|---|---|---|---|---:|---|",
        ]
        for c in self.ordered():
            lines.append(
                f"| {_status_word(c)} | {_md(c.name)} | {_md(c.feed)} | {c.kind} | {c.severity} | "
                f"{c.failing_rows:,} | {_md(c.description)} |"
            )
        details = [c for c in self.ordered() if not c.passed]
        if details:
            lines += ["", "## Failing checks", ""]
        for c in details:
            lines += [f"### {_status_word(c)} {_md(c.qualified_name)} ({c.kind}, {c.severity})", ""]
            lines.append(_md(c.description))
            if c.message:
                lines += ["", _md(c.message)]
            lines += ["", f"Failing rows: {c.failing_rows:,}"]
            if c.sample_rows:
                cols = _columns(c.sample_rows)
                lines += ["", "| " + " | ".join(_md(k) for k in cols) + " |", "|" + "---|" * len(cols)]
                for row in c.sample_rows:
                    lines.append("| " + " | ".join(_md(_cell(row.get(k))) for k in cols) + " |")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    # -- HTML ------------------------------------------------------------------------------

    def to_html(self) -> str:
        e = html.escape
        banner = {"blocked": "blocked", "passed_with_warnings": "warn", "passed": "ok"}[self.status]
        rows = []
        for c in self.ordered():
            rows.append(
                f'<tr class="{_row_class(c)}"><td>{e(_status_word(c))}</td><td><code>{e(c.name)}</code></td>'
                f"<td>{e(c.feed)}</td><td>{e(c.kind)}</td><td>{e(c.severity)}</td>"
                f'<td class="num">{c.failing_rows:,}</td><td>{e(c.description)}</td></tr>'
            )
        details = []
        for c in (c for c in self.ordered() if not c.passed):
            part = [
                f'<section class="{_row_class(c)}"><h3>{e(_status_word(c))} <code>{e(c.qualified_name)}</code> '
                f"<small>({e(c.kind)}, {e(c.severity)})</small></h3>",
                f"<p>{e(c.description)}</p>",
            ]
            if c.message:
                part.append(f'<p class="msg">{e(c.message)}</p>')
            part.append(f"<p>Failing rows: <b>{c.failing_rows:,}</b></p>")
            if c.sample_rows:
                cols = _columns(c.sample_rows)
                head = "".join(f"<th>{e(k)}</th>" for k in cols)
                body = "".join(
                    "<tr>" + "".join(f"<td>{e(_cell(r.get(k)))}</td>" for k in cols) + "</tr>" for r in c.sample_rows
                )
                part.append(
                    f'<div class="samples-scroll"><table class="samples"><thead><tr>{head}</tr></thead>'
                    f"<tbody>{body}</tbody></table></div>"
                )
            part.append("</section>")
            details.append("".join(part))
        meta = "".join(
            f"<dt>{e(k)}</dt><dd>{e(v)}</dd>"
            for k, v in (
                ("run date", self.run_date or "not given"),
                ("generated at", self.generated_at),
                ("warehouse", self.warehouse),
                ("engine", self.engine),
                ("duration", f"{self.duration_seconds:.1f} s"),
            )
        )
        return _HTML_TEMPLATE.format(
            banner=banner,
            summary=e(self.summary()),
            meta=meta,
            rows="\n".join(rows),
            details="\n".join(details) or "<p>Every check passed.</p>",
        )


# ---------------------------------------------------------------------------------------------
# Files


def write_report_files(report: GateReport, directory: str | Path, basename: str = REPORT_BASENAME) -> dict[str, Path]:
    """Write `<basename>.md`, `.html` and `.json` into `directory`, each replaced atomically."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for ext, text in (("md", report.to_markdown()), ("html", report.to_html()), ("json", report.to_json())):
        target = directory / f"{basename}.{ext}"
        fd, tmp = tempfile.mkstemp(prefix=f".{basename}.{ext}.", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        out[ext] = target
    return out


def load_report(path: str | Path) -> GateReport:
    """Read a report written by `write_report_files` (the `.json` file, or the directory holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / f"{REPORT_BASENAME}.json"
    return GateReport.from_json(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# dbt tests


def find_run_results(target_dir: str | Path) -> Path | None:
    """The newest `run_results.json` under a dbt target directory. dagster-dbt gives every
    invocation its own target path (`target/<op>-<run>-<hash>/`), so look one level down too."""
    target_dir = Path(target_dir)
    candidates = [p for p in (target_dir / "run_results.json", *target_dir.glob("*/run_results.json")) if p.exists()]
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


def add_dbt_results(
    report: GateReport, run_results_path: str | Path, manifest_path: str | Path | None = None
) -> GateReport:
    """Fold the tests of a dbt invocation (`target/run_results.json`) into `report`, in place.

    A failed test of severity error is a blocking failure, one of severity warn a warning (dbt
    reports the latter with status `warn`); a test that errored or was skipped did not verify
    anything and counts as an error of its severity. The severity of passed tests is read from the
    manifest beside run_results.json when it exists (dbt's default is error). dbt tests already in
    the report are replaced, so folding the same invocation twice changes nothing.
    """
    run_results_path = Path(run_results_path)
    data = json.loads(run_results_path.read_text(encoding="utf-8"))
    manifest_path = Path(manifest_path) if manifest_path else run_results_path.with_name("manifest.json")
    nodes: dict[str, Any] = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    report.checks = [c for c in report.checks if c.kind != "dbt"]
    report.checks.extend(_dbt_checks(data.get("results", []), nodes))
    return report


def _dbt_checks(results: Iterable[Mapping[str, Any]], nodes: Mapping[str, Any]) -> list[CheckResult]:
    out = []
    for r in results:
        uid = r.get("unique_id", "")
        if not (uid.startswith("test.") or uid.startswith("unit_test.")):
            continue
        node = nodes.get(uid, {})
        dbt_status = r.get("status")
        configured = str((node.get("config") or {}).get("severity") or "").lower()
        severity = "warning" if dbt_status == "warn" or configured == "warn" else "blocking"
        status = {"pass": "passed", "fail": "failed", "warn": "failed"}.get(dbt_status, "error")
        message = (r.get("message") or "").strip()
        if dbt_status == "skipped":
            message = message or "skipped: an upstream node failed, the test did not run"
        attached = node.get("attached_node") or (node.get("depends_on") or {}).get("nodes", [None])[0]
        model = attached.split(".")[-1] if attached else (uid.split(".")[2] if uid.count(".") >= 2 else "dbt")
        name = node.get("name") or (uid.split(".")[-2] if uid.count(".") >= 3 else uid)
        failures = r.get("failures")
        out.append(
            CheckResult(
                name=name,
                feed=model,
                kind="dbt",
                severity=severity,
                status=status,
                failing_rows=int(failures) if isinstance(failures, int) and status != "passed" else 0,
                description=node.get("description") or f"dbt {'unit test' if 'unit_' in uid[:5] else 'test'} {uid}",
                message="" if status == "passed" else message,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Rendering helpers


def _status_word(c: CheckResult) -> str:
    if c.passed:
        return "PASS"
    if c.status == "error":
        return "ERROR"
    return "FAIL" if c.severity == "blocking" else "WARN"


def _row_class(c: CheckResult) -> str:
    if c.passed:
        return "ok"
    return "blocked" if c.severity == "blocking" else "warn"


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    return cols


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _md(text: Any) -> str:
    """Text safe in a Markdown table cell: no raw HTML, no column breaks, one line."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;")  # no tag can open; '>' stays readable
    return s.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


_HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Data-quality gate report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1d2330; }}
.banner {{ padding: .8rem 1rem; border-radius: 6px; font-weight: 600; }}
.banner.blocked {{ background: #fde2e1; color: #8a1c17; }}
.banner.warn {{ background: #fff4d6; color: #7a5200; }}
.banner.ok {{ background: #e1f5e6; color: #17602c; }}
table {{ border-collapse: collapse; margin: .6rem 0; }}
th, td {{ border: 1px solid #d4d8e0; padding: .25rem .5rem; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.blocked td:first-child, section.blocked h3 {{ color: #8a1c17; }}
tr.warn td:first-child, section.warn h3 {{ color: #7a5200; }}
tr.ok td:first-child {{ color: #17602c; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }}
dt {{ font-weight: 600; }}
.msg {{ font-family: monospace; white-space: pre-wrap; }}
/* issue 15 item 4: long dbt test names broke no line and pushed "failing rows" off a 1400 px screen */
table.checks {{ width: 100%; table-layout: fixed; }}
table.checks td, table.checks th {{ overflow-wrap: anywhere; }}
table.checks col.c-check {{ width: 24%; }} table.checks col.c-description {{ width: 36%; }}
.samples-scroll {{ overflow-x: auto; }}
h3, p, dd {{ overflow-wrap: anywhere; }}
</style></head>
<body>
<h1>Data-quality gate report</h1>
<p class="banner {banner}">{summary}</p>
<dl>{meta}</dl>
<p>Blocking checks (contract, reference, coverage, dbt tests of error severity) stop the publication and the
analytics snapshot refresh; warnings are reported and never block (rules.md Part C).</p>
<table class="checks">
<colgroup><col><col class="c-check"><col><col><col><col><col class="c-description"></colgroup>
<thead><tr><th>status</th><th>check</th><th>feed</th><th>kind</th><th>severity</th><th>failing rows</th>
<th>description</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>Failing checks</h2>
{details}
</body></html>
"""
