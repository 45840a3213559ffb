"""Peak resident memory of a whole process tree, sampled from /proc (no psutil needed).

dbt runs as a subprocess of the pipeline, so the RSS of the pipeline process alone misses most of
the work: every sample sums VmRSS of the root process and all its descendants.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

PROC = Path("/proc")


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


def tree_rss(root: int) -> int:
    """Sum of VmRSS over `root` and every descendant alive now (bytes)."""
    total, seen, todo = 0, set(), [root]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss_bytes(pid)
        todo.extend(_children(pid))
    return total


class TreeMemorySampler:
    """Samples `tree_rss(pid)` every `interval` seconds on a thread.

    `on_sample(t, rss)` receives each sample (monotonic time, bytes) so that callers can attribute
    the peak to the stage running at that moment."""

    def __init__(self, pid: int, interval: float = 0.2, on_sample: Callable[[float, int], None] | None = None):
        self.pid = pid
        self.interval = interval
        self.on_sample = on_sample
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = tree_rss(self.pid)
            now = time.monotonic()
            self.samples += 1
            self.peak = max(self.peak, rss)
            if self.on_sample is not None:
                self.on_sample(now, rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def self_rss_sampler(interval: float = 0.2) -> TreeMemorySampler:
    """A sampler of this process (for in-process measurements such as the pandas reference)."""
    import os

    return TreeMemorySampler(os.getpid(), interval)
