"""Notification drafts (issue 17 item 3): every action that calls for an e-mail gets one draft per
language, from the templates, with the extract's numbers and the deadline of rules.md D10."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest

from orchestration.defs.publication.notifications import KIND_OF_ACTION, LANGUAGES, render_drafts
from orchestration.program import PROGRAM

E = date(2027, 1, 15)
BASE = {
    "partner_name": "Acme Apps",
    "evaluation_date": E,
    "qualified_tier_on_performance": "leading",
    "qualified_tier": "rising",
    "pending_tier": None,
    "in_good_standing": True,
    "attached_mrr": 1_234_567.89,
    "influenced_deals_mrr": 5_432.10,
    "install_90d_mrr": 31_000.00,
    "review_count": 1_204,
    "avg_rating": 4.25,
    "live_app_count": 2,
    "certified_live_app_count": 1,
    "next_tier": "premier",
    "gap_to_next_tier": "attached_mrr: 1234567.89 of 7000000.00 (short 5765432.11)",
    "benefits": "Marketing conjoint (prioritized)",
}
# one partner per action (rules.md A9) with the tiers that action comes with
PARTNERS = {
    "upgrade": {"partner_id": "T1", "tier_before": "rising", "tier_after": "leading"},
    "downgrade": {"partner_id": "T2", "tier_before": "leading", "tier_after": "rising"},
    "upgrade_pending_poc_form": {
        "partner_id": "T3",
        "tier_before": "rising",
        "tier_after": "rising",
        "pending_tier": "leading",
    },
    "upgrade_held_compliance": {
        "partner_id": "T4",
        "tier_before": "partner",
        "tier_after": "partner",
        "in_good_standing": False,
    },
    "upgrade_deferred_no_poc_form": {
        "partner_id": "T5",
        "tier_before": "rising",
        "tier_after": "rising",
        "pending_tier": "premier",
        "partner_name": None,
    },
    "unchanged": {"partner_id": "T6", "tier_before": "rising", "tier_after": "rising"},
    "downgrade_waived_2026": {"partner_id": "T7", "tier_before": "rising", "tier_after": "rising"},
}
LABELS = {
    "en": {
        "attached_mrr": "Attached MRR (12-month mean)",
        "influenced_deals_mrr": "Influenced-deals MRR",
        "install_90d_mrr": "90-day install MRR",
    },
    "fr": {
        "attached_mrr": "MRR lié (moyenne sur 12 mois)",
        "influenced_deals_mrr": "MRR des transactions influencées",
        "install_90d_mrr": "MRR des applications installées sous 90 jours",
    },
}


@pytest.fixture(scope="module")
def extract() -> pd.DataFrame:
    return pd.DataFrame([{**BASE, **p, "action": action} for action, p in PARTNERS.items()])


@pytest.fixture(scope="module")
def drafts(extract: pd.DataFrame) -> pd.DataFrame:
    return render_drafts(extract, E)


def _amount(text: str, language: str) -> float:
    """Read back a number as the draft prints it: $1,234.50 (en) or 1 234,50 $ (fr)."""
    digits = text.replace("$", "").strip()
    if language == "fr":
        digits = digits.replace("\u202f", "").replace(",", ".")
    return float(digits.replace(",", ""))


def test_every_action_that_calls_for_an_email_has_one_draft_per_language(drafts: pd.DataFrame) -> None:
    assert sorted(zip(drafts["action"], drafts["language"], strict=True)) == sorted(
        (action, language) for action in KIND_OF_ACTION for language in LANGUAGES
    )
    assert set(drafts["kind"]) == {"new_tier", "downgrade", "poc_form_pending", "upgrade_held", "upgrade_lost"}
    assert not drafts["body"].str.contains("nan|None|{{|}}", regex=True).any()


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_draft_lists_the_numbers_of_the_extract(
    extract: pd.DataFrame, drafts: pd.DataFrame, language: str
) -> None:
    rows = extract.set_index("partner_id")
    for draft in drafts[drafts["language"] == language].itertuples():
        row = rows.loc[draft.partner_id]
        for column, label in LABELS[language].items():
            printed = re.search(re.escape(label) + r" ?: (.+)", draft.body).group(1)
            assert _amount(printed, language) == pytest.approx(row[column], abs=0.005), (draft.kind, column)
        reviews = re.search(r"(?:Marketplace reviews|Avis sur la marketplace) ?: ([\d\u202f,]+), ", draft.body).group(1)
        assert _amount(reviews, language) == row["review_count"]
        rating = re.search(r"(?:average rating|note moyenne) ([\d.,]+)", draft.body).group(1)
        assert _amount(rating, language) == pytest.approx(row["avg_rating"])
        assert row["gap_to_next_tier"] in draft.body


def test_the_form_drafts_give_the_deadline_e_plus_the_window() -> None:
    """D10: the form must arrive by E + poc_form_window_days (the seed), said in both languages."""
    frame = pd.DataFrame([{**BASE, **PARTNERS["upgrade_pending_poc_form"], "action": "upgrade_pending_poc_form"}])
    deadline = E + timedelta(days=PROGRAM.poc_form_window_days)
    drafts = render_drafts(frame, E).set_index("language")
    assert f"January {deadline.day}, 2027" in drafts.loc["en", "subject"]
    assert f"{deadline.day} janvier 2027" in drafts.loc["fr", "subject"]
    assert f"within {PROGRAM.poc_form_window_days} days" in drafts.loc["en", "body"]
    assert "Leading" in drafts.loc["en", "subject"]


def test_the_drafts_say_who_and_which_tier(drafts: pd.DataFrame) -> None:
    by = drafts.set_index(["action", "language"])
    assert by.loc[("upgrade", "en"), "subject"] == "Acme Apps is now a HubSpot Leading technology partner"
    assert by.loc[("downgrade", "fr"), "subject"].endswith("est désormais Rising")
    held = by.loc[("upgrade_held_compliance", "en"), "body"]
    assert f"within the {PROGRAM.good_standing_lookback_days} days before it" in held
    assert "Your tier stays Partner" in held
    assert by.loc[("upgrade_held_compliance", "fr"), "body"].count("Partenaire") >= 1
    lost = by.loc[("upgrade_deferred_no_poc_form", "en")]
    assert lost["subject"] == "T5: your move to Premier was not processed this quarter"  # no name: the id
