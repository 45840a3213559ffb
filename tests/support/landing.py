"""Write small landing zones for tests: one folder per feed, header-only CSVs for feeds not given."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from orchestration.defs.ingest.contract import FEEDS, FEEDS_BY_NAME


def write_csv(path: Path, header: list[str], rows: Iterable[Mapping[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow(["" if row.get(h) is None else _fmt(row.get(h)) for h in header])
    return path


def _fmt(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_landing(
    landing: Path, feeds: Mapping[str, Iterable[Mapping[str, object]]], *, include_optional: bool = False
) -> Path:
    """Write `feeds` as CSV; every other required feed (and optional ones if asked) as a header-only file."""
    for name in feeds:
        if name not in FEEDS_BY_NAME:
            raise KeyError(f"unknown feed {name!r}")
    for feed in FEEDS:
        if feed.name in feeds:
            write_csv(landing / feed.name / "part-0.csv", feed.column_names, feeds[feed.name])
        elif feed.required or include_optional:
            write_csv(landing / feed.name / "part-0.csv", feed.column_names, [])
    return landing


def rewrite_parquet_feed(landing: Path, feed: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Replace a generated feed's Parquet files by one file of `change(all its rows)`."""
    files = sorted((landing / feed).glob("*.parquet"))
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    for col in frame.columns:  # dictionary-encoded columns arrive as categoricals
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object)
    for f in files:
        f.unlink()
    change(frame).to_parquet(landing / feed / "part-0.parquet", index=False)
