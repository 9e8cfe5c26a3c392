"""Stage 7, publish: the staging folder replaces site/ in one atomic step.

The build writes everything into a staging folder beside site/. Only when the
whole site is there does it swap the two: on Linux with renameat2's
RENAME_EXCHANGE, so at every instant site/ is either the old site or the new
one, whole. A build killed at any moment leaves the previous site/ untouched
(and at worst a stale staging folder, removed by the next build). The previous
site is deleted by a detached ``rm`` once the new one is in place: at 10,000
articles that is 20,000 files and seconds the build need not wait for.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

from .inputs import STAGING_PREFIX
from .parallel import remove_later

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_dir(out: Path) -> Path:
    """A fresh staging folder beside ``out``; leftovers of killed builds are removed first."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    for old in out.parent.glob(f"{STAGING_PREFIX}{out.name}-*"):
        shutil.rmtree(old, ignore_errors=True)
    path = out.parent / f"{STAGING_PREFIX}{out.name}-{os.getpid()}"
    path.mkdir()
    return path


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False where the system cannot."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is None:
        return False
    rc = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc != 0:
        errno = ctypes.get_errno()
        if errno in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: this filesystem cannot exchange
            return False
        raise OSError(errno, os.strerror(errno), str(b))
    return True


def publish(staging: Path, out: Path) -> None:
    """Make ``staging`` the new ``out``; the old site is removed afterwards."""
    out = out.absolute()
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        remove_later(staging)  # now holds the previous site
        return
    # Fallback: two renames; between them site/ is briefly absent, never half-written.
    old = out.parent / f"{STAGING_PREFIX}{out.name}-old-{os.getpid()}"
    os.rename(out, old)
    os.rename(staging, out)
    remove_later(old)
