"""Markdown tables and the scaling plot from a results.json of `python -m benchmarks run`."""

from __future__ import annotations

import math
from pathlib import Path

GIB = 2**30
MIB = 2**20
STAGE_COLUMNS = ("startup", "load", "gate", "dbt", "publish", "summary")


def _stage(rec: dict, run: str, stage: str, key: str = "seconds") -> float | None:
    s = (rec.get(run) or {}).get("stages", {}).get(stage)
    return s[key] if s else None


def _f(value: float | None, fmt: str = "{:.1f}") -> str:
    return "–" if value is None else fmt.format(value)


def render_table(results: dict) -> str:
    m = results["machine"]
    scales = results["scales"]
    out = [
        f"Machine: {m['cores']} cores, {m['mem_total_gb']} GB RAM ({m['cpu']}); DuckDB {m['duckdb']}, dbt-core"
        f" {m['dbt_core']}, Python {m['python']}; commit {', '.join(results.get('commits') or [results['commit']])},"
        f" seed {results['seed']}, data through"
        f" {results['last_month'][:7]}, run date {results['run_date']}.",
        "",
        "Full pipeline (`partner-warehouse run --all`, fresh warehouse): wall seconds per stage",
        "",
        "| SF | feed rows | floor s | " + " | ".join(STAGE_COLUMNS) + " | **total s** | CPU s | peak RSS GiB |"
        " DuckDB MiB | pipeline ÷ floor (wall, CPU) | one quarter s (data loaded, new data) |",
        "|---:|---:|---:|" + "---:|" * len(STAGE_COLUMNS) + "---:|---:|---:|---:|---:|---:|",
    ]
    for r in scales:
        full = r["full"]
        q = r.get("one_quarter")
        out.append(
            f"| {r['scale']:g} | {r['rows']:,} | {r['floor']['seconds']:.2f} | "
            + " | ".join(_f(_stage(r, "full", s)) for s in STAGE_COLUMNS)
            + f" | **{full['wall_seconds']:.1f}**{'' if full['returncode'] == 0 else ' (FAILED)'}"
            f" | {_f(full.get('cpu_seconds'), '{:.0f}')} | {full['peak_rss_bytes'] / GIB:.2f}"
            f" | {full['db_bytes'] / MIB:.0f}"
            f" | {_f(r['pipeline_over_floor'], '{:.0f}')}, {_f(r.get('pipeline_over_floor_cpu'), '{:.0f}')}"
            f" | {_f(q['wall_seconds']) if q else '–'}, {_f((r.get('new_quarter_data') or {}).get('wall_seconds'))} |"
        )
    out += [
        "",
        "Peak resident memory of the process tree per stage (GiB)",
        "",
        "| SF | " + " | ".join(STAGE_COLUMNS) + " |",
        "|---:|" + "---:|" * len(STAGE_COLUMNS),
    ]
    for r in scales:
        out.append(
            f"| {r['scale']:g} | "
            + " | ".join(
                _f((_stage(r, "full", s, "peak_rss_bytes") or 0) / GIB or None, "{:.2f}") for s in STAGE_COLUMNS
            )
            + " |"
        )
    out += [
        "",
        "CPU seconds (user + system, whole process tree) per stage; 2 cores give at most 2 CPU s per wall s",
        "",
        "| SF | " + " | ".join(STAGE_COLUMNS) + " |",
        "|---:|" + "---:|" * len(STAGE_COLUMNS),
    ]
    for r in scales:
        out.append(
            f"| {r['scale']:g} | " + " | ".join(_f(_stage(r, "full", s, "cpu_seconds")) for s in STAGE_COLUMNS) + " |"
        )
    out += ["", "dbt build breakdown (from run_results.json; execution time per node, summed)", ""]
    out += ["| SF | dbt elapsed s | models s | technology models s | solutions models s | tests s | seeds s |"]
    out += ["|---:|---:|---:|---:|---:|---:|---:|"]
    for r in scales:
        d = r["full"].get("dbt")
        if d:
            out.append(
                f"| {r['scale']:g} | {d['elapsed_seconds']:.1f} | {d['models_seconds']:.1f} |"
                f" {d['technology_models_seconds']:.1f} | {d['solutions_models_seconds']:.1f} |"
                f" {d['tests_seconds']:.1f} | {d['seeds_seconds']:.1f} |"
            )
    out += ["", "Five slowest dbt models", ""]
    for r in scales:
        d = r["full"].get("dbt")
        if d:
            slow = ", ".join(f"`{name.split('/')[-1]}` {t:.1f}s" for name, t in d["slowest"])
            out.append(f"- SF {r['scale']:g}: {slow}")
    quarters = [r for r in scales if r.get("one_quarter") or r.get("new_quarter_data")]
    if quarters:
        out += [
            "",
            "One new quarter when the earlier ones are built and published (`--evaluation-date <newest>`):"
            " *data loaded* = on the full run's warehouse, the newest date unpublished, feeds unchanged since"
            " their load and check; *new data* = on a warehouse built and published from the landing zone"
            " ending one quarter earlier, every feed a new snapshot",
            "",
        ]
        out += [
            "| SF | case | date | " + " | ".join(STAGE_COLUMNS) + " | total s | full s | ratio | CPU s | peak GiB |"
        ]
        out += ["|---:|---|---|" + "---:|" * len(STAGE_COLUMNS) + "---:|---:|---:|---:|---:|"]
        for r in quarters:
            for key, case in (("one_quarter", "data loaded"), ("new_quarter_data", "new data")):
                q = r.get(key)
                if not q:
                    continue
                out.append(
                    f"| {r['scale']:g} | {case} | {q['evaluation_date']} | "
                    + " | ".join(_f(_stage(r, key, s)) for s in STAGE_COLUMNS)
                    + f" | {q['wall_seconds']:.1f}{'' if q['returncode'] == 0 else ' (FAILED)'}"
                    f" | {r['full']['wall_seconds']:.1f} | {q['wall_seconds'] / r['full']['wall_seconds']:.2f}"
                    f" | {_f(q.get('cpu_seconds'), '{:.0f}')} | {q['peak_rss_bytes'] / GIB:.2f} |"
                )
    months = [r for r in scales if r.get("new_month")]
    if months:
        out += [
            "",
            "One new month (issue 18): a warehouse built and published (`--all`) from the same world as"
            " delivered a month earlier, then `--all` on this landing zone: every feed a new snapshot, the"
            " rows of earlier months identical; the ratio is to the full run above",
            "",
            "| SF | " + " | ".join(STAGE_COLUMNS) + " | total s | month before s | full s | ratio | CPU s | peak GiB |",
            "|---:|" + "---:|" * len(STAGE_COLUMNS) + "---:|---:|---:|---:|---:|---:|",
        ]
        for r in months:
            m, before = r["new_month"], r.get("previous_month_full") or {}
            out.append(
                f"| {r['scale']:g} | "
                + " | ".join(_f(_stage(r, "new_month", s)) for s in STAGE_COLUMNS)
                + f" | **{m['wall_seconds']:.1f}**{'' if m['returncode'] == 0 else ' (FAILED)'}"
                f" | {_f(before.get('wall_seconds'))} | {r['full']['wall_seconds']:.1f}"
                f" | **{m['wall_seconds'] / r['full']['wall_seconds']:.2f}** | {_f(m.get('cpu_seconds'), '{:.0f}')}"
                f" | {m['peak_rss_bytes'] / GIB:.2f} |"
            )
    exponents = scaling_exponents(scales)
    if exponents:
        out += ["", "Scaling exponent k (time or memory ∝ SF^k) between scale factors, full run", ""]
        out += ["| from SF | to SF | wall k | CPU k | peak RSS k | dbt k |", "|---:|---:|---:|---:|---:|---:|"]
        for a, b, k in exponents:
            out.append(
                f"| {a:g} | {b:g} | {_f(k['wall'], '{:.2f}')} | {_f(k['cpu'], '{:.2f}')}"
                f" | {_f(k['peak'], '{:.2f}')} | {_f(k['dbt'], '{:.2f}')} |"
            )
    with_pandas = [r for r in scales if r.get("pandas")]
    if with_pandas:
        out += ["", "pandas references (tests/reference) against the dbt models of the same part", ""]
        out += ["| SF | part | pandas read s | pandas compute s | pandas peak GiB | dbt models s | pandas ÷ dbt |"]
        out += ["|---:|---|---:|---:|---:|---:|---:|"]
        for r in with_pandas:
            for part, p in r["pandas"].items():
                out.append(
                    f"| {r['scale']:g} | {part} | {p['read_seconds']:.1f} | {p['compute_seconds']:.1f}"
                    f" | {p['peak_rss_bytes'] / GIB:.2f} | {_f(p['dbt_models_seconds'])} | {_f(p['pandas_over_dbt'])}"
                    + (f" (error: {p['error']})" if p.get("error") else "")
                    + " |"
                )
    return "\n".join(out) + "\n"


def _exponent(a: float | None, b: float | None, ratio: float) -> float | None:
    return math.log(b / a) / math.log(ratio) if a and b and a > 0 and b > 0 else None


def scaling_exponents(scales: list[dict]) -> list[tuple[float, float, dict[str, float | None]]]:
    """k in cost ∝ SF^k between each pair of successive successful scales (k = 1: linear)."""
    done = sorted((r for r in scales if r["full"]["returncode"] == 0), key=lambda r: r["scale"])
    pairs = []
    for a, b in zip(done, done[1:], strict=False):
        ratio = b["scale"] / a["scale"]
        pairs.append(
            (
                a["scale"],
                b["scale"],
                {
                    "wall": _exponent(a["full"]["wall_seconds"], b["full"]["wall_seconds"], ratio),
                    "cpu": _exponent(a["full"].get("cpu_seconds"), b["full"].get("cpu_seconds"), ratio),
                    "peak": _exponent(a["full"]["peak_rss_bytes"], b["full"]["peak_rss_bytes"], ratio),
                    "dbt": _exponent(_stage(a, "full", "dbt"), _stage(b, "full", "dbt"), ratio),
                },
            )
        )
    return pairs


def merge(results: list[dict]) -> dict:
    """Several results.json (say SF 0.01-1 in one run and SF 10 in another) as one: the first file's
    header; each scale from the last file that has it, with that file's commit and start time."""
    by_scale: dict[float, dict] = {}
    for r in results:
        for record in r["scales"]:
            by_scale[record["scale"]] = record | {"commit": r["commit"], "started_at": r["started_at"]}
    merged = dict(results[0])
    merged["scales"] = [by_scale[k] for k in sorted(by_scale)]
    merged["commits"] = sorted({r["commit"] for r in results})
    return merged


def plot(results: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = [r for r in results["scales"] if r["full"]["returncode"] == 0]
    xs = [r["scale"] for r in scales]
    biggest = scales[-1] if scales and scales[-1]["full"].get("memory_timeline") else None
    fig, axes = plt.subplots(1, 3 if biggest else 2, figsize=(16.5 if biggest else 11, 4.2))
    ax_t, ax_m = axes[0], axes[1]
    ax_t.plot(xs, [r["full"]["wall_seconds"] for r in scales], "o-", lw=2, label="full pipeline (total)")
    for stage, style in (("load", "s--"), ("gate", "v--"), ("dbt", "^--"), ("publish", "d--"), ("startup", "x:")):
        ys = [_stage(r, "full", stage) for r in scales]
        if any(y for y in ys):
            ax_t.plot(xs, [y or float("nan") for y in ys], style, label=stage)
    for key, style, label in (
        ("one_quarter", "P-", "one quarter, data loaded"),
        ("new_quarter_data", "*-", "one quarter, new data"),
        ("new_month", "X-", "one new month"),
    ):
        qs = [(r["scale"], r[key]["wall_seconds"]) for r in scales if r.get(key)]
        if qs:
            ax_t.plot(*zip(*qs, strict=True), style, label=label)
    ax_t.plot(xs, [r["floor"]["seconds"] for r in scales], "k.-", label="floor (one DuckDB scan)")
    ax_t.axhline(600, color="red", lw=0.8, ls=":", label="10 min budget")
    ax_t.set(xscale="log", yscale="log", xlabel="scale factor", ylabel="wall seconds", title="Time")
    ax_t.legend(fontsize=6.5, loc="lower right", framealpha=0.8)
    ax_t.grid(True, which="both", alpha=0.3)

    ax_m.plot(xs, [r["full"]["peak_rss_bytes"] / GIB for r in scales], "o-", lw=2, label="peak RSS, process tree")
    for stage, style in (("load", "s--"), ("gate", "v--"), ("dbt", "^--"), ("publish", "d--")):
        ys = [(_stage(r, "full", stage, "peak_rss_bytes") or 0) / GIB for r in scales]
        if any(ys):
            ax_m.plot(xs, [y or float("nan") for y in ys], style, label=stage)
    ax_m.plot(xs, [r["full"]["db_bytes"] / GIB for r in scales], "k.:", label="DuckDB file")
    ax_m.axhline(16, color="red", lw=0.8, ls=":", label="16 GiB budget (issue 18, SF 10)")
    ax_m.set(xscale="log", yscale="log", xlabel="scale factor", ylabel="GiB", title="Memory and storage")
    ax_m.legend(fontsize=6.5, loc="lower right", framealpha=0.8)
    ax_m.grid(True, which="both", alpha=0.3)
    if biggest:
        _plot_run(axes[2], biggest)
    m = results["machine"]
    fig.suptitle(
        f"partner-warehouse benchmark — {m['cores']} cores, {m['mem_total_gb']} GB, commit {results['commit']}"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


STAGE_COLOURS = {
    "startup": "#cccccc",
    "load": "#8ecae6",
    "gate": "#ffb703",
    "dbt": "#90be6d",
    "publish": "#f28482",
    "summary": "#e0e0e0",
}


def _plot_run(ax, record: dict) -> None:
    """Memory and CPU use over one full run, stages shaded: where the time goes."""
    full = record["full"]
    ts = [t for t, _, _ in full["memory_timeline"]]
    ax.plot(ts, [rss / GIB for _, rss, _ in full["memory_timeline"]], "k-", lw=1.5, label="RSS of the process tree")
    cpu = full["memory_timeline"]
    # cores busy = d(CPU seconds)/d(wall seconds), on the right axis
    busy = [(b[2] - a[2]) / (b[0] - a[0]) for a, b in zip(cpu, cpu[1:], strict=False) if b[0] > a[0]]
    right = ax.twinx()
    right.plot(ts[1 : len(busy) + 1], busy, color="tab:purple", lw=0.8, alpha=0.7, label="cores busy")
    right.set_ylim(0, 2.5)
    right.set_ylabel("cores busy")
    seen = set()
    for start, stop, stage in full["stage_timeline"]:
        ax.axvspan(
            start,
            stop,
            color=STAGE_COLOURS.get(stage, "#eeeeee"),
            alpha=0.5,
            lw=0,
            label=None if stage in seen else stage,
        )
        seen.add(stage)
    ax.set(xlabel="seconds since start", ylabel="GiB", title=f"One full run at SF {record['scale']:g}")
    ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(0.0, 1.0), framealpha=0.6, ncol=2)
    ax.set_ylim(0, max(rss for _, rss, _ in full["memory_timeline"]) / GIB * 1.35)
    ax.grid(True, alpha=0.3)
