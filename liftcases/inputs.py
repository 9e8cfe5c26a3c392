"""Stage 0, inputs: where the build reads and writes, and a stamp of everything it reads.

The stamp is a digest of the name, size and modification time of every file under content/ and
templates/, of the package's code and of the pinned requirements, plus the build's options. A build
that publishes writes it into site/ (STAMP_FILE, swapped in with the rest of the site); the next
``make build`` compares it before importing anything heavy, and when nothing changed it leaves site/
as it is. Reading 10,000 file sizes takes tens of milliseconds; reading their bytes would take more.

Standard library only: this module must load fast.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

STAMP_FILE = ".build-stamp.json"
# Folders beside site/ the build writes while it works (named .staging-site-…): publish.py swaps
# one in, and each build removes any that a killed build left.
STAGING_PREFIX = ".staging-"
_PACKAGE = Path(__file__).resolve().parent
_REQUIREMENTS = _PACKAGE.parent / "requirements.txt"


@dataclass(frozen=True)
class Paths:
    content: Path
    templates: Path
    out: Path

    @property
    def articles(self) -> Path:
        return self.content / "articles"

    @property
    def cache(self) -> Path:
        """The build cache (memo.py): beside the output folder, like the build's staging folders."""
        return self.out.absolute().parent / ".cache"


def _files(folder: Path) -> list[tuple[str, int, int]]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        here = os.path.relpath(root, folder)  # once per folder: per file it cost more than the stat
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError:  # a dangling symlink: the build reports it; here it only has to count
                st = os.lstat(path)
            found.append((name if here == "." else os.path.join(here, name), st.st_size, st.st_mtime_ns))
    return found


def inputs_stamp(paths: Paths, options: dict[str, object]) -> str:
    """A digest that changes whenever any input of the build, or an option, changes."""
    digest = hashlib.sha256(json.dumps(options, sort_keys=True).encode())
    for label, folder in (("content", paths.content), ("templates", paths.templates), ("code", _PACKAGE)):
        digest.update(f"\0{label}\0{folder.resolve()}".encode())
        for rel, size, mtime in _files(folder):
            if label == "code" and not rel.endswith(".py"):
                continue
            digest.update(f"{rel}\0{size}\0{mtime}\n".encode())
    if _REQUIREMENTS.is_file():
        digest.update(_REQUIREMENTS.read_bytes())
    return digest.hexdigest()


def stamp_record(
    stamp: str, cases: int, problems: list[str], errors: int, search: str | None = None, output: str | None = None
) -> str:
    """What STAMP_FILE holds: the stamp, the last build's summary to repeat when nothing changed, the
    digest of what the site's search index was made from (so that the next build can keep it), and
    the id of the list of what each file was made from, kept in the build cache (render.Pages)."""
    record = {"stamp": stamp, "cases": cases, "errors": errors, "problems": problems, "search": search}
    record["output"] = output
    return json.dumps(record, ensure_ascii=False, indent=1)


def built_record(site: Path) -> dict[str, object] | None:
    """What the build that made ``site`` recorded in its STAMP_FILE (see stamp_record), if readable."""
    try:
        record = json.loads((site / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def last_build(out: Path, stamp: str) -> dict[str, object] | None:
    """The summary of the build that made site/, if it was made from exactly these inputs."""
    record = built_record(out)
    return record if record is not None and record.get("stamp") == stamp else None


def write_whole(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file renamed over it: a reader, or a build killed meanwhile,
    sees the old bytes or the new ones, never part of them."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
