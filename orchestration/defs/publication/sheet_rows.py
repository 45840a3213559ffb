"""The data rows of a large sheet as SpreadsheetML, built column by column (issue 18 item 5).

openpyxl makes two Python objects per cell and serialises each on its own: 8–10 CPU s for one tier
workbook of 2,000 partners and 56,000 requirement rows (SF 1), nine dates and two languages per run.
Here a column's cells are one vectorised string expression (its reference, style id, type and
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

# Characters XML 1.0 cannot hold, and "_x" + four hex digits + "_" (it would read as an escape).
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial day 0 (Excel's 1900 system, past the leap-year bug)


@dataclass(frozen=True)
class SheetColumn:
    """One column's cells: its letter, its values and the style id (cellXfs index) of each cell."""

    letter: str
    values: pd.Series
    styles: np.ndarray | int


def _escape_text(texts: pd.Series) -> pd.Series:
    out = texts.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False)
    # A raw CR would come back as LF (XML's line-end normalisation): a character reference keeps it.
    out = out.str.replace(">", "&gt;", regex=False).str.replace("\r", "&#13;", regex=False)
    if _UNSAFE.search("\n".join(out)):  # one scan of the whole column; LF is safe and ends no escape
        out = out.str.replace(_UNSAFE, lambda m: f"_x{ord(m.group(0)[0]):04X}_", regex=True)
    return out


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


def column_cells(column: SheetColumn, row_numbers: np.ndarray) -> np.ndarray:
    """The `<c>` element of every cell of one column (an empty string for an empty, unstyled cell)."""
    n = len(column.values)
    values = column.values.reset_index(drop=True)
    styles = np.broadcast_to(np.asarray(column.styles, dtype=np.int64), (n,))
    kinds = _kinds(values)
    style_attr = np.where(styles > 0, np.char.add(np.char.add(' s="', styles.astype(str)), '"'), "").astype(object)
    head = f'<c r="{column.letter}' + row_numbers.astype(object) + '"' + style_attr
    out = np.where(styles > 0, head + "/>", "").astype(object)
    for kind, typed, open_, close in (
        ("text", _escape_text, ' t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"),
        ("number", _number_text, "><v>", "</v></c>"),
        ("bool", _number_text, ' t="b"><v>', "</v></c>"),
        ("date", _date_serials, "><v>", "</v></c>"),
    ):
        mask = kinds == kind
        if mask.any():
            written = typed(values[mask].astype(str) if kind == "text" else values[mask]).to_numpy(dtype=object)
            out[mask] = head[mask] + open_ + written + close
    return out


def rows_xml(columns: Sequence[SheetColumn], first_row: int, heights: Sequence[float | None] | None = None) -> str:
    """The `<row>` elements of the columns' rows, numbered from `first_row`; `heights` in points
    (None keeps the default height)."""
    n = len(columns[0].values) if columns else 0
    if n == 0:
        return ""
    numbers = np.arange(first_row, first_row + n).astype(str)
    cells = [column_cells(c, numbers) for c in columns]
    opens = '<row r="' + numbers.astype(object) + '"'
    if heights is not None:
        ht = np.array(["" if h is None else f' ht="{h:g}" customHeight="1"' for h in heights], dtype=object)
        opens = opens + ht
    rows = opens + ">"
    for c in cells:
        rows = rows + c
    return "".join(rows + "</row>")


def splice_rows(path: Path, rows_by_sheet: dict[int, str]) -> None:
    """Append rows to sheets of a written workbook: `rows_by_sheet` maps a sheet's position (1 = the
    first sheet created) to the `<row>` elements that follow the rows openpyxl wrote."""
    part = "xl/worksheets/sheet{}.xml"
    tmp = path.with_name(f".{path.name}.rows")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            position = next((i for i in rows_by_sheet if info.filename == part.format(i)), None)
            if position is not None:
                text = data.decode("utf-8")
                # write-only mode writes <sheetData> with its header row, closed once; an empty
                # sheet comes out as <sheetData/>.
                if "</sheetData>" in text:
                    text = text.replace("</sheetData>", rows_by_sheet[position] + "</sheetData>", 1)
                else:
                    text = text.replace("<sheetData/>", f"<sheetData>{rows_by_sheet[position]}</sheetData>", 1)
                data = text.encode("utf-8")
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(path)
