"""Program settings in one place (issue 20 item 1): orchestration/program.py reads them from seeds/*.csv,
and every copy that must stay (GX suites, dbt accepted_values, the A9 macro, the portal's words, the
generator's draws) fails a test here when it drifts. tests/test_calendar.py does the same for A2.

The seeds are read here with `csv` on their own, not through program.py, so a loader that returned
fixed values would fail.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from orchestration import settings
from orchestration.calendar import EVALUATION_DAY, window_months
from orchestration.defs import schedules
from orchestration.defs.publication.store import poc_window_open
from orchestration.generate import solutions as generated_solutions
from orchestration.generate import technology as generated_technology
from orchestration.portal import data as portal_data
from orchestration.portal import labels
from orchestration.program import A9_ACTIONS, EDITIONS, PROGRAM, ProgramSettingsError, load_program

SEEDS = settings.PROJECT_ROOT / "seeds"
E = date(2027, 1, 15)


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _column(name: str, column: str) -> list[str]:
    return [r[column] for r in _seed(name)]


def _settings_row() -> dict[str, str]:
    (row,) = _seed("technology_program_settings")
    return row


# ---------------------------------------------------------------------------------------------
# program.py reads the seeds


def test_program_settings_are_the_seed_values() -> None:
    row = _settings_row()
    assert PROGRAM.window_months == int(row["window_months"]) == 12  # rules.md D2
    assert PROGRAM.install_window_days == int(row["install_window_days"]) == 90  # A3, D5
    assert PROGRAM.poc_form_window_days == int(row["poc_form_window_days"]) == 14  # A7, D10
    assert PROGRAM.good_standing_lookback_days == int(row["good_standing_lookback_days"])  # D12
    assert PROGRAM.certification_validity_years == int(row["certification_validity_years"])  # D8
    assert PROGRAM.downgrades_from == date.fromisoformat(row["downgrades_from"])  # A2
    ranked = sorted(_seed("technology_tiers"), key=lambda r: int(r["tier_rank"]))
    assert PROGRAM.tiers == tuple(r["tier"] for r in ranked)  # A1
    assert PROGRAM.tier_rank == {r["tier"]: int(r["tier_rank"]) for r in ranked}
    assert PROGRAM.tiers_in_program == ("partner", "rising", "leading", "premier")
    lines = _seed("solutions_product_lines")
    assert PROGRAM.product_lines == tuple(r["product_line"] for r in lines)  # B1
    assert PROGRAM.hub_lines == tuple(r["product_line"] for r in lines if r["line_kind"] == "hub")  # D14
    assert PROGRAM.data_sharing_methods == tuple(_column("technology_data_sharing_methods", "data_sharing"))
    assert PROGRAM.solutions_tiers == tuple(_column("solutions_enterprise_referral_tiers", "solutions_tier"))
    assert PROGRAM.regions == tuple(_column("solutions_referral_exception_regions", "region"))


def _edited_seeds(tmp_path: Path, name: str, edit) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    path = seeds / f"{name}.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return seeds


def test_an_edited_seed_changes_the_settings(tmp_path: Path) -> None:
    seeds = _edited_seeds(tmp_path, "technology_program_settings", lambda t: t.replace("12,90,14,", "6,60,21,"))
    edited = load_program(seeds)
    assert (edited.window_months, edited.install_window_days, edited.poc_form_window_days) == (6, 60, 21)
    assert edited.tiers == PROGRAM.tiers


def test_tiers_follow_their_rank_not_the_file_order(tmp_path: Path) -> None:
    def reverse(text: str) -> str:
        header, *rows = text.strip().splitlines()
        return "\n".join([header, *reversed(rows)]) + "\n"

    seeds = _edited_seeds(tmp_path, "technology_tiers", reverse)
    assert load_program(seeds).tiers == ("not_in_program", "partner", "rising", "leading", "premier")


def test_a_bad_setting_names_the_file_line_and_column(tmp_path: Path) -> None:
    seeds = _edited_seeds(tmp_path, "technology_program_settings", lambda t: t.replace(",14,", ",fourteen,"))
    with pytest.raises(ProgramSettingsError) as err:
        load_program(seeds)
    message = str(err.value)
    assert "technology_program_settings.csv, line 2, column poc_form_window_days" in message
    assert "'fourteen' is not a whole number" in message


def test_evaluation_months_on_different_days_are_refused(tmp_path: Path) -> None:
    """A2: the cron and the CLI's date check name one day of the month for every evaluation month."""
    seeds = _edited_seeds(tmp_path, "technology_evaluation_calendar", lambda t: t.replace("4,15,", "4,16,"))
    with pytest.raises(ProgramSettingsError) as err:
        load_program(seeds)
    assert "technology_evaluation_calendar.csv, column day_of_month: [15, 16]" in str(err.value)


def test_a_missing_seed_says_to_restore_it(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "technology_tiers.csv").unlink()
    with pytest.raises(ProgramSettingsError, match=r"technology_tiers\.csv: the program seed is missing"):
        load_program(seeds)


# ---------------------------------------------------------------------------------------------
# The places that take them: schedules, publication rule, gate window, portal words


def test_final_schedule_runs_the_day_after_the_seed_window_closes() -> None:
    """rules.md A7/D10: the final publication waits until the POC window of the seed has closed."""
    days = int(_settings_row()["poc_form_window_days"])
    assert schedules.final_publication_schedule.cron_schedule == f"0 6 {EVALUATION_DAY + days + 1} 1,4,7,10 *"
    with pytest.raises(ValueError, match="still open"):
        schedules.final_request(E + timedelta(days=days))
    assert schedules.final_request(E + timedelta(days=days + 1)).partition_key == E.isoformat()


def test_publication_rule_window_is_the_seed_window() -> None:
    """D10: the window is open while run date <= E + poc_form_window_days (G1: day N qualifies)."""
    days = int(_settings_row()["poc_form_window_days"])
    assert poc_window_open(E, E + timedelta(days=days))
    assert not poc_window_open(E, E + timedelta(days=days + 1))


def test_gate_window_is_the_seed_window() -> None:
    """D2: W(2027-01-15) is the seed's window_months months ending 2026-12."""
    months = window_months(E)
    assert len(months) == int(_settings_row()["window_months"])
    assert (months[0], months[-1]) == (date(2026, 1, 1), date(2026, 12, 1))
    assert window_months(E, months=3) == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]


def test_poc_form_explanations_state_the_seed_window(monkeypatch: pytest.MonkeyPatch) -> None:
    days = _settings_row()["poc_form_window_days"]
    pending = labels.action_explanation("upgrade_pending_poc_form", "rising", "rising", "leading")
    assert pending.endswith(f"(the form may arrive until {days} days after the evaluation date).")
    monkeypatch.setattr(labels, "PROGRAM", dataclasses.replace(PROGRAM, poc_form_window_days=21))
    deferred = labels.action_explanation("upgrade_deferred_no_poc_form", "rising", "rising", "leading")
    assert deferred == "Qualified for Leading on performance, but no complete POC form arrived within 21 days: " + (
        "the upgrade is deferred."
    )


# ---------------------------------------------------------------------------------------------
# Copies that must stay, and the test that keeps each in step


def _suite_value_sets() -> dict[tuple[str, str], dict]:
    out = {}
    for path in sorted(settings.EXPECTATIONS_DIR.glob("*.json")):
        for e in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            out[(path.stem, e["meta"]["check"])] = e
    return out


@pytest.mark.parametrize(
    ("suite", "check", "expected"),
    [
        ("portal_mrr_monthly", "product_line_in_set", PROGRAM.product_lines),
        ("deal_line_items", "product_line_in_set", PROGRAM.product_lines),
        ("portal_mrr_monthly", "edition_in_set", EDITIONS),
        ("deal_line_items", "edition_in_set", EDITIONS),
        ("technology_tier_baseline", "tier_in_set", PROGRAM.tiers_in_program),
        ("partner_poc_forms", "data_sharing_in_set", PROGRAM.data_sharing_methods),
        ("partners", "solutions_tier_in_set", PROGRAM.solutions_tiers),
        ("partners", "region_in_set", PROGRAM.regions),
    ],
)
def test_gx_suite_value_sets_are_the_seeds(suite: str, check: str, expected: tuple[str, ...]) -> None:
    """The GX suites are JSON files GX reads as they are: their value sets are copies of the seeds."""
    expectation = _suite_value_sets()[(suite, check)]
    assert sorted(expectation["kwargs"]["value_set"]) == sorted(expected)
    if "is one of" in expectation["description"]:  # the gate report shows the description
        assert f"is one of {', '.join(expectation['kwargs']['value_set'])}" in expectation["description"]


def test_gx_onboarding_regex_names_every_product_line() -> None:
    regex = _suite_value_sets()[("proof_of_involvement", "onboarding_product_lines_known")]["kwargs"]["regex"]
    alternatives = re.findall(r"\(([a-z_|]+)\)", regex)
    assert alternatives and all(sorted(a.split("|")) == sorted(PROGRAM.product_lines) for a in alternatives)


def _dbt_accepted_values() -> list[tuple[str, str, list[str]]]:
    out = []
    for path in sorted((settings.DBT_PROJECT_DIR / "models").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or []:
            for column in model.get("columns") or []:
                for test in column.get("data_tests") or []:
                    if isinstance(test, dict) and "accepted_values" in test:
                        values = (test["accepted_values"].get("arguments") or test["accepted_values"])["values"]
                        out.append((model["name"], column["name"], values))
    return out


def test_dbt_accepted_values_are_the_seeds_tiers_and_the_a9_actions() -> None:
    """Mart contracts (product.md): tier columns hold seed tiers, action columns the A9 actions in A9 order."""
    requirements = set(_column("technology_tier_requirements", "requirement"))
    seen = set()
    for model, column, values in _dbt_accepted_values():
        if column.endswith("action"):
            assert tuple(values) == A9_ACTIONS, (model, column)
            seen.add("action")
        elif column == "tier" or column.endswith("_tier") or column == "tier_after" or column == "tier_before":
            assert set(PROGRAM.tiers_in_program) <= set(values) <= set(PROGRAM.tiers), (model, column)
            seen.add("tier")
        elif column == "requirement":
            assert set(values) == requirements, (model, column)
            seen.add("requirement")
    assert seen == {"action", "tier", "requirement"}


def test_a9_macro_emits_exactly_the_a9_actions() -> None:
    """The actions are the macro's output (no seed can change them): the macro and A9_ACTIONS agree, in order."""
    text = (settings.DBT_PROJECT_DIR / "macros" / "tier_change.sql").read_text()
    body = text.split("{% macro technology_a9_action(", 1)[1].split("{%- endmacro %}", 1)[0]
    assert tuple(re.findall(r"(?:then|else) '([a-z_0-9]+)'", body)) == A9_ACTIONS


def test_portal_words_cover_the_seed_tiers_and_the_a9_actions() -> None:
    requirements = set(_column("technology_tier_requirements", "requirement"))
    assert set(labels.ACTION_LABELS) == set(A9_ACTIONS)
    assert set(labels.ACTION_EXPLANATIONS) == set(A9_ACTIONS)
    assert set(labels.TIER_LABELS) == set(PROGRAM.tiers)
    assert set(portal_data.REQUIREMENTS) == set(labels.REQUIREMENT_LABELS) == requirements
    assert set(labels.REQUIREMENT_SHORT) == requirements


def test_generator_draws_the_seeds_values() -> None:
    """The generator indexes its draws by position, so its own tuples stay; they must hold the seeds' values."""
    assert PROGRAM.product_lines[: len(PROGRAM.hub_lines)] == PROGRAM.hub_lines  # shared.N_HUBS: hubs lead
    assert PROGRAM.solutions_tiers == generated_solutions.SOLUTIONS_TIERS  # in tier order for the size cuts
    assert sorted(generated_technology.REGIONS) == sorted(PROGRAM.regions)
    assert set(_column("solutions_activity_types", "activity_type")) == set(generated_solutions.ACTIVITY_TYPES)
