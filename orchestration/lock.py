"""One writer at a time: an exclusive OS lock on a warehouse and on its publication directory.

DuckDB allows one read-write process per file, but a run opens the warehouse many times (load, gate,
dbt, publication), so DuckDB's own lock serialises connections, not runs: two runs started a few
seconds apart interleaved and one published the other's data (issue 13 item 1). A run therefore
holds `flock` locks on `<warehouse>.lock` and `<publish_dir>/.lock` for its whole life. The kernel
releases them when the process dies, so a crash never leaves a stale lock behind.

The locks are re-entrant within one process: `partner-warehouse run` takes them for the whole run,
and the Dagster steps it executes in-process take them again without blocking themselves. A step run
by `dagster dev` in its own process takes them for that step (docs/architecture.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

PUBLISH_LOCK = ".lock"


class LockHeld(RuntimeError):
    """Another process holds the lock; the message names it (pid, start time, command)."""


# path -> [open file, depth]; one entry per lock this process holds.
_held: dict[Path, list] = {}


def warehouse_lock_path(warehouse: Path) -> Path:
    warehouse = Path(warehouse).resolve()
    return warehouse.with_name(warehouse.name + ".lock")


def publish_lock_path(publish_dir: Path) -> Path:
    return Path(publish_dir).resolve() / PUBLISH_LOCK


def _holder_text(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return "another process (it has not written its name yet)"
    return f"pid {holder.get('pid')}, started {holder.get('started')} ({holder.get('command')})"


@contextmanager
def exclusive(path: Path, what: str, *, wait: bool = False, poll_seconds: float = 0.5) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing) while the block runs.

    Held by another process: raise LockHeld at once naming the holder, or with `wait` block until it
    is released."""
    path = Path(path).resolve()
    entry = _held.get(path)
    if entry is not None:  # this process holds it already (a run executing its own steps)
        entry[1] += 1
        try:
            yield
        finally:
            entry[1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until the block ends
    try:
        announced = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    raise LockHeld(
                        f"{what} is in use by another run: {_holder_text(path)}. Wait for it to finish "
                        f"(or pass --wait to queue behind it); the lock is {path} and is released when "
                        "that process ends."
                    ) from None
                if not announced:
                    print(f"waiting for {what}: held by {_holder_text(path)}", file=sys.stderr, flush=True)
                    announced = True
                time.sleep(poll_seconds)
        fh.seek(0)
        fh.truncate()
        fh.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "started": datetime.now(UTC).isoformat(timespec="seconds"),
                    "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:300],
                }
            )
        )
        fh.flush()
        _held[path] = [fh, 1]
        try:
            yield
        finally:
            del _held[path]
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    finally:
        fh.close()


@contextmanager
def run_lock(warehouse: Path, publish_dir: Path, *, wait: bool = False) -> Iterator[None]:
    """The warehouse's lock, then its publication directory's (always in that order: no deadlock)."""
    with ExitStack() as stack:
        stack.enter_context(exclusive(warehouse_lock_path(warehouse), f"the warehouse {warehouse}", wait=wait))
        stack.enter_context(exclusive(publish_lock_path(publish_dir), f"the publications in {publish_dir}", wait=wait))
        yield
