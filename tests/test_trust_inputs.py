"""Issue 13 items 4-7 (trust in the inputs and in what is published): formula injection in the
extracts, unknown and vanished feed folders, input errors that say where and why, the analytics
snapshot as of the last publication, and published gate reports without the machine's paths."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

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


# ---------------------------------------------------------------------------------------------
# Item 6: unknown and vanished feed folders

CERTS = [{"app_id": "a1", "certified_on": "2025-01-01", "expires_on": "2026-01-01", "status": "active"}]


@pytest.fixture()
def certified(tmp_path: Path) -> tuple[Path, Path]:
    """A landing zone whose optional app_certifications feed was loaded once, with one file."""
    from orchestration.defs.ingest.load import load_landing
    from tests.support.landing import write_landing

    landing = write_landing(tmp_path / "landing", {"app_certifications": CERTS})
    db = tmp_path / "w.duckdb"
    load_landing(db, landing)
    return landing, db


def _raw_count(db: Path, feed: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM raw.{feed}").fetchone()[0]
    finally:
        con.close()


def test_issue13_6_unknown_folder_is_warned_naming_the_closest_feed(certified: tuple[Path, Path]) -> None:
    from orchestration.defs.ingest.load import load_landing

    landing, db = certified
    (landing / "app_instals").mkdir()
    (landing / "holiday_photos").mkdir()
    said: list[str] = []
    report = load_landing(db, landing, progress=said.append)
    assert report.warnings == [
        "landing folder 'app_instals' is not a feed of the contract and was not read;"
        " did you mean 'app_installs'? Rename the folder to load it.",
        "landing folder 'holiday_photos' is not a feed of the contract and was not read.",
    ]
    assert [m for m in said if "landing folder" in m] == [f"load: warning: {w}" for w in report.warnings]


def test_issue13_6_renamed_optional_feed_blocks_the_load(certified: tuple[Path, Path]) -> None:
    from orchestration.defs.ingest.load import LoadFailed, load_landing

    landing, db = certified
    (landing / "app_certifications").rename(landing / "app_certification")
    with pytest.raises(LoadFailed) as exc:
        load_landing(db, landing)
    [error] = exc.value.errors
    assert error.feed == "app_certifications"
    assert "last load had 1 file(s) (is 'app_certification' this feed, misspelled?)" in error.message
    assert "--allow-missing app_certifications" in error.message
    assert _raw_count(db, "app_certifications") == 1  # nothing changed


def test_issue13_6_emptied_optional_feed_blocks_even_with_force_reload(certified: tuple[Path, Path]) -> None:
    from orchestration.defs.ingest.load import LoadFailed, load_landing

    landing, db = certified
    for f in (landing / "app_certifications").iterdir():
        f.unlink()
    with pytest.raises(LoadFailed, match="optional feed folder .*app_certifications is missing or empty"):
        load_landing(db, landing, force=True)


def test_issue13_6_allow_missing_lets_an_optional_feed_end(certified: tuple[Path, Path]) -> None:
    from orchestration.defs.ingest.load import load_landing

    landing, db = certified
    (landing / "app_certifications").rename(landing / "old_certs")
    report = load_landing(db, landing, allow_missing=["app_certifications"])
    assert report.feeds["app_certifications"].status == "absent_optional"
    assert _raw_count(db, "app_certifications") == 0
    assert any("'app_certifications' is gone and allowed to be" in w for w in report.warnings)
    # the feed's absence is now the last load: the next run needs no flag
    assert load_landing(db, landing).feeds["app_certifications"].status == "unchanged"


def test_issue13_6_optional_feed_never_loaded_may_be_absent(tmp_path: Path) -> None:
    from orchestration.defs.ingest.load import load_landing
    from tests.support.landing import write_landing

    landing = write_landing(tmp_path / "landing", {})
    report = load_landing(tmp_path / "w.duckdb", landing)
    assert report.feeds["app_certifications"].status == "absent_optional" and report.warnings == []


def test_issue13_6_allow_missing_names_only_optional_feeds(certified: tuple[Path, Path]) -> None:
    from orchestration.defs.ingest.load import LoadFailed, load_landing

    landing, db = certified
    with pytest.raises(LoadFailed, match="--allow-missing partners: not an optional feed"):
        load_landing(db, landing, allow_missing=["partners"])


def test_issue13_6_cli_run_refuses_a_vanished_feed_and_accepts_allow_missing(
    certified: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Through `partner-warehouse run`: the vanished feed fails the run (exit 1, the sentence on
    stderr); `--allow-missing` reaches the loader (the run then goes on, which is not tested here)."""
    from orchestration.cli import build_parser, main

    landing, db = certified
    (landing / "app_certifications").rename(landing / "app_certification")
    base = ["run", "--landing", str(landing), "--warehouse", str(db), "--run-date", "2027-02-01", "--all"]
    assert main(base) == 1
    err = capsys.readouterr().err
    assert "feed 'app_certifications'" in err and "--allow-missing app_certifications" in err
    args = build_parser().parse_args([*base, "--allow-missing", "app_certifications", "--allow-missing", "x"])
    assert args.allow_missing == ["app_certifications", "x"]
