"""The one landing-zone writer of the tests: feed rows in, one CSV folder per feed out (feeds.md).

Every test that needs a landing zone builds it here: `write_landing` for a handful of rows per feed,
`FeedRows` for the row builders of the differential tests (tests/strategies/technology.py's `Landing`,
tests/strategies/solutions.py's `Zone`), `rewrite_parquet_feed` to change a generated zone. One writer
means one CSV spelling (empty cell = null, booleans `true`/`false`) and one check that every column
written is a column of the contract, so a misspelt column fails the test that wrote it instead of
silently becoming an empty cell.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.defs.ingest.contract import FEEDS, FEEDS_BY_NAME

if TYPE_CHECKING:  # pandas costs ~1 s to import; the strategies' users that never write Parquet skip it
    import pandas as pd

FILE_NAME = "part-0.csv"


def add_months(d: date, n: int) -> date:
    """The first day of the month `n` months after the month of `d` (the builders' month arithmetic;
    independent of orchestration/calendar.py on purpose: the differential tests check that code)."""
    idx = d.year * 12 + d.month - 1 + n
    return date(idx // 12, idx % 12 + 1, 1)


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(path: Path, header: list[str], rows: Iterable[Mapping[str, object]]) -> Path:
    """`rows` as one CSV with `header`; a key of a row outside the header is an error (a typo)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for line, row in enumerate(rows, start=2):
            unknown = set(row) - set(header)
            if unknown:
                raise KeyError(f"{path} line {line}: columns {sorted(unknown)} are not in the header {header}")
            writer.writerow([_fmt(row.get(h)) for h in header])
    return path


def write_landing(
    landing: Path, feeds: Mapping[str, Iterable[Mapping[str, object]]], *, include_optional: bool = False
) -> Path:
    """Write `feeds` as CSV; every other required feed (and optional ones if asked) as a header-only file."""
    for name in feeds:
        if name not in FEEDS_BY_NAME:
            raise KeyError(f"unknown feed {name!r}")
    for feed in FEEDS:
        if feed.name in feeds:
            write_csv(landing / feed.name / FILE_NAME, feed.column_names, feeds[feed.name])
        elif feed.required or include_optional:
            write_csv(landing / feed.name / FILE_NAME, feed.column_names, [])
    return landing


@dataclass
class FeedRows:
    """Feed rows as the strings a CSV landing zone holds (None = empty cell), built row by row."""

    rows: dict[str, list[dict[str, str | None]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, feed: str, **values: str | None) -> None:
        columns = FEEDS_BY_NAME[feed].column_names
        unknown = set(values) - set(columns)
        if unknown:
            raise KeyError(f"{feed}: unknown columns {sorted(unknown)}")
        self.rows[feed].append({c: values.get(c) for c in columns})

    def feed_rows(self) -> Mapping[str, Iterable[Mapping[str, object]]]:
        """The rows `write` writes (a builder may add rows the landing zone needs, see `Zone`)."""
        return self.rows

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every feed of the contract as a DataFrame of strings (None for empty), columns as in feeds.md."""
        import pandas as pd

        return {f.name: pd.DataFrame(self.rows.get(f.name, []), columns=f.column_names, dtype=object) for f in FEEDS}

    def write(self, landing: Path) -> Path:
        """A CSV landing zone with a folder for every feed of the contract (header-only when empty)."""
        return write_landing(Path(landing), self.feed_rows(), include_optional=True)


def rewrite_parquet_feed(landing: Path, feed: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Replace a generated feed's Parquet files by one file of `change(all its rows)`."""
    import pandas as pd

    files = sorted((landing / feed).glob("*.parquet"))
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    for col in frame.columns:  # dictionary-encoded columns arrive as categoricals
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object)
    for f in files:
        f.unlink()
    change(frame).to_parquet(landing / feed / "part-0.parquet", index=False)
