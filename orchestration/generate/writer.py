"""Write feed tables into a landing zone: `<out>/<feed>/part-NNNNN.parquet` (or `.csv`).

Every table is checked against the contract (orchestration/defs/ingest/contract.py) before it is
written: exactly the feed's columns, in contract order, with the contract's types. CSV follows
feeds.md: header row, empty for null, dates YYYY-MM-DD, timestamps YYYY-MM-DDTHH:MM:SS (UTC),
booleans true/false, amounts as plain decimals with '.'.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from orchestration.defs.ingest.contract import FEEDS, FEEDS_BY_NAME, Feed

ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "date": pa.date32(),
    "ts": pa.timestamp("us"),
    "int": pa.int64(),
    "dec": pa.decimal128(18, 2),
    "bool": pa.bool_(),
}
FORMATS = ("parquet", "csv")


class LandingWriter:
    def __init__(self, out: Path, fmt: str = "parquet"):
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
        self.out = Path(out)
        self.fmt = fmt
        self.parts: dict[str, int] = {}
        self.rows: dict[str, int] = {}

    def _folder(self, feed: str) -> Path:
        folder = self.out / feed
        if feed not in self.parts:
            folder.mkdir(parents=True, exist_ok=True)
            # a fresh feed: drop the parts of an earlier generation (either format)
            for old in folder.glob("part-*"):
                if old.suffix in (".csv", ".parquet"):
                    old.unlink()
            self.parts[feed] = 0
            self.rows[feed] = 0
        return folder

    def write(self, feed_name: str, columns: dict[str, pa.Array]) -> int:
        feed = FEEDS_BY_NAME[feed_name]
        table = to_table(feed, columns)
        folder = self._folder(feed_name)
        path = folder / f"part-{self.parts[feed_name]:05d}.{self.fmt}"
        if self.fmt == "parquet":
            pq.write_table(table, path, compression="zstd", row_group_size=1 << 20)
        else:
            pacsv.write_csv(csv_ready(table), path)
        self.parts[feed_name] += 1
        self.rows[feed_name] += table.num_rows
        return table.num_rows

    def finish(self) -> dict[str, int]:
        """Give every feed of the contract at least one (possibly header-only) file."""
        for feed in FEEDS:
            if self.parts.get(feed.name, 0) == 0:
                self.write(feed.name, {c.name: pa.nulls(0, ARROW_TYPES[c.type]) for c in feed.columns})
        return {f.name: self.rows[f.name] for f in FEEDS}

    def files(self, feed: str) -> int:
        return self.parts.get(feed, 0)


def to_table(feed: Feed, columns: dict[str, pa.Array]) -> pa.Table:
    """The feed's table in contract order; fails on a missing, extra or mistyped column."""
    names = feed.column_names
    if set(columns) != set(names):
        raise ValueError(f"{feed.name}: columns {sorted(columns)} differ from the contract {sorted(names)}")
    arrays = []
    for col in feed.columns:
        arr = columns[col.name]
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        want = ARROW_TYPES[col.type]
        got = arr.type.value_type if pa.types.is_dictionary(arr.type) else arr.type
        if got != want:
            raise TypeError(f"{feed.name}.{col.name}: generated {arr.type}, the contract needs {want}")
        arrays.append(arr)
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        raise ValueError(f"{feed.name}: columns of different lengths {lengths}")
    return pa.Table.from_arrays(arrays, names=names)


def csv_ready(table: pa.Table) -> pa.Table:
    """Timestamps as YYYY-MM-DDTHH:MM:SS (feeds.md); everything else is written as Arrow does."""
    cols = []
    for field, col in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            col = pc.strftime(col.cast(pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")
        cols.append(col)
    return pa.Table.from_arrays(cols, names=table.column_names)
