"""The test command (`make test`, called by .ci/run): stages with a time budget each.

Stages: lint, sqlfluff (dbt SQL style), unit (fast pytest), end-to-end (tiny pipeline runs), browser
(headless Chromium). Each prints its time against its budget; a stage over budget is reported (not
failed) so the suite's cost stays visible. Any failing stage fails the command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

# (name, command, budget in seconds)
STAGES: list[tuple[str, list[str], int]] = [
    ("lint", [str(VENV_BIN / "ruff"), "check", "."], 20),
    # SQL style of dbt_project/ (dbt_project/README.md) through the dbt templater: it compiles the
    # whole project first, ~35 CPU s in all, too much for the lint stage's 20 s (2026-12: 2m22s wall
    # with the machine's 2 cores shared by five engineers' runs).
    (
        "sqlfluff",
        [
            str(VENV_BIN / "sqlfluff"),
            "lint",
            "--config",
            "dbt_project/.sqlfluff",
            "--processes",
            "2",
            "dbt_project/models",
        ],
        90,
    ),
    ("unit", [sys.executable, "-m", "pytest", "-q", "-m", "not e2e and not browser and not slow"], 240),
    # 540 -> 720 s: the trust fault suite (a death at each of 7 publication steps, two concurrent runs,
    # tampering, stale landing folders, hostile extracts) added about 4 minutes of real CLI runs.
    ("end-to-end", [sys.executable, "-m", "pytest", "-q", "-m", "(e2e or slow) and not browser"], 720),
    ("browser", [sys.executable, "-m", "pytest", "-q", "-m", "browser"], 300),
]
NO_TESTS_COLLECTED = 5
# Debian packages the end-to-end stage renders the Excel extracts with (issue 15): LibreOffice Calc
# (XLSX -> PDF) and poppler's pdftoppm (PDF page 1 -> PNG). Binary on PATH -> package.
RENDER_TOOLS = {"soffice": "libreoffice-calc-nogui", "pdftoppm": "poppler-utils"}


def install_render_tools() -> None:
    """apt-get install what RENDER_TOOLS lacks, where that is possible (root, apt-get); otherwise the
    tests needing them skip and say what to install."""
    missing = [pkg for binary, pkg in RENDER_TOOLS.items() if not shutil.which(binary)]
    if not missing or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    print(f"== install: apt-get install {' '.join(missing)} (to render the Excel extracts)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", *missing]):
        if subprocess.call(cmd, env=env, stdout=subprocess.DEVNULL) != 0:
            print(f"== install: `{' '.join(cmd)}` failed; the render tests will skip", flush=True)
            return


def main() -> int:
    installed = ROOT / ".venv" / ".installed"
    if installed.exists():
        print(f"== install: {installed.read_text().strip() or 'up to date'}", flush=True)
    install_render_tools()
    results = []
    for name, cmd, budget in STAGES:
        print(f"\n== {name}: {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))}", flush=True)
        started = time.monotonic()
        code = subprocess.call(cmd, cwd=ROOT)
        elapsed = time.monotonic() - started
        if code == NO_TESTS_COLLECTED:
            code = 0
            print(f"(no tests in stage {name})")
        over = " OVER BUDGET" if elapsed > budget else ""
        results.append((name, code, elapsed, budget))
        print(f"== {name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {elapsed:.0f}s (budget {budget}s){over}")
    print("\n== summary")
    for name, code, elapsed, budget in results:
        print(f"   {name:11s} {'ok    ' if code == 0 else 'FAILED'} {elapsed:6.0f}s / {budget}s")
    return 0 if all(code == 0 for _, code, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
