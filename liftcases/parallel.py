"""Work done in other processes: slices of the assembled site in forked workers (case pages, search
records), and folders deleted by a detached ``rm`` (waited for by a thread of its own, so that it
leaves no zombie behind in a long-lived ``make serve``).

Forked workers inherit the site as it is in memory (copy-on-write) instead of receiving it pickled,
and each returns only what it reports back. The work runs while the caller goes on with something
else; ``results`` collects it in slice order, so the output is the same as in one process.
"""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
SLICES_PER_WORKER = 4
_shared: Any = None  # what the workers work on, set just before they are forked


def _one_slice(func: Callable[[Any, int, int], T], start: int, stop: int) -> T:
    return func(_shared, start, stop)


class SliceMap(Generic[T]):
    """``func(shared, start, stop)`` for consecutive slices of ``range(items)``, in ``workers`` forked
    processes. ``func`` must be a module-level function."""

    def __init__(self, func: Callable[[Any, int, int], T], shared: Any, items: int, workers: int) -> None:
        global _shared
        _shared = shared
        step = max(1, -(-items // (workers * SLICES_PER_WORKER)))
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        self.futures: list[Future[T]] = [
            self.pool.submit(_one_slice, func, start, min(start + step, items)) for start in range(0, items, step)
        ]
        _shared = None  # the workers have their copy; the parent keeps no extra reference

    def results(self) -> list[T]:
        try:
            return [future.result() for future in self.futures]
        finally:
            self.close()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def remove_later(path: Path) -> None:
    """Delete a folder in a detached process (thousands of files take seconds nobody need wait for);
    in this process where there is no ``rm``."""
    rm = shutil.which("rm")
    if rm is None:
        shutil.rmtree(path, ignore_errors=True)
        return
    quiet = subprocess.DEVNULL
    rm_rf = [rm, "-rf", "--", str(path)]
    proc = subprocess.Popen(rm_rf, stdin=quiet, stdout=quiet, stderr=quiet, start_new_session=True)
    # Reap it when it ends: a child nobody waits for stays a zombie as long as this process lives.
    threading.Thread(target=proc.wait, name=f"reap rm {proc.pid}", daemon=True).start()
