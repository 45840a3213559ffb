"""Run the real `partner-warehouse run` CLI as a subprocess and time its stages.

Stages are read from the CLI's progress lines (`[   12.3s] load: ...`): a line opens the stage it
names (load, gate, dbt, publish, summary); dbt's own output (lines without the `[...s]` prefix) and
unnamed lines stay in the current stage. `dbt: done` closes dbt, and the time until the next named
line goes to the stage that line opens (that stage was already working, silently). A stage line
saying how long a part took (`gate: 63 set-level SQL checks in 32.6s`) moves the stage's opening
back by that much: the gate prints nothing before its SQL checks are done. Everything
before the first named line is `startup` (Python and Dagster imports, dbt manifest check, the
sync of published tiers); `summary` is the CLI's closing summary and the interpreter's exit.

Memory: the whole process tree (the CLI and its dbt subprocess) is sampled every 0.2 s from /proc;
each stage gets the peak of the samples taken while it ran.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.procmem import TreeMemorySampler, reap, reaping_orphans

PREFIX = re.compile(r"^\[\s*(\d+(?:\.\d+)?)s\] (.*)$")
STAGES = ("startup", "load", "gate", "dbt", "publish", "summary")
# Lines that name no stage: the run's warnings, printed after the Dagster run (`gate warning: ...`),
# and the sync of published tiers that precedes the load (`published tiers: ...`).
_NEUTRAL = re.compile(r"^(gate warning|published tiers)\b")
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("load", re.compile(r"^load\b")),
    ("gate", re.compile(r"^(gate|quality)\b")),
    ("dbt", re.compile(r"^dbt\b")),
    ("publish", re.compile(r"^(publication|analytics snapshot|publish)\b")),
    ("summary", re.compile(r"^(evaluated|no technology tier|no evaluation date)\b")),
)
DBT_DONE = re.compile(r"^dbt: done\b")
# A stage that prints only when a part of it is over ("gate: 63 set-level SQL checks in 32.6s") started
# at least that long before the line: its opening is moved back (never before the previous opening).
SELF_TIMED = re.compile(r" in (\d+(?:\.\d+)?)s\)?$")


def classify(message: str) -> str | None:
    """The stage a progress message opens, or None when it belongs to the current one."""
    if _NEUTRAL.match(message):
        return None
    for stage, pattern in _RULES:
        if pattern.match(message):
            return stage
    return None


@dataclass
class StageMeasure:
    seconds: float = 0.0
    peak_rss_bytes: int = 0
    cpu_seconds: float = 0.0  # user + system of the process tree while the stage ran (0.2 s resolution)


@dataclass
class PipelineRun:
    args: list[str]
    returncode: int
    wall_seconds: float
    peak_rss_bytes: int
    cpu_seconds: float  # user + system of the whole tree (less sensitive than wall time to a busy machine)
    stages: dict[str, StageMeasure] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the CLI's own progress lines, for the record
    # (seconds since start, RSS bytes, CPU seconds) about once a second, and (start, stop, stage)
    memory_timeline: list[tuple[float, int, float]] = field(default_factory=list)
    stage_timeline: list[tuple[float, float, str]] = field(default_factory=list)
    output_tail: list[str] = field(default_factory=list)  # the last lines of any kind: a failure's error

    def to_json(self) -> dict:
        d = asdict(self)
        d["lines"] = self.lines[-200:]
        return d


def _backdate(boundaries: list[tuple[float, str | None]], started: float) -> None:
    """Move the last opening back to `started` when that is earlier, keeping the order."""
    t, stage = boundaries[-1]
    floor = boundaries[-2][0] if len(boundaries) > 1 else t
    if started < t:
        boundaries[-1] = (max(started, floor), stage)


def _timeline(boundaries: list[tuple[float, str | None]], end: float) -> list[tuple[float, float, str]]:
    """[(start, stop, stage)] from stage-opening boundaries; a None boundary (after `dbt: done`)
    takes the stage of the next named boundary, or `summary` at the end."""
    resolved: list[tuple[float, str]] = []
    for i, (t, stage) in enumerate(boundaries):
        if stage is None:
            stage = next((s for _, s in boundaries[i + 1 :] if s is not None), "summary")
        resolved.append((t, stage))
    out = []
    for i, (t, stage) in enumerate(resolved):
        stop = resolved[i + 1][0] if i + 1 < len(resolved) else end
        out.append((t, stop, stage))
    return out


def run_cli(
    landing: Path,
    warehouse: Path,
    run_date: str,
    which: list[str],
    *,
    publish_dir: Path | None = None,
    env: dict[str, str] | None = None,
    echo: bool = False,
    interval: float = 0.2,
) -> PipelineRun:
    """`python -m orchestration.cli run ...` with stage timings and process-tree memory."""
    args = [
        sys.executable,
        "-m",
        "orchestration.cli",
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--run-date",
        run_date,
        *which,
    ]
    if publish_dir is not None:
        args += ["--publish-dir", str(publish_dir)]
    full_env = {**os.environ, **(env or {})}
    full_env.setdefault("PYTHONUNBUFFERED", "1")
    samples: list[tuple[float, int, float]] = []
    boundaries: list[tuple[float, str | None]] = []
    lines: list[str] = []
    tail: deque[str] = deque(maxlen=60)
    children_cpu_before = _children_cpu()
    started = time.monotonic()
    boundaries.append((started, "startup"))
    current: str | None = "startup"

    def record(t: float, rss: int, cpu: float) -> None:
        samples.append((t, rss, cpu))

    with reaping_orphans():
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env, bufsize=1
        )
        with TreeMemorySampler(proc.pid, interval, on_sample=record) as sampler:
            assert proc.stdout is not None
            for raw in proc.stdout:
                now = time.monotonic()
                line = raw.rstrip("\n")
                tail.append(line)
                if echo:
                    print(f"    | {line}", flush=True)
                m = PREFIX.match(line)
                if not m:
                    continue
                message = m.group(2)
                lines.append(line)
                stage = classify(message)
                if stage is not None and stage != current:
                    boundaries.append((now, stage))
                    current = stage
                if stage is not None and stage == current and (timed := SELF_TIMED.search(message)):
                    _backdate(boundaries, now - float(timed.group(1)))
                if DBT_DONE.match(message):
                    boundaries.append((time.monotonic(), None))
                    current = None
            returncode = proc.wait()
        end = time.monotonic()
        # the descendants that outlived the CLI (the workbook helpers' forkserver) are reaped here, so
        # that their CPU, and their own reaped children's, is in the total
        reap(sampler.seen - {proc.pid})
    cpu_total = _children_cpu() - children_cpu_before

    def cpu_at(t: float) -> float:
        return max((cpu for ts, _, cpu in samples if ts <= t), default=0.0)

    stages: dict[str, StageMeasure] = {}
    timeline = _timeline(boundaries, end)
    for i, (start, stop, stage) in enumerate(timeline):
        s = stages.setdefault(stage, StageMeasure())
        s.seconds += stop - start
        peak = max((rss for t, rss, _ in samples if start <= t < stop), default=0)
        s.peak_rss_bytes = max(s.peak_rss_bytes, peak)
        s.cpu_seconds += (cpu_total if i == len(timeline) - 1 else cpu_at(stop)) - cpu_at(start)
    ordered = {k: stages[k] for k in STAGES if k in stages} | {k: v for k, v in stages.items() if k not in STAGES}
    every = max(1, round(1.0 / interval))
    memory = [(round(t - started, 2), rss, round(cpu, 2)) for t, rss, cpu in samples[::every]]
    spans = [(round(a - started, 2), round(b - started, 2), stage) for a, b, stage in timeline]
    return PipelineRun(
        args[2:], returncode, end - started, sampler.peak, cpu_total, ordered, lines, memory, spans, list(tail)
    )


def _children_cpu() -> float:
    """User + system seconds of this process's reaped children (and their reaped descendants)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def find_run_results(target_dir: Path) -> Path | None:
    """The newest run_results.json directly under the dbt target dir or one level down (dagster-dbt
    may give each invocation its own sub-directory)."""
    candidates = [p for p in (target_dir / "run_results.json", *target_dir.glob("*/run_results.json")) if p.exists()]
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


@dataclass
class DbtTimings:
    models: dict[str, float]  # model name -> execution seconds
    tests_seconds: float
    seeds_seconds: float
    elapsed_seconds: float

    def slowest(self, n: int = 5) -> list[tuple[str, float]]:
        return sorted(self.models.items(), key=lambda kv: -kv[1])[:n]

    def models_seconds(self, path_part: str = "") -> float:
        return sum(v for k, v in self.models.items() if path_part in k)


def dbt_timings(target_dir: Path) -> DbtTimings | None:
    """Per-model execution times of the last dbt invocation. Models are labelled
    `<folder>/<name>` from the manifest beside run_results.json (`technology`, `solutions`,
    `staging`, ...) so that Part A and Part B can be summed apart."""
    path = find_run_results(target_dir)
    if path is None:
        return None
    data = json.loads(path.read_text())
    manifest_path = path.parent / "manifest.json"
    nodes = json.loads(manifest_path.read_text()).get("nodes", {}) if manifest_path.exists() else {}
    models: dict[str, float] = {}
    tests = seeds = 0.0
    for r in data.get("results", []):
        uid: str = r["unique_id"]
        t = float(r.get("execution_time") or 0.0)
        if uid.startswith("model."):
            folder = Path(nodes.get(uid, {}).get("original_file_path", "models/other/x.sql")).parent.name
            models[f"{folder}/{uid.split('.')[-1]}"] = t
        elif uid.startswith("test."):
            tests += t
        elif uid.startswith("seed."):
            seeds += t
    return DbtTimings(models, tests, seeds, float(data.get("elapsed_time") or 0.0))
