"""Issue 13 items 4-7 (trust in the inputs and in what is published): formula injection in the
extracts, unknown and vanished feed folders, input errors that say where and why, the analytics
snapshot as of the last publication, and published gate reports without the machine's paths."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

# Issue 13 item 5: the six payloads of the issue (OWASP CSV injection), plus an error literal.
PAYLOADS = (
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
)
E = date(2027, 1, 15)


# ---------------------------------------------------------------------------------------------
# Item 5: formula injection


def _payload_table(con: duckdb.DuckDBPyConnection) -> str:
    """A query shaped like an extract: text columns carrying the payloads, a negative number, a date."""
    rows = [(f"P{i}", p, -12.5 if i == 0 else float(i), E) for i, p in enumerate(PAYLOADS)]
    rows.append((f"P{len(PAYLOADS)}", "plain name", 3.0, E))
    frame = pd.DataFrame(rows, columns=["partner_id", "partner_name", "attached_mrr", "evaluation_date"])
    con.register("payload_frame", frame)
    return (
        "SELECT partner_id, partner_name, CAST(attached_mrr AS DECIMAL(18,2)) AS attached_mrr,"
        " CAST(evaluation_date AS DATE) AS evaluation_date FROM payload_frame WHERE evaluation_date = $e"
    )


def test_issue13_5_csv_text_cells_starting_with_a_formula_trigger_get_a_leading_quote(tmp_path: Path) -> None:
    from orchestration.defs.publication.publish import _copy

    con = duckdb.connect()
    sql = _payload_table(con)
    _copy(con, sql, E, tmp_path / "x.csv", "csv")
    _copy(con, sql, E, tmp_path / "x.parquet", "parquet")
    with (tmp_path / "x.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = [r["partner_name"] for r in rows]
    assert names == ["'" + p for p in PAYLOADS] + ["plain name"]
    # numbers stay numbers, even negative ones (only text columns are neutralised)
    assert [r["attached_mrr"] for r in rows][:2] == ["-12.50", "1.00"]
    assert rows[0]["evaluation_date"] == "2027-01-15"
    # Parquet keeps the raw values
    raw = [r[0] for r in con.execute(f"SELECT partner_name FROM read_parquet('{tmp_path / 'x.parquet'}')").fetchall()]
    assert raw == [*PAYLOADS, "plain name"]


def test_issue13_5_xlsx_text_cells_are_strings_never_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from orchestration.defs.publication.publish import write_xlsx

    frame = pd.DataFrame(
        {
            "partner_name": [*PAYLOADS, "#N/A", "plain"],
            "attached_mrr": [-2.0] + [1.0] * (len(PAYLOADS) + 1),
        }
    )
    path = tmp_path / "x.xlsx"
    write_xlsx(frame, path)
    ws = load_workbook(path).active
    cells = [ws.cell(r, 1) for r in range(2, len(frame) + 2)]
    assert [c.data_type for c in cells] == ["s"] * len(frame)
    assert [c.value for c in cells] == [*PAYLOADS, "#N/A", "plain"]
    assert ws.cell(2, 2).value == -2.0 and ws.cell(2, 2).data_type == "n"
