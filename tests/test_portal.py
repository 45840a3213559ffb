"""The partner-manager portal over HTTP (Starlette's TestClient): pages, search, downloads, escaping,
errors, and the analytics snapshot being replaced under a running app (issue 6).

The publications are real: a generated landing zone (one technology partner renamed
`<script>alert(1)</script>`) through the pipeline and `publish`, built once per session. The
last evaluation date is published twice — first while its POC window is open (run date
2027-01-20), then as final by a run after the window closed (2027-02-01) — so one date has two versions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import duckdb
import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from orchestration.portal.app import create_app
from orchestration.portal.chart import Series, line_chart, nice_ticks, threshold_in_range
from orchestration.portal.data import requirement_line

XSS_NAME = "<script>alert(1)</script>"
LAST_MONTH = date(2026, 12, 1)
FIRST_RUN = date(2027, 1, 20)  # E = 2027-01-15 is inside its POC window (E + 14 days)
FINAL_RUN = date(2027, 2, 1)
LAST_DATE = date(2027, 1, 15)


# ---------------------------------------------------------------------------------------------
# The publication fixture (also used by tests/test_browser.py)


def _rename_a_technology_partner(landing: Path, name: str) -> str:
    import pandas as pd

    for f in sorted((landing / "partners").glob("*.parquet")):
        frame = pd.read_parquet(f)
        tech = frame.index[frame["program"] == "technology"]
        if len(tech):
            frame.loc[tech[0], "partner_name"] = name
            frame.to_parquet(f, index=False)
            return str(frame.loc[tech[0], "partner_id"])
    raise AssertionError("no technology partner in the generated landing zone")


def build_publications(root: Path, runs: tuple[date, ...] = (FIRST_RUN, FINAL_RUN)) -> dict[str, Any]:
    """Generate, then runs of the pipeline (each gates, builds and publishes); returns paths and ids."""
    from orchestration.generate import generate_landing
    from orchestration.pipeline import run_pipeline

    landing, warehouse, publish_dir = root / "landing", root / "warehouse.duckdb", root / "publications"
    generate_landing(landing, scale=0.01, seed=7, last_month=LAST_MONTH)
    xss_id = _rename_a_technology_partner(landing, XSS_NAME)
    for run_date in runs:
        run_pipeline(landing, warehouse, run_date, publish_dir=publish_dir)
    return {"root": root, "publish_dir": publish_dir, "warehouse": warehouse, "xss_id": xss_id}


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{db}' AS a (READ_ONLY)")
        con.execute("USE a")
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def extract(publish_dir: Path, e: date = LAST_DATE) -> list[dict[str, Any]]:
    """The current version's published tier extract of `e`."""
    number = json.loads((publish_dir / "technology_tiers" / e.isoformat() / "current.json").read_text())["version"]
    path = publish_dir / "technology_tiers" / e.isoformat() / f"v{number}" / "tier_extract.parquet"
    con = duckdb.connect()
    try:
        cur = con.execute("SELECT * FROM read_parquet(?) ORDER BY partner_id", [str(path)])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def missed_next_tier(publish_dir: Path) -> dict[str, Any]:
    """A partner in the program that misses the tier above its own (the issue's closing example)."""
    rows = [
        r
        for r in extract(publish_dir)
        if r["tier_after"] not in ("not_in_program", "premier") and r["next_tier_blocking_requirements"]
    ]
    assert rows, "the fixture has no partner that misses its next tier"
    # prefer one whose tier moved: the page then shows an arrow and a history change
    return next((r for r in rows if r["tier_before"] != r["tier_after"]), rows[0])


@pytest.fixture(scope="module")
def client(published: dict[str, Any]) -> TestClient:
    return TestClient(create_app(published["publish_dir"]))


@pytest.fixture()
def scratch(published: dict[str, Any], tmp_path: Path) -> Path:
    """A private copy of the publication directory for tests that change files."""
    target = tmp_path / "publications"
    shutil.copytree(published["publish_dir"], target)
    return target


def table_rows(html: str, table_id: str) -> list[str]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table #{table_id}"
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)


def partner_ids_listed(html: str) -> list[str]:
    return re.findall(r'class="strong partner-link" href="/quarters/[0-9-]+/partners/([^"]+)"', html)


def gate_label(checks: dict[str, Any]) -> str:
    """What the list should say about a gate summary (written here independently of the app)."""
    if checks.get("blocked"):
        return "Blocked"
    n = checks.get("warnings") or 0
    return f"Passed, {n} warning" if n else "Passed"


def manifest(publish_dir: Path, e: date, version: int | None = None) -> dict[str, Any]:
    d = publish_dir / "technology_tiers" / e.isoformat()
    number = version or json.loads((d / "current.json").read_text())["version"]
    return json.loads((d / f"v{number}" / "manifest.json").read_text())


def money(v: Any) -> str:
    return f"${float(v):,.2f}"


# ---------------------------------------------------------------------------------------------
# The list of dates


def test_index_lists_every_published_date_with_version_window_and_gate(
    client: TestClient, published: dict[str, Any]
) -> None:
    html = client.get("/").text
    dates = sorted(p.name for p in (published["publish_dir"] / "technology_tiers").iterdir())
    assert len(dates) == 9  # 2025-01-15 .. 2027-01-15 (36 months ending 2026-12, run date 2027-02-01)
    rows = table_rows(html, "publications")
    assert len(rows) == len(dates)
    for row, e in zip(rows, sorted(dates, reverse=True), strict=True):
        m = manifest(published["publish_dir"], date.fromisoformat(e))
        assert f'href="/quarters/{e}"' in row
        assert "Published" in row and gate_label(m["checks"]) in row
        assert f">{m['row_counts']['tier_extract']}</td>" in row
    newest = rows[0]
    # the last date: v1 while the POC window was open, then v2 final after it closed
    assert "v2" in newest and "of 2" in newest and "Final" in newest
    assert re.search(r"<td>\s*v1\s*</td>", rows[1])
    latest = json.loads((published["publish_dir"] / "gate" / "latest.json").read_text())
    assert f"Last data-quality gate: {gate_label({**latest, 'warnings': latest['counts']['warnings']})}" in html


def test_a_date_published_while_its_window_is_open_says_so(scratch: Path) -> None:
    """Point current back at v1 of the last date: the list and the quarter page show the open window."""
    pointer = scratch / "technology_tiers" / LAST_DATE.isoformat() / "current.json"
    pointer.write_text(json.dumps({"version": 1}))
    client = TestClient(create_app(scratch, today=lambda: date(2027, 1, 20)))
    newest = table_rows(client.get("/").text, "publications")[0]
    # issue 15 item 4: the closing date (rules.md D10: E + 14 days) and the days left on the portal's clock
    assert "POC window open until 29 January 2027" in newest and "9 days left" in newest
    assert "Final" not in newest
    page = client.get(f"/quarters/{LAST_DATE}").text
    assert "Version 1 (current of 2)" in page and "POC window open until 29 January 2027" in page
    last_day = TestClient(create_app(scratch, today=lambda: date(2027, 1, 29))).get(f"/quarters/{LAST_DATE}").text
    assert "closes today" in last_day
    closed = TestClient(create_app(scratch, today=lambda: date(2027, 1, 30))).get("/?lang=fr").text
    assert "Fenêtre POC ouverte jusqu&#39;au 29 janvier 2027" in closed
    assert "fermée ; la prochaine exécution publie la version définitive" in closed


# ---------------------------------------------------------------------------------------------
# A quarter


def test_quarter_lists_exactly_the_published_partners(client: TestClient, published: dict[str, Any]) -> None:
    rows = extract(published["publish_dir"])
    html = client.get(f"/quarters/{LAST_DATE}").text
    assert sorted(partner_ids_listed(html)) == [r["partner_id"] for r in rows]
    listed = table_rows(html, "partners")
    for r in rows:
        row = next(x for x in listed if f'/partners/{r["partner_id"]}"' in x)
        assert f"tier-{r['tier_after']}" in row
        assert money(r["attached_mrr"]) in row
        rank = ["not_in_program", "partner", "rising", "leading", "premier"]
        before = rank.index(r["tier_before"] or "not_in_program")
        after = rank.index(r["tier_after"])
        word = "up" if after > before else "down" if after < before else "unchanged"
        assert f"arrow-{word}" in row


def test_search_by_name_or_id_and_filters(client: TestClient, published: dict[str, Any]) -> None:
    rows = extract(published["publish_dir"])
    target = missed_next_tier(published["publish_dir"])
    word = target["partner_name"].split()[0].upper()  # case-insensitive substring
    by_name = partner_ids_listed(client.get(f"/quarters/{LAST_DATE}", params={"q": word}).text)
    assert target["partner_id"] in by_name
    assert sorted(by_name) == sorted(r["partner_id"] for r in rows if word.casefold() in r["partner_name"].casefold())
    by_id = partner_ids_listed(client.get(f"/quarters/{LAST_DATE}", params={"q": target["partner_id"].lower()}).text)
    assert by_id == [target["partner_id"]]
    for tier in {r["tier_after"] for r in rows}:
        listed = partner_ids_listed(client.get(f"/quarters/{LAST_DATE}", params={"tier": tier}).text)
        assert sorted(listed) == [r["partner_id"] for r in rows if r["tier_after"] == tier]
    for action in {r["action"] for r in rows}:
        listed = partner_ids_listed(client.get(f"/quarters/{LAST_DATE}", params={"action": action}).text)
        assert sorted(listed) == [r["partner_id"] for r in rows if r["action"] == action]
    none = client.get(f"/quarters/{LAST_DATE}", params={"q": "no such partner zzz"}).text
    assert partner_ids_listed(none) == [] and "No partner matches" in none


def test_sortable_columns(client: TestClient, published: dict[str, Any]) -> None:
    rows = extract(published["publish_dir"])
    html = client.get(f"/quarters/{LAST_DATE}", params={"sort": "attached_mrr", "order": "desc"}).text
    expected = [r["partner_id"] for r in sorted(rows, key=lambda r: (r["attached_mrr"], r["partner_id"]), reverse=True)]
    assert partner_ids_listed(html) == expected
    html = client.get(f"/quarters/{LAST_DATE}", params={"sort": "id", "order": "asc"}).text
    assert partner_ids_listed(html) == sorted(r["partner_id"] for r in rows)
    html = client.get(f"/quarters/{LAST_DATE}", params={"sort": "partner"}).text
    names = [
        r["partner_name"].casefold()
        for r in sorted(rows, key=lambda r: (r["partner_name"].casefold(), r["partner_id"]))
    ]
    listed = [
        next(r for r in rows if r["partner_id"] == pid)["partner_name"].casefold() for pid in partner_ids_listed(html)
    ]
    assert listed == names
    # the sorted column's header link reverses the order; another column's starts with the biggest amounts
    assert 'href="?sort=partner&amp;order=desc"' in html
    assert 'href="?sort=attached_mrr&amp;order=desc"' in html
    # unknown parameters fall back to the default order instead of failing
    assert client.get(f"/quarters/{LAST_DATE}", params={"sort": "drop table", "tier": "gold"}).status_code == 200


# ---------------------------------------------------------------------------------------------
# A partner


def test_partner_that_missed_the_next_tier_is_explained(client: TestClient, published: dict[str, Any]) -> None:
    publish_dir = published["publish_dir"]
    target = missed_next_tier(publish_dir)
    pid, tier, nxt = target["partner_id"], target["tier_after"], target["next_tier"]
    html = client.get(f"/quarters/{LAST_DATE}/partners/{pid}").text
    text = unescape(html)
    assert f'<h1 id="partner-name">{target["partner_name"]}</h1>' in text

    current = json.loads((publish_dir / "technology_tiers" / LAST_DATE.isoformat() / "current.json").read_text())
    reqs = query(
        publish_dir / "analytics.duckdb",  # any connection can read the parquet
        "SELECT tier, requirement, value, threshold, status FROM read_parquet(?) WHERE partner_id = ?",
        [
            str(
                publish_dir
                / "technology_tiers"
                / LAST_DATE.isoformat()
                / f"v{current['version']}"
                / "requirements.parquet"
            ),
            pid,
        ],
    )
    # both requirement tables: one row per published requirement of the tier (plus alternative rows)
    for t in (tier, nxt):
        section = re.search(rf'<table class="table requirements" data-tier="{t}">(.*?)</table>', html, re.S)
        assert section, f"no requirement table for {t}"
        main_rows = re.findall(r'<tr class="status-row-(\w+)">', section.group(1))
        published_rows = [r for r in reqs if r[0] == t]
        assert len(main_rows) == len(published_rows)
        assert sorted(main_rows) == sorted(r[4] for r in published_rows)
    # the decision in words (rules.md A9)
    explanation = re.search(r'<p class="explanation" id="explanation">(.*?)</p>', html, re.S).group(1)
    labels = {"partner": "Partner", "rising": "Rising", "leading": "Leading", "premier": "Premier"}
    if target["action"] == "downgrade":
        assert f"Moved down from {labels[target['tier_before']]} to {labels[tier]}" in explanation
    elif target["action"] == "unchanged":
        assert f"Stays {labels[tier]}" in explanation
    # the verdict names every blocking requirement of the next tier with its shortfall
    verdict = re.search(r'<section class="callout[^"]*" id="verdict">(.*?)</section>', html, re.S).group(1)
    blocking = [r for r in reqs if r[0] == nxt and r[4] == "fail"]
    assert blocking and sorted(target["next_tier_blocking_requirements"].split(", ")) == sorted(r[1] for r in blocking)
    assert f"{len(blocking)} requirement" in verdict
    for _, requirement, value, threshold, _ in blocking:
        if requirement in ("attached_mrr", "influenced_mrr"):
            assert f'short by <span class="shortfall">{money(threshold - value)}</span>' in verdict
        elif requirement == "review_count":
            assert f'short by <span class="shortfall">{int(threshold - value)}</span>' in verdict


def test_partner_history_chart_and_benefits(client: TestClient, published: dict[str, Any]) -> None:
    publish_dir = published["publish_dir"]
    target = missed_next_tier(publish_dir)
    pid = target["partner_id"]
    html = client.get(f"/quarters/{LAST_DATE}/partners/{pid}").text
    # tier history: one row per evaluation date, each published one linked, with its published tier
    history = table_rows(html, "history")
    dates = sorted(p.name for p in (publish_dir / "technology_tiers").iterdir())
    assert len(history) == len(dates)
    for row, e in zip(history, sorted(dates, reverse=True), strict=True):
        assert f'href="/quarters/{e}/partners/{pid}"' in row
        published_tier = next(r for r in extract(publish_dir, date.fromisoformat(e)) if r["partner_id"] == pid)
        assert f"tier-{published_tier['tier_after']}" in row.split("</td>")[3]
    assert "published v2" in history[0]
    # the SVG chart: one point per evaluation date and series, with the analytics values
    metrics = query(
        publish_dir / "analytics.duckdb",
        """SELECT evaluation_date, attached_mrr, influenced_deals_mrr FROM marts.fct_technology_partner_metrics
           WHERE partner_id = ? ORDER BY 1""",
        [pid],
    )
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert len(svgs) == 2
    for e, attached, influenced in metrics:
        assert f"Attached MRR on {e}: {money(attached)}" in svgs[0]
        assert f"Influenced-deals MRR on {e}: {money(influenced)}" in svgs[1]
    assert svgs[0].count('<circle class="dot attached"') == len(metrics)
    # benefits of the tier, active or not (A10)
    benefits = query(
        publish_dir / "analytics.duckdb",
        """SELECT benefit_en, is_active FROM marts.fct_technology_partner_benefits
           WHERE partner_id = ? AND evaluation_date = ?""",
        [pid, LAST_DATE],
    )
    assert benefits
    text = unescape(html)
    for benefit, _ in benefits:
        assert benefit in text
    assert html.count('<span class="status status-pass">Active</span>') == sum(1 for _, a in benefits if a)


def test_partner_page_links_every_file_of_the_version(client: TestClient, published: dict[str, Any]) -> None:
    target = missed_next_tier(published["publish_dir"])
    html = client.get(f"/quarters/{LAST_DATE}/partners/{target['partner_id']}").text
    links = set(re.findall(r'href="(/files/[^"]+)"', html))
    for name in ("tier_extract.csv", "tier_extract.xlsx", "tier_extract.parquet", "gate_report.html", "manifest.json"):
        assert f"/files/{LAST_DATE}/v2/{name}" in links
    for link in links:
        assert client.get(link).status_code == 200


def test_latest_partner_url_redirects_to_the_newest_date(client: TestClient, published: dict[str, Any]) -> None:
    pid = missed_next_tier(published["publish_dir"])["partner_id"]
    r = client.get(f"/partners/{pid}", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == f"/quarters/{LAST_DATE}/partners/{pid}"


# ---------------------------------------------------------------------------------------------
# Downloads: only what a manifest lists


def test_every_listed_file_downloads_intact(client: TestClient, published: dict[str, Any]) -> None:
    version_dir = published["publish_dir"] / "technology_tiers" / LAST_DATE.isoformat() / "v2"
    manifest = json.loads((version_dir / "manifest.json").read_text())
    for name, meta in manifest["files"].items():
        r = client.get(f"/files/{LAST_DATE}/v2/{name}")
        assert r.status_code == 200, name
        assert hashlib.sha256(r.content).hexdigest() == meta["sha256"], name
    xlsx = client.get(f"/files/{LAST_DATE}/v2/tier_extract.xlsx")
    assert xlsx.headers["content-disposition"].startswith("attachment")
    assert f"tier_extract_{LAST_DATE}_v2.xlsx" in xlsx.headers["content-disposition"]
    assert json.loads(client.get(f"/files/{LAST_DATE}/v2/manifest.json").content) == manifest
    # the superseded version stays downloadable (versions are immutable)
    assert client.get(f"/files/{LAST_DATE}/v1/tier_extract.csv").status_code == 200
    # a published HTML gate report is shown sandboxed
    assert "sandbox" in client.get(f"/files/{LAST_DATE}/v2/gate_report.html").headers["content-security-policy"]


@pytest.mark.parametrize(
    "url",
    [
        f"/files/{LAST_DATE}/v2/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        f"/files/{LAST_DATE}/v2/..%2F..%2F..%2Fanalytics.duckdb",
        f"/files/{LAST_DATE}/v2/..%2Fcurrent.json",
        f"/files/{LAST_DATE}/v2/%2E%2E%2F%2E%2E%2Fanalytics.duckdb",
        f"/files/{LAST_DATE}/v2/%2Fetc%2Fpasswd",
        f"/files/{LAST_DATE}/v2/..",
        "/files/..%2F..%2Fetc/v2/passwd",
        f"/files/{LAST_DATE}/v9/tier_extract.csv",
        f"/files/{LAST_DATE}/v2/tier_extract.csv.bak",
        "/files/2027-02-30/v1/tier_extract.csv",
        "/static/..%2F..%2Fapp.py",
        "/static/..%2Fdata.py",
    ],
)
def test_anything_not_listed_in_a_manifest_is_404(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert "root:" not in r.text and "Page not found" in r.text


def test_a_file_in_the_version_directory_but_not_in_its_manifest_is_404(scratch: Path) -> None:
    version_dir = scratch / "technology_tiers" / LAST_DATE.isoformat() / "v2"
    (version_dir / "notes.txt").write_text("not published")
    client = TestClient(create_app(scratch))
    assert client.get(f"/files/{LAST_DATE}/v2/notes.txt").status_code == 404
    assert client.get(f"/files/{LAST_DATE}/v2/tier_extract.csv").status_code == 200


# ---------------------------------------------------------------------------------------------
# Escaping


def test_partner_supplied_strings_are_escaped(client: TestClient, published: dict[str, Any]) -> None:
    xss_id = published["xss_id"]
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for url in (f"/quarters/{LAST_DATE}", f"/quarters/{LAST_DATE}/partners/{xss_id}"):
        html = client.get(url).text
        assert escaped in html, url
        assert "<script" not in html.lower(), url
    # the search box reflects its query escaped too
    html = client.get(f"/quarters/{LAST_DATE}", params={"q": '"><script>alert(2)</script>'}).text
    assert "<script" not in html.lower()
    assert 'value="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in html
    # and what a query matched is the partner itself
    assert partner_ids_listed(client.get(f"/quarters/{LAST_DATE}", params={"q": "<script>"}).text) == [xss_id]


def test_pages_forbid_scripts_and_framing(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp  # no script source at all
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    assert client.post("/").status_code == 405  # read-only


def test_gate_page_shows_the_last_report_as_a_table(
    client: TestClient, published: dict[str, Any], scratch: Path
) -> None:
    """Issue 15 item 4: the report's checks as table rows (failures first), not Markdown in <pre>."""
    latest = json.loads((published["publish_dir"] / "gate" / "latest.json").read_text(encoding="utf-8"))
    html = client.get("/gate").text
    assert "Last data-quality gate" in html and "<pre" not in html
    body = re.search(r'id="gate-report".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == len(latest["checks"])
    failed = [c for c in latest["checks"] if c["status"] != "passed"]
    for row, check in zip(rows, failed, strict=False):  # what did not pass comes first
        assert f'<td class="wrap-anywhere">{escape(check["name"])}</td>' in row
    hostile = {**latest, "checks": [{**latest["checks"][0], "name": "<b>volume</b>", "status": "failed"}]}
    (scratch / "gate" / "latest.json").write_text(json.dumps(hostile), encoding="utf-8")
    html = TestClient(create_app(scratch)).get("/gate").text
    assert "&lt;b&gt;volume&lt;/b&gt;" in html and "<b>volume</b>" not in html


# ---------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        (f"/quarters/{LAST_DATE}/partners/T999999", "is not in the 2027-01-15 publication"),
        ("/quarters/2030-01-15", "2030-01-15 has no published version"),
        ("/quarters/not-a-date", "is not an evaluation date"),
        ("/no/such/page", "There is no page or published file at this address"),
    ],
)
def test_not_found_pages(client: TestClient, url: str, detail: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert "Page not found" in r.text and detail in unescape(r.text)
    assert "Traceback" not in r.text


def test_server_error_page_hides_the_details(scratch: Path) -> None:
    version_dir = scratch / "technology_tiers" / LAST_DATE.isoformat() / "v2"
    (version_dir / "tier_extract.parquet").write_bytes(b"not a parquet file")
    client = TestClient(create_app(scratch), raise_server_exceptions=False)
    r = client.get(f"/quarters/{LAST_DATE}")
    assert r.status_code == 500
    assert "Something went wrong" in r.text
    assert "Traceback" not in r.text and str(scratch) not in r.text and "parquet" not in r.text.lower()
    assert "default-src 'none'" in r.headers["content-security-policy"]
    # other dates still work
    assert client.get("/quarters/2026-10-15").status_code == 200


def test_empty_publication_directory(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path / "nothing-yet"))
    r = client.get("/")
    assert r.status_code == 200 and "Nothing published yet" in r.text
    assert client.get("/gate").status_code == 404


# ---------------------------------------------------------------------------------------------
# The analytics snapshot is replaced by a rename after each publication


def test_a_replaced_analytics_file_is_picked_up(scratch: Path, published: dict[str, Any]) -> None:
    client = TestClient(create_app(scratch))
    pid = missed_next_tier(scratch)["partner_id"]
    url = f"/quarters/{LAST_DATE}/partners/{pid}"
    assert "$123,456.78" not in client.get(url).text
    analytics = scratch / "analytics.duckdb"
    # hold a connection to the old file open, as a long-lived reader would
    old = duckdb.connect(str(analytics), read_only=True)
    try:
        before = old.execute(
            "SELECT count(DISTINCT evaluation_date) FROM marts.fct_technology_tier_evaluations"
        ).fetchone()
        replacement = scratch / ".staging" / "analytics-next.duckdb"
        replacement.parent.mkdir(exist_ok=True)
        shutil.copyfile(analytics, replacement)
        con = duckdb.connect(str(replacement))
        # a new, unpublished date's metrics show from the new file; a published date's numbers stay
        # the published extract's, even when the snapshot's differ (issue 13 item 4)
        con.execute(
            """INSERT INTO marts.fct_technology_partner_metrics
               SELECT * REPLACE (DATE '2027-04-15' AS evaluation_date, 123456.78 AS attached_mrr)
               FROM marts.fct_technology_partner_metrics WHERE partner_id = ? AND evaluation_date = ?""",
            [pid, LAST_DATE],
        )
        con.execute(
            "UPDATE marts.fct_technology_partner_metrics SET attached_mrr = 654321.09 "
            "WHERE partner_id = ? AND evaluation_date = ?",
            [pid, LAST_DATE],
        )
        con.execute(
            """INSERT INTO marts.fct_technology_tier_evaluations
               SELECT * REPLACE (DATE '2027-04-15' AS evaluation_date)
               FROM marts.fct_technology_tier_evaluations WHERE evaluation_date = ?""",
            [LAST_DATE],
        )
        con.close()
        os.replace(replacement, analytics)
        page = client.get(url).text
        assert "Attached MRR on 2027-04-15: $123,456.78" in page
        assert "$654,321.09" not in page
        index = client.get("/").text
        row = next(r for r in table_rows(index, "publications") if "15 April 2027" in r)
        assert "Not published" in row and "/quarters/2027-04-15" not in row
        assert (
            before
            == old.execute(
                "SELECT count(DISTINCT evaluation_date) FROM marts.fct_technology_tier_evaluations"
            ).fetchone()
        )
    finally:
        old.close()


def test_portal_works_without_the_analytics_file(scratch: Path) -> None:
    (scratch / "analytics.duckdb").unlink()
    client = TestClient(create_app(scratch))
    pid = missed_next_tier(scratch)["partner_id"]
    html = client.get(f"/quarters/{LAST_DATE}/partners/{pid}").text
    assert "The analytics snapshot is not available" in html
    # requirements and history come from the published files
    assert 'data-tier="' in html and len(table_rows(html, "history")) == 9


# ---------------------------------------------------------------------------------------------
# The chart and the command


def test_chart_scale_threshold_and_escaping() -> None:
    assert nice_ticks(430_000) == [0, 200_000, 400_000, 600_000]
    assert nice_ticks(9_000) == [0, 2_500, 5_000, 7_500, 10_000]
    assert nice_ticks(0) == [0.0, 1.0]
    assert threshold_in_range([100.0, 200.0], 400.0) and not threshold_in_range([100.0, 200.0], 900.0)
    svg = str(
        line_chart(
            [Series("<b>x</b>", [(date(2026, 1, 15), 10.0), (date(2026, 4, 15), 20.0)], 'a"b')],
            title="<i>t</i>",
            threshold=30.0,
        )
    )
    assert "<b>" not in svg and "<i>" not in svg and 'a"b' not in svg
    assert svg.count("<circle") == 2 and 'class="threshold"' in svg


def test_issue15_4_no_chart_text_is_drawn_inside_the_plot_over_a_line(
    client: TestClient, published: dict[str, Any]
) -> None:
    """On the partner pages whose chart draws the next tier's threshold, every text of the SVG is an
    axis label outside the plot area; the threshold is named in the figure caption instead."""
    from orchestration.portal.chart import BOTTOM, HEIGHT, LEFT

    drawn = 0
    for row in extract(published["publish_dir"])[:40]:
        html = client.get(f"/quarters/{LAST_DATE}/partners/{row['partner_id']}").text
        for svg in re.findall(r"<svg class=\"chart\".*?</svg>", html, flags=re.S):
            texts = re.findall(r'<text class="([^"]+)" x="([\d.]+)" y="([\d.]+)"', svg)
            assert {cls for cls, _, _ in texts} == {"axis"}, "only axis labels are written in a chart"
            for _, x, y in texts:
                assert float(x) <= LEFT or float(y) >= HEIGHT - BOTTOM, f"text at ({x}, {y}) is inside the plot"
            drawn += 'class="threshold"' in svg
        if 'class="threshold"' in html:
            assert 'class="legend legend-threshold"' in html  # named in the caption
    assert drawn, "no partner page of the fixture draws a threshold"


def test_portal_command_binds_localhost_by_default() -> None:
    from orchestration.cli import build_parser

    args = build_parser().parse_args(["portal"])
    assert (args.host, args.port, args.publish_dir) == ("127.0.0.1", 8000, None)
    args = build_parser().parse_args(["portal", "--publish-dir", "/x", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port, args.publish_dir) == ("0.0.0.0", 9000, "/x")


# -- the portal reads both generations of published requirement rows ------------------------------------


def test_portal_requirement_line_shows_each_branch_in_its_place_for_old_and_new_versions() -> None:
    """Issue 12 item 5: a version published now carries the deciding branch in value/threshold and the
    requirement's own in standard_*; the portal's line keeps the deals figure under the deals label
    and the 90-day figure under its own, for versions published before and after."""
    common = {"requirement": "influenced_mrr", "level": "required", "status": "pass",
              "install_90d_value": 31000.0, "install_90d_threshold": 30000.0}  # fmt: skip
    new = requirement_line({**common, "value": 31000.0, "threshold": 30000.0, "decided_by": "install_90d",
                            "standard_value": 0.0, "standard_threshold": 1000.0})  # fmt: skip
    old = requirement_line({**common, "value": 0.0, "threshold": 1000.0})
    for line in (new, old):
        assert (line.value, line.threshold) == (0.0, 1000.0)
        assert (line.install_90d_value, line.install_90d_threshold) == (31000.0, 30000.0)
