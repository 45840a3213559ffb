"""`partner-warehouse docs`: dbt docs of the published analytics snapshot (issue 16 item 3).

dbt runs with the profile's `docs` target (dbt_project/profiles.yml), which attaches the snapshot
read-only: it never opens the working warehouse, so a running pipeline keeps its writer lock, and
analysts' readers of the snapshot are not disturbed. The column types in the docs are those of the
snapshot analysts query.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration import settings
from orchestration.defs.publication.store import ANALYTICS_DB
from orchestration.progress import say

DBT_DOCS_TARGET = "docs"  # the profile target that attaches the snapshot (dbt_project/profiles.yml)
DOCS_DIR = "dbt_docs"  # beside the snapshot: index.html, static_index.html, manifest.json, catalog.json


def _dbt(command: list[str], target_path: Path) -> list[str]:
    from orchestration.defs.dbt.resources import dbt_executable

    return [
        dbt_executable(),
        *command,
        "--project-dir",
        str(settings.DBT_PROJECT_DIR),
        "--profiles-dir",
        str(settings.DBT_PROJECT_DIR),
        "--target",
        DBT_DOCS_TARGET,
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
    ]


def docs(publish_dir: Path, *, serve: bool = True, host: str = "127.0.0.1", port: int = 8080) -> int:
    """Generate the docs of the snapshot in `publish_dir`, then serve them (until Ctrl-C) unless told not to."""
    publish_dir = Path(publish_dir).resolve()
    snapshot = publish_dir / ANALYTICS_DB
    if not snapshot.exists():
        print(
            f"partner-warehouse docs: no analytics snapshot at {snapshot}: a run that publishes writes it"
            " (`partner-warehouse run ...`), or pass --publish-dir DIR of an existing publication directory",
            file=sys.stderr,
        )
        return 1
    settings.apply_offline_env()
    env = {**os.environ, settings.ENV_PUBLISH_DIR: str(publish_dir)}
    target_path = publish_dir / DOCS_DIR
    say(f"dbt docs: generating from {snapshot} (read-only) into {target_path}")
    generate = _dbt(["docs", "generate", "--static"], target_path)
    proc = subprocess.run(generate, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"partner-warehouse docs: dbt docs generate failed:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}",
              file=sys.stderr)  # fmt: skip
        return proc.returncode
    say(f"dbt docs: written; open {target_path / 'static_index.html'} as a file, or serve them")
    if not serve:
        return 0
    say(f"dbt docs on http://{host}:{port} (Ctrl-C to stop)")
    return subprocess.call(
        _dbt(["docs", "serve", "--host", host, "--port", str(port), "--no-browser"], target_path),
        env=env,
    )
