"""The two references measured on the same landing zone as the pipeline.

- floor: one DuckDB pass reading every column of every feed's files once
  (`SELECT count(*), sum(hash(COLUMNS(*)))` per feed) — the least work any correct pipeline does.
- pandas: the independent reference implementations of the test suite (tests/reference/), Part A
  (`technology.evaluate`) and Part B (`solutions.compute_solutions`), each in its own subprocess so
  that its memory is measured alone and does not stay in the benchmark's process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from benchmarks.procmem import TreeMemorySampler


@dataclass
class FloorResult:
    seconds: float
    cpu_seconds: float
    rows: int
    feeds: dict[str, float]  # feed -> seconds


def _files_sql(folder: Path) -> str | None:
    if list(folder.glob("*.parquet")):
        return f"read_parquet('{folder.as_posix()}/*.parquet')"
    if list(folder.glob("*.csv")):
        return f"read_csv('{folder.as_posix()}/*.csv', header = true, all_varchar = true)"
    return None


def floor_scan(landing: Path, threads: int = 2, repeat: int = 3) -> FloorResult:
    """The fastest of `repeat` passes of `_scan_once`: the first pass may read the files from disk
    (seen: 15.7 s cold against 1.9 s warm at SF 1), the pipeline that follows reads them warm."""
    return min((_scan_once(landing, threads) for _ in range(max(1, repeat))), key=lambda r: r.seconds)


def _scan_once(landing: Path, threads: int) -> FloorResult:
    """Read every column of every feed once, in one DuckDB connection (in memory, `threads` threads)."""
    con = duckdb.connect(":memory:", config={"threads": threads})
    feeds: dict[str, float] = {}
    rows = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    try:
        for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
            source = _files_sql(folder)
            if source is None:
                continue
            t = time.perf_counter()
            # one aggregate per column: every value of every column is decoded and hashed
            result = con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {source}").fetchone()
            feeds[folder.name] = time.perf_counter() - t
            rows += int(result[0])
    finally:
        con.close()
    return FloorResult(time.perf_counter() - started, time.process_time() - cpu_started, rows, feeds)


@dataclass
class PandasResult:
    part: str
    read_seconds: float
    compute_seconds: float
    peak_rss_bytes: int
    cpu_seconds: float
    output_rows: int
    error: str | None = None

    @property
    def seconds(self) -> float:
        return self.read_seconds + self.compute_seconds


def run_pandas_reference(part: str, landing: Path, run_date: str, repo_root: Path) -> PandasResult:
    """Run one reference (`technology` or `solutions`) in a subprocess; time and peak memory."""
    env = {**os.environ, "PYTHONPATH": str(repo_root)}
    cmd = [sys.executable, "-m", "benchmarks.references", part, str(landing), run_date]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=repo_root)
    with TreeMemorySampler(proc.pid) as sampler:
        out, err = proc.communicate()
    if proc.returncode != 0:
        error = (err.strip().splitlines() or ["failed"])[-1]
        return PandasResult(part, 0.0, 0.0, sampler.peak, sampler.cpu_seconds, 0, error=error)
    data = json.loads(out.strip().splitlines()[-1])
    return PandasResult(
        part, data["read_seconds"], data["compute_seconds"], sampler.peak, sampler.cpu_seconds, data["output_rows"]
    )


def _child(part: str, landing: Path, run_date: str) -> None:
    from datetime import date

    t0 = time.perf_counter()
    if part == "technology":
        from tests.reference.technology import evaluate, read_landing

        feeds = read_landing(landing)
        t1 = time.perf_counter()
        ref = evaluate(feeds, date.fromisoformat(run_date))
        rows = sum(len(getattr(ref, name)) for name in ("metrics", "requirements", "evaluations") if hasattr(ref, name))
    elif part == "solutions":
        from tests.reference.solutions import compute_solutions, read_landing

        feeds = read_landing(landing)
        t1 = time.perf_counter()
        res = compute_solutions(feeds)
        rows = sum(len(v) for v in vars(res).values() if hasattr(v, "__len__"))
    else:
        raise SystemExit(f"unknown part {part!r}")
    t2 = time.perf_counter()
    print(json.dumps({"read_seconds": t1 - t0, "compute_seconds": t2 - t1, "output_rows": rows}))


if __name__ == "__main__":
    _child(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
