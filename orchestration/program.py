"""The program settings for the Python side, read once from `seeds/*.csv` (issue 20 item 1).

dbt reads the seeds as tables; the schedules, the publication rule, the gate, the feed contract, the
portal and the generator need some of the same values in Python. They take them from `PROGRAM`
here, so a seed edit reaches both sides and no Python module keeps its own copy of a window, a
product line or a tier name. `PROGRAM` is read on first import and cached (`program()`); the files
are a few hundred bytes.

Two vocabularies have no seed, and their one home is this module (a seed would be a copy, not a
home: dbt's SQL names them in its logic, it does not look them up):
- `EDITIONS` — feeds.md fixes them; the D14 SQL tests `edition in ('professional', 'enterprise')`.
- `A9_ACTIONS` — the outcome of the A9 table, emitted by `macros/tier_change.sql`;
  changing a seed row could not change what the macro emits.
Copies that must stay (the GX suites' value sets, the marts' `accepted_values`, the A9 macro, the
portal's labels, `orchestration/calendar.py`) are kept in step by tests/test_program.py and
tests/test_calendar.py.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from orchestration import settings

SEEDS_DIR = settings.PROJECT_ROOT / "seeds"

# feeds.md portal_mrr_monthly.edition, in the order of the products' ladder (rules.md B1, D14).
EDITIONS: tuple[str, ...] = ("starter", "professional", "enterprise")

# rules.md A9: the actions, in the table's order (row 1 to row 11).
A9_ACTIONS: tuple[str, ...] = (
    "left_program",
    "not_in_program",
    "joined",
    "upgrade_held_compliance",
    "upgrade",
    "upgrade_pending_poc_form",
    "upgrade_deferred_no_poc_form",
    "downgrade",
    "downgrade_waived_2026",
    "downgrade_not_in_window",
    "unchanged",
)


class ProgramSettingsError(ValueError):
    """A seed is missing or holds a value its setting cannot be; the message names file, line and column."""


@dataclass(frozen=True)
class ProgramSettings:
    # seeds/technology_program_settings.csv (one row)
    window_months: int  # rules.md D2: W(E) is this many complete months before E's quarter
    install_window_days: int  # rules.md A3/D5: the 90-day install MRR
    poc_form_window_days: int  # rules.md A7/D10: the POC form may arrive until E + this many days
    good_standing_lookback_days: int  # rules.md A8/D12
    certification_validity_years: int  # rules.md D8: default expiry after certification
    downgrades_from: date  # rules.md A2: no downgrade before this date
    # seeds/technology_evaluation_calendar.csv (rules.md A2): E is day `evaluation_day` of these months
    evaluation_months: tuple[int, ...]
    evaluation_day: int
    # seeds/technology_tiers.csv, in rank order (rules.md A1), not_in_program (rank 0) first
    tiers: tuple[str, ...]
    # seeds/solutions_product_lines.csv, in file order (rules.md B1)
    product_lines: tuple[str, ...]
    hub_lines: tuple[str, ...]  # line_kind = hub (D14)
    # seeds/technology_data_sharing_methods.csv (rules.md A4: passing and failing methods)
    data_sharing_methods: tuple[str, ...]
    # seeds/solutions_enterprise_referral_tiers.csv: every solutions tier (rules.md B9)
    solutions_tiers: tuple[str, ...]
    # seeds/solutions_referral_exception_regions.csv: every region (rules.md B9, D21)
    regions: tuple[str, ...]

    @property
    def tier_rank(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.tiers)}

    @property
    def tiers_in_program(self) -> tuple[str, ...]:
        """partner < rising < leading < premier: the tiers a partner in the program can hold."""
        return self.tiers[1:]


def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    path = seeds_dir / f"{name}.csv"
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError as exc:
        raise ProgramSettingsError(f"{path}: the program seed is missing; restore it from git") from exc


def _column(rows: list[dict[str, str]], column: str, path: Path) -> tuple[str, ...]:
    values = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        value = (row.get(column) or "").strip()
        if not value:
            raise ProgramSettingsError(f"{path}, line {line}, column {column}: empty; every row needs a value")
        values.append(value)
    return tuple(values)


def _one_row(name: str, seeds_dir: Path) -> tuple[dict[str, str], Path]:
    rows, path = read_seed(name, seeds_dir), seeds_dir / f"{name}.csv"
    if len(rows) != 1:
        raise ProgramSettingsError(f"{path}: {len(rows)} data rows; the settings seed has exactly one")
    return rows[0], path


def _whole_numbers(rows: list[dict[str, str]], column: str, path: Path) -> tuple[int, ...]:
    out = []
    for line, row in enumerate(rows, start=2):
        text = (row.get(column) or "").strip()
        if not text.isdigit():
            raise ProgramSettingsError(f"{path}, line {line}, column {column}: {text!r} is not a whole number")
        out.append(int(text))
    return tuple(out)


def _whole_number(row: dict[str, str], column: str, path: Path) -> int:
    return _whole_numbers([row], column, path)[0]


def _ranked_tiers(seeds_dir: Path) -> tuple[str, ...]:
    path = seeds_dir / "technology_tiers.csv"
    rows = read_seed("technology_tiers", seeds_dir)
    ranks = _whole_numbers(rows, "tier_rank", path)
    if sorted(ranks) != list(range(len(rows))):
        raise ProgramSettingsError(f"{path}, column tier_rank: {list(ranks)}; ranks are 0, 1, 2, ... once each")
    return tuple(t for _, t in sorted(zip(ranks, _column(rows, "tier", path), strict=True)))


def _calendar(seeds_dir: Path) -> tuple[tuple[int, ...], int]:
    path = seeds_dir / "technology_evaluation_calendar.csv"
    rows = read_seed("technology_evaluation_calendar", seeds_dir)
    months = tuple(sorted(_whole_numbers(rows, "month_of_year", path)))
    days = set(_whole_numbers(rows, "day_of_month", path))
    if len(days) != 1:  # the Dagster cron and the CLI's date check name one day of the month
        raise ProgramSettingsError(f"{path}, column day_of_month: {sorted(days)}; give every month the same day")
    return months, days.pop()


def load_program(seeds_dir: Path = SEEDS_DIR) -> ProgramSettings:
    """Read the settings from `seeds_dir` (uncached: tests point it at an edited copy)."""
    row, path = _one_row("technology_program_settings", seeds_dir)
    try:
        downgrades_from = date.fromisoformat(row.get("downgrades_from", "").strip())
    except ValueError as exc:
        raise ProgramSettingsError(
            f"{path}, line 2, column downgrades_from: {row.get('downgrades_from')!r} is not a YYYY-MM-DD date"
        ) from exc
    lines = read_seed("solutions_product_lines", seeds_dir)
    lines_path = seeds_dir / "solutions_product_lines.csv"

    def names(seed: str, column: str) -> tuple[str, ...]:
        return _column(read_seed(seed, seeds_dir), column, seeds_dir / f"{seed}.csv")

    evaluation_months, evaluation_day = _calendar(seeds_dir)
    return ProgramSettings(
        evaluation_months=evaluation_months,
        evaluation_day=evaluation_day,
        window_months=_whole_number(row, "window_months", path),
        install_window_days=_whole_number(row, "install_window_days", path),
        poc_form_window_days=_whole_number(row, "poc_form_window_days", path),
        good_standing_lookback_days=_whole_number(row, "good_standing_lookback_days", path),
        certification_validity_years=_whole_number(row, "certification_validity_years", path),
        downgrades_from=downgrades_from,
        tiers=_ranked_tiers(seeds_dir),
        product_lines=_column(lines, "product_line", lines_path),
        hub_lines=tuple(r["product_line"].strip() for r in lines if r.get("line_kind") == "hub"),
        data_sharing_methods=names("technology_data_sharing_methods", "data_sharing"),
        solutions_tiers=names("solutions_enterprise_referral_tiers", "solutions_tier"),
        regions=names("solutions_referral_exception_regions", "region"),
    )


@lru_cache(maxsize=1)
def program() -> ProgramSettings:
    """The settings of the project's seeds, read once per process."""
    return load_program()


PROGRAM = program()
