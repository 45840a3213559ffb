"""Peak resident memory of a whole process tree, sampled from /proc (no psutil needed).

dbt runs as a subprocess of the pipeline, so the RSS of the pipeline process alone misses most of
the work: every sample sums VmRSS of the root process and all its descendants.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in (PROC / str(pid) / "task").iterdir():
            try:
                out.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    except OSError:
        pass
    return out


def _rss_bytes(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0  # exited, or a zombie without memory


def _cpu_ticks(pid: int) -> int:
    """utime + stime + cutime + cstime of `pid` (clock ticks): its own CPU and that of the children
    it has reaped, so a finished dbt subprocess still counts once the pipeline has waited for it."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15])
    except (OSError, ValueError, IndexError):
        return 0


def tree_pids(root: int) -> list[int]:
    """`root` and every descendant alive now."""
    seen: list[int] = []
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.append(pid)
        todo.extend(_children(pid))
    return seen


def tree_rss(root: int) -> int:
    """Sum of VmRSS over `root` and every descendant alive now (bytes)."""
    return sum(_rss_bytes(pid) for pid in tree_pids(root))


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by `root` and its descendants, reaped or alive."""
    return sum(_cpu_ticks(pid) for pid in tree_pids(root)) / TICKS


class TreeMemorySampler:
    """Samples `tree_rss(pid)` every `interval` seconds on a thread.

    `on_sample(t, rss, cpu)` receives each sample (monotonic time, RSS bytes, CPU seconds so far)
    so that callers can attribute the peak and the CPU to the stage running at that moment."""

    def __init__(self, pid: int, interval: float = 0.2, on_sample: Callable[[float, int, float], None] | None = None):
        self.pid = pid
        self.interval = interval
        self.on_sample = on_sample
        self.peak = 0
        self.cpu_seconds = 0.0
        self.samples = 0
        self.seen: set[int] = set()  # every pid of the tree in any sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = tree_pids(self.pid)
            self.seen.update(pids)
            rss = sum(_rss_bytes(p) for p in pids)
            cpu = sum(_cpu_ticks(p) for p in pids) / TICKS
            now = time.monotonic()
            self.samples += 1
            self.peak = max(self.peak, rss)
            self.cpu_seconds = max(self.cpu_seconds, cpu)
            if self.on_sample is not None:
                self.on_sample(now, rss, cpu)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# prctl(2): orphaned descendants are reparented to the nearest ancestor that set this, not to init.
PR_SET_CHILD_SUBREAPER = 36


def set_child_subreaper(on: bool) -> bool:
    """Make this process (Linux) the one an orphaned descendant is reparented to; True when set."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


@contextmanager
def reaping_orphans() -> Iterator[None]:
    """While open, descendants orphaned by their parent's exit become this process's children, so that
    reap() can wait for them and their CPU reaches RUSAGE_CHILDREN. The pipeline's workbook helpers
    are children of a forkserver that outlives the CLI by a moment: reaped by init, their CPU was
    missing from every run's total (docs/benchmarks.md)."""
    on = set_child_subreaper(True)
    try:
        yield
    finally:
        if on:
            set_child_subreaper(False)


def reap(pids: Iterable[int], timeout: float = 30.0) -> list[int]:
    """Wait (at most `timeout` s) for those of `pids` that are children of this process to end, and reap
    them; the pids still running at the timeout (not reaped)."""
    waiting = set(pids)
    deadline = time.monotonic() + timeout
    while waiting:
        for pid in list(waiting):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not a child of this process, or already reaped
                done = pid
            if done:
                waiting.discard(pid)
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return sorted(waiting)
