"""What-if simulator (issue 17 item 1) on a generated, published warehouse: with no change it reproduces
the published decision of every partner-date; each input moved across a threshold flips that requirement
and no other; the least changes it proposes reach the next tier."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration import whatif
from orchestration.cli import main
from orchestration.defs.publication.store import PublicationStore
from orchestration.generate import generate_landing

pytestmark = pytest.mark.e2e

RUN_DATE = date(2027, 8, 1)
LAST_MONTH = date(2027, 6, 1)
ENFORCED_DATE = date(2027, 4, 15)  # after the 2026 transition (D9): every requirement is enforced


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("whatif")
    landing = tmp / "landing"
    generate_landing(landing, scale=0.01, seed=3, last_month=LAST_MONTH)
    warehouse = tmp / "warehouse.duckdb"
    code = main(
        ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--run-date", RUN_DATE.isoformat(), "--all"]
    )
    assert code == 0
    return {"warehouse": warehouse, "publish_dir": tmp / "publications"}


@pytest.fixture
def con(built: dict[str, Path]):
    connection = whatif.connect(built["warehouse"])
    yield connection
    connection.close()


def _published(publish_dir: Path, name: str) -> pd.DataFrame:
    store = PublicationStore(publish_dir)
    frames = []
    for evaluation_date in store.evaluation_dates():
        current = store.current(evaluation_date)
        assert current is not None
        frames.append(pd.read_parquet(current.path / f"{name}.parquet"))
    return pd.concat(frames, ignore_index=True)


def _partner_dates(con: duckdb.DuckDBPyConnection, evaluation_date: date | None = None) -> list[tuple[str, date]]:
    where = "" if evaluation_date is None else f"where evaluation_date = '{evaluation_date}'"
    return con.execute(
        f"select partner_id, evaluation_date from {whatif.DECISION_INPUTS} {where} order by 1, 2"
    ).fetchall()


def test_no_change_reproduces_the_published_decision_for_every_partner_date(built, con) -> None:
    """issue 17: every partner-date of the generated landing zone, tiers, action and every requirement."""
    extract = _published(built["publish_dir"], "tier_extract")
    pairs = _partner_dates(con)
    assert len(pairs) == len(extract) > 100
    outcomes = whatif.simulate(con, [whatif.Scenario(p, d) for p, d in pairs])
    decided = pd.DataFrame(
        [
            {"partner_id": o.scenario.partner_id, "evaluation_date": o.scenario.evaluation_date, **o.decision}
            for o in outcomes
        ]
    )
    columns = ["tier_before", "qualified_tier_on_performance", "qualified_tier", "tier_after", "action", "pending_tier"]
    extract["evaluation_date"] = pd.to_datetime(extract["evaluation_date"]).dt.date
    merged = extract.merge(decided, on=["partner_id", "evaluation_date"], suffixes=("_published", "_what_if"))
    assert len(merged) == len(extract)
    for column in columns:
        published = merged[f"{column}_published"].fillna("—").tolist()
        simulated = merged[f"{column}_what_if"].fillna("—").tolist()
        assert simulated == published, column
    assert merged["action_what_if"].nunique() >= 3  # the fixture exercises several A9 rows

    requirements = _published(built["publish_dir"], "requirements")
    simulated_rows = {
        (o.scenario.partner_id, str(o.scenario.evaluation_date), r["tier"], r["requirement"]): r["status"]
        for o in outcomes
        for r in o.requirements
    }
    published_rows = {
        (row.partner_id, str(pd.Timestamp(row.evaluation_date).date()), row.tier, row.requirement): row.status
        for row in requirements.itertuples()
    }
    assert simulated_rows == published_rows


# input -> (requirement it moves, tier whose threshold is crossed, value below, value at the threshold,
# changes held fixed in both scenarios so the OR's other branch or an undefined rating cannot decide)
CROSSINGS = {
    "attached_mrr": ("attached_mrr", "rising", 399_999.99, 400_000, ()),
    "influenced_mrr": ("influenced_mrr", "rising", 999.99, 1_000, ("install_90d_mrr=0",)),
    "install_90d_mrr": ("influenced_mrr", "rising", 4_999.99, 5_000, ("influenced_mrr=0",)),
    "review_count": ("review_count", "premier", 9, 10, ()),
    "avg_rating": ("avg_rating", "rising", 3.49, 3.5, ("review_count=12",)),
}


def _statuses(outcome: whatif.Outcome) -> dict[tuple[str, str], str]:
    return {(r["tier"], r["requirement"]): r["status"] for r in outcome.requirements}


@pytest.mark.parametrize("name", sorted(CROSSINGS))
def test_an_amount_across_its_threshold_flips_exactly_that_requirement(con, name: str) -> None:
    requirement, tier, below, at, fixed = CROSSINGS[name]
    held = tuple(whatif.parse_change(text) for text in fixed)
    pairs = _partner_dates(con, ENFORCED_DATE)
    scenarios = [whatif.Scenario(p, d, (*held, whatif.Change(name, value))) for p, d in pairs for value in (below, at)]
    outcomes = whatif.simulate(con, scenarios)
    for low, high in zip(outcomes[::2], outcomes[1::2], strict=True):
        before, after = _statuses(low), _statuses(high)
        changed = {key for key in before if before[key] != after[key]}
        assert changed == {(tier, requirement)}, (low.scenario.partner_id, changed)
        assert (before[(tier, requirement)], after[(tier, requirement)]) == ("fail", "pass")


FLAGS = {
    "certified_app": "app_certification",
    "live_listing": "live_listing",
    "technical_contact": "technical_contact",
    "partnership_manager": "partnership_manager",
    "executive_sponsor": "executive_sponsor",
    "data_sharing": "data_sharing",
}


@pytest.mark.parametrize("name", sorted(FLAGS))
def test_a_flag_switched_flips_that_requirement_in_every_tier_and_nothing_else(con, name: str) -> None:
    requirement = FLAGS[name]
    pairs = _partner_dates(con, ENFORCED_DATE)
    scenarios = [whatif.Scenario(p, d, (whatif.Change(name, value),)) for p, d in pairs for value in (False, True)]
    outcomes = whatif.simulate(con, scenarios)
    tiers_with_it = {r["tier"] for r in outcomes[0].requirements if r["requirement"] == requirement}
    assert tiers_with_it
    for off, on in zip(outcomes[::2], outcomes[1::2], strict=True):
        before, after = _statuses(off), _statuses(on)
        changed = {key for key in before if before[key] != after[key]}
        assert changed == {(tier, requirement) for tier in tiers_with_it}
        assert {after[(tier, requirement)] for tier in tiers_with_it} == {"pass"}
        assert {before[(tier, requirement)] for tier in tiers_with_it} <= {"fail", "preferred_missing"}


def test_good_standing_and_the_poc_form_change_the_action_not_the_performance(con) -> None:
    """A8/D12: out of good standing an upgrade is held (A9 row 4); D11: without the form an upgrade the
    partner earned on performance is pending; neither moves a performance requirement."""
    pairs = _partner_dates(con, ENFORCED_DATE)
    everything = tuple(
        whatif.parse_change(t)
        for t in (
            "attached_mrr=8000000",
            "influenced_mrr=200000",
            "review_count=20",
            "avg_rating=4.5",
            "certified_app=yes",
        )
    )
    variants = (
        ("good_standing=yes", "poc_form=yes"),
        ("good_standing=no", "poc_form=yes"),
        ("good_standing=yes", "poc_form=no"),
    )
    scenarios = [
        whatif.Scenario(p, d, everything + tuple(whatif.parse_change(t) for t in variant))
        for p, d in pairs
        for variant in variants
    ]
    outcomes = whatif.simulate(con, scenarios)
    upgrades = 0
    for best, held, formless in zip(outcomes[::3], outcomes[1::3], outcomes[2::3], strict=True):
        if best.decision["action"] == "not_in_program" or best.decision["tier_before"] in (None, "not_in_program"):
            continue
        assert best.decision["qualified_tier"] == "premier"
        assert best.decision["tier_after"] == "premier" or best.decision["tier_before"] == "premier"
        if best.decision["tier_before"] != "premier":
            assert best.decision["action"] == "upgrade"
            assert held.decision["action"] == "upgrade_held_compliance"
            assert held.decision["tier_after"] == held.decision["tier_before"]
            assert formless.decision["action"] in ("upgrade_pending_poc_form", "upgrade_deferred_no_poc_form")
            assert formless.decision["pending_tier"] == "premier"
            upgrades += 1
        performance = {
            k: v
            for k, v in _statuses(best).items()
            if k[1] in whatif.REQUIREMENT_INPUT
            and k[1] not in ("technical_contact", "partnership_manager", "executive_sponsor", "data_sharing")
        }
        assert {k: _statuses(held)[k] for k in performance} == performance
        assert {k: _statuses(formless)[k] for k in performance} == performance
    assert upgrades >= 10


def test_the_least_changes_reach_the_next_tier_for_every_partner_date(con) -> None:
    """'the least change that reaches the next tier': applied together, X_perf reaches the tier above."""
    pairs = _partner_dates(con)
    outcomes = whatif.simulate(con, [whatif.Scenario(p, d) for p, d in pairs])
    tiers = ["not_in_program", "partner", "rising", "leading", "premier"]
    checked = 0
    for outcome in outcomes:
        target, reached = whatif.reach(con, outcome.scenario, outcome)
        if target is None or outcome.decision["action"] in ("not_in_program", "left_program"):
            continue
        assert reached is not None
        assert tiers.index(reached.decision["qualified_tier_on_performance"]) >= tiers.index(target)
        assert tiers.index(reached.decision["qualified_tier"]) >= tiers.index(target)
        checked += 1
    assert checked > 100


def test_the_command_prints_the_decision_and_what_changed(built, con, capsys) -> None:
    partner_id, evaluation_date = _partner_dates(con, ENFORCED_DATE)[0]
    recorded = whatif.recorded_decision(con, partner_id, evaluation_date)
    base = ["what-if", "--warehouse", str(built["warehouse"]), "--partner", partner_id, "--date", str(evaluation_date)]
    assert main(base) == 0
    plain = capsys.readouterr().out
    assert f"-> {recorded['action']} -> tier after {recorded['tier_after']}" in plain
    assert "changes:   none" in plain
    reviews = whatif.simulate(con, [whatif.Scenario(partner_id, evaluation_date)])[0].inputs["review_count"]
    assert main([*base, "--set", "review_count=+3", "--set", "attached_mrr=450000"]) == 0
    changed = capsys.readouterr().out
    assert f"review_count {reviews} -> {reviews + 3}" in changed
    assert "450,000" in changed


def test_a_change_prints_as_the_set_option_that_makes_it() -> None:
    """The least changes are printed as --set options (and portal links): plain numbers, read back equal."""
    for change, text in (
        (whatif.Change("attached_mrr", 1_000_000.0), "attached_mrr=1000000"),
        (whatif.Change("influenced_mrr", 12_345_678.91), "influenced_mrr=12345678.91"),
        (whatif.Change("review_count", 3.0, delta=True), "review_count=+3"),
        (whatif.Change("poc_form", True), "poc_form=true"),
    ):
        assert str(change) == text
        assert whatif.parse_change(text) == change


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("--set=reviews=3", "no input named 'reviews'"),
        ("--set=review_count=three", "'three' is not a number"),
        ("--set=certified_app=maybe", "certified_app is yes or no"),
        ("--partner=NOPE", "'NOPE' is no technology partner"),
        ("--date=2020-01-15", "has no decision on 2020-01-15; its evaluated dates are"),
    ],
)
def test_a_question_it_cannot_answer_says_why(built, con, capsys, argument: str, message: str) -> None:
    partner_id, evaluation_date = _partner_dates(con, ENFORCED_DATE)[0]
    args = ["what-if", "--warehouse", str(built["warehouse"]), "--partner", partner_id, "--date", str(evaluation_date)]
    assert main([*args, argument]) == 2
    assert message in capsys.readouterr().err


def test_the_portal_form_answers_with_the_simulators_decision(built, con) -> None:
    """issue 17: a form on the partner page; its answer is the simulator's, from the analytics snapshot."""
    import re

    from starlette.testclient import TestClient

    from orchestration.portal import labels
    from orchestration.portal.app import create_app

    client = TestClient(create_app(built["publish_dir"]))
    partner_id, evaluation_date = _partner_dates(con, ENFORCED_DATE)[0]
    url = f"/quarters/{evaluation_date}/partners/{partner_id}"
    page = client.get(url)
    assert page.status_code == 200
    assert f'action="{url}/what-if"' in page.text

    changes = (whatif.parse_change("review_count=+3"), whatif.parse_change("avg_rating=4.2"))
    expected = whatif.simulate(con, [whatif.Scenario(partner_id, evaluation_date, changes)])[0]
    answer = client.get(f"{url}/what-if", params={"review_count": "+3", "avg_rating": "4.2"})
    assert answer.status_code == 200
    decision = re.search(r'id="what-if-decision">(.*?)</p>', answer.text, re.S).group(1)
    assert labels.action_label(expected.decision["action"]) in decision
    rows = re.findall(r'data-tier="(\w+)" data-requirement="(\w+)">.*?class="status status-(\w+)"', answer.text, re.S)
    shown = {(tier, requirement): status for tier, requirement, status in rows}
    assert shown == _statuses(expected)

    refused = client.get(f"{url}/what-if", params={"review_count": "lots"})
    assert refused.status_code == 200
    assert "Not applied" in refused.text and "&#39;lots&#39; is not a number" in refused.text


def test_each_publication_lists_its_notification_drafts_and_the_portal_shows_them(built) -> None:
    """issue 17 item 3 on a real publication: the drafts are files of the version (in its manifest), written
    from its extract (same action, same numbers), and the quarter's portal page shows them with copy buttons."""
    from starlette.testclient import TestClient

    from orchestration.portal.app import create_app

    store = PublicationStore(built["publish_dir"])
    client = TestClient(create_app(built["publish_dir"]))
    kinds: set[str] = set()
    for evaluation_date in store.evaluation_dates():
        current = store.current(evaluation_date)
        assert {"notifications.parquet", "notifications_en.md", "notifications_fr.md"} <= set(current.manifest["files"])
        drafts = pd.read_parquet(current.path / "notifications.parquet")
        assert current.manifest["row_counts"]["notifications"] == len(drafts)
        extract = pd.read_parquet(current.path / "tier_extract.parquet").set_index("partner_id")
        for draft in drafts.itertuples():
            row = extract.loc[draft.partner_id]
            assert draft.action == row["action"]
            if draft.language == "en":
                assert f"Attached MRR (12-month mean): ${float(row['attached_mrr']):,.2f}" in draft.body
                assert f"Marketplace reviews: {int(row['review_count']):,}," in draft.body
        kinds |= set(drafts["kind"])
        page = client.get(f"/quarters/{evaluation_date}/notifications", params={"lang": "fr"})
        assert page.status_code == 200
        assert page.text.count('class="draft-text"') == int((drafts["language"] == "fr").sum())
        assert "script-src 'self'" in page.headers["content-security-policy"]
    assert {"new_tier", "downgrade", "upgrade_held"} <= kinds  # the generated history has these decisions


# ---------------------------------------------------------------------------------------------
# issue 17 item 2: the forecast of the next evaluation date (docs/forecast.md), on the same warehouse


def _forecast(built, run_date: date) -> pd.DataFrame:
    with duckdb.connect(str(built["warehouse"]), read_only=True) as db:
        return db.execute(
            "select * from marts.fct_technology_tier_forecast where run_date = ? order by partner_id", [run_date]
        ).df()


def test_the_forecast_keeps_observed_months_and_projects_the_rest_by_each_method(built) -> None:
    """O = 2027-01-15, E' = 2027-04-15: W(E') is April 2026 - March 2027; April - December 2026 are facts,
    January - March 2027 carry December forward, or follow the line through July - December 2026."""
    import numpy as np

    forecast = _forecast(built, date(2027, 1, 15))
    assert set(forecast["target_date"].dt.date) == {date(2027, 4, 15)}
    assert set(forecast["projected_months"]) == {3}
    with duckdb.connect(str(built["warehouse"]), read_only=True) as db:
        monthly = db.execute(
            """select partner_id, month, attached_mrr from intermediate.int_technology__partner_attached_mrr_monthly
               where month between '2026-04-01' and '2026-12-01'"""
        ).df()
    monthly["month"] = pd.to_datetime(monthly["month"]).dt.date
    moved = 0
    for row in forecast.itertuples():
        own = monthly[monthly["partner_id"] == row.partner_id].set_index("month")["attached_mrr"].astype(float)
        months = [date(2026, m, 1) for m in range(4, 13)]
        series = np.array([own.get(m, 0.0) for m in months])
        carry = (series.sum() + 3 * series[-1]) / 12
        slope, intercept = np.polyfit(np.arange(-6, 0), series[-6:], 1)
        trend = (series.sum() + sum(max(intercept + slope * x, 0.0) for x in range(3))) / 12
        assert float(row.projected_attached_mrr) == pytest.approx(carry, abs=0.0051)  # rounded to the cent
        assert row.projected_attached_mrr_trend == pytest.approx(trend, rel=1e-6, abs=1e-3)
        assert (
            row.attached_mrr_band_low <= min(carry, trend) + 1e-6
            and row.attached_mrr_band_high >= max(carry, trend) - 1e-6
        )
        moved += abs(carry - trend) > 1
    assert moved > 5  # the generated history has trends to follow (growth, churn)


def test_the_forecast_band_confidence_and_the_last_forecast_beyond_the_data(built) -> None:
    with duckdb.connect(str(built["warehouse"]), read_only=True) as db:
        forecast = db.execute("select * from marts.fct_technology_tier_forecast").df()
    ranks = {t: i for i, t in enumerate(["not_in_program", "partner", "rising", "leading", "premier"])}
    low = forecast["band_low_tier_after"].map(ranks)
    high = forecast["band_high_tier_after"].map(ranks)
    assert (low <= high).all()
    assert ((forecast["confidence"] == "high") == (low == high)).all()
    beyond = forecast[forecast["run_date"].dt.date == date(2027, 7, 15)]
    assert set(beyond["target_date"].dt.date) == {date(2027, 10, 15)} and beyond["actual_tier_after"].isna().all()
    decided = forecast[forecast["actual_tier_after"].notna()]
    assert len(decided) == len(forecast) - len(beyond) > 100


def test_the_backtest_command_rewrites_the_doc_table_from_the_mart(built, tmp_path, capsys) -> None:
    doc = tmp_path / "forecast.md"
    doc.write_text("# head\n<!-- backtest:begin -->\nold table\n<!-- backtest:end -->\ntail\n", encoding="utf-8")
    assert main(["forecast-backtest", "--warehouse", str(built["warehouse"]), "--write", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# head\n<!-- backtest:begin -->\n") and text.endswith("<!-- backtest:end -->\ntail\n")
    assert "old table" not in text
    with duckdb.connect(str(built["warehouse"]), read_only=True) as db:
        decided = db.execute(
            "select * from marts.fct_technology_tier_forecast where actual_tier_after is not null"
        ).df()
    for method, column in (("carry_forward", "projected_tier_after"), ("trend", "projected_tier_after_trend")):
        right = (decided[column] == decided["actual_tier_after"]).mean()
        assert f"| {method} | {len(decided)} | {right:.1%} |" in text


def test_the_partner_page_shows_the_forecast_made_on_its_date(built) -> None:
    from starlette.testclient import TestClient

    from orchestration.portal import labels
    from orchestration.portal.app import create_app

    forecast = _forecast(built, ENFORCED_DATE)
    row = forecast[forecast["projected_tier_after"] != "not_in_program"].iloc[0]
    page = TestClient(create_app(built["publish_dir"])).get(f"/quarters/{ENFORCED_DATE}/partners/{row.partner_id}")
    panel = page.text[page.text.index('id="forecast"') :]
    panel = panel[: panel.index("</section>")]
    assert f"Next evaluation: {labels.long_date(date(2027, 7, 15))}" in panel
    assert f"projected {labels.money(row.projected_attached_mrr)}" in panel
    assert f"Confidence {row.confidence}" in panel
