"""Stage 7, publish: the staging folder replaces site/ in one atomic step.

The build writes everything into a staging folder beside site/. Only when the
whole site is there does it swap the two: on Linux with renameat2's
RENAME_EXCHANGE, so at every instant site/ is either the old site or the new
one, whole. A build killed at any moment leaves the previous site/ untouched
(and at worst a stale staging folder, removed by the next build). The previous
site is kept beside it as the next build's staging folder: its folders are
reused (at 10,000 articles making 20,000 folders costs seconds), its files are
all replaced or removed. Files are never rewritten in place there, since an
unchanged page is the same file (a hard link) in both sites.
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


# Folders inside a site that a build makes afresh (the search index and what it reads), apart from pages.
FRESH = ("pagefind", "search", ".search-records")


def _base(out: Path) -> Path:
    return out.parent / f"{STAGING_PREFIX}{out.name}-base"


def staging_dir(out: Path) -> Path:
    """The staging folder beside ``out``. It starts as the site before the current one, kept by the last
    publish (see publish): its folders are reused, since making thousands of folders costs seconds; the
    build replaces or removes every file in it (Output.sweep), so what it held never matters. Leftovers
    of killed builds are removed first."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    for old in out.parent.glob(f"{STAGING_PREFIX}{out.name}-*"):
        if old != _base(out):
            remove_later(old) if old.is_dir() else old.unlink(missing_ok=True)
    path = out.parent / f"{STAGING_PREFIX}{out.name}-{os.getpid()}"
    try:
        os.rename(_base(out), path)
    except OSError:  # none kept (or not a folder we can take): a fresh one
        path.mkdir()
        return path
    for name in FRESH:
        if (path / name).exists():
            aside = out.parent / f"{STAGING_PREFIX}{out.name}-{name.strip('.')}-{os.getpid()}"
            os.rename(path / name, aside)
            remove_later(aside)
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
        _keep_as_base(staging, out)  # it now holds the previous site
        return
    # Fallback: two renames; between them site/ is briefly absent, never half-written.
    old = out.parent / f"{STAGING_PREFIX}{out.name}-old-{os.getpid()}"
    os.rename(out, old)
    os.rename(staging, out)
    _keep_as_base(old, out)


def _keep_as_base(previous: Path, out: Path) -> None:
    """Keep the previous site as the next build's staging folder (see staging_dir)."""
    try:
        os.rename(previous, _base(out))
    except OSError:
        remove_later(previous)
