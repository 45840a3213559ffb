"""What the Spark tests (issue 19, marker `spark`) share."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def only_in_the_spark_stage(request: pytest.FixtureRequest) -> None:
    """Spark tests start JVMs and dbt on Spark (minutes, ~2 GB): they run only when asked for by
    marker (`pytest -m spark`, the spark stage of scripts/run_tests.py), not in the unit stage."""
    if "spark" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a Spark test: run with `pytest -m spark` (the spark stage of make test)")
