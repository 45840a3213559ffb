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


# The Excel workbook's text cells: tests/test_extract_workbook.py
# (test_issue13_5_issue15_every_text_cell_is_a_string_never_a_formula).

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


# ---------------------------------------------------------------------------------------------
# End to end: three runs on one landing zone (items 4 and 5)
#   A: --evaluation-date 2026-10-15 with hostile partner names -> v1 of that date, final
#   B: MRR doubled, --all -> the other dates' first versions; 2026-10-15 stays v1 (inputs changed)
#   C: MRR tripled, --all -> nothing published


RUN_DATE = "2027-02-01"
OLD = date(2026, 10, 15)


def _rewrite(landing: Path, feed: str, change) -> None:
    from tests.support.landing import rewrite_parquet_feed

    rewrite_parquet_feed(landing, feed, change)


def _hostile_names(frame: pd.DataFrame) -> pd.DataFrame:
    tech = frame.index[frame["program"] == "technology"][: len(PAYLOADS)]
    frame.loc[tech, "partner_name"] = list(PAYLOADS)
    return frame


def _scale_mrr(factor: int):
    return lambda f: f.assign(mrr_usd=f["mrr_usd"] * factor)


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    import hashlib
    import shutil

    from orchestration.cli import main
    from orchestration.generate import generate_landing

    tmp = tmp_path_factory.mktemp("trust-inputs")
    landing, warehouse = tmp / "landing", tmp / "warehouse.duckdb"
    publish_dir = tmp / "publications"
    generate_landing(landing, scale=0.01, seed=11, last_month=date(2026, 12, 1))
    _rewrite(landing, "partners", _hostile_names)
    base = ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--run-date", RUN_DATE]
    out: dict[str, object] = {"publish_dir": publish_dir, "landing": landing}
    assert main([*base, "--evaluation-date", OLD.isoformat()]) == 0
    _rewrite(landing, "portal_mrr_monthly", _scale_mrr(2))
    assert main([*base, "--all"]) == 0
    snapshot = publish_dir / "analytics.duckdb"
    shutil.copy2(snapshot, tmp / "analytics-after-b.duckdb")
    out["snapshot_b"] = tmp / "analytics-after-b.duckdb"
    out["sha_b"] = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    _rewrite(landing, "portal_mrr_monthly", _scale_mrr(3))
    assert main([*base, "--all"]) == 0
    out["sha_c"] = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    return out


def _current(publish_dir: Path, e: date):
    from orchestration.defs.publication.store import PublicationStore

    return PublicationStore(publish_dir).current(e)


@pytest.mark.e2e
def test_issue13_5_published_extracts_neutralise_hostile_partner_names(three_runs: dict[str, object]) -> None:
    from openpyxl import load_workbook

    v = _current(three_runs["publish_dir"], OLD)
    assert v.version == 1
    with (v.path / "tier_extract.csv").open(newline="", encoding="utf-8") as fh:
        csv_names = {r["partner_name"] for r in csv.DictReader(fh)}
    assert {"'" + p for p in PAYLOADS} <= csv_names
    assert not {n for n in csv_names if n and n[0] in "=+-@\t\r"}
    ws = load_workbook(v.path / "tier_extract.xlsx")["Tiers"]
    header = [c.value for c in ws[1]]
    name_cells = [row[header.index("Partner")] for row in ws.iter_rows(min_row=2)]
    assert {c.value for c in name_cells} >= set(PAYLOADS)
    assert {c.data_type for c in name_cells if c.value is not None} == {"s"}
    con = duckdb.connect()
    raw = {
        r[0]
        for r in con.execute(f"SELECT partner_name FROM read_parquet('{v.path / 'tier_extract.parquet'}')").fetchall()
    }
    assert set(PAYLOADS) <= raw


@pytest.mark.e2e
def test_issue13_4_a_run_that_publishes_nothing_keeps_the_snapshot(three_runs: dict[str, object]) -> None:
    """Run C changed the inputs and published nothing: the snapshot is byte-identical to run B's."""
    assert three_runs["sha_c"] == three_runs["sha_b"]


@pytest.mark.e2e
def test_issue13_4_snapshot_says_which_publication_it_reflects(three_runs: dict[str, object]) -> None:
    con = duckdb.connect(str(three_runs["snapshot_b"]), read_only=True)
    rows = con.execute(
        "SELECT evaluation_date, current_version, marts_from_same_inputs_and_code, marts_run_date"
        " FROM publication.snapshot_source ORDER BY evaluation_date"
    ).fetchall()
    published = {e: _current(three_runs["publish_dir"], e) for e, *_ in rows}
    assert all(v is not None and v.version == 1 for v in published.values()) and len(rows) >= 2
    # 2026-10-15 was published from run A's inputs; every other date from run B's, as the marts
    assert [(e, same) for e, _, same, _ in rows if not same] == [(OLD, False)]
    assert {r[3] for r in rows} == {date.fromisoformat(RUN_DATE)}


@pytest.mark.e2e
def test_issue13_4_portal_shows_the_published_numbers_of_every_published_date(three_runs: dict[str, object]) -> None:
    """The snapshot's marts for 2026-10-15 are run B's recomputation (MRR doubled); the portal's
    chart must still show the published extract's numbers for that date, and for every other."""
    from orchestration.portal.data import PortalData, read_parquet

    metrics = ("attached_mrr", "influenced_deals_mrr", "install_90d_mrr")

    publish_dir = three_runs["publish_dir"]
    portal = PortalData(publish_dir)
    dates = [e for e in portal.store.evaluation_dates() if portal.store.current(e)]
    compared = differ_in_marts = 0
    con = duckdb.connect(str(publish_dir / "analytics.duckdb"), read_only=True)
    for e in dates:
        for row in read_parquet(portal.store.current(e).path / "tier_extract.parquet"):
            series = {s["evaluation_date"]: s for s in portal.partner(e, row["partner_id"]).series}
            assert {k: series[e][k] for k in metrics} == {k: row[k] for k in metrics}
            compared += 1
            mart = con.execute(
                "SELECT attached_mrr FROM marts.fct_technology_partner_metrics"
                " WHERE partner_id = ? AND evaluation_date = ?",
                [row["partner_id"], e],
            ).fetchone()
            differ_in_marts += mart is not None and mart[0] != row["attached_mrr"]
    assert compared > 20
    assert differ_in_marts > 0  # the comparison would have caught the snapshot's recomputed numbers


# ---------------------------------------------------------------------------------------------
# Item 7: future-dated rows, no machine paths in the gate report


def test_issue13_7_future_dated_rows_are_counted_and_listed_as_ignored(tmp_path: Path) -> None:
    """rules.md G3: rows dated after the run date (2025-04-20) have not happened yet: a warning that
    counts and samples them per feed, never a block."""
    import copy

    from tests.test_quality import build_warehouse, clean_feeds, gate

    feeds = copy.deepcopy(clean_feeds())
    install = {**feeds["app_installs"][0], "install_id": "i-future", "installed_at": "2025-04-21T00:00:01"}
    feeds["app_installs"].append(install)
    form = {**feeds["partner_poc_forms"][0], "form_id": "f-future", "submitted_at": "2025-05-02T09:00:00"}
    feeds["partner_poc_forms"] += [form, {**form, "form_id": "f-future-2"}]
    feeds["partner_poc_forms"].append({**form, "form_id": "f-on-the-day", "submitted_at": "2025-04-20T23:59:59"})
    report = gate(build_warehouse(tmp_path, feeds), feeds=["app_installs", "partner_poc_forms", "apps"])
    assert not report.blocked
    future = {c.feed: c for c in report.checks if c.name == "rows_after_run_date"}
    assert set(future) == {"app_installs", "partner_poc_forms", "apps"}
    assert [(c.feed, c.status, c.failing_rows) for c in report.warnings if c.name == "rows_after_run_date"] == [
        ("app_installs", "failed", 1),
        ("partner_poc_forms", "failed", 2),
    ]
    assert future["apps"].passed
    assert [r["form_id"] for r in future["partner_poc_forms"].sample_rows] == ["f-future", "f-future-2"]
    assert future["app_installs"].message == "1 future-dated row"
    markdown = report.to_markdown()
    assert "rows_after_run_date" in markdown and "are ignored (rules.md G3)" in markdown
    assert "run date 2025-04-20" in future["app_installs"].description


def test_issue13_7_gate_report_carries_no_machine_path(tmp_path: Path) -> None:
    from tests.test_quality import build_warehouse, clean_feeds, gate

    report = gate(build_warehouse(tmp_path, clean_feeds()), feeds=["apps"])
    for text in (report.to_markdown(), report.to_html(), report.to_json()):
        assert str(tmp_path) not in text
    assert report.warehouse == "w.duckdb"


@pytest.mark.e2e
def test_issue13_7_published_gate_reports_carry_no_machine_path(three_runs: dict[str, object]) -> None:
    publish_dir: Path = three_runs["publish_dir"]
    root = str(publish_dir.parent)
    reports = sorted(publish_dir.glob("technology_tiers/*/v*/gate_report.*"))
    assert len(reports) >= 4
    for path in reports:
        assert root not in path.read_text(encoding="utf-8"), path
    assert str(Path.home()) + "/" not in "".join(p.read_text(encoding="utf-8") for p in reports)


# ---------------------------------------------------------------------------------------------
# Item 7: input errors that say where and why

MANY_PARTNERS = [
    {"partner_id": f"p{i}", "partner_name": f"Name {i}", "program": "technology", "joined_on": "2024-01-01"}
    for i in range(3000)
]


def _partners_file(tmp_path: Path, edit) -> tuple[Path, Path]:
    """A landing zone whose partners CSV (3,000 rows, ~140 kB) has one physical line edited."""
    from tests.support.landing import write_landing

    landing = write_landing(tmp_path / "landing", {"partners": MANY_PARTNERS})
    path = landing / "partners" / "part-0.csv"
    lines = path.read_bytes().split(b"\n")
    edit(lines)
    path.write_bytes(b"\n".join(lines))
    return landing, path


def _load_error(tmp_path: Path, landing: Path):
    from orchestration.defs.ingest.load import LoadFailed, load_landing

    with pytest.raises(LoadFailed) as exc:
        load_landing(tmp_path / "w.duckdb", landing)
    [error] = exc.value.errors
    return error


@pytest.mark.parametrize("line", [4, 2501])  # in Python's first read buffer (the header read), and far after it
def test_issue13_7_latin1_byte_names_its_line_byte_and_column(tmp_path: Path, line: int) -> None:
    def latin1(lines: list[bytes]) -> None:
        lines[line - 1] = lines[line - 1].replace(b"Name", b"N\xe9me")  # 'Néme' in Latin-1

    landing, path = _partners_file(tmp_path, latin1)
    error = _load_error(tmp_path, landing)
    prefix = len(f"p{line - 2},N")  # the bad byte is the one after this
    assert (error.feed, error.file, error.line, error.column) == ("partners", str(path), line, "partner_name")
    assert error.message == (
        f"the file is not UTF-8 (feeds.md): byte 0xe9, byte {prefix + 1} of the line, is not valid UTF-8"
        " (in Latin-1 it reads 'é': the file looks Latin-1 or Windows-1252 encoded). Save it as UTF-8 and run again."
    )


def test_issue13_7_first_non_utf8_byte_across_block_boundaries(tmp_path: Path) -> None:
    """The scan reads blocks: a character split across two blocks is UTF-8; the byte count is the line's."""
    from orchestration.defs.ingest.load import first_non_utf8_byte

    path = tmp_path / "x.csv"
    path.write_bytes("h\nab\né\n".encode() + b"x\xffz\n")
    found = {block: first_non_utf8_byte(path, block_size=block) for block in (1, 2, 3, 5, 64)}
    assert {b: f[:3] for b, f in found.items()} == dict.fromkeys(found, (4, 2, 0xFF))
    assert found[64][3] == b"x" and {f[3] for f in found.values()} <= {b"x", None}  # prefix: when in memory
    path.write_bytes("h\nab\né\n".encode())
    assert first_non_utf8_byte(path, block_size=3) is None


def test_issue13_7_over_long_line_says_why(tmp_path: Path) -> None:
    def long_value(lines: list[bytes]) -> None:
        lines[5] = lines[5].replace(b"Name 4", b"N" * 2_100_000)  # p4,<value>,technology,,,,,2024-01-01\r

    landing, _ = _partners_file(tmp_path, long_value)
    error = _load_error(tmp_path, landing)
    assert error.line == 6
    assert error.message.startswith(
        "not a valid CSV file: the line is 2,100,030 bytes long, over the 2,000,000 bytes a line may have:"
        " a value this long is not a value of this feed"
    )
    assert len(str(error)) < 600  # the value itself is not repeated


@pytest.mark.parametrize(
    ("feed", "row", "column", "why"),
    [
        (
            "portal_mrr_monthly",
            {"portal_id": "x", "month": "2025-01-01", "product_line": "sales_hub", "edition": "starter",
             "mrr_usd": "12345678901234567890.00"},
            "mrr_usd",
            "value '12345678901234567890.00' is not a valid dec (DECIMAL(18,2)): it has 20 digits before the"
            " decimal point and DECIMAL(18,2) holds at most 16",
        ),
        (
            "app_usage_monthly",
            {"app_id": "a", "portal_id": "x", "month": "2025-01-01", "api_calls": "99999999999999999999"},
            "api_calls",
            "value '99999999999999999999' is not a valid int (BIGINT): it is outside the range of BIGINT"
            " (at most 9,223,372,036,854,775,807 either way)",
        ),
        (
            "app_usage_monthly",
            {"app_id": "a", "portal_id": "x", "month": "2025-01-01" + "x" * 500, "api_calls": "1"},
            "month",
            f"value {'2025-01-01' + 'x' * 70!r}... (510 characters) is not a valid date (DATE): expected a date"
            " YYYY-MM-DD",
        ),
    ],
)  # fmt: skip
def test_issue13_7_over_long_value_says_why_it_failed(
    tmp_path: Path, feed: str, row: dict[str, str], column: str, why: str
) -> None:
    from tests.support.landing import write_landing

    error = _load_error(tmp_path, write_landing(tmp_path / "landing", {feed: [row]}))
    assert (error.feed, error.line, error.column, error.message) == (feed, 2, column, why)


def test_issue13_7_csv_parse_error_gives_duckdbs_reason_not_only_its_line(tmp_path: Path) -> None:
    from tests.support.landing import write_landing

    landing = write_landing(tmp_path / "landing", {"partners": MANY_PARTNERS[:3]})
    path = landing / "partners" / "part-0.csv"
    path.write_bytes(path.read_bytes() + b'p9,"never closed,technology,,,,,2024-01-01\n')
    error = _load_error(tmp_path, landing)
    assert (error.line, error.message) == (
        5,
        "not a valid CSV file: Value with unterminated quote found. (Invalid Input Error: CSV Error on Line: 5)",
    )
