"""The build, top to bottom: one call per stage.

ingest → normalise → enrich → merge duplicates → assemble → render → index → publish
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

from .assemble import Site, assemble, related_signature
from .datafiles import Data, load_data
from .duplicates import merge_duplicates
from .enrich import enrich
from .ingest import read_article, scan, unique_slugs
from .inputs import STAMP_FILE, Paths, inputs_stamp, stamp_record
from .localities import index_places
from .model import Case, Problem
from .normalise import normalise
from .places import Gazetteer, build_gazetteer
from .publish import discard, publish, staging_dir
from .render import Output, PageCache, render
from .search_index import Indexing
from .search_records import Searchable
from .settings import load_settings


@dataclass(frozen=True)
class BuildResult:
    cases: tuple[Case, ...]
    problems: tuple[Problem, ...]  # every problem, for every file
    published: bool
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, and peak memory in KiB
    site: Site | None = None  # what was assembled, for a search index built later (make serve)
    written: tuple[str, ...] = ()  # files written by an in-place rebuild (make serve)


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


def _one_article(path: Path, rel: str, data: Data, gazetteer: Gazetteer, tz: str) -> tuple[list[Problem], Case | None]:
    """Read, normalise and enrich one file: (problems of reading it, the case or None)."""
    source, read_problems = read_article(path, rel, path.read_bytes())
    if source is None:
        return read_problems, None
    article, found = normalise(source, data.boilerplate, tz)
    case = enrich(article, data, gazetteer)
    return read_problems, replace(case, problems=tuple(found) + case.problems)


def _init_worker(data_dir: Path, tz: str) -> None:
    global _worker
    data = load_data(data_dir)
    _worker = (data, build_gazetteer(data.cities), tz)


def _in_worker(item: tuple[Path, str]) -> tuple[list[Problem], Case | None]:
    assert _worker is not None
    return _one_article(*item, *_worker)


Outcome = tuple[list[Problem], Case | None]


def _workers(items: int) -> int:
    """Processes worth starting for this many items: one per core, none below PARALLEL_MIN."""
    return min(os.cpu_count() or 1, max(1, items // PARALLEL_MIN))


@dataclass
class BuildCache:
    """What one ``make serve`` session keeps between builds, so a change rebuilds what it affects.

    Outcomes of the per-article stages are keyed on the article's path and bytes (read again only
    when the file's size or modification time changed), and dropped whole when the data files, the
    settings or the code change. Rendered files are kept with what they were made from (see
    render.PageCache) and dropped when a template changes. A cached result is never stale."""

    version: str = ""
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    pages_version: str = ""
    pages: PageCache = field(default_factory=dict)
    written: dict[str, int] | None = None  # checksums of the files in site/, once it was built
    loaded: tuple[Data, Gazetteer] | None = None  # the data files as of ``version``
    related_signature: tuple[tuple[object, ...], ...] = ()
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    digests: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # path -> (size, mtime, sha256)

    def key(self, path: Path, rel: str) -> str:
        """The outcome key of one article: its path and the digest of its bytes."""
        st = path.stat()
        known = self.digests.get(rel)
        if known is None or known[:2] != (st.st_size, st.st_mtime_ns):
            known = self.digests[rel] = (st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
        return rel + "\0" + known[2]


def files_version(*groups: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for group in groups for p in group):
        if path.is_file():
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def code_and_data_version(content: Path) -> str:
    return files_version(Path(__file__).parent.glob("*.py"), (content / "data").glob("*"), [content / "site.yaml"])


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


def process_with_cache(
    files: list[tuple[Path, str]],
    paths: Paths,
    tz: str,
    data: Data,
    gazetteer: Gazetteer,
    cache: BuildCache | None,
    progress: Progress | None = None,
) -> list[Outcome]:
    if cache is None:
        return process_articles(files, paths.content / "data", tz, data, gazetteer, progress)
    keys = [cache.key(path, rel) for path, rel in files]
    missing = [(f, k) for f, k in zip(files, keys, strict=True) if k not in cache.outcomes]
    fresh = process_articles([f for f, _ in missing], paths.content / "data", tz, data, gazetteer, progress)
    cache.outcomes = {k: cache.outcomes[k] for k in keys if k in cache.outcomes}
    cache.outcomes.update({k: outcome for (_, k), outcome in zip(missing, fresh, strict=True)})
    return [cache.outcomes[k] for k in keys]


def build(
    paths: Paths,
    *,
    strict: bool = False,
    search: bool = True,
    write: bool = True,
    cache: BuildCache | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site from ``paths.content`` into ``paths.out``.

    Problems are collected, never raised: one bad article never stops the
    others. With ``strict`` any problem fails the build and site/ is left as it
    was. With ``write=False`` nothing is written at all (``make check``).
    """
    # The build makes millions of long-lived objects and few reference cycles: the cyclic garbage
    # collector's full passes over them cost about a sixth of the time, so it rests until the build is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(paths, strict=strict, search=search, write=write, cache=cache, progress=progress)
    finally:
        if collecting:
            gc.enable()


def _build(
    paths: Paths,
    *,
    strict: bool,
    search: bool,
    write: bool,
    cache: BuildCache | None,
    progress: Progress | None,
) -> BuildResult:
    lap = _Laps()
    # make serve, after its first build, rewrites site/ in place (see below).
    previous = cache.written if cache is not None and paths.out.is_dir() else None
    # Taken before anything is read: a file saved during the build makes the next build run again.
    stamp = inputs_stamp(paths, {"search": search}) if write and previous is None else ""
    settings, problems = load_settings(paths.content / "site.yaml")
    if cache is not None:
        # One version for the whole cache: code, data files and settings (see BuildCache).
        version = code_and_data_version(paths.content)
        if version != cache.version:
            cache.version, cache.outcomes, cache.loaded = version, {}, None
    if cache is not None and cache.loaded is not None:
        data, gazetteer = cache.loaded
    else:
        data = load_data(paths.content / "data")  # raises DataError: nothing to build without data
        gazetteer = build_gazetteer(data.cities)
        if cache is not None:
            cache.loaded = (data, gazetteer)
    lap("load data")

    files, refused = scan(paths.articles, settings.max_article_bytes)
    problems += refused
    outcomes = process_with_cache(files, paths, settings.timezone, data, gazetteer, cache, progress)
    for read_problems, _ in outcomes:
        problems += read_problems
    kept, slug_problems = unique_slugs([case.article.source for _, case in outcomes if case])
    problems += slug_problems
    kept_ids = {id(source) for source in kept}
    cases = [case for _, case in outcomes if case and id(case.article.source) in kept_ids]
    for case in cases:
        problems += case.problems
    lap("read, normalise, enrich")
    cases, moved, merged = merge_duplicates(cases)
    problems += merged
    lap("merge duplicates")
    places = index_places(cases, data)
    lap("places")
    publishing = write and not (strict and problems)
    staging = indexing = None
    workers = 1 if cache else _workers(len(cases))  # make serve keeps its pages in this process
    if publishing and previous is None:
        staging = staging_dir(paths.out)
        if search:
            # Pagefind needs only the cases and the taxonomy: it works while the site is assembled and rendered.
            searchable = Searchable.make(tuple(cases), data, places)
            indexing = Indexing(searchable, staging, previous=paths.out if paths.out.is_dir() else None)
    try:
        if indexing is not None:
            indexing.start(workers)
            lap("search records")
        signature = related_signature(cases) if cache is not None else ()
        known = cache.related if cache is not None and cache.related_signature == signature else None
        site = assemble(cases, moved, data.methods, data.categories, data.cities, known, data.obstacles, places)
        if cache is not None:
            cache.related_signature = signature
            cache.related = {slug: tuple(c.slug for c in others) for slug, others in site.related.items()}
        lap("assemble")
        if not publishing:
            return BuildResult(site.cases, tuple(problems), published=False, timings=lap.done())

        pages = None
        if cache is not None:
            version = cache.version + files_version(paths.templates.rglob("*"))
            if version != cache.pages_version:
                cache.pages_version, cache.pages = version, {}
            pages = cache.pages
        if staging is None:
            # make serve, after its first build (only then is ``previous`` known): rewrite in place only
            # the files that changed. A preview may be briefly mixed while this runs; a published build
            # always goes through staging.
            output = Output(paths.out, previous)
            render(site, settings, paths.templates, output, pages)
            output.remove_stale()
            (paths.out / STAMP_FILE).unlink(missing_ok=True)  # site/ now follows the preview, not a build
            if cache is not None:
                cache.written = output.checksums
            lap("render in place")
            written = tuple(output.written)
            return BuildResult(site.cases, tuple(problems), True, timings=lap.done(), site=site, written=written)

        output = Output(staging)
        render(site, settings, paths.templates, output, pages, workers)
        if cache is not None:
            cache.written = output.checksums
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
        search_digest = indexing.digest if indexing is not None else None
        output.write(
            STAMP_FILE, stamp_record(stamp, len(site.cases), [str(p) for p in problems], errors, search_digest)
        )
        publish(staging, paths.out)
        lap("publish")
    except BaseException:
        if indexing is not None:
            indexing.close()
        if staging is not None:
            discard(staging)
        raise
    return BuildResult(site.cases, tuple(problems), published=True, timings=lap.done(), site=site)
