"""The portal in English and French (issue 15 item 2) and its fixes of issue 15 item 4: the language
switch and Accept-Language, every template word translated, benefits in the guide's French or the
seed's English, both Excel extracts downloadable, the held upgrade explained, the gate report as a
table, one count of checks.

Publications are the session fixture of tests/test_portal.py (a real pipeline run).
"""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import duckdb
import pytest
from starlette.testclient import TestClient

from orchestration.portal import labels
from orchestration.portal.app import HERE, create_app
from tests.test_portal import LAST_DATE, extract

TEMPLATE_STRING = re.compile(
    r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(?:if[^)]*?else\s*"((?:[^"\\]|\\.)*)")?\s*\)"""
)


@pytest.fixture(scope="module")
def client(published: dict[str, Any]) -> TestClient:
    return TestClient(create_app(published["publish_dir"]))


@pytest.fixture()
def scratch(published: dict[str, Any], tmp_path: Path) -> Path:
    """A private copy of the publications for a test that rewrites a file."""
    return Path(shutil.copytree(published["publish_dir"], tmp_path / "publications"))


LABELS_TEXT = re.compile(r"""labels\.text\(\s*"((?:[^"\\]|\\.)*)"\s*,""")


def template_strings() -> set[str]:
    """Every English string the templates and app.py pass to `_()`, and chart.py/app.py to labels.text."""
    found: set[str] = set()
    sources = [*sorted((HERE / "templates").glob("*.html")), HERE / "app.py", HERE / "chart.py"]
    for path in sources:
        source = path.read_text(encoding="utf-8")
        for m in TEMPLATE_STRING.finditer(source):
            found |= {g for g in m.groups() if g}
        found |= set(LABELS_TEXT.findall(source))
    return found


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_issue15_2_every_portal_string_has_its_french() -> None:
    strings = template_strings()
    assert len(strings) > 150  # the scan finds the templates' words
    assert sorted(s for s in strings if s not in labels.FRENCH) == []
    # the same placeholders on both sides, or .format() fails or drops a number
    for english in strings:
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", labels.FRENCH[english])), english


def test_issue15_2_both_vocabularies_cover_the_same_codes() -> None:
    pairs = [
        (labels.TIER_LABELS, labels.TIER_LABELS_FR),
        (labels.ACTION_LABELS, labels.ACTION_LABELS_FR),
        (labels.REQUIREMENT_LABELS, labels.REQUIREMENT_LABELS_FR),
        (labels.REQUIREMENT_SHORT, labels.REQUIREMENT_SHORT_FR),
        (labels.STATUS_LABELS, labels.STATUS_LABELS_FR),
        (labels.LEVEL_LABELS, labels.LEVEL_LABELS_FR),
        (labels.ACTION_EXPLANATIONS, labels.ACTION_EXPLANATIONS_FR),
    ]
    for english, french in pairs:
        assert set(english) == set(french)
    assert labels.money(1351164.68, "fr") == "1\u202f351\u202f164,68\u00a0$"
    assert labels.money(1351164.68) == "$1,351,164.68"
    assert labels.long_date(LAST_DATE, "fr") == "15 janvier 2027"
    assert labels.action_label("upgrade_held_compliance") == "Upgrade held (not in good standing)"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE, en;q=0.5", "en"),
        ("en;q=0.4, fr;q=0.8", "fr"),
        ("de, it", "en"),
        ("fr;q=0, en", "en"),
        ("", "en"),
    ],
)
def test_issue15_2_accept_language_chooses_the_page_language(client: TestClient, header: str, expected: str) -> None:
    response = client.get("/", headers={"accept-language": header})
    assert response.headers["content-language"] == expected
    assert f'<html lang="{expected}">' in response.text
    heading = {"en": "Technology tier publications", "fr": "Publications des niveaux technologiques"}[expected]
    assert heading in response.text


def test_issue15_2_language_switch_is_remembered_and_wins_over_the_browser(published: dict[str, Any]) -> None:
    c = TestClient(create_app(published["publish_dir"]))
    page = c.get(f"/quarters/{LAST_DATE}?tier=partner", headers={"accept-language": "en"})
    switch = re.search(r'<nav class="langnav".*?</nav>', page.text, re.S).group(0)
    assert unescape(re.search(r'href="([^"]+)" hreflang="fr"', switch).group(1)) == (
        f"/quarters/{LAST_DATE}?tier=partner&lang=fr"
    )  # the same page, its filters kept
    french = c.get(f"/quarters/{LAST_DATE}?tier=partner&lang=fr", headers={"accept-language": "en"})
    assert french.headers["content-language"] == "fr" and "lang=fr" in french.headers["set-cookie"]
    assert "Niveaux technologiques" in french.text and "Tous les niveaux" in french.text
    # the cookie keeps French on the next page, whatever the browser says
    index = c.get("/", headers={"accept-language": "en"})
    assert index.headers["content-language"] == "fr" and "Publications des niveaux technologiques" in index.text
    back = c.get("/?lang=en", headers={"accept-language": "fr"})
    assert back.headers["content-language"] == "en" and c.get("/").headers["content-language"] == "en"


def test_issue15_2_partner_page_in_french_uses_the_guides_words(client: TestClient, published: dict[str, Any]) -> None:
    row = next(r for r in extract(published["publish_dir"]) if r["tier_after"] == "partner")
    url = f"/quarters/{LAST_DATE}/partners/{row['partner_id']}"
    fr, en = text_of(client.get(url + "?lang=fr").text), text_of(client.get(url + "?lang=en").text)
    assert "Partenaire" in fr and "Avantages du niveau Partenaire" in fr
    assert "Éligibilité au comité consultatif des partenaires" in fr  # the guide's wording, kept
    assert "Eligibility for the partner advisory council" in en  # the seed's translation
    assert "Éligibilité au comité consultatif" not in en
    explanation = labels.action_explanation(row["action"], row["tier_before"], row["tier_after"], None, "fr")
    assert explanation and explanation in fr
    assert "Listing de la marketplace en ligne" in fr and "Live app listing" in en
    # the charts' axes and points speak the page's language too
    assert f"janv. {LAST_DATE:%y}" in fr and f"Jan {LAST_DATE:%y}" in en and f"Jan {LAST_DATE:%y}" not in fr
    assert "MRR lié le " in fr and "Attached MRR on " in en


def test_issue15_2_both_excel_extracts_are_listed_and_download(client: TestClient) -> None:
    for lang, first in (("en", "tier_extract.xlsx"), ("fr", "tier_extract_fr.xlsx")):
        html = client.get(f"/quarters/{LAST_DATE}?lang={lang}").text
        files = re.findall(r'data-file="([^"]+)"', html)
        assert files[0] == first and {"tier_extract.xlsx", "tier_extract_fr.xlsx"} <= set(files)
    response = client.get(f"/files/{LAST_DATE}/v2/tier_extract_fr.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert f"tier_extract_fr_{LAST_DATE}_v2.xlsx" in response.headers["content-disposition"]


def _make_held(scratch: Path, partner_id: str) -> dict[str, Any]:
    """Rewrite one row of the scratch copy's current extract as an upgrade held by compliance (A9 row 4);
    the escalation columns stay those the pipeline computed."""
    path = scratch / "technology_tiers" / LAST_DATE.isoformat() / "v2" / "tier_extract.parquet"
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT * REPLACE (
                CASE WHEN partner_id = ? THEN 'upgrade_held_compliance' ELSE action END AS action,
                CASE WHEN partner_id = ? THEN 'rising' ELSE qualified_tier_on_performance END
                    AS qualified_tier_on_performance)
            FROM read_parquet('{path}')) TO '{path}.new' (FORMAT parquet)""",
        [partner_id, partner_id],
    )
    Path(f"{path}.new").replace(path)
    row = con.execute(f"SELECT * FROM read_parquet('{path}') WHERE partner_id = ?", [partner_id]).df()
    return row.to_dict("records")[0]


def test_issue15_4_held_upgrade_names_escalations_since_when_and_what_clears_them(scratch: Path) -> None:
    held = [r for r in extract(scratch) if not r["in_good_standing"] and r["tier_after"] == "partner"]
    assert held, "the fixture has no partner out of good standing"
    c = TestClient(create_app(scratch))
    seen_resolved = seen_open = False
    for r in held:
        row = _make_held(scratch, r["partner_id"])
        html = c.get(f"/quarters/{LAST_DATE}/partners/{r['partner_id']}?lang=en").text
        verdict = re.search(r'<section class="callout ([^"]+)" id="verdict">(.*?)</section>', html, re.S)
        assert verdict.group(1) == "callout-warn", "a held upgrade is never shown as a pass"
        words = text_of(verdict.group(2))
        assert "Upgrade to Rising held: not in good standing." in words
        assert "Upgrade held (not in good standing)" in text_of(html)
        since = labels.long_date(row["breaking_escalations_since"].date())
        assert f"Responsible escalation(s) {row['breaking_escalation_ids']}, the first opened on {since}." in words
        if row["breaking_escalations_unresolved"]:
            seen_open = True
            assert f"{row['breaking_escalations_unresolved']} still unresolved: good standing returns 91 days" in words
        else:
            seen_resolved = True
            restored = labels.long_date(row["good_standing_restored_on"].date())
            assert f"All resolved: good standing returns on {restored};" in words
        fr = text_of(c.get(f"/quarters/{LAST_DATE}/partners/{r['partner_id']}?lang=fr").text)
        assert "Passage à Rising suspendu : le partenaire n'est pas en règle." in fr
    assert seen_resolved or seen_open


def test_issue15_4_gate_page_is_a_wrapping_table_with_the_same_count_as_everywhere(
    client: TestClient, published: dict[str, Any]
) -> None:
    latest = json.loads((published["publish_dir"] / "gate" / "latest.json").read_text())
    html = client.get("/gate").text
    assert "<pre" not in html
    rows = re.findall(
        r"<tr>(.*?)</tr>", re.search(r'id="gate-report".*?<tbody>(.*?)</tbody>', html, re.S).group(1), re.S
    )
    assert len(rows) == latest["counts"]["checks"] == len(latest["checks"])
    assert 'class="table report-table"' in html
    css = (HERE / "static" / "portal.css").read_text()
    assert ".report-table { table-layout: fixed; }" in css and "overflow-wrap: anywhere" in css
    # one count everywhere: the gate page, the banner, the manifest of the version published by that run
    checks, warnings = latest["counts"]["checks"], latest["counts"]["warnings"]
    said = f"({checks:,} checks)"
    assert said in text_of(html)
    assert said in text_of(client.get("/").text)
    current = json.loads((published["publish_dir"] / "technology_tiers" / LAST_DATE.isoformat() / "v2" /
                          "manifest.json").read_text())["checks"]  # fmt: skip
    assert (current["checks"], current["warnings"]) == (checks, warnings)
    assert current["summary"] == latest["summary"]
    assert said in text_of(client.get(f"/quarters/{LAST_DATE}").text)
