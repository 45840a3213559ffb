"""`python -m benchmarks run --scales 0.01 0.1 1`: the benchmark of docs/benchmarks.md.

Per scale factor:
1. generate the landing zone (cached under <cache>/sf<scale>-seed<seed>-<last month>/, reused);
2. floor: one DuckDB pass over every column of every feed (references.floor_scan);
3. full pipeline: `partner-warehouse run --all` on a fresh warehouse (load, gate, dbt build with
   tests, publication), per stage wall time and peak RSS of the whole process tree;
4. one new quarter, two ways (`_one_quarter`): on the built warehouse with the newest date taken out of
   the publication store (data already loaded and checked), and on a warehouse built and published
   from the landing zone ending one quarter earlier when this landing zone arrives (every feed new);
5. one new month (`_new_month`): a warehouse built from the same world delivered a month earlier, then
   this landing zone (every feed a new snapshot, unchanged rows identical);
6. pandas: the test suite's reference implementations on the same landing zone (small scales).
Results go to <out>/results.json (+ each run's dbt run_results.json); `report` renders them.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import time
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

from benchmarks.pipeline import dbt_timings, find_run_results, run_cli
from benchmarks.references import floor_scan, run_pandas_reference
from orchestration.settings import dbt_target_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = REPO_ROOT / "data" / "bench-cache"
DEFAULT_OUT = REPO_ROOT / "data" / "bench-results"
OFFLINE_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "DO_NOT_TRACK": "1", "DAGSTER_DISABLE_TELEMETRY": "1"}
EVALUATED = re.compile(r"evaluated (\d{4}-\d{2}-\d{2}):")


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def machine_info() -> dict:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    import dbt.version
    import duckdb

    return {
        "cores": os.cpu_count(),
        "mem_total_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt_core": dbt.version.__version__,
        "load_average_at_start": os.getloadavg(),
    }


def git_commit() -> str:
    import subprocess

    done = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def scale_label(scale: float) -> str:
    return f"{scale:g}"


def cached_landing(cache: Path, scale: float, seed: int, last_month: date) -> tuple[Path, dict]:
    """The landing zone of (scale, seed, last month), generated once. Returns (dir, meta)."""
    key = cache / f"sf{scale_label(scale)}-seed{seed}-{last_month:%Y-%m}"
    meta_path = key / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        meta["cached"] = True
        return key / "landing", meta
    from orchestration.generate import generate_landing

    if key.exists():
        shutil.rmtree(key)  # an interrupted generation
    key.mkdir(parents=True)
    log(f"SF {scale_label(scale)}: generating the landing zone into {key}")
    t = time.perf_counter()
    counts = generate_landing(key / "landing", scale=scale, seed=seed, last_month=last_month, fmt="parquet")
    meta = {
        "scale": scale,
        "seed": seed,
        "last_month": last_month.isoformat(),
        "generate_seconds": time.perf_counter() - t,
        "rows": counts,
        "bytes": sum(p.stat().st_size for p in (key / "landing").rglob("*") if p.is_file()),
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    meta["cached"] = False
    return key / "landing", meta


def _publish_dir(warehouse: Path) -> Path:
    return warehouse.parent / "publications"


def _db_bytes(warehouse: Path) -> int:
    return sum(p.stat().st_size for p in (warehouse, warehouse.with_name(warehouse.name + ".wal")) if p.exists())


def _pipeline(landing: Path, warehouse: Path, run_date: str, which: list[str], out: Path, tag: str, echo: bool) -> dict:
    load_average = os.getloadavg()
    target = dbt_target_dir(warehouse)  # each warehouse has its own dbt target (issue 13 item 1)
    before = find_run_results(target)
    before_mtime = before.stat().st_mtime if before else 0.0
    env = {**OFFLINE_ENV, "PYTHONPATH": str(REPO_ROOT)}
    run = run_cli(landing, warehouse, run_date, which, publish_dir=_publish_dir(warehouse), env=env, echo=echo)
    result = run.to_json()
    result["db_bytes"] = _db_bytes(warehouse)
    result["load_average_before"] = load_average
    rr = find_run_results(target)
    if rr is not None and rr.stat().st_mtime > before_mtime:
        shutil.copy(rr, out / f"run_results-{tag}.json")
        timings = dbt_timings(rr.parent)
        if timings is not None:
            result["dbt"] = {
                "elapsed_seconds": timings.elapsed_seconds,
                "models_seconds": timings.models_seconds(),
                "technology_models_seconds": timings.models_seconds("technology/"),
                "solutions_models_seconds": timings.models_seconds("solutions/"),
                "tests_seconds": timings.tests_seconds,
                "seeds_seconds": timings.seeds_seconds,
                "slowest": timings.slowest(5),
                "models": timings.models,
            }
    stages = ", ".join(f"{k} {v['seconds']:.1f}s" for k, v in result["stages"].items())
    peak = run.peak_rss_bytes / 2**30
    log(
        f"  {tag}: rc {run.returncode}, {run.wall_seconds:.1f}s (CPU {run.cpu_seconds:.0f}s),"
        f" peak {peak:.2f} GiB ({stages})"
    )
    if run.returncode != 0:
        log("  the pipeline FAILED; its last lines:\n" + "\n".join(run.output_tail[-40:]))
    return result


def month_a_quarter_before(month: date) -> date:
    """The first day of the month three months before `month` (2026-12 -> 2026-09, 2027-02 -> 2026-11)."""
    return date(month.year - (month.month <= 3), (month.month - 4) % 12 + 1, 1)


def _one_quarter(
    scale: float,
    seed: int,
    last_month: date,
    run_date: str,
    cache: Path,
    out: Path,
    landing: Path,
    warehouse: Path,
    newest: str,
    echo: bool,
) -> dict:
    """Evaluating the newest quarter when the earlier ones are built and published, two ways.

    - `one_quarter` (data loaded): on the warehouse of the full run, the newest date's publication is
      taken out of the store and `--evaluation-date <newest>` runs: feeds unchanged since their load
      and check (the nightly build's situation), earlier quarters published.
    - `new_quarter_data`: a warehouse built and published (`--all`) from the landing zone of the
      same scale and seed ending one quarter earlier, then `--evaluation-date <newest>` on this
      landing zone: every feed is a new snapshot (loaded and checked again), earlier quarters are
      published from the older data. `previous_full` is that earlier build (not part of the ratio).
    """
    from orchestration.defs.publication.store import PublicationStore

    label = scale_label(scale)
    result: dict = {}
    shutil.rmtree(PublicationStore(_publish_dir(warehouse)).date_dir(date.fromisoformat(newest)))
    loaded = _pipeline(landing, warehouse, run_date, ["--evaluation-date", newest], out, f"sf{label}-one-quarter", echo)
    result["one_quarter"] = loaded | {"evaluation_date": newest}

    earlier_month = month_a_quarter_before(last_month)
    earlier_landing, _ = cached_landing(cache, scale, seed, earlier_month)
    earlier = out / f"sf{label}-earlier" / "warehouse.duckdb"
    if earlier.parent.exists():
        shutil.rmtree(earlier.parent)
    earlier.parent.mkdir(parents=True)
    previous = _pipeline(earlier_landing, earlier, run_date, ["--all"], out, f"sf{label}-previous-full", echo)
    result["previous_full"] = previous | {"landing_last_month": earlier_month.isoformat()}
    if previous["returncode"] == 0:
        which = ["--evaluation-date", newest]
        new_data = _pipeline(landing, earlier, run_date, which, out, f"sf{label}-new-data", echo)
        result["new_quarter_data"] = new_data | {"evaluation_date": newest}
    shutil.rmtree(earlier.parent, ignore_errors=True)
    return result


def month_before(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def _new_month(
    scale: float, seed: int, last_month: date, run_date: str, cache: Path, out: Path, landing: Path, echo: bool
) -> dict:
    """Issue 18's new month: a warehouse built and published (`--all`) from this world as delivered a
    month earlier (orchestration.generate.as_of: every row of the earlier snapshot that is unchanged is
    identical), then `--all` on this landing zone: every feed a new snapshot, one month more of data.
    `previous_full` is the earlier build (not part of the ratio)."""
    from orchestration.generate.as_of import landing_as_of

    label = scale_label(scale)
    earlier_month = month_before(last_month)
    key = cache / f"sf{label}-seed{seed}-{last_month:%Y-%m}-as-of-{earlier_month:%Y-%m}"
    if not (key / "done").exists():
        log(f"SF {label}: the landing zone as delivered at the end of {earlier_month:%Y-%m} into {key}")
        landing_as_of(landing, key / "landing", earlier_month)
        (key / "done").write_text("")
    warehouse = out / f"sf{label}-month" / "warehouse.duckdb"
    if warehouse.parent.exists():
        shutil.rmtree(warehouse.parent)
    warehouse.parent.mkdir(parents=True)
    result: dict = {}
    previous = _pipeline(key / "landing", warehouse, run_date, ["--all"], out, f"sf{label}-month-before", echo)
    result["previous_month_full"] = previous | {"landing_last_month": earlier_month.isoformat()}
    if previous["returncode"] == 0:
        result["new_month"] = _pipeline(landing, warehouse, run_date, ["--all"], out, f"sf{label}-new-month", echo)
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    return result


def bench_scale(
    scale: float,
    *,
    seed: int,
    last_month: date,
    run_date: str,
    cache: Path,
    out: Path,
    pandas_max_scale: float,
    one_quarter: bool,
    new_month: bool,
    keep: bool,
    echo: bool,
) -> dict:
    label = scale_label(scale)
    landing, meta = cached_landing(cache, scale, seed, last_month)
    rows = sum(meta["rows"].values())
    log(f"SF {label}: {rows:,} feed rows ({meta['bytes'] / 2**20:.1f} MiB parquet), landing {landing}")
    record: dict = {"scale": scale, "rows": rows, "feed_rows": meta["rows"], "landing_bytes": meta["bytes"]}
    record["generate_seconds"] = meta["generate_seconds"]

    floor = floor_scan(landing)
    record["floor"] = asdict(floor)
    log(f"  floor: {floor.seconds:.2f}s (CPU {floor.cpu_seconds:.2f}s) over {floor.rows:,} rows")

    work = out / f"sf{label}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    warehouse = work / "warehouse.duckdb"
    full = _pipeline(landing, warehouse, run_date, ["--all"], out, f"sf{label}-full", echo)
    record["full"] = full
    record["pipeline_over_floor"] = full["wall_seconds"] / floor.seconds if floor.seconds else None
    record["pipeline_over_floor_cpu"] = full["cpu_seconds"] / floor.cpu_seconds if floor.cpu_seconds else None

    dates = [m.group(1) for line in full["lines"] if (m := EVALUATED.search(line))]
    record["evaluation_dates"] = dates
    if one_quarter and dates and full["returncode"] == 0:
        record.update(_one_quarter(scale, seed, last_month, run_date, cache, out, landing, warehouse, dates[-1], echo))
    if new_month and full["returncode"] == 0:
        record.update(_new_month(scale, seed, last_month, run_date, cache, out, landing, echo))
    if scale <= pandas_max_scale:
        record["pandas"] = {}
        for part in ("technology", "solutions"):
            r = run_pandas_reference(part, landing, run_date, REPO_ROOT)
            d = asdict(r) | {"seconds": r.seconds}
            dbt_seconds = (full.get("dbt") or {}).get(f"{part}_models_seconds")
            d["dbt_models_seconds"] = dbt_seconds
            d["pandas_over_dbt"] = r.compute_seconds / dbt_seconds if dbt_seconds and not r.error else None
            record["pandas"][part] = d
            log(
                f"  pandas {part}: read {r.read_seconds:.1f}s + compute {r.compute_seconds:.1f}s, peak"
                f" {r.peak_rss_bytes / 2**30:.2f} GiB"
                + (f" ERROR {r.error}" if r.error else "")
                + (f"; dbt {part} models {dbt_seconds:.1f}s" if dbt_seconds else "")
            )
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return record


def portable(text: str, *, cache: Path, out: Path) -> str:
    """`text` without this machine's paths: `<cache>/`, `<out>/`, and paths inside the repository made
    relative to it (the most specific prefix first: the default cache and out are in the repository)."""
    prefixes = {f"{cache}/": "<cache>/", f"{out}/": "<out>/", f"{REPO_ROOT}/": ""}
    for prefix in sorted(prefixes, key=len, reverse=True):
        text = text.replace(prefix, prefixes[prefix])
    return text


def run(args) -> int:
    cache = Path(args.cache_dir).resolve()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    last_month = date.fromisoformat(args.last_month)
    results = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine_info(),
        "seed": args.seed,
        "last_month": args.last_month,
        "run_date": args.run_date,
        "scales": [],
    }
    results_path = out / "results.json"
    for scale in args.scales:
        record = bench_scale(
            scale,
            seed=args.seed,
            last_month=last_month,
            run_date=args.run_date,
            cache=cache,
            out=out,
            pandas_max_scale=args.pandas_max_scale,
            one_quarter=not args.no_one_quarter,
            new_month=not args.no_new_month,
            keep=args.keep,
            echo=args.echo,
        )
        results["scales"].append(record)
        # after each scale (partial results survive), without this machine's paths (docs/benchmarks.json)
        results_path.write_text(portable(json.dumps(results, indent=2, default=str), cache=cache, out=out))
    log(f"results: {results_path}")
    from benchmarks.report import render_table

    print(render_table(results))
    failed = [r["scale"] for r in results["scales"] if r["full"]["returncode"] != 0]
    if failed:
        log(f"the pipeline failed at SF {failed}")
        return 1
    return 0
