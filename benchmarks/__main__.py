"""python -m benchmarks run --scales 0.01 0.1 1   |   python -m benchmarks report <results.json> [more.json]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.run import DEFAULT_CACHE, DEFAULT_OUT, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="generate (cached), run the pipeline and the references, record")
    r.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    r.add_argument("--seed", type=int, default=42)
    r.add_argument("--last-month", default="2026-12-01", help="last month of generated data (fixed: reproducible)")
    r.add_argument("--run-date", default="2027-02-01", help="run date of the pipeline (G3)")
    r.add_argument("--cache-dir", default=str(DEFAULT_CACHE), help="generated landing zones, by scale+seed")
    r.add_argument("--out", default=str(DEFAULT_OUT), help="results.json, dbt run_results, working warehouses")
    r.add_argument("--pandas-max-scale", type=float, default=0.1, help="run the pandas references up to this SF")
    r.add_argument("--no-one-quarter", action="store_true", help="skip the one-quarter run after the full run")
    r.add_argument("--no-new-month", action="store_true", help="skip the new-month run (issue 18)")
    r.add_argument("--keep", action="store_true", help="keep the warehouses (deleted by default: SF 1 is big)")
    r.add_argument("--plot", default=None, help="also write the scaling plot (PNG) here")
    r.add_argument("--echo", action="store_true", help="echo the pipeline's output")

    p = sub.add_parser("report", help="print the tables and write the plot of a results.json")
    p.add_argument(
        "results", nargs="*", default=[str(DEFAULT_OUT / "results.json")], help="one or more, merged by scale"
    )
    p.add_argument("--plot", default=None, help="PNG path")

    args = parser.parse_args(argv)
    if args.command == "run":
        code = run(args)
        if args.plot:
            from benchmarks.report import plot

            plot(json.loads((Path(args.out) / "results.json").read_text()), Path(args.plot))
        return code
    from benchmarks.report import merge, plot, render_table

    results = merge([json.loads(Path(p).read_text()) for p in args.results])
    print(render_table(results))
    if args.plot:
        print(f"plot: {plot(results, Path(args.plot))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
