"""`python -m orchestration.generate OUT [--scale SF] [--seed N] [--last-month YYYY-MM] [--format csv]`."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from orchestration.generate import generate_landing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--last-month", type=lambda s: date.fromisoformat(s + "-01" if len(s) == 7 else s))
    ap.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    a = ap.parse_args()
    generate_landing(a.out, a.scale, a.seed, a.last_month, a.format, progress=print)


if __name__ == "__main__":
    main()
