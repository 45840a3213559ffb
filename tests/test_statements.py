"""Solutions commission statements published per quarter like the tiers (issue 15 item 3).

The landing zone is hand-built (tests/statements_fixture.py) and goes through the whole pipeline
once; the tests read the published files back (Parquet, CSV, XLSX) and assert the values of
rules.md Part B: the document's 740 -> 148 -> 444 example (B9), sold and managed MRR by month (D18,
D19), the lines not credited with their outcome in words (B1, B6, D16); then the publication's
guarantees shared with the tiers: complete quarters only, immutable versions, verify, republication
only with a reason, formula-safe CSV and XLSX.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from orchestration import cli
from orchestration.calendar import OPEN_FROM, OPEN_TO
from orchestration.defs.publication import statements as statements_module
from orchestration.defs.publication.publish import PublicationIntegrityError
from orchestration.defs.publication.statements import (
    SHEETS,
    evaluation_date_after,
    publish_statements,
    statement_quarters,
    statement_store,
)
from orchestration.defs.publication.store import decide, sha256_file
from orchestration.program import read_seed
from orchestration.settings import PROJECT_ROOT
from tests.statements_fixture import FORMULA_NAME, Q1, Q2, build_statements
from tests.strategies.solutions import RUN_DATE


def _parquet(path: Path) -> list[dict[str, Any]]:
    con = duckdb.connect()
    try:
        cur = con.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# Fast: the rule and the seed


def test_a_statement_is_final_from_its_first_version_and_never_silently_replaced() -> None:
    """store.decide without a POC window (window_open=False): v1, then nothing without --republish."""
    first = decide(None, evaluation_date=Q1, run_date=RUN_DATE, inputs_fingerprint="a", code_version="c",
                   window_open=False)  # fmt: skip
    assert (first.publish, first.version, first.reason) == (True, 1, "first publication")


def test_every_b6_outcome_has_words_and_a_rule_in_the_seed() -> None:
    """B6's closed list (the mart's accepted_values) and seeds/solutions_deal_line_outcomes.csv agree."""
    models = yaml.safe_load((PROJECT_ROOT / "dbt_project/models/marts/solutions/_solutions__models.yml").read_text())
    credits = next(m for m in models["models"] if m["name"] == "fct_deal_line_credits")
    column = next(c for c in credits["columns"] if c["name"] == "outcome")
    accepted = next(t["accepted_values"]["arguments"]["values"] for t in column["data_tests"] if "accepted_values" in t)
    seed = read_seed("solutions_deal_line_outcomes")
    assert [r["outcome"] for r in seed] == accepted
    assert all(r["rule_id"].strip() and r["explanation"].strip() for r in seed)


def test_a_statement_renamed_into_place_before_current_json_is_adopted_by_recover(tmp_path: Path) -> None:
    """The statements' store is the tiers' (issue 13 item 2): a complete version that current.json
    does not name yet is adopted; it is keyed by `quarter_start` in its manifest, not `evaluation_date`."""
    store = statement_store(tmp_path)
    staging = store.new_staging(Q1)
    (staging / "payouts.csv").write_text("partner_id,payout_usd\nsp1,444.00\n", encoding="utf-8")
    files = {"payouts.csv": {"sha256": sha256_file(staging / "payouts.csv")}}
    manifest = {"quarter_start": Q1.isoformat(), "version": 1, "final": True, "files": files}
    (staging / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    store.date_dir(Q1).mkdir(parents=True)
    staging.rename(store.date_dir(Q1) / "v1")  # the run died before current.json
    assert store.current(Q1) is None and store.uncommitted(Q1)[0][1] == []
    assert store.recover() == [f"{Q1}: adopted v1, complete and verified but not yet current (a run stopped)"]
    assert store.current(Q1).version == 1 and store.verify_all() == []
    assert (tmp_path / "solutions_statements" / Q1.isoformat() / "current.json").is_file()


def test_the_statement_of_a_quarter_is_published_at_the_next_evaluation_date() -> None:
    assert evaluation_date_after(date(2026, 10, 1)) == date(2027, 1, 15)
    assert evaluation_date_after(Q1) == date(2025, 4, 15)


# ---------------------------------------------------------------------------------------------
# End to end: one pipeline run over the hand-built landing zone


@pytest.fixture(scope="module")
def statements(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_statements(tmp_path_factory.mktemp("statements"))


def _current(publish_dir: Path, q: date) -> Path:
    v = statement_store(publish_dir).current(q)
    assert v is not None, f"no statement published for {q}"
    return v.path


@pytest.mark.e2e
def test_b9_document_example_740_148_444_in_the_statement(statements: dict[str, Any]) -> None:
    """rules.md B9: Marketing Hub Pro at 740 a month -> 148 a month -> 444 a quarter, in every format."""
    for q in (Q1, Q2):
        folder = _current(statements["publish_dir"], q)
        accruals = [a for a in _parquet(folder / "accruals.parquet") if a["partner_id"] == "sp1"]
        assert [a["month"] for a in accruals] == [date(q.year, q.month + i, 1) for i in range(3)]
        for a in accruals:
            assert (a["deal_id"], a["portal_id"], a["product_line"]) == ("d1", "po1", "marketing_hub")
            assert (a["mrr_base_usd"], a["commission_rate"], a["accrual_usd"]) == (
                Decimal("740.00"), Decimal("0.2000"), Decimal("148.00"))  # fmt: skip
            assert a["rule_id"] == "B9 D20" and a["commission_program"] == "standard"
        assert [a["month_number"] for a in accruals] == ([1, 2, 3] if q == Q1 else [4, 5, 6])  # D20: month 1 = close
        [payout] = [p for p in _parquet(folder / "payouts.parquet") if p["partner_id"] == "sp1"]
        assert (payout["payout_usd"], payout["accrual_count"]) == (Decimal("444.00"), 3)
        with (folder / "payouts.csv").open(encoding="utf-8") as fh:
            assert {r["partner_id"]: r["payout_usd"] for r in csv.DictReader(fh)}["sp1"] == "444.00"

    from openpyxl import load_workbook

    wb = load_workbook(_current(statements["publish_dir"], Q1) / "statement.xlsx", read_only=True)
    try:
        assert wb.sheetnames == [*SHEETS.values(), "Read me"]
        rows = list(wb["Payouts"].iter_rows(values_only=True))
        header = list(rows[0])
        sp1 = dict(zip(header, next(r for r in rows[1:] if r[0] == "sp1"), strict=True))
        assert sp1["payout_usd"] == 444.0
        cells = next(r for r in wb["Payouts"].iter_rows() if r[0].value == "sp1")
        money = {header[i]: c.number_format for i, c in enumerate(cells) if header[i].endswith(("_usd", "_mrr"))}
        assert money == dict.fromkeys(("payout_usd", "last_month_sold_mrr", "last_month_managed_mrr"), "#,##0.00")
        accrual_rows = list(wb["Accruals"].iter_rows(values_only=True))
        assert [r[accrual_rows[0].index("accrual_usd")] for r in accrual_rows[1:]] == [148.0, 148.0, 148.0]
    finally:
        wb.close()
    manifest = json.loads((_current(statements["publish_dir"], Q1) / "manifest.json").read_text())
    assert manifest["totals"] == {"partners": 3, "partners_paid": 1, "payout_usd": "444.00"}
    assert manifest["files"]["statement.xlsx"]["rows"] == {"Payouts": 3, "Accruals": 3, "Monthly MRR": 9,
                                                          "Not credited": 4, "Read me": 19}  # fmt: skip
    assert manifest["quarter"] == "2025-Q1" and manifest["final"] is True


@pytest.mark.e2e
def test_sold_and_managed_mrr_by_month(statements: dict[str, Any]) -> None:
    """D18: a new sale counts fully as sold MRR; D19: an asset edit makes the portal managed that month,
    a login does not."""
    monthly = _parquet(_current(statements["publish_dir"], Q1) / "monthly_mrr.parquet")
    sp1 = {r["month"]: r for r in monthly if r["partner_id"] == "sp1"}
    assert {m.month: r["sold_mrr"] for m, r in sp1.items()} == {1: Decimal("740.00"), 2: Decimal("740.00"),
                                                                 3: Decimal("740.00")}  # fmt: skip
    assert {m.month: r["managed_mrr"] for m, r in sp1.items()} == {1: 0, 2: Decimal("740.00"), 3: 0}
    assert {m.month: r["commission_accrued_usd"] for m, r in sp1.items()} == {m: Decimal("148.00") for m in (1, 2, 3)}
    # every partner of the statement has its three months, zeros included (the chart's grid)
    assert sorted((r["partner_id"], r["month"].month) for r in monthly) == [
        (p, m) for p in ("sp1", "sp2", "sp3") for m in (1, 2, 3)
    ]


@pytest.mark.e2e
def test_lines_not_credited_say_why_in_words(statements: dict[str, Any]) -> None:
    """B1 (overage), B6 (one partner per deal: credited to another), D16 (no valid POI)."""
    rows = _parquet(_current(statements["publish_dir"], Q1) / "not_credited.parquet")
    got = {(r["partner_id"], r["deal_id"], r["product_line"]): r for r in rows}
    assert set(got) == {
        ("sp1", "d1", "credit_overage"),
        ("sp2", "d1", "credit_overage"),
        ("sp2", "d1", "marketing_hub"),
        ("sp3", "d2", "sales_hub"),
    }
    overage = got[("sp1", "d1", "credit_overage")]
    assert (overage["outcome"], overage["rule_id"]) == ("credit_overage", "B1")
    assert overage["outcome_explained"] == "Credit overages are never credited or commissioned."
    other = got[("sp2", "d1", "marketing_hub")]
    assert (other["outcome"], other["credited_partner_id"], other["partner_role"]) == ("credited", "sp1", "invited")
    assert other["outcome_explained"].startswith("Credited to another partner of the deal")
    no_poi = got[("sp3", "d2", "sales_hub")]
    assert (no_poi["outcome"], no_poi["rule_id"], no_poi["line_mrr_usd"]) == ("no_valid_poi", "B4 D16", Decimal("300"))
    payouts = {p["partner_id"]: p for p in _parquet(_current(statements["publish_dir"], Q1) / "payouts.parquet")}
    assert {p: (r["credited_lines"], r["not_credited_lines"], r["payout_usd"]) for p, r in payouts.items()} == {
        "sp1": (1, 1, Decimal("444.00")),
        "sp2": (0, 2, Decimal("0.00")),
        "sp3": (0, 1, Decimal("0.00")),
    }


@pytest.mark.e2e
def test_only_complete_quarters_covered_by_the_data_are_published(statements: dict[str, Any]) -> None:
    """Q3 2025 has no solutions row (the line stopped in July); Q2 is not published before it ends,
    nor by a run whose evaluation range does not reach the date after it."""
    assert statement_store(statements["publish_dir"]).evaluation_dates() == [Q1, Q2]
    con = duckdb.connect(str(statements["warehouse"]), read_only=True)
    try:

        def quarters(run_date: date, start: date = OPEN_FROM, end: date = OPEN_TO) -> list[date]:
            return statement_quarters(con, run_date=run_date, evaluation_from=start, evaluation_to=end)

        assert quarters(date(2025, 6, 30)) == [Q1]  # Q2 ends on the run date: not complete
        assert quarters(date(2025, 7, 1)) == [Q1, Q2]
        assert quarters(RUN_DATE, date(2025, 4, 15), date(2025, 4, 15)) == [Q1]
    finally:
        con.close()


@pytest.mark.e2e
def test_a_formula_in_a_partner_name_stays_text(statements: dict[str, Any]) -> None:
    """Issue 13 item 5, reused: the CSV cell gets a leading quote, the XLSX cell is a string."""
    from openpyxl import load_workbook

    folder = _current(statements["publish_dir"], Q1)
    with (folder / "payouts.csv").open(encoding="utf-8") as fh:
        assert {r["partner_id"]: r["partner_name"] for r in csv.DictReader(fh)}["sp3"] == "'" + FORMULA_NAME
    wb = load_workbook(folder / "statement.xlsx")
    try:
        cells = {ws.title: [c for row in ws.iter_rows() for c in row if c.value == FORMULA_NAME] for ws in wb}
        counts = {t: len(c) for t, c in cells.items()}
        assert counts == {"Payouts": 1, "Accruals": 0, "Monthly MRR": 3, "Not credited": 1, "Read me": 0}
        assert all(c.data_type == "s" for found in cells.values() for c in found)
    finally:
        wb.close()


@pytest.mark.e2e
def test_statements_are_immutable_verified_and_republished_only_with_a_reason(
    statements: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_dir = tmp_path / "publications"
    shutil.copytree(statements["publish_dir"], publish_dir)
    store = statement_store(publish_dir)
    v1 = store.current(Q1)
    assert v1 is not None and store.verify(v1) == []
    kwargs = dict(run_date=RUN_DATE, evaluation_from=OPEN_FROM, evaluation_to=OPEN_TO, progress=lambda m: None)

    # the same inputs and code make no new version
    outcomes = publish_statements(statements["warehouse"], publish_dir, **kwargs)
    assert [(o.evaluation_date, o.decision.publish) for o in outcomes] == [(Q1, False), (Q2, False)]

    # a changed byte is found by verify, by `publications --verify` (exit 1) and stops the next run
    target = v1.path / "payouts.csv"
    original = target.read_bytes()
    target.write_bytes(original.replace(b"444.00", b"944.00"))
    assert store.verify(v1) == [f"{target}: sha256 differs from the manifest"]
    assert cli.main(["publications", "--publish-dir", str(publish_dir), "--verify"]) == 1
    assert f"INTEGRITY: {target}: sha256 differs from the manifest" in capsys.readouterr().out
    with pytest.raises(PublicationIntegrityError, match="payouts.csv"):
        publish_statements(statements["warehouse"], publish_dir, **kwargs)
    target.write_bytes(original)

    # after a code change, a republication needs --republish and a reason, makes v2, leaves v1 as it was
    monkeypatch.setattr(statements_module, "code_version", lambda: "0.1.0+changed")
    outcomes = publish_statements(statements["warehouse"], publish_dir, **kwargs)
    assert [o.decision.publish for o in outcomes] == [False, False]
    assert "use --republish --reason TEXT" in outcomes[0].decision.reason
    before = {f.name: sha256_file(f) for f in v1.path.iterdir()}
    outcomes = publish_statements(statements["warehouse"], publish_dir, republish=True, reason="late POI", **kwargs)
    assert [(o.decision.publish, o.decision.version) for o in outcomes] == [(True, 2), (True, 2)]
    assert store.current(Q1).version == 2 and "late POI" in store.current(Q1).manifest["reason"]
    assert {f.name: sha256_file(f) for f in v1.path.iterdir()} == before
    assert store.verify_all() == []
    assert cli.main(["publications", "--publish-dir", str(publish_dir)]) == 0
    listing = capsys.readouterr().out
    assert "2025-Q1  v2  current" in listing and "payout $444.00" in listing
