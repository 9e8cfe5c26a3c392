"""The build, top to bottom: one call per stage.

load data → read, normalise, enrich each article → merge duplicates → places → related cases →
assemble → render → index → publish

A Memo (memo.py) keeps each stage's results under what they are made from: the articles' outcomes,
the related cases, the rendered pages (incremental output: an unchanged page is linked from the
previous site, not rendered again) and the search index (kept when its records did not change).
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from .assemble import Site, assemble, related_signature, related_slugs
from .datafiles import Data, load_data
from .duplicates import merge_duplicates, sketch
from .enrich import enrich
from .ingest import draft_status, read_article, scan, unique_slugs
from .inputs import STAMP_FILE, Paths, inputs_stamp, stamp_record, write_whole
from .localities import index_places
from .memo import Fingerprints, Memo, code_version, digest, files_version
from .model import Case, Problem
from .normalise import normalise
from .output import Output, Pages, made_before, template_versions
from .places import Gazetteer, build_gazetteer
from .publish import FRESH, discard, publish, staging_dir
from .ready import before_publishing
from .render import render
from .search_index import Indexing, Kept, Plan, plan_index
from .search_records import Searchable
from .settings import Settings, load_settings


@dataclass(frozen=True)
class BuildResult:
    cases: tuple[Case, ...]
    problems: tuple[Problem, ...]  # every problem, for every file
    published: bool
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, and peak memory in KiB
    site: Site | None = None  # what was assembled, for a search index built later (make serve)
    written: tuple[str, ...] = ()  # files written by an in-place rebuild (make serve)
    notes: tuple[str, ...] = ()  # about the build itself, not the content: a damaged cache ignored
    fixes: tuple[str, ...] = ()  # what to do before publishing (ready.py): no site_url, drafts left


class _Laps:
    """Seconds spent in each stage, and peak memory, for ``--timings`` and the benchmark."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self.last, 3)
        self.last = now

    def memory(self, name: str, kib: int) -> None:
        self.timings[name] = kib

    def done(self) -> dict[str, float]:
        self.timings["build peak KiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.timings["workers peak KiB"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return self.timings


PROGRESS_EVERY = 50
# Below this many articles a process pool costs more than it saves.
PARALLEL_MIN = 64
_worker: tuple[Data, Gazetteer, str] | None = None  # set once in each worker process by _init_worker


Related = dict[str, tuple[str, ...]]  # slug -> the slugs of its related cases

# What reading one article gives: the problems of reading it, its case (None when it cannot be read),
# and the case's sketch for finding duplicates (made here, on every core, rather than in merging).
Outcome = tuple[list[Problem], Case | None, tuple[int, ...]]


def _one_article(path: Path, rel: str, data: Data, gazetteer: Gazetteer, tz: str) -> Outcome:
    """Read, normalise and enrich one file."""
    source, read_problems = read_article(path, rel, path.read_bytes())
    if source is None:
        return read_problems, None, ()
    article, found = normalise(source, data.boilerplate, tz)
    case = enrich(article, data, gazetteer)
    return read_problems, replace(case, problems=tuple(found) + case.problems), sketch(article.text)


def _init_worker(data_dir: Path, tz: str) -> None:
    global _worker
    data = load_data(data_dir)
    _worker = (data, build_gazetteer(data.cities), tz)


def _in_worker(item: tuple[Path, str]) -> Outcome:
    assert _worker is not None
    return _one_article(*item, *_worker)


def _workers(items: int) -> int:
    """Processes worth starting for this many items: one per core, none below PARALLEL_MIN."""
    return min(os.cpu_count() or 1, max(1, items // PARALLEL_MIN))


def reading_version(content: Path) -> str:
    """What reading an article depends on besides its bytes: the code and its pinned libraries, the data
    files and the settings."""
    return digest(code_version(), files_version(content, [*(content / "data").glob("*"), content / "site.yaml"]))


Progress = Callable[[int, int], None]  # (articles done, articles in all)


def process_articles(
    files: list[tuple[Path, str]],
    data_dir: Path,
    tz: str,
    data: Data,
    gazetteer: Gazetteer,
    progress: Progress | None = None,
) -> list[Outcome]:
    """The per-article stages, in file order, on every core when there are enough articles.
    Each article depends only on itself and the data files, so the result is the same either way."""
    workers = _workers(len(files))
    if workers < 2:
        results: Iterable[Outcome] = (_one_article(path, rel, data, gazetteer, tz) for path, rel in files)
        return _collect(results, len(files), progress)
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    chunk = max(1, len(files) // (workers * 8))
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(data_dir, tz)) as pool:
        return _collect(pool.map(_in_worker, files, chunksize=chunk), len(files), progress)


def _collect(results: Iterable[Outcome], total: int, progress: Progress | None) -> list[Outcome]:
    outcomes = []
    for outcome in results:
        outcomes.append(outcome)
        if progress and (len(outcomes) % PROGRESS_EVERY == 0 or len(outcomes) == total):
            progress(len(outcomes), total)
    return outcomes


def _article_keys(files: list[tuple[Path, str]], version: str, memo: Memo) -> list[str]:
    """Each article's key: the reading version, its path and its bytes' digest (a digest is read again
    only when the file's size or modification time changed since this process last read it)."""
    keys = []
    for path, rel in files:
        st = path.stat()
        stat = f"{rel}\0{st.st_size}\0{st.st_mtime_ns}"
        sha = memo.one("file digests", stat, None, lambda p=path: hashlib.sha256(p.read_bytes()).hexdigest())
        keys.append(digest(version, rel, sha))
    return keys


def _load(data_dir: Path) -> tuple[Data, Gazetteer]:
    data = load_data(data_dir)  # raises DataError: nothing to build without data
    return data, build_gazetteer(data.cities)


def build(
    paths: Paths,
    *,
    strict: bool = False,
    search: bool = True,
    write: bool = True,
    memo: Memo | None = None,
    in_place: bool = False,
    drafts: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site from ``paths.content`` into ``paths.out``.

    Problems are collected, never raised: one bad article never stops the others. With ``strict``
    any problem fails the build and site/ is left as it was. With ``write=False`` nothing is written
    at all (``make check``). ``memo`` keeps each stage's results between builds (none: a cold build);
    ``in_place`` rewrites site/ where it is instead of swapping in a new one, and ``drafts`` shows the
    drafts among the cases (both for ``make serve``); otherwise drafts are left out of everything.
    """
    # The build makes millions of long-lived objects and few reference cycles: the cyclic garbage
    # collector's full passes over them cost about a sixth of the time, so it rests until the build is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        memo = memo if memo is not None else Memo()
        result = _build(paths, strict, search, write, memo, progress, in_place=in_place, show_drafts=drafts)
        memo.save()
        return replace(result, notes=tuple(memo.notes))
    finally:
        if collecting:
            gc.enable()


def _build(
    paths: Paths, strict: bool, search: bool, write: bool, memo: Memo, progress: Progress | None, *,
    in_place: bool, show_drafts: bool,
) -> BuildResult:  # fmt: skip
    lap = _Laps()
    # Taken before anything is read: a file saved during the build makes the next build run again.
    stamp = inputs_stamp(paths, {"search": search, "drafts": show_drafts}) if write and not in_place else ""
    settings, problems = load_settings(paths.content / "site.yaml")
    version = reading_version(paths.content)
    data, gazetteer = memo.one("data", version, None, lambda: _load(paths.content / "data"))
    lap("load data")
    files, refused = scan(paths.articles, settings.max_article_bytes)
    problems += refused
    keys = _article_keys(files, version, memo)
    outcomes = memo.many("articles", keys, Outcome, lambda missing: process_articles(
        [files[i] for i in missing], paths.content / "data", settings.timezone, data, gazetteer, progress))  # fmt: skip
    cases, sketches, prints, drafts = _kept(outcomes, keys, problems, show_drafts)
    lap("read, normalise, enrich")
    cases, moved, merged = merge_duplicates(cases, sketches)
    problems += merged
    lap("merge duplicates")
    places = index_places(cases, data)
    lap("places")
    related = memo.one("related", digest(repr(related_signature(cases))), Related, lambda: related_slugs(cases))

    def assembled() -> Site:
        site = assemble(cases, moved, data.methods, data.categories, data.cities, related, data.obstacles, places)
        site = replace(site, drafts=drafts)
        lap("assemble")
        return site

    if not write or (strict and problems):
        site = assembled()
        fixes = before_publishing(site, settings)
        return BuildResult(site.cases, tuple(problems), published=False, timings=lap.done(), fixes=fixes)
    pages = Pages(made_before(paths.out, memo), prints, memo, version, template_versions(paths.templates))
    if in_place:
        return _rewrite(paths, assembled(), settings, pages, problems, lap)
    searchable = Searchable.make(tuple(cases), data, places) if search else None
    return _publish(paths, assembled, searchable, settings, pages, (stamp, strict, problems), lap)


def _rewrite(
    paths: Paths, site: Site, settings: Settings, pages: Pages, problems: list[Problem], lap: _Laps
) -> BuildResult:
    """make serve, after its first build: rewrite site/ in place, only the files that changed. A preview
    may be briefly mixed while this runs; a published build always goes through staging."""
    (paths.out / STAMP_FILE).unlink(missing_ok=True)  # until the site is whole again
    output = Output(paths.out, reuse=paths.out)
    render(site, settings, paths.templates, output, pages)
    output.remove_stale(pages.previous)
    record = stamp_record("", len(site.cases), [], 0, None, pages.save(output))
    write_whole(paths.out / STAMP_FILE, record.encode("utf-8"))  # the site is whole again
    lap("render in place")
    return BuildResult(site.cases, tuple(problems), True, lap.done(), site, tuple(output.written))


def _publish(
    paths: Paths,
    assembled: Callable[[], Site],
    searchable: Searchable | None,
    settings: Settings,
    pages: Pages,
    how: tuple[str, bool, list[Problem]],
    lap: _Laps,
) -> BuildResult:
    """Make the whole site in a staging folder (unchanged files linked from the current site), index it
    meanwhile, and swap it in."""
    stamp, strict, problems = how
    memo = pages.memo
    staging = staging_dir(paths.out)
    indexing = None
    if searchable is not None:
        # Pagefind needs only the cases and the taxonomy: it works while the site is assembled and rendered.
        previous = paths.out if paths.out.is_dir() else None
        kept = memo.get("search records", "folder", Kept) or {}
        folder = (memo.folder / "search-records", kept) if memo.folder else None
        # The plan reads every case: kept under the cases' fingerprints and the code and data versions.
        made_from = digest(pages.version, pages.prints(searchable.cases))
        plan = memo.one("search plan", made_from, Plan, lambda: plan_index(searchable, pages.prints))
        indexing = Indexing(searchable, staging, plan, previous, folder)
    try:
        if indexing is not None:
            indexing.start(_workers(len(searchable.cases) if searchable else 0))
            if indexing.manifest is not None:
                memo.put("search records", "folder", indexing.manifest, Kept)
            lap("search records")
        site = assembled()
        output = Output(staging, reuse=paths.out if pages.previous else None)
        render(site, settings, paths.templates, output, pages, _workers(len(site.cases)))
        output.sweep((*FRESH, STAMP_FILE))
        lap("render")
        if indexing is not None:
            index_problems = indexing.finish()
            problems += index_problems
            lap("waiting for the search index")
            lap.memory("search index", round(indexing.stats.seconds, 3))
            lap.memory("search index peak KiB", indexing.stats.peak_rss_kib)
            lap.memory("search index reused", int(indexing.stats.reused))
            if strict and index_problems:
                discard(staging)
                return BuildResult(site.cases, tuple(problems), published=False, timings=lap.done())
        errors = sum(p.severity == "error" for p in problems)
        search = indexing.digest if indexing is not None else None
        record = stamp_record(stamp, len(site.cases), [str(p) for p in problems], errors, search, pages.save(output))
        write_whole(staging / STAMP_FILE, record.encode("utf-8"))
        publish(staging, paths.out)
        lap("publish")
    except BaseException:
        if indexing is not None:
            indexing.close()
        discard(staging)
        raise
    fixes = before_publishing(site, settings)
    return BuildResult(site.cases, tuple(problems), published=True, timings=lap.done(), site=site, fixes=fixes)


def _kept(
    outcomes: list[Outcome], keys: list[str], problems: list[Problem], show_drafts: bool
) -> tuple[list[Case], list[tuple[int, ...]], Fingerprints, tuple[Case, ...]]:
    """The cases the site keeps (one per slug), their duplicate sketches, fingerprints that know each
    case by its article's key (a case is a pure function of it), and the drafts, by file. Unless they
    are shown (make serve), drafts are not among the cases, and of their problems only what keeps them
    drafts is reported: the rest is about a page nobody publishes."""
    prints = Fingerprints()
    for read_problems, _, _ in outcomes:
        problems += read_problems
    kept_sources, slug_problems = unique_slugs([case.article.source for _, case, _ in outcomes if case])
    problems += slug_problems
    kept_ids = {id(source) for source in kept_sources}
    cases, sketches, drafts = [], [], []
    for (_, case, own_sketch), key in zip(outcomes, keys, strict=True):
        if not case or id(case.article.source) not in kept_ids:
            continue
        prints.seed_case(case, key)
        if case.draft:
            drafts.append(case)
        if case.draft and not show_drafts:
            problems += draft_status(case.article.source)[1]
            continue
        cases.append(case)
        sketches.append(own_sketch)
        problems += case.problems
    return cases, sketches, prints, tuple(sorted(drafts, key=lambda c: c.article.source.rel))
