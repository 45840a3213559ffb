"""The column-wise row writer of the workbooks (issue 18 item 5; issue 13 item 5): what openpyxl and
an XML parser read back from the rows it writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.utils.escape import unescape

from orchestration.defs.publication.sheet_rows import SheetColumn, rows_buffer, rows_xml, splice_rows

TRICKY = [
    '=HYPERLINK("http://x")',
    "@SUM(1)",
    "#N/A",
    'a & b <c> "d"',
    "  padded  ",
    "bell\x07",
    "_x0041_",
    "\r=1+1",
    "line\nbreak",
]


def _written(tmp_path: Path, columns: list[SheetColumn]) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(["header"] * len(columns))
    target = tmp_path / "t.xlsx"
    wb.save(target)
    splice_rows(target, {1: rows_buffer(columns, first_row=2, heights=[30.0] + [None] * (len(columns[0].values) - 1))})
    return target


def test_issue13_5_text_stays_text_escaped_and_lossless(tmp_path: Path) -> None:
    target = _written(tmp_path, [SheetColumn("A", pd.Series(TRICKY), 0)])
    ws = load_workbook(target)["Data"]
    cells = [ws.cell(row=r, column=1) for r in range(2, 2 + len(TRICKY))]
    assert all(c.data_type == "s" for c in cells)  # never a formula ('f') nor an error ('e')
    assert [unescape(c.value) for c in cells] == TRICKY  # the control character and "_x" round-trip
    assert ws.row_dimensions[2].height == 30.0


def test_numbers_dates_booleans_and_empty_cells_keep_their_type_and_column(tmp_path: Path) -> None:
    columns = [
        SheetColumn("A", pd.Series([1.25, None, 1e-7]), 0),
        SheetColumn("B", pd.Series([Decimal("12.30"), 7, "Yes"], dtype=object), 0),
        SheetColumn("C", pd.Series([date(2027, 1, 15), None, pd.Timestamp("2024-02-29")], dtype=object), 0),
        SheetColumn("D", pd.Series([True, False, True]), 0),
    ]
    ws = load_workbook(_written(tmp_path, columns))["Data"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=4, max_col=4)]
    # openpyxl reads a date serial as a number without a date format: 46402 is 2027-01-15.
    assert rows == [[1.25, 12.3, 46402, True], [None, 7, None, False], [1e-7, "Yes", 45351, True]]


def test_the_sheet_xml_is_well_formed(tmp_path: Path) -> None:
    import zipfile

    target = _written(
        tmp_path, [SheetColumn("A", pd.Series(TRICKY), 0), SheetColumn("B", pd.Series(range(len(TRICKY))), 0)]
    )
    with zipfile.ZipFile(target) as z:
        etree.fromstring(z.read("xl/worksheets/sheet1.xml"))  # raises on a malformed document


def test_an_empty_cell_is_written_only_when_styled_and_styles_follow_their_rows() -> None:
    import numpy as np

    columns = [
        SheetColumn("A", pd.Series([None, "x", None]), np.array([3, 0, 0])),
        SheetColumn("B", pd.Series([1, 2, 3]), 5),
    ]
    assert rows_xml(columns, first_row=7, heights=[None, 12.5, None]) == (
        '<row r="7"><c r="A7" s="3"/><c r="B7" s="5"><v>1</v></c></row>'
        '<row r="8" ht="12.5" customHeight="1"><c r="A8" t="inlineStr"><is><t xml:space="preserve">x</t></is></c>'
        '<c r="B8" s="5"><v>2</v></c></row>'
        '<row r="9"><c r="B9" s="5"><v>3</v></c></row>'
    )
