"""The data rows of a large sheet as SpreadsheetML, built column by column (issue 18 item 5).

openpyxl makes two Python objects per cell and serialises each on its own: 8–10 CPU s for one tier
workbook of 2,000 partners and 56,000 requirement rows (SF 1), nine dates and two languages per run.
Here a column's cells are one vectorised Arrow string join (its reference, style id, type and
escaped value), the rows are joined once, and the result replaces the empty `<sheetData>` tail of a
sheet openpyxl wrote with its header only. openpyxl keeps what it does well and what the partner
manager sees besides the rows: styles, widths, panes, filter, print settings, the Read me sheet.

Every text is an inline string (`t="inlineStr"`): never a formula and never an error code, whatever
it starts with (issue 13 item 5: a partner named `=HYPERLINK(...)`, `@SUM(1)` or `#N/A` stays text).
Markup characters and CR are escaped; the control characters XML 1.0 cannot carry are written as the
format's own `_xHHHH_` escape (ECMA-376 ST_Xstring), as is a literal `_x` that would read as one.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Characters XML 1.0 cannot hold, and "_x" + four hex digits + "_" (it would read as an escape).
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial day 0 (Excel's 1900 system, past the leap-year bug)


@dataclass(frozen=True)
class SheetColumn:
    """One column's cells: its letter, its values and the style id (cellXfs index) of each cell."""

    letter: str
    values: pd.Series
    styles: np.ndarray | int


def _kind(value: object) -> str:
    if value is None or value is pd.NaT:
        return "empty"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, datetime | date | pd.Timestamp | np.datetime64):
        return "empty" if pd.isna(value) else "date"
    if isinstance(value, int | float | Decimal | np.number):
        return "empty" if pd.isna(value) else "number"
    raise TypeError(f"cannot write a {type(value).__name__} cell: {value!r}")


def _kinds(values: pd.Series) -> np.ndarray:
    """The kind of every cell: from the dtype when it says, per value for an object column."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        kinds = np.full(len(values), "bool", dtype=object)
    elif pd.api.types.is_numeric_dtype(dtype):
        kinds = np.full(len(values), "number", dtype=object)
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        kinds = np.full(len(values), "date", dtype=object)
    elif pd.api.types.infer_dtype(values, skipna=True) == "string":
        kinds = np.full(len(values), "text", dtype=object)
    else:
        return values.map(_kind).to_numpy(dtype=object)
    kinds[values.isna().to_numpy()] = "empty"
    return kinds


def _number_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(int).astype(str)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype(str)
    return values.map(lambda v: str(int(v)) if isinstance(v, bool | np.bool_) else str(v))


def _date_serials(values: pd.Series) -> pd.Series:
    days = (pd.to_datetime(values) - _EXCEL_EPOCH) / pd.Timedelta(days=1)
    whole = days == days.round()
    if whole.all():  # dates without a time of day: whole serial numbers
        return days.astype("int64").astype(str)
    return days.map(lambda d: f"{d:.10g}")


# Per kind of cell: what follows the cell's reference and style, and what closes it. An empty cell
# is written only when styled (`<c r=".." s=".."/>`).
_KINDS = ("empty", "text", "number", "bool", "date")
_OPEN = pa.array(["/>", ' t="inlineStr"><is><t xml:space="preserve">', "><v>", ' t="b"><v>', "><v>"], pa.large_string())
_CLOSE = pa.array(["", "</t></is></c>", "</v></c>", "</v></c>", "</v></c>"], pa.large_string())
# RE2 has no look-ahead: this finds every value _UNSAFE rewrites (and a few it leaves alone).
_UNSAFE_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]|_x[0-9A-Fa-f]{4}_"


def _s(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _arrow_text(texts: pd.Series) -> pa.Array:
    """`texts` escaped for XML, as Arrow strings: markup characters and CR as references (a raw CR would
    come back as LF, XML's line-end normalisation), then _UNSAFE's characters as `_xHHHH_`."""
    out = pa.array(texts, type=pa.large_string(), from_pandas=True)
    for char, ref in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        out = pc.replace_substring(out, char, ref)
    unsafe = pc.match_substring_regex(out, _UNSAFE_RE2).to_numpy(zero_copy_only=False)
    if unsafe.any():  # rare: the control characters and "_x" escapes, through Python
        fixed = pd.Series(out.filter(pa.array(unsafe)).to_pylist()).str.replace(
            _UNSAFE, lambda m: f"_x{ord(m.group(0)[0]):04X}_", regex=True
        )
        out = pc.replace_with_mask(out, pa.array(unsafe), pa.array(fixed, type=pa.large_string()))
    return out


def column_cells(column: SheetColumn, row_numbers: pa.Array) -> pa.Array:
    """The `<c>` element of every cell of one column (an empty string for an empty, unstyled cell), as
    one Arrow string array: the cells of 56,000 rows are a few vectorised joins, not 56,000 Python
    strings (pandas 3 keeps text in Arrow, and iterating it from Python cost more than the rest)."""
    n = len(column.values)
    values = column.values.reset_index(drop=True)
    styles = np.broadcast_to(np.asarray(column.styles, dtype=np.int64), (n,))
    codes = np.zeros(n, dtype=np.int8)
    kinds = _kinds(values)
    text = pa.nulls(n, pa.large_string())
    for code, kind in enumerate(_KINDS[1:], start=1):
        mask = kinds == kind
        if not mask.any():
            continue
        codes[mask] = code
        subset = values[mask]
        if kind == "text":
            written = _arrow_text(subset.astype(str))
        else:
            typed = _date_serials(subset) if kind == "date" else _number_text(subset)
            written = pa.array(typed.to_numpy(dtype=object), type=pa.large_string())
        text = pc.replace_with_mask(text, pa.array(mask), written)
    unique, index = np.unique(styles, return_inverse=True)
    style_attr = pa.array([f' s="{s}"' if s > 0 else "" for s in unique], pa.large_string()).take(index)
    code_array = pa.array(codes)
    cells = pc.binary_join_element_wise(
        _s(f'<c r="{column.letter}'),
        row_numbers,
        _s('"'),
        style_attr,
        _OPEN.take(code_array),
        text.fill_null(""),
        _CLOSE.take(code_array),
        _s(""),
    )
    blank = pa.array((codes == 0) & (styles <= 0))
    return pc.if_else(blank, _s(""), cells) if blank.true_count else cells


def rows_buffer(
    columns: Sequence[SheetColumn], first_row: int, heights: Sequence[float | None] | None = None
) -> bytes | pa.Buffer:
    """The `<row>` elements of the columns' rows as UTF-8, numbered from `first_row`; `heights` in
    points (None keeps the default height). Arrow's buffer itself: the rows of a large sheet (hundreds
    of MB at SF 10) are never copied into a Python string."""
    n = len(columns[0].values) if columns else 0
    if n == 0:
        return b""
    numbers = pc.cast(pa.array(np.arange(first_row, first_row + n)), pa.large_string())
    height = pa.array([""] * n, pa.large_string())
    if heights is not None:
        height = pa.array(["" if h is None else f' ht="{h:g}" customHeight="1"' for h in heights], pa.large_string())
    rows = pc.binary_join_element_wise(
        _s('<row r="'), numbers, _s('"'), height, _s(">"), *(column_cells(c, numbers) for c in columns),
        _s("</row>"), _s(""),
    )  # fmt: skip
    return pc.binary_join(pa.LargeListArray.from_arrays(pa.array([0, n], pa.int64()), rows), _s(""))[0].as_buffer()


def rows_xml(columns: Sequence[SheetColumn], first_row: int, heights: Sequence[float | None] | None = None) -> str:
    """rows_buffer as text."""
    return bytes(rows_buffer(columns, first_row, heights)).decode("utf-8")


# zlib's fastest level: a third of the CPU of the default (6) for a workbook ~25 % larger (a tier
# workbook of 56,000 requirement rows: 0.75 -> 0.25 s).
_LEVEL = 1


def splice_rows(path: Path, rows_by_sheet: dict[int, bytes | pa.Buffer]) -> None:
    """Append rows to sheets of a written workbook: `rows_by_sheet` maps a sheet's position (1 = the
    first sheet created) to the `<row>` elements (UTF-8, rows_buffer) that follow the rows openpyxl
    wrote. The rows are streamed into the zip entry between the sheet's head and tail."""
    part = "xl/worksheets/sheet{}.xml"
    tmp = path.with_name(f".{path.name}.rows")
    with (
        zipfile.ZipFile(path) as src,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            position = next((i for i in rows_by_sheet if info.filename == part.format(i)), None)
            if position is None:
                dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=_LEVEL)
                continue
            rows = memoryview(rows_by_sheet[position])
            # write-only mode writes <sheetData> with its header row, closed once; an empty sheet comes
            # out as <sheetData/>.
            if b"</sheetData>" in data:
                head, tail = data.split(b"</sheetData>", 1)
                tail = b"</sheetData>" + tail
            else:
                head, tail = data.split(b"<sheetData/>", 1)
                head, tail = head + b"<sheetData>", b"</sheetData>" + tail
            size = len(head) + rows.nbytes + len(tail)
            with dst.open(info.filename, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as out:
                out.write(head)
                out.write(rows)
                out.write(tail)
    tmp.replace(path)
