"""Real-browser tests (issue 6): Debian's Chromium, headless, driven by Playwright (Python).

1. A partner manager's journey through the portal: the list of dates, a quarter, a search, a partner
   that missed its next tier, the XLSX extract downloaded and read back with openpyxl; and a partner
   named `<script>alert(1)</script>` rendered as text with no script executed.
2. The Dagster UI from `partner-warehouse ui` (dagster dev), after a CLI run on the same warehouse,
   renders the asset graph (raw feeds, dbt models, the publication) and shows the CLI's run and the
   publication's partitions as materialized (issue 14).

Screenshots of every page go to <artifacts>/screenshots/ (env PARTNER_WAREHOUSE_TEST_ARTIFACTS,
default <repo>/test-artifacts). Chromium is Debian's package (/usr/bin/chromium); when it is missing
the session installs it with apt-get (CI runs as root). Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestration import settings
from tests.statements_fixture import FORMULA_NAME, build_statements
from tests.test_portal import FINAL_RUN, LAST_DATE, XSS_NAME, build_publications, extract, missed_next_tier

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DAGSTER_START_SECONDS = 90
TIER_LABELS = {"partner": "Partner", "rising": "Rising", "leading": "Leading", "premier": "Premier"}
# what the English workbook says of an action (written here independently of labels.py)
ACTION_LABELS = {"unchanged": "Unchanged", "upgrade": "Upgrade", "downgrade_waived_2026": "Downgrade waived (2026)",
                 "joined": "Joined", "downgrade": "Downgrade", "downgrade_not_in_window": "Downgrade not in window",
                 "upgrade_held_compliance": "Upgrade held (not in good standing)"}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Session fixtures: Chromium, the browser, the publications, the portal server


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; installed with apt-get when missing (never `playwright install`)."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path:
        return path
    if not shutil.which("apt-get") or os.geteuid() != 0:
        pytest.fail(
            "The browser tests need Debian's Chromium at /usr/bin/chromium and cannot install it here "
            "(apt-get needs root). Install it with: sudo apt-get install -y chromium"
        )
    print("\nbrowser tests: Chromium is missing; installing Debian's package (apt-get install chromium) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"`{' '.join(cmd)}` failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    path = shutil.which("chromium")
    if not path:
        pytest.fail("apt-get installed chromium but no `chromium` executable is on PATH")
    return path


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def shots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def publications(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_publications(tmp_path_factory.mktemp("browser"), runs=(FINAL_RUN,))


@pytest.fixture(scope="session")
def portal(publications: dict[str, Any]) -> Iterator[str]:
    yield from _served(publications["publish_dir"])


def _served(publish_dir: Path) -> Iterator[str]:
    """The portal served by uvicorn on a free localhost port, in a background thread."""
    import uvicorn

    from orchestration.portal.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(publish_dir), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the portal did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# ---------------------------------------------------------------------------------------------
# The portal


def _download(page: Any, link: str, folder: Path) -> Path:
    """Click a download link; the file saved under the name the portal suggested."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def test_partner_manager_journey(browser: Any, portal: str, publications: dict[str, Any], shots: Path) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    rows = extract(publications["publish_dir"])
    target = missed_next_tier(publications["publish_dir"])
    page = browser.new_page(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # 1. the list of evaluation dates
    page.goto(portal + "/")
    expect(page.locator("#publications tbody tr")).to_have_count(9)
    expect(page.locator("#publications tbody tr").first).to_contain_text("Published")
    page.screenshot(path=shots / "portal-01-publications.png", full_page=True)

    # 2. a quarter: every published partner; a column header sorts
    page.get_by_role("link", name=f"{LAST_DATE.day} {LAST_DATE:%B %Y}").click()
    expect(page).to_have_url(re.compile(rf"/quarters/{LAST_DATE}$"))
    expect(page.locator("#partners tbody tr")).to_have_count(len(rows))
    page.screenshot(path=shots / "portal-02-quarter.png", full_page=True)
    page.locator("#partners thead").get_by_role("link", name="Attached MRR").click()
    richest = max(rows, key=lambda r: (r["attached_mrr"], r["partner_id"]))
    expect(page.locator("#partners tbody tr").first.locator("a.partner-link")).to_have_attribute(
        "href", f"/quarters/{LAST_DATE}/partners/{richest['partner_id']}"
    )

    # 3. search by name
    page.get_by_role("searchbox").fill(target["partner_name"])
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#partners tbody tr")).to_have_count(1)
    expect(page.locator("#result-count")).to_contain_text("Showing 1–1 of 1 partner")
    page.screenshot(path=shots / "portal-03-search.png", full_page=True)

    # 4. the partner: why its tier, what it lacks for the next one
    page.locator("#partners").get_by_role("link", name=target["partner_name"]).click()
    expect(page.locator("#partner-name")).to_have_text(target["partner_name"])
    blocking = target["next_tier_blocking_requirements"].split(", ")
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text(f"Not yet {TIER_LABELS[target['next_tier']]}")
    expect(verdict.locator("li")).to_have_count(len(blocking))
    expect(page.locator(f'table.requirements[data-tier="{target["next_tier"]}"] .status-fail')).to_have_count(
        len(blocking)
    )
    expect(page.locator("svg.chart")).to_have_count(2)
    expect(page.locator("svg.chart").first.locator("circle")).to_have_count(9)
    expect(page.locator("#history tbody tr")).to_have_count(9)
    page.screenshot(path=shots / "portal-04-partner.png", full_page=True)

    # 5. the quarter's XLSX extract (issue 15 item 1: the Tiers sheet in words), read back
    saved = _download(page, "Tier extract · Excel (English)", publications["root"])
    assert saved.name == f"tier_extract_{LAST_DATE}_v1.xlsx"
    wb = load_workbook(saved)
    try:
        assert wb.sheetnames == ["Tiers", "Requirements", "Read me"] and wb["Tiers"].freeze_panes == "C2"
        sheet = list(wb["Tiers"].iter_rows(values_only=True))
    finally:
        wb.close()
    header = list(sheet[0])
    assert header[:2] == ["Partner ID", "Partner"]
    assert {"Tier before", "Tier after", "Action", "Attached MRR (12-month mean)", "Missing for the next tier"} <= set(
        header
    )
    assert len(sheet) == len(rows) + 1
    mine = [dict(zip(header, r, strict=True)) for r in sheet[1:] if r[0] == target["partner_id"]]
    assert len(mine) == 1
    assert mine[0]["Partner"] == target["partner_name"]
    assert mine[0]["Tier after"] == TIER_LABELS[target["tier_after"]]
    assert mine[0]["Action"] == ACTION_LABELS[target["action"]]
    assert round(float(mine[0]["Attached MRR (12-month mean)"]), 2) == round(float(target["attached_mrr"]), 2)
    assert dialogs == []
    page.close()


def test_issue15_2_language_switch_and_french_extract(
    browser: Any, portal: str, publications: dict[str, Any], shots: Path
) -> None:
    """A partner manager switches the portal to French, follows it through the pages, downloads the
    French workbook; a browser set to French gets French without switching."""
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from orchestration.portal import labels

    target = missed_next_tier(publications["publish_dir"])
    page = browser.new_page(viewport={"width": 1360, "height": 900}, accept_downloads=True, locale="en-US")
    page.goto(portal + "/")
    expect(page.locator("h1")).to_have_text("Technology tier publications")
    page.locator("#language-switch").get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Publications des niveaux technologiques")
    expect(page.locator("#language-switch .lang-current")).to_have_text("Français")
    page.screenshot(path=shots / "portal-07-publications-fr.png", full_page=True)

    # the choice holds on the next pages (a cookie), links need no parameter
    page.get_by_role("link", name="15 janvier 2027").click()
    expect(page.locator("h1")).to_contain_text("Niveaux technologiques · 15 janvier 2027")
    expect(page.locator("#partners thead")).to_contain_text("Niveau après")
    page.get_by_role("searchbox").fill(target["partner_name"])
    page.get_by_role("button", name="Appliquer").click()
    page.locator("#partners").get_by_role("link", name=target["partner_name"]).click()
    next_tier = labels.tier_label(target["next_tier"], "fr")
    expect(page.locator("#verdict")).to_contain_text(f"Pas encore {next_tier}")
    explanation = labels.action_explanation(target["action"], target["tier_before"], target["tier_after"], None, "fr")
    expect(page.locator("#explanation")).to_have_text(explanation)
    expect(page.locator("body")).to_contain_text("Avantages du niveau")
    page.screenshot(path=shots / "portal-08-partner-fr.png", full_page=True)

    # the French workbook: sheets, frozen panes, formats, no formula
    saved = _download(page, "Extrait des niveaux · Excel (français)", publications["root"])
    assert saved.name == f"tier_extract_fr_{LAST_DATE}_v1.xlsx"
    wb = load_workbook(saved)
    try:
        assert wb.sheetnames == ["Niveaux", "Exigences", "Lisez-moi"]
        ws = wb["Niveaux"]
        assert ws.freeze_panes == "C2" and ws.auto_filter.ref.startswith("A1:")
        header = [c.value for c in ws[1]]
        mine = [
            dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2) if r[0].value == target["partner_id"]
        ]
        assert len(mine) == 1
        assert mine[0]["Niveau après"].value == labels.tier_label(target["tier_after"], "fr")
        assert mine[0]["MRR lié (moyenne sur 12 mois)"].number_format == "$#,##0.00"
        assert mine[0]["Manque pour le niveau suivant"].value.startswith(
            labels.REQUIREMENT_LABELS_FR[sorted(target["next_tier_blocking_requirements"].split(", "))[0]]
        )
        assert not [c for s in wb.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"]
    finally:
        wb.close()

    # back to English
    page.locator("#language-switch").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#verdict")).to_contain_text(f"Not yet {TIER_LABELS[target['next_tier']]}")
    page.close()

    # a browser whose language is French: Accept-Language decides before any switch
    context = browser.new_context(locale="fr-FR", viewport={"width": 1360, "height": 900})
    french = context.new_page()
    french.goto(portal + "/")
    expect(french.locator("html")).to_have_attribute("lang", "fr")
    expect(french.locator("h1")).to_have_text("Publications des niveaux technologiques")
    context.close()


def test_a_script_in_a_partner_name_renders_as_text(
    browser: Any, portal: str, publications: dict[str, Any], shots: Path
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1360, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{portal}/quarters/{LAST_DATE}")
    page.get_by_role("searchbox").fill("<script>")
    page.get_by_role("button", name="Apply").click()
    link = page.locator("#partners a.partner-link")
    expect(link).to_have_count(1)
    expect(link).to_have_text(XSS_NAME)
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    link.click()
    expect(page.locator("#partner-name")).to_have_text(XSS_NAME)
    expect(page.locator(".crumb-current")).to_have_text(XSS_NAME)
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    assert page.title().startswith(XSS_NAME)
    page.wait_for_timeout(300)  # an injected alert would have fired by now
    assert dialogs == []
    page.screenshot(path=shots / "portal-05-script-named-partner.png", full_page=True)
    page.close()


def test_issue15_4_html_gate_report_keeps_failing_rows_on_a_1400_px_screen(
    browser: Any, tmp_path: Path, shots: Path
) -> None:
    """dbt test names run to 200 characters without a break: the report's table wraps them instead of
    growing past the window, so the failing-rows column stays on screen."""
    from orchestration.defs.quality.report import CheckResult, GateReport

    long_name = "accepted_values_fct_technology_tier_evaluations_action__" + "__".join(["upgrade_held_compliance"] * 8)
    checks = [
        CheckResult(long_name, "dbt", "dbt", "warning", "failed", 3, description="x " * 80),
        CheckResult("row_count", "partners", "volume", "blocking", "passed", 0, description="rows arrive"),
    ]
    page_file = tmp_path / "gate_report.html"
    page_file.write_text(GateReport(checks=checks, run_date="2027-02-01").to_html(), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(page_file.as_uri())
    header = page.locator("table.checks th", has_text="failing rows")
    box = header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1400, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    page.screenshot(path=shots / "gate-report-1400.png", full_page=True)
    page.close()


def test_not_found_page_in_the_browser(browser: Any, portal: str, shots: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1360, "height": 700})
    response = page.goto(f"{portal}/files/{LAST_DATE}/v1/..%2F..%2F..%2Fetc%2Fpasswd")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.screenshot(path=shots / "portal-06-not-found.png")
    page.close()


# ---------------------------------------------------------------------------------------------
# A solutions partner's commission statement (issue 15 item 3)


@pytest.fixture(scope="session")
def statement_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    built = build_statements(tmp_path_factory.mktemp("browser-statements"))
    for url in _served(built["publish_dir"]):
        yield {**built, "url": url}


def test_solutions_partner_statement_page(browser: Any, statement_portal: dict[str, Any], shots: Path) -> None:
    """The list of quarters, a quarter's partners, sp1's statement (the B9 example: 740 -> 148 -> 444),
    its charts and lines not credited, a formula-named partner as text, the workbook read back."""
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(statement_portal["url"] + "/")
    page.get_by_role("link", name="Commission statements").first.click()
    expect(page.locator("#statement-quarters tbody tr")).to_have_count(2)
    expect(page.locator("#statement-quarters tbody tr").last).to_contain_text("$444.00")
    page.screenshot(path=shots / "statements-01-quarters.png", full_page=True)

    page.get_by_role("link", name="2025-Q1").click()
    expect(page.locator("#statement-partners tbody tr")).to_have_count(3)
    expect(page.locator("#statement-partners tbody tr").first).to_contain_text("Partner sp1")  # biggest payout first
    expect(page.locator("#statement-partners a.partner-link").last).to_have_text(FORMULA_NAME)
    page.screenshot(path=shots / "statements-02-quarter.png", full_page=True)

    page.get_by_role("link", name="Partner sp1").click()
    expect(page.locator("#partner-name")).to_have_text("Partner sp1")
    expect(page.locator("#payout")).to_have_text("$444.00")
    accruals = page.locator("#accruals tbody tr")
    expect(accruals).to_have_count(3)
    for i in range(3):
        expect(accruals.nth(i)).to_contain_text("$740.00")
        expect(accruals.nth(i)).to_contain_text("20 %")
        expect(accruals.nth(i)).to_contain_text("$148.00")
        expect(accruals.nth(i)).to_contain_text("B9 D20")
    expect(page.locator("#monthly tbody tr")).to_have_count(3)
    expect(page.locator("svg.chart")).to_have_count(2)
    expect(page.locator("svg.chart").first.locator("circle")).to_have_count(12)  # 6 months x sold, managed
    expect(page.locator("svg.chart").last.locator("circle")).to_have_count(2)  # Q1 and Q2 payouts
    expect(page.locator("#not-credited tbody tr")).to_have_count(1)
    expect(page.locator("#not-credited")).to_contain_text("Credit overages are never credited or commissioned.")
    page.screenshot(path=shots / "statements-03-partner.png", full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Statement · Excel").click()
    download = info.value
    assert download.suggested_filename == "statement_2025-01-01_v1.xlsx"
    saved = statement_portal["root"] / download.suggested_filename
    download.save_as(saved)
    wb = load_workbook(saved, read_only=True)
    try:
        assert wb.sheetnames == ["Payouts", "Accruals", "Monthly MRR", "Not credited", "Read me"]
        rows = list(wb["Payouts"].iter_rows(values_only=True))
        sp1 = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == "sp1"), strict=True))
        assert (sp1["payout_usd"], sp1["accrual_count"]) == (444.0, 3)
    finally:
        wb.close()
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    assert dialogs == []
    page.close()


# ---------------------------------------------------------------------------------------------
# The Dagster UI


def _wait_for_http(url: str, seconds: float, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"`partner-warehouse ui` exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"{url} did not answer within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def _stop_group(proc: subprocess.Popen) -> None:
    """dagster dev and its children share the process group started for it (start_new_session: the
    group id is the child's pid): interrupt them (dagster dev shuts down on Ctrl-C, not on SIGTERM),
    then SIGTERM, then SIGKILL whatever is left."""
    pgid = proc.pid
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            proc.poll()
            time.sleep(0.2)


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`partner-warehouse ui` on a warehouse after a demo-like CLI run (issue 14: the UI shows what the
    CLI ran): the UI uses the warehouse's own instance, `<warehouse>.dagster/`, no --dagster-home."""
    from datetime import date

    from orchestration.cli import main
    from orchestration.defs.publication.store import PublicationStore
    from orchestration.generate import generate_landing

    tmp = tmp_path_factory.mktemp("dagster-ui")
    landing, warehouse = tmp / "landing", tmp / "warehouse.duckdb"
    generate_landing(landing, scale=0.01, seed=5, last_month=date(2026, 12, 1))
    args = ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--run-date", "2027-02-01", "--all"]
    assert main(args) == 0
    published = PublicationStore(tmp / "publications").evaluation_dates()
    port = _free_port()
    script = Path(sys.executable).with_name("partner-warehouse")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "orchestration.cli"]
    command += ["ui", "--port", str(port), "--warehouse", str(warehouse), "--landing", str(landing)]
    env = {**os.environ, **settings.OFFLINE_ENV}
    # the code server must import this checkout's `orchestration`
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(settings.PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    log = tmp / "dagster-ui.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=settings.PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_http(base + "/server_info", DAGSTER_START_SECONDS, proc, log)
        yield {"base": base, "published": published}
    finally:
        _stop_group(proc)


def _new_page(browser: Any) -> Any:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    # the first visit of a new instance opens a "join the community" dialog: skip it whenever it shows
    page.add_locator_handler(page.get_by_role("button", name="Skip"), lambda b: b.click())
    return page


def _graphql(base: str, query: str) -> dict[str, Any]:
    import json

    request = urllib.request.Request(
        base + "/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())["data"]


def test_dagster_ui_asset_graph(browser: Any, dagster_ui: dict[str, Any], shots: Path) -> None:
    from playwright.sync_api import expect

    base = dagster_ui["base"]
    page = _new_page(browser)
    location = "orchestration.definitions"

    page.goto(base + "/asset-groups")
    for group in ("raw", "published_record", "staging", "intermediate", "marts", "publication"):
        expect(page.get_by_text(group, exact=True).first).to_be_visible(timeout=60_000)
    assert "Error loading" not in page.inner_text("body")
    page.screenshot(path=shots / "dagster-01-global-lineage.png")

    # the raw group: one asset per feed, feeding dbt's staging models
    page.goto(f"{base}/locations/{location}/asset-groups/raw")
    for name in ("deal_line_items", "deals", "stg_hubspot__deals"):
        expect(page.get_by_text(name, exact=True).first).to_be_visible(timeout=30_000)
    page.screenshot(path=shots / "dagster-02-raw-group.png")

    # the publication group: its asset and the dbt marts upstream of it
    page.goto(f"{base}/locations/{location}/asset-groups/publication")
    for name in ("technology_tier_publication", "fct_technology_partner_metrics", "fct_technology_tier_gaps"):
        expect(page.get_by_text(name, exact=True).first).to_be_visible(timeout=30_000)
    page.screenshot(path=shots / "dagster-03-publication-group.png")
    page.close()


def test_dagster_ui_shows_the_cli_run_and_the_published_partitions(
    browser: Any, dagster_ui: dict[str, Any], shots: Path
) -> None:
    """issue 14: after a CLI run the UI is not empty: its run, and every published date a materialized
    partition of the publication asset (as many partitions as dates the data covers, not 12)."""
    from playwright.sync_api import expect

    base, published = dagster_ui["base"], dagster_ui["published"]
    data = _graphql(
        base,
        """{ assetNodeOrError(assetKey: {path: ["publication", "technology_tier_publication"]}) {
             ... on AssetNode { partitionStats { numMaterialized numPartitions numFailed } } } }""",
    )
    stats = data["assetNodeOrError"]["partitionStats"]
    assert stats == {"numMaterialized": len(published), "numPartitions": len(published), "numFailed": 0}

    page = _new_page(browser)
    page.goto(base + "/runs")
    expect(page.get_by_text("publish_quarter").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Success").first).to_be_visible(timeout=30_000)
    page.screenshot(path=shots / "dagster-04-runs.png")

    page.goto(base + "/assets/publication/technology_tier_publication?view=partitions")
    expect(page.get_by_text(published[-1].isoformat()).first).to_be_visible(timeout=60_000)
    page.screenshot(path=shots / "dagster-05-publication-partitions.png")

    page.goto(base + "/assets/raw/marketplace_reviews?view=checks")
    expect(page.get_by_text("contract", exact=True).first).to_be_visible(timeout=60_000)
    page.screenshot(path=shots / "dagster-06-raw-checks.png")
    page.close()
