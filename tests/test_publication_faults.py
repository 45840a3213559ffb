"""Fault tests of the quarterly publication (issue 5): for each fault the publication is not made, the
previous publication's files are byte-identical, the analytics file is unchanged, and what the user
sees names the cause. One prebuilt warehouse and publication are shared by every fault."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration import settings
from orchestration.cli import main
from orchestration.defs.ingest.load import last_fingerprints
from orchestration.defs.publication import publish as publish_module
from orchestration.defs.publication.store import ANALYTICS_DB, MANIFEST, PublicationStore
from orchestration.failpoints import ENV as FAILPOINT_ENV
from orchestration.failpoints import EXIT_CODE as FAILPOINT_EXIT
from orchestration.failpoints import PUBLICATION_POINTS
from tests.support.landing import rewrite_parquet_feed as _rewrite

pytestmark = pytest.mark.e2e

RUN_DATE = "2027-02-01"
E = date(2027, 1, 15)


def _tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every published file (gate/latest.* is the last gate result, not a publication)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and ".staging" not in p.parts and "gate" not in p.relative_to(root).parts[:1]:
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def baseline(generated_run: dict[str, Path]) -> dict[str, Path]:
    """The session's generated landing zone after `run --all` on RUN_DATE (tests/conftest.py), read only."""
    assert generated_run["run_date"].isoformat() == RUN_DATE
    assert PublicationStore(generated_run["publish_dir"]).current(E) is not None
    return generated_run


@pytest.fixture()
def world(baseline: dict[str, Path], copy_of_generated_run: dict[str, Path]) -> dict[str, Path]:
    """A private copy of the prebuilt landing zone, warehouse and publications."""
    return {**copy_of_generated_run, "digest_before": _tree_digest(copy_of_generated_run["publish_dir"])}


REPUBLISH = ("--evaluation-date", E.isoformat(), "--republish", "--reason", "fault test")
CLI = (sys.executable, "-m", "orchestration.cli")


def _run_args(world: dict[str, Path], *selection: str) -> list[str]:
    """`partner-warehouse run` on the world's landing zone and warehouse, at RUN_DATE."""
    return ["run", "--landing", str(world["landing"]), "--warehouse", str(world["warehouse"]),
            "--run-date", RUN_DATE, *selection]  # fmt: skip


def _republish(world: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(_run_args(world, *REPUBLISH))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _publish_again(world: dict[str, Path]) -> None:
    """A republication of E straight through the publication step (the faults are injected into it)."""
    publish_module.publish(
        world["warehouse"],
        world["publish_dir"],
        run_date=date(2027, 2, 1),
        evaluation_dates=[E],
        republish=True,
        reason="fault test",
        progress=lambda m: None,
    )


def _assert_nothing_published(world: dict[str, Path]) -> None:
    assert _tree_digest(world["publish_dir"]) == world["digest_before"]  # analytics.duckdb included
    assert [v.version for v in PublicationStore(world["publish_dir"]).versions(E)] == [1]
    staging = world["publish_dir"] / ".staging"
    assert not staging.exists() or not [p for p in staging.iterdir() if p.is_dir()]


@pytest.mark.parametrize(
    ("fault", "feed", "change", "cause"),
    [
        ("duplicate key", "apps", lambda f: pd.concat([f, f.head(1)], ignore_index=True), "apps"),
        (
            "rating out of range",
            "marketplace_reviews",
            lambda f: f.assign(rating=f["rating"].where(f.index != 0, 6)),
            "rating",
        ),
        (
            "dangling app reference",
            "app_installs",
            lambda f: f.assign(app_id=f["app_id"].where(f.index != 0, "no-such-app")),
            "app",
        ),
        ("missing month", "portal_mrr_monthly", lambda f: f[f["month"].astype(str).str[:7] != "2026-06"], "coverage"),
    ],
)
def test_a_blocking_data_fault_stops_the_publication(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str], fault: str, feed: str, change, cause: str
) -> None:
    _rewrite(world["landing"], feed, change)
    code, out = _republish(world, capsys)
    assert code == 1, out
    assert "data-quality gate blocked" in out and cause in out, out
    _assert_nothing_published(world)
    report = (world["publish_dir"] / "gate" / "latest.md").read_text()
    assert feed in report and "fail" in report.lower()


def test_a_failing_dbt_test_stops_the_publication(world: dict[str, Path], tmp_path: Path) -> None:
    """A dbt test of error severity fails (injected into a copy of the project): no publication."""
    project = tmp_path / "project"
    shutil.copytree(
        settings.PROJECT_ROOT / "orchestration", project / "orchestration", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(settings.PROJECT_ROOT / "seeds", project / "seeds")
    shutil.copytree(settings.PROJECT_ROOT / "expectations", project / "expectations")
    shutil.copytree(settings.DBT_PROJECT_DIR, project / "dbt_project", ignore=shutil.ignore_patterns("target", "logs"))
    (project / "dbt_project" / "tests" / "assert_injected_fault.sql").write_text(
        "-- fault injection: every evaluation row fails\n"
        "select partner_id from {{ ref('fct_technology_tier_evaluations') }}\n"
    )
    env = {**os.environ, "PYTHONPATH": str(project)}
    proc = subprocess.run(
        [*CLI, *_run_args(world, *REPUBLISH, "--force-reload")],
        env=env,
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    assert "assert_injected_fault" in out
    _assert_nothing_published(world)


def test_an_exception_half_way_through_writing_leaves_no_trace(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbooks are written by helper processes meanwhile (issue 18): they are waited for before
    the staging folder is discarded, so none of their files lands in it afterwards."""

    def explode(*args, **kwargs):
        raise RuntimeError("injected: crashed while writing the notifications")

    monkeypatch.setattr(publish_module, "code_version", lambda: "changed-code")  # a republication is due
    monkeypatch.setattr(publish_module, "write_notifications", explode)
    with pytest.raises(RuntimeError, match="injected"):
        _publish_again(world)
    _assert_nothing_published(world)


def test_a_workbook_failing_in_its_helper_process_leaves_no_trace(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the French workbook's folder does not exist: openpyxl fails in the helper, the error reaches here
    workbooks = {**publish_module.WORKBOOKS, "fr": "missing-folder/tier_extract_fr.xlsx"}
    monkeypatch.setattr(publish_module, "code_version", lambda: "changed-code")  # a republication is due
    monkeypatch.setattr(publish_module, "WORKBOOKS", workbooks)
    with pytest.raises(FileNotFoundError, match="missing-folder"):
        _publish_again(world)
    _assert_nothing_published(world)


def test_a_disk_full_write_error_leaves_no_trace(world: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    real_copy = publish_module._copy

    def full_disk(con, sql, e, target, fmt):
        if "requirements" in target.name:
            target.write_bytes(b"partial")
            raise OSError(28, "No space left on device", str(target))
        return real_copy(con, sql, e, target, fmt)

    monkeypatch.setattr(publish_module, "code_version", lambda: "changed-code")  # a republication is due
    monkeypatch.setattr(publish_module, "_copy", full_disk)
    with pytest.raises(OSError, match="No space left"):
        _publish_again(world)
    _assert_nothing_published(world)


def test_a_warning_only_problem_publishes_and_lists_the_warning(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # a closed-won deal without line items is a warning (rules.md B2, Part C), never blocking
    _rewrite(world["landing"], "deal_line_items", lambda f: f[f["deal_id"] != f["deal_id"].iloc[0]])
    code, out = _republish(world, capsys)
    assert code == 0, out
    current = PublicationStore(world["publish_dir"]).current(E)
    assert current.version == 2 and current.manifest["reason"] == "republished: fault test"
    assert current.manifest["checks"]["blocked"] is False
    assert any("without_line_items" in w for w in current.manifest["checks"]["warning_checks"])
    assert "without_line_items" in (current.path / "gate_report.md").read_text()
    v1 = PublicationStore(world["publish_dir"]).versions(E)[0]
    assert PublicationStore(world["publish_dir"]).verify(v1) == []  # the earlier version is intact


def test_an_analyst_sees_a_consistent_snapshot_during_a_run(world: dict[str, Path]) -> None:
    analytics = world["publish_dir"] / ANALYTICS_DB
    con = duckdb.connect(str(analytics), read_only=True)
    sql = "SELECT count(*), count(DISTINCT partner_id) FROM marts.fct_technology_tier_evaluations"
    before = con.execute(sql).fetchone()
    errors: list[str] = []
    seen: list[tuple] = []
    done = threading.Event()

    def analyst() -> None:
        while not done.is_set():
            try:
                seen.append(con.execute(sql).fetchone())
                fresh = duckdb.connect(str(analytics), read_only=True)  # never a writer lock
                fresh.execute(sql).fetchone()
                fresh.close()
            except duckdb.Error as exc:  # pragma: no cover - the failure this test exists for
                errors.append(str(exc))
            time.sleep(0.2)

    t = threading.Thread(target=analyst)
    t.start()
    proc = subprocess.run(
        [*CLI, *_run_args(world, "--all", "--force-reload")],
        capture_output=True,
        text=True,
        check=False,
    )
    done.set()
    t.join()
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not errors, errors[:3]
    assert len(seen) > 5 and set(seen) == {before}  # the open connection keeps its snapshot
    con.close()
    assert json.loads((world["publish_dir"] / "gate" / "latest.json").read_text())["blocked"] is False


# -- issue 13: a death at every step of the publication, tampering, two runs at once -------------------

_CRASHING_PUBLISH = """
import sys
from datetime import date
from pathlib import Path
from orchestration.defs.publication import publish as p
p.code_version = lambda: "changed-code"  # a republication is due
p.publish(Path(sys.argv[1]), Path(sys.argv[2]), run_date=date(2027, 2, 1), evaluation_dates=[date(2027, 1, 15)],
          republish=True, reason="fault test", progress=lambda m: None)
"""


def _loads(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT count(DISTINCT load_id) FROM meta.load_history").fetchone()[0]
    finally:
        con.close()


def _snapshot_versions(publish_dir: Path) -> dict[date, int]:
    con = duckdb.connect(str(publish_dir / ANALYTICS_DB), read_only=True)
    try:
        return dict(con.execute("SELECT evaluation_date, current_version FROM publication.snapshot_source").fetchall())
    finally:
        con.close()


def _assert_consistent_record(publish_dir: Path) -> None:
    store = PublicationStore(publish_dir)
    assert store.verify_all() == []
    assert all(not problems for e in store.evaluation_dates() for _, problems in store.uncommitted(e))
    staging = publish_dir / ".staging"
    assert not staging.exists() or not any(staging.iterdir())
    current = {e: store.current(e).version for e in store.evaluation_dates()}
    assert _snapshot_versions(publish_dir) == current  # the snapshot is that of the current versions


@pytest.mark.parametrize("point", PUBLICATION_POINTS)
def test_a_death_at_any_publication_step_is_recovered_by_the_next_run(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _CRASHING_PUBLISH, str(world["warehouse"]), str(world["publish_dir"])],
        env={**os.environ, FAILPOINT_ENV: point},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == FAILPOINT_EXIT, proc.stderr[-2000:]
    assert f"failpoint {point}" in proc.stderr
    store = PublicationStore(world["publish_dir"])
    assert store.current(E).version == (
        2 if point not in ("staging_created", "version_written", "version_renamed") else 1
    )
    monkeypatch.setattr(publish_module, "code_version", lambda: "changed-code")
    _publish_again(world)  # the next run
    current = store.current(E)
    assert current.version == 2 and current.manifest["code_version"] == "changed-code"
    assert [v.version for v in store.versions(E)] == [1, 2]  # adopted or made once, never twice
    _assert_consistent_record(world["publish_dir"])
    assert (world["publish_dir"] / "technology_tiers" / E.isoformat() / "v1" / MANIFEST).exists()


def test_a_run_after_a_death_between_rename_and_current_is_not_stuck(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The defect as reported: v2 renamed into place, current.json still 1, every later run failed on
    "…/v2 exists" and stopped at the first date."""
    _rewrite(world["landing"], "deal_line_items", lambda f: f[f["deal_id"] != f["deal_id"].iloc[0]])  # a warning
    args = [*CLI, *_run_args(world, *REPUBLISH)]
    proc = subprocess.run(args, env={**os.environ, FAILPOINT_ENV: "version_renamed"}, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert proc.returncode == FAILPOINT_EXIT, proc.stderr[-2000:]
    store = PublicationStore(world["publish_dir"])
    assert store.current(E).version == 1 and (store.date_dir(E) / "v2").is_dir()
    code, out = _republish(world, capsys)
    assert code == 0, out
    assert "adopted v2" in out and "v2 already published from identical inputs and code" in out, out
    assert store.current(E).version == 2
    _assert_consistent_record(world["publish_dir"])


def test_a_tampered_published_file_stops_the_run(world: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A partner changed to premier in a published Parquet must never flow into tier_before."""
    store = PublicationStore(world["publish_dir"])
    extract = store.current(E).path / "tier_extract.parquet"
    frame = pd.read_parquet(extract)
    frame.loc[frame.index[0], "tier_after"] = "premier"
    frame.to_parquet(extract)
    analytics_before = hashlib.sha256((world["publish_dir"] / ANALYTICS_DB).read_bytes()).hexdigest()
    assert main(["publications", "--publish-dir", str(world["publish_dir"]), "--verify"]) == 1
    assert f"{extract}: sha256 differs from the manifest" in capsys.readouterr().out
    code = main(_run_args(world, "--all"))
    out = capsys.readouterr()
    assert code == 1
    assert "does not match its manifests" in out.err and str(extract) in out.err, out.err[-2000:]
    assert hashlib.sha256((world["publish_dir"] / ANALYTICS_DB).read_bytes()).hexdigest() == analytics_before
    con = duckdb.connect(str(world["warehouse"]), read_only=True)
    premier = con.execute(
        "SELECT count(*) FROM publication.published_technology_tiers WHERE partner_id = ? AND evaluation_date = ?"
        " AND tier_after = 'premier'",
        [frame["partner_id"].iloc[0], E],
    ).fetchone()[0]
    con.close()
    assert premier == 0  # unless it was premier already, the tampered value was never read
    assert frame["tier_after"].iloc[0] == "premier" and pd.read_parquet(extract)["tier_after"].iloc[0] == "premier"


def test_two_runs_on_one_warehouse_never_interleave(world: dict[str, Path], baseline: dict[str, Path],
                                                    tmp_path: Path) -> None:  # fmt: skip
    """Run A holds the warehouse; run B on the same warehouse (another landing zone) fails at once naming
    A; run C on another warehouse from the same checkout runs beside A with its own dbt target."""
    other = tmp_path / "other"
    shutil.copytree(baseline["landing"], other / "landing")
    _rewrite(other / "landing", "deal_line_items", lambda f: f[f["deal_id"] != f["deal_id"].iloc[0]])
    second = {"landing": other / "landing", "warehouse": other / "warehouse.duckdb"}
    shutil.copy2(baseline["warehouse"], second["warehouse"])
    shutil.copytree(baseline["publish_dir"], other / "publications")
    b_world = {**world, "landing": other / "landing"}  # B: A's warehouse, another landing zone
    loads_before = _loads(world["warehouse"])
    # A's own inputs (another deal without line items, a warning) and a republication of E: what is
    # published afterwards must be A's
    _rewrite(world["landing"], "deal_line_items", lambda f: f[f["deal_id"] != f["deal_id"].iloc[-1]])

    a = subprocess.Popen([*CLI, *_run_args(world, *REPUBLISH)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)  # fmt: skip
    lock = world["warehouse"].with_name(world["warehouse"].name + ".lock")
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    c = subprocess.Popen([*CLI, *_run_args(second, "--all", "--force-reload")], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)  # fmt: skip
    started = time.monotonic()
    b = subprocess.run([*CLI, *_run_args(b_world, "--all", "--force-reload")], capture_output=True, text=True,
                       check=False)  # fmt: skip
    b_seconds = time.monotonic() - started
    a_out, a_err = a.communicate(timeout=600)
    c_out, c_err = c.communicate(timeout=600)
    assert a.returncode == 0, a_err[-2000:]
    assert c.returncode == 0, c_err[-2000:]
    assert b.returncode == 1 and b_seconds < 30, b.stderr[-2000:]
    assert f"is in use by another run: pid {a.pid}" in b.stderr, b.stderr[-2000:]
    assert "Traceback" not in b.stderr and "IO Error" not in b.stderr
    # what is published and loaded is A's alone: B never loaded a row
    assert _loads(world["warehouse"]) == loads_before + 1
    store = PublicationStore(world["publish_dir"])
    assert store.verify_all() == []
    assert [v.version for v in store.versions(E)] == [1, 2]
    con = duckdb.connect(str(world["warehouse"]), read_only=True)
    a_inputs = last_fingerprints(con)
    con.close()
    assert store.current(E).manifest["input_fingerprints"] == a_inputs  # the published bytes are A's own
    # each warehouse has its own dbt target and run results
    for w in (world["warehouse"], second["warehouse"]):
        results = json.loads((settings.dbt_target_dir(w) / "run_results.json").read_text())
        assert results["results"], w


def test_marts_show_the_published_decision_as_the_fact_after_a_rerun_with_changed_inputs(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """rules.md A9, issue 12 item 4: a partner delisted after E was published recomputes to
    left_program, but without --republish the marts keep the published decision as the fact, show the
    recomputed one beside it, and the next run's chain and the extract never contradict the record."""
    store = PublicationStore(world["publish_dir"])
    published = pd.read_parquet(store.current(E).path / "tier_extract.parquet")
    apps = pd.concat([pd.read_parquet(f) for f in sorted((world["landing"] / "apps").glob("*.parquet"))])
    listed_early = apps.groupby("partner_id")["listed_on"].max() < date(2026, 12, 1)
    candidates = published[published["tier_after"].isin(["rising", "leading", "premier"])
                           & published["partner_id"].map(listed_early).fillna(False).astype(bool)]  # fmt: skip
    pid = candidates["partner_id"].iloc[0]
    fact = candidates.iloc[0]
    _rewrite(
        world["landing"],
        "apps",
        lambda f: f.assign(delisted_on=f["delisted_on"].where(f["partner_id"] != pid, date(2026, 12, 20))),
    )
    code = main(_run_args(world, "--all"))
    out = capsys.readouterr()
    assert code == 0, out.err[-2000:]
    assert "inputs or code changed" in out.out + out.err
    assert [v.version for v in store.versions(E)] == [1]  # nothing republished
    con = duckdb.connect(str(world["warehouse"]), read_only=True)
    row = con.execute(
        """SELECT tier_after, action, source, published_version, recomputed_tier_after, recomputed_action,
                  differs_from_published
           FROM marts.fct_technology_tier_evaluations WHERE partner_id = ? AND evaluation_date = ?""",
        [pid, E],
    ).fetchone()
    unchanged = con.execute(
        """SELECT count(*) FROM marts.fct_technology_tier_evaluations
           WHERE evaluation_date = ? AND source = 'published' AND NOT differs_from_published""",
        [E],
    ).fetchone()[0]
    listing = con.execute(
        """SELECT status, source, published_version, recomputed_status, differs_from_published
           FROM marts.fct_technology_tier_requirements
           WHERE partner_id = ? AND evaluation_date = ? AND tier = ? AND requirement = 'live_listing'""",
        [pid, E, fact["tier_after"]],
    ).fetchone()
    con.close()
    assert row == (fact["tier_after"], fact["action"], "published", 1, "not_in_program", "left_program", True)
    assert listing == ("pass", "published", 1, "fail", True)  # the published row, the recomputed one beside it
    assert unchanged == len(published) - 1  # every other partner: the published decision, recomputed alike
