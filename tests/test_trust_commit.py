"""One writer at a time, a recoverable commit, enforced integrity (issue 13 items 1-3 and 7): the parts
that need no pipeline run. The multi-process runs and the crash at every publication step are in
tests/test_publication_faults.py (e2e)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.cli import main
from orchestration.defs.publication import publish as publish_module
from orchestration.defs.publication.store import MANIFEST, PublicationStore, sha256_file
from orchestration.defs.resources import WarehouseConfig
from orchestration.lock import LockHeld, exclusive, run_lock, warehouse_lock_path
from orchestration.pipeline import explain_lock_error, failure_text
from tests.support.processes import ends_within

E = date(2027, 1, 15)


# -- the run lock ------------------------------------------------------------------------------------


def _hold_in_child(lock: Path, seconds: float) -> subprocess.Popen:
    """Another process holding `lock` (orchestration.lock.exclusive) for `seconds`."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from orchestration.lock import exclusive
        with exclusive(Path({str(lock)!r}), "the test warehouse"):
            print("held", flush=True)
            time.sleep({seconds})
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_process_fails_at_once_naming_the_holder(tmp_path: Path) -> None:
    lock = warehouse_lock_path(tmp_path / "w.duckdb")
    child = _hold_in_child(lock, 30)
    try:
        started = time.monotonic()
        with pytest.raises(LockHeld) as err, exclusive(lock, "the test warehouse"):
            pass
        assert time.monotonic() - started < 2
        assert f"pid {child.pid}" in str(err.value) and "started 20" in str(err.value), str(err.value)
        assert "--wait" in str(err.value)
    finally:
        child.kill()
        child.wait()


def test_the_kernel_releases_the_lock_of_a_killed_run(tmp_path: Path) -> None:
    lock = warehouse_lock_path(tmp_path / "w.duckdb")
    child = _hold_in_child(lock, 60)
    child.kill()  # SIGKILL: no cleanup code runs
    child.wait()
    with exclusive(lock, "the test warehouse"):
        assert json.loads(lock.read_text())["pid"] == os.getpid()


def test_wait_queues_behind_the_holder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = warehouse_lock_path(tmp_path / "w.duckdb")
    child = _hold_in_child(lock, 1.5)
    started = time.monotonic()
    with exclusive(lock, "the test warehouse", wait=True, poll_seconds=0.1):
        waited = time.monotonic() - started  # the holder sleeps 1.5 s after saying "held"
    child.wait()
    assert waited > 1.0
    assert f"held by pid {child.pid}" in capsys.readouterr().err


def test_the_lock_is_reentrant_within_the_run_that_holds_it(tmp_path: Path) -> None:
    """`partner-warehouse run` holds the lock and executes the Dagster steps, which take it again."""
    warehouse, publish_dir = tmp_path / "w.duckdb", tmp_path / "publications"
    with run_lock(warehouse, publish_dir), run_lock(warehouse, publish_dir):
        pass
    with run_lock(warehouse, publish_dir):  # released, so it can be taken again
        pass


def test_two_warehouses_never_share_a_dbt_target(tmp_path: Path) -> None:
    a = WarehouseConfig(landing_dir="l", warehouse_path=str(tmp_path / "a.duckdb"), publish_dir=str(tmp_path / "pa"))
    b = WarehouseConfig(landing_dir="l", warehouse_path=str(tmp_path / "b.duckdb"), publish_dir=str(tmp_path / "pb"))
    assert a.dbt_target_dir != b.dbt_target_dir
    assert settings.DBT_PROJECT_DIR not in a.dbt_target_dir.parents  # not the checkout's shared target/


def test_a_duckdb_lock_conflict_reads_as_a_sentence(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    code = f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('open', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "open"
        with pytest.raises(duckdb.IOException) as err:
            duckdb.connect(str(db))
        text = explain_lock_error(f"step raw_feeds failed: {err.value}")
    finally:
        child.kill()
        child.wait()
    assert text.startswith(f"the warehouse {db} is open in process {child.pid}"), text
    assert "close that connection" in text and "IO Error" not in text
    # every step that opens the warehouse fails alike: the user reads the sentence once
    assert failure_text([f"step raw_feeds failed: {err.value}", f"step published failed: {err.value}"]) == text


def test_reason_without_republish_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--landing", "l", "--warehouse", "w.duckdb", "--evaluation-date", "2026-10-15",
              "--run-date", "2026-11-01", "--reason", "x"])  # fmt: skip
    assert exit_.value.code == 2
    assert "--reason is only for --republish" in capsys.readouterr().err


# -- a store written by hand: recovery and verification ------------------------------------------------


def _version(store: PublicationStore, number: int, *, current: bool, extract: bytes = b"partner_id\np1\n") -> Path:
    """A version folder as the publication writes it: files, then a manifest listing their sha256."""
    d = store.date_dir(E) / f"v{number}"
    d.mkdir(parents=True)
    (d / "tier_extract.csv").write_bytes(extract)
    files = {"tier_extract.csv": {"bytes": len(extract), "sha256": sha256_file(d / "tier_extract.csv")}}
    manifest = {"evaluation_date": E.isoformat(), "version": number, "published_at": "2027-02-01T00:00:00+00:00",
                "final": True, "files": files}  # fmt: skip
    (d / MANIFEST).write_text(json.dumps(manifest))
    if current:
        (store.date_dir(E) / "current.json").write_text(json.dumps({"version": number}))
    return d


def _verify(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["publications", "--publish-dir", str(root), "--verify"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_verify_prints_one_ok_line_and_exits_zero_on_an_intact_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = PublicationStore(tmp_path)
    _version(store, 1, current=True)
    code, out = _verify(tmp_path, capsys)
    assert code == 0, out
    assert "verify OK: 1 version(s) of 1 date(s)" in out


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: (d / "tier_extract.csv").write_text("partner_id\np1-premier\n"), "sha256 differs"),
        (lambda d: (d / "tier_extract.csv").unlink(), "missing"),
        (lambda d: (d / "notes.txt").write_text("added by hand"), "not listed in the manifest"),
    ],
    ids=["tampered", "missing", "unlisted"],
)
def test_verify_exits_non_zero_on_any_mismatch(tmp_path: Path, capsys: pytest.CaptureFixture[str], damage, expected):
    store = PublicationStore(tmp_path)
    damage(_version(store, 1, current=True))
    code, out = _verify(tmp_path, capsys)
    assert code == 1, out
    assert expected in out and "verify FAILED: 1 problem(s)" in out
    with pytest.raises(publish_module.PublicationIntegrityError, match=expected):
        publish_module.open_record(store, progress=lambda m: None)


def test_a_complete_version_not_yet_current_is_reported_then_adopted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A crash between the rename and current.json: v2 is whole but current.json still says 1."""
    store = PublicationStore(tmp_path)
    _version(store, 1, current=True)
    _version(store, 2, current=False)
    code, out = _verify(tmp_path, capsys)
    assert code == 0 and "v2: complete and verified but not current; the next run adopts it" in out, out
    said: list[str] = []
    publish_module.open_record(store, progress=said.append)
    assert store.current(E).version == 2
    assert any("adopted v2" in line for line in said), said
    assert store.recover() == []  # nothing left to do


def test_an_incomplete_version_is_reported_then_moved_aside_never_deleted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = PublicationStore(tmp_path)
    _version(store, 1, current=True)
    broken = _version(store, 2, current=False)
    (broken / "tier_extract.csv").write_text("half a fi")
    code, out = _verify(tmp_path, capsys)
    assert code == 1 and "an incomplete version" in out, out
    publish_module.open_record(store, progress=lambda m: None)
    assert store.current(E).version == 1 and not broken.exists()
    [moved] = list((store.date_dir(E) / ".quarantine").iterdir())
    assert (moved / "tier_extract.csv").read_text() == "half a fi"
    assert _verify(tmp_path, capsys)[0] == 0


def test_staging_leftovers_of_a_crashed_run_are_cleaned(tmp_path: Path) -> None:
    store = PublicationStore(tmp_path)
    _version(store, 1, current=True)
    leftover = store.new_staging(E)
    (leftover / "tier_extract.csv").write_text("partial")
    (tmp_path / ".staging" / "analytics-123.duckdb").write_bytes(b"partial")
    (store.date_dir(E) / ".current.json.abcd1234.tmp").write_text("{")
    said = store.recover()
    assert not any((tmp_path / ".staging").iterdir())
    assert not list(store.date_dir(E).glob(".current.json.*.tmp"))
    assert len(said) == 2 and all("left by a run that did not finish" in s for s in said)
    assert store.current(E).version == 1


# -- the workbook helper process dies with the publisher ----------------------------------------------


def test_the_workbook_helper_does_not_outlive_a_dying_publisher() -> None:
    """Issue 18 item 5 put the workbooks in a helper process. When the publisher died at a failpoint,
    the helper lived on holding its stdout and stderr, so whoever read them to the end waited forever
    (CI's fault suite hung for 85 minutes). The publisher dies here with the helper started and idle."""
    code = textwrap.dedent(
        """
        import os, sys
        from orchestration.defs.publication import publish
        pool = publish._workbook_helper()
        print(pool.submit(os.getpid).result(), flush=True)
        os._exit(3)
        """
    )
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the publisher died but its output never closed: the helper outlived it ({e})")
    assert proc.returncode == 3, proc.stderr
    helper = int(proc.stdout.split()[0])
    assert time.monotonic() - started < 30
    assert ends_within(helper, seconds=10), "the helper process is still alive"


def test_a_failing_helper_job_is_raised_only_once_every_other_job_has_ended(tmp_path: Path) -> None:
    """commit_version discards the staging folder as soon as the error arrives: a job still writing into
    it then would leave a file behind (or a half-deleted folder). The first job fails at once, the second
    writes its file half a second later: the error must arrive after that file exists."""
    from concurrent.futures import ThreadPoolExecutor

    late = tmp_path / "late.xlsx"

    def fail() -> None:
        raise RuntimeError("injected: the first workbook failed")

    def write_late() -> None:
        time.sleep(0.5)
        late.write_text("written")

    pool = ThreadPoolExecutor(max_workers=2)
    try:
        with pytest.raises(RuntimeError, match="injected"), publish_module.helper_jobs(pool) as jobs:
            jobs.run(fail)
            jobs.run(write_late)
        assert late.exists()  # checked before the pool is shut down (which would wait for it anyway)
    finally:
        pool.shutdown()
