"""The test command's stage table (scripts/run_tests.py): every test runs in exactly one stage, every
registered marker has its stage, the budgets fit the CI job, a stage over budget is said, and a test
whose fixtures run dbt or the pipeline lands in the end-to-end stage (tests/conftest.py)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from itertools import combinations
from pathlib import Path
from types import ModuleType

from _pytest.mark.expression import Expression

from orchestration import settings
from tests.conftest import DBT_FIXTURES
from tests.support.processes import ends_within

TESTS = settings.PROJECT_ROOT / "tests"


def _run_tests() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_tests", settings.PROJECT_ROOT / "scripts" / "run_tests.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


RUN_TESTS = _run_tests()
PYTEST_STAGES = [s for s in RUN_TESTS.STAGES if not s.command]


def _registered_markers() -> list[str]:
    """The project's own markers (pyproject.toml; plugins register theirs too, which no stage selects on)."""
    ini = tomllib.loads((settings.PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    return [line.split(":")[0].strip() for line in ini["markers"]]


def _stages_running(markers: set[str], stages: tuple = RUN_TESTS.STAGES) -> list[str]:
    pytest_stages = [s for s in stages if not s.command]
    return [
        s.name
        for s in pytest_stages
        if Expression.compile(RUN_TESTS.markexpr(s, stages) or "True").evaluate(lambda name, **_: name in markers)
    ]


def test_every_combination_of_markers_runs_in_exactly_one_stage() -> None:
    markers = _registered_markers()
    for n in range(len(markers) + 1):
        for combo in combinations(markers, n):
            assert len(_stages_running(set(combo))) == 1, (combo, _stages_running(set(combo)))
    assert _stages_running(set()) == ["unit"]
    assert _stages_running({"slow"}) == ["end-to-end"]
    assert _stages_running({"e2e", "browser"}) == ["browser"]  # the last stage claiming a marker wins


def test_a_new_stage_takes_its_tests_out_of_the_earlier_ones() -> None:
    stages = (*RUN_TESTS.STAGES, RUN_TESTS.Stage("spark", 60, markers=("spark",)))
    assert _stages_running({"spark"}, stages) == ["spark"]
    assert _stages_running({"e2e", "spark"}, stages) == ["spark"]
    assert _stages_running({"e2e"}, stages) == ["end-to-end"]


def test_every_registered_marker_has_a_stage() -> None:
    """A marker without a stage would run its tests in the unit stage, against the unit budget."""
    claimed = {m for s in PYTEST_STAGES for m in s.markers}
    assert set(_registered_markers()) == claimed


def test_the_stage_budgets_fit_the_ci_budget() -> None:
    assert sum(s.budget for s in RUN_TESTS.STAGES) <= RUN_TESTS.CI_BUDGET
    assert len({s.name for s in RUN_TESTS.STAGES}) == len(RUN_TESTS.STAGES)


def test_time_over_a_budget_is_said() -> None:
    assert RUN_TESTS.verdict("unit", 0, 241.4, 240) == "== unit: ok in 241s (budget 240s) OVER BUDGET"
    assert RUN_TESTS.verdict("unit", 1, 12, 240) == "== unit: FAILED (exit 1) in 12s (budget 240s)"
    lines = RUN_TESTS.summary([("lint", 0, 5.0, 20), ("unit", 0, 250.0, 240), ("end-to-end", 1, 1300.0, 720)])
    assert lines[1].split() == ["lint", "ok", "5s", "/", "20s"]
    assert lines[2].split() == ["unit", "ok", "250s", "/", "240s", "over", "budget"]
    assert lines[3].split()[:2] == ["end-to-end", "FAILED"]
    assert lines[4].split() == ["total", "1555s", "/", "1500s", "(CI", "budget)", "OVER", "THE", "CI", "BUDGET"]


def test_the_pytest_stages_select_by_their_marker_expression() -> None:
    unit, e2e = RUN_TESTS.command(PYTEST_STAGES[0]), RUN_TESTS.command(PYTEST_STAGES[1], ["--durations=25"])
    assert unit[1:] == ["-m", "pytest", "-q", "-m", "not (e2e or slow or browser or spark)"]
    assert e2e[1:] == ["-m", "pytest", "-q", "-m", "(e2e or slow) and not (browser or spark)", "--durations=25"]


def test_each_dbt_fixture_named_in_conftest_is_a_fixture() -> None:
    """conftest.py marks tests by fixture name: a renamed fixture would move its tests back to unit."""
    defined = {
        name
        for path in TESTS.glob("*.py")
        for name in re.findall(r"@pytest\.fixture[^\n]*\n(?:@[^\n]*\n)*def (\w+)\(", path.read_text())
    }
    assert set(DBT_FIXTURES) <= defined, set(DBT_FIXTURES) - defined


def _collected(marker: str, path: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only", "-m", marker, path],
        cwd=settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return {line.split("::")[1] for line in proc.stdout.splitlines() if "::" in line}


def test_a_test_using_a_dbt_fixture_is_end_to_end() -> None:
    """The module marks nothing e2e itself: its test using `compiles` is e2e through conftest.py alone."""
    module = "tests/test_dbt_run_parameters.py"
    assert "mark.e2e" not in (settings.PROJECT_ROOT / module).read_text()
    assert _collected("e2e", module) == {"test_each_run_compiles_with_its_own_parameters"}


def test_a_hung_stage_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    """A stage still running at HANG_FACTOR times its budget fails as a hang, and its processes (here a
    grandchild, like the helper process that once outlived its publisher) go with it; a stage that
    ends in time keeps its exit code."""
    pidfile = tmp_path / "grandchild"
    hang = (
        "import subprocess, sys, time; p = subprocess.Popen(['sleep', '120']);"
        f" open({str(pidfile)!r}, 'w').write(str(p.pid)); time.sleep(120)"
    )
    code, elapsed = RUN_TESTS.run_stage([sys.executable, "-c", hang], budget=1)
    assert code == RUN_TESTS.KILLED and RUN_TESTS.HANG_FACTOR <= elapsed < 30
    assert "killed" in RUN_TESTS.verdict("unit", code, elapsed, 1)
    assert ends_within(int(pidfile.read_text()), seconds=5)
    assert RUN_TESTS.run_stage([sys.executable, "-c", "raise SystemExit(4)"], budget=1)[0] == 4


def test_the_stage_table_of_docs_testing_md_is_in_step() -> None:
    """docs/testing.md repeats each stage's budget: this keeps the copy in step with STAGES."""
    text = (settings.PROJECT_ROOT / "docs" / "testing.md").read_text().split("\n## ")[0]  # the first table
    rows = dict(re.findall(r"^\| ([\w-]+) \| (\d+) s \|", text, flags=re.M))
    assert rows == {s.name: str(s.budget) for s in RUN_TESTS.STAGES}
