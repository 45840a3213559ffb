"""The `partner-warehouse` command line: flags of product.md and the errors a user sees."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from orchestration import settings
from orchestration.cli import build_parser, main


def test_public_flags_parse() -> None:
    args = build_parser().parse_args(
        [
            "run",
            "--landing",
            "l",
            "--warehouse",
            "w.duckdb",
            "--run-date",
            "2027-02-01",
            "--evaluation-date",
            "2027-01-15",
            "--publish-dir",
            "p",
        ]
    )
    assert str(args.evaluation_date) == "2027-01-15" and args.publish_dir == "p"
    args = build_parser().parse_args(["run", "--from", "2026-01-15", "--to", "2027-01-15"])
    assert str(args.date_from) == "2026-01-15" and str(args.date_to) == "2027-01-15"
    args = build_parser().parse_args(["generate", "--scale", "0.1", "--seed", "7", "--out", "d", "--format", "csv"])
    assert (args.scale, args.seed, args.format) == (0.1, 7, "csv")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--evaluation-date", "2027-02-15"], "is not an evaluation date"),
        (["--evaluation-date", "2027-04-15", "--run-date", "2027-04-14"], "after the run date"),
        (["--from", "2027-04-15"], "--from and --to go together"),
        (["--from", "2027-04-15", "--to", "2027-01-15"], "is after --to"),
        (["--run-date", "2027-13-01", "--all"], "is not a date"),
    ],
)
def test_bad_run_arguments_are_refused_with_a_reason(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb"), *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_run_needs_a_date_selection(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run"])
    assert "one of the arguments --evaluation-date --from --all is required" in capsys.readouterr().err


def test_failed_load_exits_non_zero_and_says_why(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "run",
            "--landing",
            str(tmp_path / "nowhere"),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--run-date",
            "2027-02-01",
            "--all",
        ]
    )
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(settings.PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_the_program_ends_without_teardown_but_runs_its_exit_handlers() -> None:
    """As the program, `run` ends with os._exit (the teardown of Dagster, dbt, GX... costs seconds):
    output is flushed, atexit handlers run, the exit code is kept."""
    done = _python(
        "import atexit, sys\n"
        "from orchestration.cli import _exit_without_teardown\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "print('out', end='')\n"
        "sys.stderr.write('err')\n"
        "_exit_without_teardown(3)\n"
        "print('not reached')\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "outhandler ran\n", "err")


def test_the_program_waits_for_a_running_thread() -> None:
    done = _python(
        "import sys, threading, time\n"
        "from orchestration.cli import _exit_without_teardown\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()\n"
        "sys.exit(_exit_without_teardown(4))\n"
    )
    assert (done.returncode, done.stdout) == (4, "thread done\n")
