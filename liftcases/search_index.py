"""Stage 6, index: the client-side Pagefind search index, built from the search records
(search_records.py) while the site is assembled and rendered.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .assemble import Site
from .inputs import STAGING_PREFIX, built_record
from .memo import Fingerprints, code_version
from .model import Case, Problem
from .parallel import SliceMap, remove_later
from .search_records import (
    Record,
    Searchable,
    Tag,
    case_filters,
    case_record,
    case_tags,
    filter_values,
    method_names,
    method_records,
    obstacle_records,
    place_records,
    record_html,
    t2s_map,
)  # fmt: skip


def _pagefind() -> str:
    # The standard build is enough (our words need no segmenting) and takes far less memory than the
    # extended one.
    from pagefind_bin import get_executable

    return str(get_executable())


@dataclass
class IndexStats:
    """What indexing cost, for --timings and the benchmark."""

    peak_rss_kib: int = 0
    reused: bool = False  # the previous site's index was kept: nothing it indexes changed
    seconds: float = 0.0  # Pagefind's own run, start to exit


# What a lasting folder of records holds: record page -> (what it was made from, its size, its mtime).
Kept = dict[str, tuple[str, int, int]]
_LOCKS: dict[Path, int] = {}


def _lock(folder: Path) -> bool:
    """Take the lasting records folder for this build; False when another build has it (this one then
    writes its records inside its staging folder, as with no cache)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder.parent / f".{folder.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    _LOCKS[folder] = fd
    return True


def _unlock(folder: Path) -> None:
    fd = _LOCKS.pop(folder, None)
    if fd is not None:
        os.close(fd)  # releases the lock


def _tidy(folder: Path, keys: dict[str, str]) -> Kept:
    """Remove records of pages that are gone; what the folder now holds."""
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if path.relative_to(folder).as_posix() not in keys:
                path.unlink()
    kept = {}
    for rel, key in keys.items():
        st = os.stat(folder / rel)
        kept[rel] = (key, st.st_size, st.st_mtime_ns)
    return kept


def _rel(url: str) -> str:
    return url.strip("/") + "/index.html"


def _write(folder: Path, records: list[Record]) -> None:
    for r in records:
        target = folder / _rel(r.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(record_html(r).encode("utf-8"))


def _write_records(
    job: tuple[tuple[Case, ...], dict[str, tuple[Tag, ...]], dict[str, int], Path], start: int, stop: int
) -> None:
    cases, tags, listed, folder = job
    _write(folder, [case_record(c, tags.get(c.slug, ()), listed) for c in cases[start:stop]])


PAGEFIND_VERSION = importlib.metadata.version("pagefind-bin")


def _indexed_from(site: Path) -> object:
    """The digest of what a built site's search index was made from, as its build recorded it."""
    record = built_record(site)
    return record.get("search") if record is not None else None


def _reuse(previous: Path, target: Path) -> None:
    """Hard-link the previous site's index into the new one (the previous site is deleted after the
    swap, and no build ever rewrites a file in place there, so the two never share a change)."""
    for root, _, files in os.walk(previous):
        folder = target / Path(root).relative_to(previous)
        folder.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(root) / name, folder / name)


@dataclass(frozen=True)
class Plan:
    """What the index is made from, and the files search.js reads beside it: making it reads every case,
    so the build cache keeps it (under the cases' fingerprints and the code and data versions)."""

    files: dict[str, str]  # file under search/ -> its text
    keys: dict[str, str]  # record page -> what it is made from (empty when not fingerprinted)
    digest: str | None  # of every record's key, the code and Pagefind's version: None when not fingerprinted


def plan_index(s: Searchable, prints: Fingerprints | None = None) -> Plan:
    names = method_names(s)
    listed = {entry["url"]: i for i, entry in enumerate(names)}
    tags = case_tags(s)
    pages = method_records(s) + obstacle_records(s) + place_records(s)
    files = {
        # Compact JSON (every search downloads these): methods.json as [url, name, alias, …] per tag page.
        "t2s.json": json.dumps(t2s_map(s), ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        "methods.json": json.dumps([[e["url"], *e["names"]] for e in names], ensure_ascii=False, separators=(",", ":")),
        "filters.json": json.dumps(filter_values([case_filters(c) for c in s.cases] + [r.filters for r in pages]),
                                   ensure_ascii=False, separators=(",", ":")),
    }  # fmt: skip
    if prints is None:
        return Plan(files, {}, None)
    # Each case record is made from the case, its tags and their places in methods.json; the index from
    # every record, the code and Pagefind's version (never its path, which differs from one folder or
    # machine to the next). The build records the digest in STAMP_FILE.
    keys = {}
    for case in s.cases:
        own = tags.get(case.slug, ())
        keys[_rel(case.url)] = prints((case, own, tuple(listed.get(url, -1) for url, _, _ in own)))
    keys |= {_rel(r.url): hashlib.sha256(record_html(r).encode()).hexdigest() for r in pages}
    made = hashlib.sha256(f"{code_version()} pagefind {PAGEFIND_VERSION}".encode())
    for rel, key in sorted(keys.items()):
        made.update(f"{rel}\0{key}\n".encode())
    return Plan(files, keys, made.hexdigest())


class Indexing:
    """Pagefind at work beside the rest of the build: ``start`` writes the records and launches it
    (it needs neither the assembled site nor the rendered pages), ``finish`` waits for it.

    When ``previous`` (the site being replaced) was indexed from exactly the same records, its index
    is reused instead of running Pagefind again: a template edit does not re-index. A failure is a
    problem, and the site is still published without search."""

    def __init__(
        self,
        searchable: Searchable,
        site_dir: Path,
        plan: Plan | None = None,
        previous: Path | None = None,
        folder: tuple[Path, Kept] | None = None,
    ) -> None:
        self.searchable, self.site_dir, self.previous = searchable, site_dir, previous
        self.plan = plan or plan_index(searchable)
        self.stats = IndexStats()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()
        self.started = 0.0
        self.digest = self.plan.digest  # what the index is made from (None once it failed)
        # A lasting folder of records (the build cache's) and what it holds, when this build may use it
        # alone: then only the records whose inputs changed are written again.
        lasting = folder is not None and self.plan.digest is not None and _lock(folder[0])
        self.folder, self.kept = folder if lasting and folder is not None else (None, {})
        self.manifest: Kept | None = None  # what the lasting folder holds after start(), for the cache

    @property
    def records(self) -> Path:
        return self.folder or self.site_dir / ".search-records"

    def start(self, workers: int = 1) -> None:
        s, site_dir, previous, keys = self.searchable, self.site_dir, self.previous, self.plan.keys
        search_dir = site_dir / "search"
        search_dir.mkdir(parents=True, exist_ok=True)
        for name, text in self.plan.files.items():
            (search_dir / name).write_text(text, encoding="utf-8")
        if (
            self.digest is not None
            and previous is not None
            and (previous / "pagefind").is_dir()
            and _indexed_from(previous) == self.digest
        ):
            _reuse(previous / "pagefind", site_dir / "pagefind")
            self.stats.reused = True
            self._unlock()
            return
        names = method_names(s)
        listed = {entry["url"]: i for i, entry in enumerate(names)}
        pages = method_records(s) + obstacle_records(s) + place_records(s)
        stale = tuple(c for c in s.cases if not self._current(_rel(c.url), keys.get(_rel(c.url))))
        # Case records are built and written by ``workers`` processes.
        job = (stale, case_tags(s), listed, self.records)
        if workers > 1 and len(stale) >= workers:
            SliceMap(_write_records, job, len(stale), workers).results()
        else:
            _write_records(job, 0, len(stale))
        _write(self.records, [r for r in pages if not self._current(_rel(r.url), keys.get(_rel(r.url)))])
        if self.folder is not None:
            self.manifest = _tidy(self.folder, keys)
        # The Pagefind CLI reads the record pages from their folder (inside the staging site, removed
        # afterwards, or the build cache's).
        cmd = [_pagefind(), "--site", str(self.records), "--output-path", str(site_dir / "pagefind"), "--silent"]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def _current(self, rel: str, key: str | None) -> bool:
        """Whether the lasting folder holds this record as made from ``key``, untouched since."""
        kept = self.kept.get(rel)
        if key is None or kept is None or self.folder is None or kept[0] != key:
            return False
        try:
            st = os.stat(self.folder / rel)
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns) == kept[1:]

    def _unlock(self) -> None:
        if self.folder is not None:
            _unlock(self.folder)

    def finish(self) -> list[Problem]:
        """Wait for Pagefind; its own peak memory is read from the kernel (wait4), apart from the build's."""
        try:
            if self.process is None:
                return []
            _, status, usage = os.wait4(self.process.pid, 0)
            self.process.returncode = code = os.waitstatus_to_exitcode(status)
            self.stats.peak_rss_kib = usage.ru_maxrss
            self.stats.seconds = time.perf_counter() - self.started
            if code != 0:
                self.digest = None  # a failed index is never reused
                self.log.seek(0)
                output = self.log.read().decode("utf-8", "replace")
                return [Problem("pagefind", f"搜索索引生成失败：{output.strip()[-500:]}", None, "error")]
            return []
        finally:
            self.close()

    def close(self) -> None:
        """Stop Pagefind if it still runs (a build that failed meanwhile) and remove the records (unless
        they are the build cache's)."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if self.folder is not None:
            self._unlock()
        elif self.records.exists():  # out of the site at once, deleted in the background
            # Named like a staging folder of the site (.staging-site-…), so a build cleans up any leftover.
            name = self.site_dir.name.removeprefix(STAGING_PREFIX)
            leftover = self.site_dir.with_name(f"{STAGING_PREFIX}{name}-records-{os.getpid()}-{time.monotonic_ns()}")
            self.records.rename(leftover)
            remove_later(leftover)


def index(site: Site, site_dir: Path) -> list[Problem]:
    """Index a site in one go (make serve, after its pages are written)."""
    job = Indexing(Searchable.of(site), site_dir)
    job.start()
    return job.finish()
