"""Vectorised building blocks of the generator: random streams, calendar arithmetic, Arrow columns.

Dates are int64 day numbers (days since 1970-01-01), timestamps int64 seconds since the epoch (UTC)
and months either absolute (months since 1970-01) or relative to the first generated month.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.program import PROGRAM

SECONDS_PER_DAY = 86_400
_EPOCH = date(1970, 1, 1)


# ---------------------------------------------------------------------------------------------
# Randomness


def stream(seed: int, name: str, *extra: int) -> np.random.Generator:
    """An independent random stream per generator component, so one part can change alone."""
    return np.random.default_rng([seed, zlib.crc32(name.encode()), *extra])


_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (wrapping uint64 arithmetic)."""
    x = x + _GOLD
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def hash_uniform(seed: int, name: str, *keys: np.ndarray) -> np.ndarray:
    """A uniform [0, 1) value that depends only on (seed, name, keys): the same whichever chunk
    or component asks, so two parts of the generator can agree on a draw without sharing state."""
    with np.errstate(over="ignore"):
        h = _mix(np.uint64(seed & 0xFFFFFFFF) * np.uint64(1 << 32) + np.uint64(zlib.crc32(name.encode())))
        out = np.full(np.shape(keys[0]), h, dtype=np.uint64)
        for k in keys:
            out = _mix(out ^ np.asarray(k).astype(np.int64).astype(np.uint64))
    return (out >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def stratified_uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    """n uniforms, one in each of the n equal strata of [0, 1), in random order: the sample's
    distribution is the same at every size (what keeps the partner-size mix stable across scales)."""
    return (rng.permutation(n) + rng.random(n)) / max(n, 1)


def loglinear_quantile(u: np.ndarray, anchors: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Quantile function interpolated log-linearly through (probability, value) anchors."""
    ps = np.array([a[0] for a in anchors])
    vs = np.log(np.array([a[1] for a in anchors], dtype=np.float64))
    return np.exp(np.interp(u, ps, vs))


def choice_index(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    """Index draws from one categorical distribution."""
    p = np.asarray(probs, dtype=np.float64)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(size), side="right").clip(0, len(p) - 1)


def choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return (rng.random(len(probs))[:, None] >= cum).sum(axis=1).clip(0, probs.shape[1] - 1)


def expand(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For parents with the given lengths: (parent index, offset 0..len-1) of every child."""
    lengths = np.asarray(lengths, dtype=np.int64).clip(0)
    total = int(lengths.sum())
    parent = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    starts = np.cumsum(lengths) - lengths
    offset = np.arange(total, dtype=np.int64) - np.repeat(starts, lengths)
    return parent, offset


# ---------------------------------------------------------------------------------------------
# Calendar


def day_number(d: date) -> int:
    return (d - _EPOCH).days


def to_date(day: int) -> date:
    return _EPOCH + timedelta(days=int(day))


def last_complete_month(today: date) -> date:
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class Calendar:
    """The generated months: `n_months` calendar months ending with `last_month`."""

    last_month: date
    n_months: int = 36

    @property
    def last_abs(self) -> int:
        return (self.last_month.year - 1970) * 12 + self.last_month.month - 1

    @property
    def first_abs(self) -> int:
        return self.last_abs - self.n_months + 1

    def month_day(self, rel: np.ndarray | int) -> np.ndarray:
        """Day number of the first day of relative month(s) (0 = first generated month)."""
        m = np.asarray(rel, dtype=np.int64) + self.first_abs
        return m.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)

    def month_of(self, day: np.ndarray) -> np.ndarray:
        """Relative month of day number(s)."""
        d = np.asarray(day, dtype=np.int64)
        return d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) - self.first_abs

    @property
    def first_day(self) -> int:
        return int(self.month_day(0))

    @property
    def end_day(self) -> int:
        """Last day covered by the data (last day of the last month)."""
        return int(self.month_day(self.n_months)) - 1

    def evaluation_dates(self) -> list[date]:
        """rules.md A2/D2: every 15 Jan/Apr/Jul/Oct whose window (seed window_months) lies within the months."""
        out = []
        for q_abs in range(self.first_abs + PROGRAM.window_months, self.last_abs + 2):
            if q_abs % 3 == 0:  # quarter starts: Jan, Apr, Jul, Oct
                out.append(date(1970 + q_abs // 12, q_abs % 12 + 1, 15))
        return out


# ---------------------------------------------------------------------------------------------
# Arrow columns with the contract's types


def ids(prefix: str, index: np.ndarray, width: int) -> pa.Array:
    """`prefix` + zero-padded number, e.g. P00000042."""
    # large_string: at SF 10 (41M installs) the padded digits overflow a 32-bit offset array
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(index, dtype=np.int64)), pa.large_string()), width, "0")
    large = pa.large_string()
    joined = pc.binary_join_element_wise(pa.scalar(prefix, large), digits, pa.scalar("", large))
    return joined.cast(pa.string()) if joined.nbytes < 2**31 - len(joined) * 8 else joined


def dict_col(index: np.ndarray, dictionary: pa.Array) -> pa.Array:
    """A string column stored as indices into `dictionary` (cheap for the big feeds)."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(index, dtype=np.int32)), dictionary)


def take(dictionary: pa.Array, index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Plain string column from a lookup array; `mask` True = null."""
    idx = pa.array(np.asarray(index, dtype=np.int64), mask=mask)
    return dictionary.take(idx)


def dec_col(cents: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """DECIMAL(18,2) from integer cents, exact (no float rounding)."""
    c = np.ascontiguousarray(np.asarray(cents, dtype=np.int64))
    words = np.empty((len(c), 2), dtype=np.int64)
    words[:, 0] = c
    words[:, 1] = c >> 63  # sign extension to 128 bits
    validity = None
    null_count = 0
    if mask is not None and mask.any():
        validity = pa.array(~mask).buffers()[1]
        null_count = int(mask.sum())
    return pa.Array.from_buffers(
        pa.decimal128(18, 2), len(c), [validity, pa.py_buffer(words.tobytes())], null_count=null_count
    )


def date_col(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), type=pa.date32(), mask=mask)


def ts_col(seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(seconds, dtype=np.int64) * 1_000_000, type=pa.timestamp("us"), mask=mask)


def int_col(values: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64())


def bool_col(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=bool), type=pa.bool_(), mask=mask)


def str_col(values: np.ndarray | list[str], mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), mask=mask)


def enum_col(labels: tuple[str, ...], index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """String column of enum labels chosen by index."""
    return take(pa.array(list(labels), type=pa.string()), index, mask)
