"""Program settings in one place (issue 20 item 1): orchestration/program.py reads them from seeds/*.csv,
and every copy that must stay (GX suites, dbt accepted_values, the A9 macro, the portal's words, the
generator's draws) fails a test here when it drifts. tests/test_calendar.py does the same for A2.

The seeds are read here with `csv` on their own, not through program.py, so a loader that returned
fixed values would fail.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from orchestration import settings
from orchestration.program import PROGRAM, ProgramSettingsError, load_program

SEEDS = settings.PROJECT_ROOT / "seeds"


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
