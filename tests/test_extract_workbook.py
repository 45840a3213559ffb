"""The Excel tier extract a partner manager would make by hand, in English and French (issue 15 items
1 and 2): sheets, headers, formats, frozen panes, filters, print settings, colours, the gap in words
and numbers, and text cells that are strings, never formulas (issue 13 item 5).

Unit tests build the workbook from small frames shaped like the marts' rows; the end-to-end test
reads back the workbooks of a real publication and renders each with LibreOffice (test-artifacts/).
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from orchestration.defs.publication.workbook import (
    FROZEN_AT,
    MONEY_FORMAT,
    REQUIREMENTS_COLUMNS,
    TIERS_COLUMNS,
    ExtractContext,
    write_workbook,
)
from orchestration.portal import labels

E = date(2027, 1, 15)
CONTEXT = ExtractContext(E, 2, date(2027, 2, 1), True, "PASSED with 2 warning(s) (170 checks)", "0.1.0+abc")
HELD, RISING, TOP = "T_HELD", "T_RISING", "T_TOP"


def frames(names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """One held partner (A9 row 4, two escalations), one that meets its next tier, one at Premier."""
    names = names or ["Held & Co", "Rising Apps", "Top Inc"]
    n = len(names)
    ids = [HELD, RISING, TOP] + [f"T_{i}" for i in range(3, n)]
    extract = pd.DataFrame(
        {
            "partner_id": ids,
            "partner_name": names,
            "evaluation_date": pd.to_datetime([E] * n),
            "tier_before": ["partner", "rising", "premier"] + ["partner"] * (n - 3),
            "qualified_tier_on_performance": ["rising", "leading", "premier"] + ["partner"] * (n - 3),
            "qualified_tier": ["rising", "leading", "premier"] + ["partner"] * (n - 3),
            "tier_after": ["partner", "leading", "premier"] + ["partner"] * (n - 3),
            "action": ["upgrade_held_compliance", "upgrade", "unchanged"] + ["unchanged"] * (n - 3),
            "pending_tier": [None] * n,
            "premier_exception_used": [False, False, True] + [False] * (n - 3),
            "in_good_standing": [False, True, True] + [True] * (n - 3),
            "needs_review": [True, False, False] + [False] * (n - 3),
            "at_risk": [False] * n,
            "attached_mrr": [1351164.68, 1200000.0, 50.0] + [0.0] * (n - 3),
            "install_90d_mrr": [100.0, 0.0, 0.0] + [0.0] * (n - 3),
            "influenced_deals_mrr": [0.0, 6000.0, 150000.0] + [0.0] * (n - 3),
            "review_count": [2, 7, 12] + [0] * (n - 3),
            "avg_rating": [4.5, 4.1, None] + [None] * (n - 3),
            "live_app_count": [1, 2, 3] + [1] * (n - 3),
            "certified_live_app_count": [0, 1, 3] + [0] * (n - 3),
            "poc_form_submitted_on": [None, date(2027, 1, 20), None] + [None] * (n - 3),
            "next_tier": ["rising", "premier", None] + ["rising"] * (n - 3),
            "benefits_active": [True, True, True] + [True] * (n - 3),
            "breaking_escalation_ids": ["E7, E8", None, None] + [None] * (n - 3),
            "breaking_escalations_since": [date(2026, 10, 1), None, None] + [None] * (n - 3),
            "breaking_escalations_unresolved": [1, 0, 0] + [0] * (n - 3),
            "good_standing_restored_on": [None] * n,
        }
    )
    requirements = pd.DataFrame(
        [
            (HELD, "rising", "attached_mrr", "required", 1351164.68, 400000.0, "pass", "threshold", None),
            (HELD, "rising", "review_count", "required", 2.0, 5.0, "fail", "threshold", None),
            (HELD, "rising", "technical_contact", "preferred", 0.0, 1.0, "preferred_missing", "threshold", None),
            (HELD, "partner", "live_listing", "required", 1.0, 1.0, "pass", "threshold", None),
            (RISING, "premier", "attached_mrr", "required", 1200000.0, 7000000.0, "fail", "threshold", None),
            (TOP, "premier", "avg_rating", "required", None, 4.0, "not_enforced", "threshold", date(2027, 1, 1)),
        ],
        columns=["partner_id", "tier", "requirement", "level", "value", "threshold", "status", "decided_by",
                 "enforced_from"],
    )  # fmt: skip
    gaps = pd.DataFrame(
        [
            (HELD, "review_count", 2.0, 5.0, 3.0, None, None),
            (HELD, "influenced_mrr", 0.0, 1000.0, 1000.0, 100.0, 5000.0),
            (HELD, "technical_contact", 0.0, 1.0, None, None, None),
            (RISING, "attached_mrr", 1200000.0, 7000000.0, 5800000.0, None, None),
        ],
        columns=["partner_id", "requirement", "value", "threshold", "shortfall", "install_90d_value",
                 "install_90d_threshold"],
    )  # fmt: skip
    benefits = pd.DataFrame(
        [
            (HELD, "advisory_council", "Éligibilité au comité consultatif des partenaires",
             "Eligibility for the partner advisory council", "considered", None, None),
            (HELD, "sales_rep_enablement", "Aide de représentants HubSpot", "Support from HubSpot representatives",
             "guaranteed", "Points de référence", "Reference points"),
        ],
        columns=["partner_id", "benefit_id", "benefit", "benefit_en", "level", "qualifier", "qualifier_en"],
    )  # fmt: skip
    return {"extract": extract, "requirements": requirements, "gaps": gaps, "benefits": benefits}


def write(tmp_path: Path, lang: str, names: list[str] | None = None) -> Path:
    target = tmp_path / f"tier_extract_{lang}.xlsx"
    f = frames(names)
    write_workbook(f["extract"], f["requirements"], f["gaps"], f["benefits"], target, lang=lang, context=CONTEXT)
    return target


def by_header(ws: Any) -> list[dict[str, Any]]:
    """The data rows of a sheet as {header: cell}."""
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def test_issue15_1_three_sheets_frozen_filtered_and_printed_one_page_wide(tmp_path: Path) -> None:
    wb = load_workbook(write(tmp_path, "en"))
    assert wb.sheetnames == ["Tiers", "Requirements", "Read me"]
    tiers, reqs = wb["Tiers"], wb["Requirements"]
    assert [c.value for c in tiers[1]] == [c.header for c in TIERS_COLUMNS]
    assert [c.value for c in reqs[1]] == [c.header for c in REQUIREMENTS_COLUMNS]
    assert tiers.freeze_panes == reqs.freeze_panes == FROZEN_AT == "C2"
    assert tiers.auto_filter.ref == "A1:AE4" and reqs.auto_filter.ref == "A1:K7"
    for ws in (tiers, reqs, wb["Read me"]):
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
    assert tiers.print_title_rows == reqs.print_title_rows == "$1:$1"
    assert tiers.oddHeader.center.text == "Technology partner tiers · 15 January 2027 · version 2"
    assert tiers.column_dimensions["B"].width == 28 and tiers.column_dimensions["F"].width == 48
    header = tiers["A1"]
    assert header.font.b and header.fill.fgColor.rgb == "0033475B"
    read_only = load_workbook(tmp_path / "tier_extract_en.xlsx", read_only=True)  # the publication's row audit
    assert read_only.active.max_row == 4 and read_only.active.max_column == len(TIERS_COLUMNS)
    read_only.close()


def test_issue15_1_tiers_sheet_reads_as_words_money_and_yes_no(tmp_path: Path) -> None:
    rows = {r["Partner ID"].value: r for r in by_header(load_workbook(write(tmp_path, "en"))["Tiers"])}
    held = rows[HELD]
    assert held["Tier before"].value == "Partner" and held["Tier after"].value == "Partner"
    assert held["Action"].value == "Upgrade held (not in good standing)"
    assert held["Why"].value == (
        "Qualifies for a higher tier on performance but is not in good standing: the tier stays Partner."
    )
    assert held["In good standing"].value == "No" and held["Needs review"].value == "Yes"
    assert held["Escalations holding it"].value == "E7, E8 since 2026-10-01 (1 unresolved)"
    money = held["Attached MRR (12-month mean)"]
    assert money.value == 1351164.68 and money.number_format == MONEY_FORMAT == "$#,##0.00"
    assert held["Reviews"].number_format == "#,##0" and held["Average rating"].number_format == "0.00"
    assert rows[RISING]["POC form received"].value == datetime(2027, 1, 20)
    assert rows[RISING]["POC form received"].number_format == "yyyy-mm-dd"
    assert rows[TOP]["Average rating"].value is None and rows[TOP]["Next tier"].value is None
    assert rows[TOP]["Premier exception"].value == "Yes"
    assert held["Benefits of the tier"].value == (
        "Eligibility for the partner advisory council (Considered); "
        "Support from HubSpot representatives (Guaranteed, Reference points)"
    )


def test_issue15_1_gap_to_next_tier_in_words_and_numbers(tmp_path: Path) -> None:
    """rules.md A10: the blocking requirements of the next tier, in words and per metric in numbers."""
    rows = {r["Partner ID"].value: r for r in by_header(load_workbook(write(tmp_path, "en"))["Tiers"])}
    held, rising = rows[HELD], rows[RISING]
    assert held["Missing for the next tier"].value == (
        "Influenced-deals MRR: $0.00 of $1,000.00, short by $1,000.00 (or 90-day install MRR $100.00 of $5,000.00); "
        "Reviews in the window: 2 of 5, short by 3; Technical contact: missing"
    )
    assert held["Influenced MRR short by"].value == 1000.0 and held["Reviews short by"].value == 3
    assert held["Attached MRR short by"].value is None
    assert rising["Attached MRR short by"].value == 5800000.0
    assert rising["Attached MRR short by"].number_format == MONEY_FORMAT
    assert rows[TOP]["Missing for the next tier"].value is None  # Premier: no next tier
    # pass/fail colouring: red where something is missing or not in good standing
    assert held["Missing for the next tier"].fill.fgColor.rgb == "00FFC7CE"
    assert held["In good standing"].fill.fgColor.rgb == "00FFC7CE"
    assert rows[RISING]["In good standing"].fill.fgColor.rgb == "00C6EFCE"


def test_issue15_1_a_partner_meeting_its_next_tier_says_so_in_green(tmp_path: Path) -> None:
    f = frames()
    f["gaps"] = f["gaps"][f["gaps"]["partner_id"] != RISING]
    target = tmp_path / "x.xlsx"
    write_workbook(f["extract"], f["requirements"], f["gaps"], f["benefits"], target, lang="en", context=CONTEXT)
    rising = {r["Partner ID"].value: r for r in by_header(load_workbook(target)["Tiers"])}[RISING]
    assert rising["Missing for the next tier"].value == "Meets every blocking requirement of Premier"
    assert rising["Missing for the next tier"].fill.fgColor.rgb == "00C6EFCE"


def test_issue15_1_requirements_sheet_one_row_per_partner_tier_requirement_in_its_unit(tmp_path: Path) -> None:
    rows = by_header(load_workbook(write(tmp_path, "en"))["Requirements"])
    assert [(r["Partner ID"].value, r["Tier"].value, r["Requirement"].value) for r in rows] == [
        (HELD, "Partner", "Live app listing"),
        (HELD, "Rising", "Attached MRR (12-month mean)"),
        (HELD, "Rising", "Reviews in the window"),
        (HELD, "Rising", "Technical contact"),
        (RISING, "Premier", "Attached MRR (12-month mean)"),
        (TOP, "Premier", "Average rating"),
    ]
    live, attached, reviews, contact, premier, rating = rows
    assert (live["Value"].value, live["Threshold"].value, live["Result"].value) == ("Yes", "Yes", "Pass")
    assert attached["Value"].number_format == MONEY_FORMAT and attached["Threshold"].value == 400000.0
    assert (reviews["Value"].value, reviews["Short by"].value, reviews["Result"].value) == (2, 3, "Fail")
    assert reviews["Value"].number_format == "#,##0"
    assert contact["Value"].value == "No" and contact["Result"].value == "Preferred, missing"
    assert premier["Short by"].value == 5800000.0 and premier["Partner"].value == "Rising Apps"
    assert rating["Result"].value == "Not enforced (2026)" and rating["Enforced from"].value == datetime(2027, 1, 1)
    assert rating["Threshold"].number_format == "0.00"
    fills = [r["Result"].fill.fgColor.rgb for r in (live, reviews, contact)]
    assert fills == ["00C6EFCE", "00FFC7CE", "00FFEB9C"]


def test_issue15_1_read_me_states_version_gate_columns_and_rule_ids(tmp_path: Path) -> None:
    ws = load_workbook(write(tmp_path, "en"))["Read me"]
    cells = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0]}
    assert cells["Evaluation date"][0] == "15 January 2027"
    assert cells["Version"][0] == "2 (Final)"
    assert cells["Data-quality gate"][0] == CONTEXT.gate_summary
    assert cells["Language"][0] == "English"
    assert cells["Missing for the next tier"] == ("Tiers", "Each blocking requirement of the next tier: value, "
                                                  "threshold, gap.", "A10")  # fmt: skip
    assert cells["In good standing"][2] == "A8, D12"
    assert cells["upgrade_held_compliance"][:2] == ("Action", "Upgrade held (not in good standing)")


def test_issue15_2_french_workbook_keeps_the_guides_words(tmp_path: Path) -> None:
    wb = load_workbook(write(tmp_path, "fr"))
    assert wb.sheetnames == ["Niveaux", "Exigences", "Lisez-moi"]
    ws = wb["Niveaux"]
    assert ws.freeze_panes == "C2" and int(ws.page_setup.paperSize) == 9  # A4
    header = [c.value for c in ws[1]]
    assert header[:4] == ["ID partenaire", "Partenaire", "Niveau avant", "Niveau après"]
    assert all(h in labels.FRENCH.values() for h in header), "every French header comes from labels.FRENCH"
    held = {r["ID partenaire"].value: r for r in by_header(ws)}[HELD]
    assert held["Action"].value == "Passage suspendu (conformité)"
    assert held["En règle"].value == "Non"
    assert held["Manque pour le niveau suivant"].value.startswith(
        "MRR des transactions influencées : 0,00\u00a0$ sur 1\u202f000,00\u00a0$, il manque 1\u202f000,00\u00a0$"
    )
    assert held["Avantages du niveau"].value == (
        "Éligibilité au comité consultatif des partenaires (Considéré); "
        "Aide de représentants HubSpot (Garanti, Points de référence)"
    )
    money = held["MRR lié (moyenne sur 12 mois)"]
    assert money.value == 1351164.68 and money.number_format == MONEY_FORMAT
    reqs = by_header(wb["Exigences"])
    assert reqs[0]["Condition"].value == "Listing de la marketplace en ligne" and reqs[0]["Valeur"].value == "Oui"
    readme = {r[0]: r[1:] for r in wb["Lisez-moi"].iter_rows(values_only=True) if r[0]}
    assert readme["Date d'évaluation"][0] == "15 janvier 2027" and readme["Langue"][0] == "Français"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_issue13_5_issue15_every_text_cell_is_a_string_never_a_formula(tmp_path: Path, lang: str) -> None:
    payloads = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "#N/A"]
    wb = load_workbook(write(tmp_path, lang, names=["Held", "Rising", "Top", *payloads]))
    types = {c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert "f" not in types and "e" not in types
    names = [r[1] for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names[3:] == payloads


# ---------------------------------------------------------------------------------------------
# LibreOffice: the workbooks as a partner manager prints them


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def render(xlsx: Path, out_dir: Path, fmt: str) -> Path:
    """Convert with LibreOffice headless (its own profile dir, so parallel runs do not share one)."""
    binary = soffice()
    assert binary
    profile = out_dir / f".lo-profile-{xlsx.stem}"
    subprocess.run(
        [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt, "--outdir",
         str(out_dir), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    shutil.rmtree(profile, ignore_errors=True)
    return out_dir / f"{xlsx.stem}.{fmt}"


LIBREOFFICE_MISSING = (
    "LibreOffice is not installed (no soffice/libreoffice on PATH): the XLSX render needs Debian's "
    "libreoffice-calc-nogui (`apt-get install -y --no-install-recommends libreoffice-calc-nogui`; "
    "scripts/run_tests.py installs it where it can)."
)


@pytest.fixture(scope="module")
def published_workbooks(published: dict[str, Any]) -> dict[str, Path]:
    from orchestration.defs.publication.publish import WORKBOOKS
    from orchestration.defs.publication.store import PublicationStore
    from tests.test_portal import LAST_DATE

    version = PublicationStore(published["publish_dir"]).current(LAST_DATE)
    assert version is not None
    return {lang: version.path / name for lang, name in WORKBOOKS.items()} | {"version": version.path}


@pytest.mark.e2e
def test_issue15_published_version_holds_both_workbooks_read_back_with_openpyxl(
    published_workbooks: dict[str, Path],
) -> None:
    import json

    manifest = json.loads((published_workbooks["version"] / "manifest.json").read_text())
    partners = manifest["row_counts"]["tier_extract"]
    expected = {"en": ("Tiers", "Requirements", "Read me"), "fr": ("Niveaux", "Exigences", "Lisez-moi")}
    for lang, sheets in expected.items():
        path = published_workbooks[lang]
        # audited like every extract: the data rows of its Tiers and Requirements sheets
        requirements = manifest["row_counts"]["requirements"]
        assert manifest["files"][path.name]["rows"] == {sheets[0]: partners, sheets[1]: requirements}
        wb = load_workbook(path)
        assert tuple(wb.sheetnames) == sheets
        tiers, reqs = wb[sheets[0]], wb[sheets[1]]
        assert tiers.max_row - 1 == partners
        assert reqs.max_row - 1 == manifest["row_counts"]["requirements"]
        assert tiers.freeze_panes == reqs.freeze_panes == "C2"
        assert tiers.page_setup.orientation == "landscape" and tiers.page_setup.fitToWidth == 1
        types = {c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
        assert "f" not in types
        rows = by_header(tiers)
        money_header = labels.text("Attached MRR (12-month mean)", lang)
        assert {r[money_header].number_format for r in rows} == {MONEY_FORMAT}
        yes_no = {labels.text("Yes", lang), labels.text("No", lang)}
        assert {r[labels.text("In good standing", lang)].value for r in rows} <= yes_no
        tier_words = {labels.tier_label(t, lang) for t in labels.TIER_LABELS}
        assert {r[labels.text("Tier after", lang)].value for r in rows} <= tier_words


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_issue15_libreoffice_renders_each_workbook_landscape_one_page_wide(
    published_workbooks: dict[str, Path], artifacts_dir: Path, tmp_path: Path, lang: str
) -> None:
    """The PDF and a PNG of page 1 are kept under test-artifacts/extracts/ for a person to look at."""
    import re

    if soffice() is None:
        pytest.skip(LIBREOFFICE_MISSING)
    out = artifacts_dir / "extracts"
    out.mkdir(parents=True, exist_ok=True)
    xlsx = Path(shutil.copy(published_workbooks[lang], tmp_path / f"tier_extract_{lang}.xlsx"))
    pdf = render(xlsx, out, "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftoppm"):  # page 1 as an image (LibreOffice's nogui build has no PNG export)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(out / f"{xlsx.stem}_page1")], check=True, timeout=120)  # fmt: skip
        assert (out / f"{xlsx.stem}_page1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    boxes = {
        tuple(float(x) for x in m) for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf.read_bytes())
    }
    assert boxes and all(w > h for w, h in boxes), f"every page landscape: {boxes}"
    if shutil.which("pdftotext"):  # one page wide: page 1 holds the first and the last column
        page1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], check=True,
                               capture_output=True, text=True, timeout=120).stdout  # fmt: skip
        first, last = (labels.text(c.header, lang) for c in (TIERS_COLUMNS[0], TIERS_COLUMNS[-1]))
        assert first in page1 and last.split()[0] in page1
        title = labels.text("Technology partner tiers · {date} · version {version}", lang).split(" · ")[0]
        assert title in page1  # the page header names the publication
