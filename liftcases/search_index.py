"""Stage 6, index: the client-side Pagefind search index, built from the search records
(search_records.py) while the site is assembled and rendered.
"""

from __future__ import annotations

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
from .inputs import STAGING_PREFIX, STAMP_FILE
from .model import Case, Problem
from .parallel import SliceMap, remove_later
from .search_records import (
    Record,
    Searchable,
    Tag,
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


Written = tuple[str, bytes, dict[str, list[str]]]  # a record page's path, its digest, its filters


def _write(folder: Path, records: list[Record]) -> list[Written]:
    written = []
    for r in records:
        rel = r.url.strip("/") + "/index.html"
        page = record_html(r).encode("utf-8")
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page)
        written.append((rel, hashlib.sha256(page).digest(), r.filters))
    return written


def _write_records(
    job: tuple[tuple[Case, ...], dict[str, tuple[Tag, ...]], dict[str, int], Path], start: int, stop: int
) -> list[Written]:
    cases, tags, listed, folder = job
    return _write(folder, [case_record(c, tags.get(c.slug, ()), listed) for c in cases[start:stop]])


PAGEFIND_VERSION = importlib.metadata.version("pagefind-bin")


def _indexed_from(site: Path) -> str | None:
    """The digest of what a built site's search index was made from, as its build recorded it."""
    try:
        record = json.loads((site / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record.get("search") if isinstance(record, dict) else None


def _reuse(previous: Path, target: Path) -> None:
    """Hard-link the previous site's index into the new one (the previous site is deleted after the
    swap, and no build ever rewrites a file in place there, so the two never share a change)."""
    for root, _, files in os.walk(previous):
        folder = target / Path(root).relative_to(previous)
        folder.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(root) / name, folder / name)


class Indexing:
    """Pagefind at work beside the rest of the build: ``start`` writes the records and launches it
    (it needs neither the assembled site nor the rendered pages), ``finish`` waits for it.

    When ``previous`` (the site being replaced) was indexed from exactly the same records, its index
    is reused instead of running Pagefind again: a template edit does not re-index. A failure is a
    problem, and the site is still published without search."""

    def __init__(self, searchable: Searchable, site_dir: Path, previous: Path | None = None) -> None:
        self.searchable, self.site_dir, self.previous = searchable, site_dir, previous
        self.stats = IndexStats()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()
        self.started = 0.0
        self.digest: str | None = None  # what the index was made from, once it is made

    def start(self, workers: int = 1) -> None:
        s, site_dir, previous = self.searchable, self.site_dir, self.previous
        # Case records are built and written by ``workers`` processes; each reports the record's path,
        # a digest of it and its filters.
        names = method_names(s)
        job = (s.cases, case_tags(s), {entry["url"]: i for i, entry in enumerate(names)}, self.records)
        if workers > 1:
            written = [r for part in SliceMap(_write_records, job, len(s.cases), workers).results() for r in part]
        else:
            written = _write_records(job, 0, len(s.cases))
        written += _write(self.records, method_records(s) + obstacle_records(s) + place_records(s))
        search_dir = site_dir / "search"
        search_dir.mkdir(parents=True, exist_ok=True)
        (search_dir / "t2s.json").write_text(json.dumps(t2s_map(s), ensure_ascii=False, sort_keys=True), "utf-8")
        (search_dir / "methods.json").write_text(json.dumps(names, ensure_ascii=False), "utf-8")
        filters = filter_values([f for _, _, f in written])
        (search_dir / "filters.json").write_text(json.dumps(filters, ensure_ascii=False), "utf-8")
        # What the index is made from: the records and Pagefind's version (never its path, which differs
        # from one folder or machine to the next). The build records it in STAMP_FILE, with the site.
        digest = hashlib.sha256(f"pagefind {PAGEFIND_VERSION}".encode())
        for rel, page_digest, _ in written:
            digest.update(rel.encode() + b"\0" + page_digest)
        self.digest = digest.hexdigest()
        if previous is not None and (previous / "pagefind").is_dir() and _indexed_from(previous) == self.digest:
            _reuse(previous / "pagefind", site_dir / "pagefind")
            self.stats.reused = True
            return
        # The Pagefind CLI reads the record pages from a folder inside the staging site, removed afterwards.
        cmd = [_pagefind(), "--site", str(self.records), "--output-path", str(site_dir / "pagefind"), "--silent"]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def records(self) -> Path:
        return self.site_dir / ".search-records"

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
        """Stop Pagefind if it still runs (a build that failed meanwhile) and remove the records."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if self.records.exists():  # out of the site at once, deleted in the background
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
