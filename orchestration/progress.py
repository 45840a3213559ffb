"""Progress lines for headless runs. The CLI installs a printer; in the Dagster UI they go to the run log."""

from __future__ import annotations

import time
from collections.abc import Callable

_printer: Callable[[str], None] | None = None
_started = time.monotonic()


def install_printer(printer: Callable[[str], None] | None) -> None:
    global _printer, _started
    _printer = printer
    _started = time.monotonic()


def say(message: str, log: Callable[[str], None] | None = None) -> None:
    if log is not None:
        log(message)
    if _printer is not None:
        _printer(f"[{time.monotonic() - _started:7.1f}s] {message}")
