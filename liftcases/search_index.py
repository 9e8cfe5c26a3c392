"""Stage 6, index: the client-side Pagefind search index, fed with our own character n-grams.

Pagefind's own Chinese segmentation disagrees between index (jieba) and browser
(Intl.Segmenter), so words a reader types are silently dropped (Pagefind #1237).
Instead, every page is given to Pagefind as a small record page whose words are
the page's distinct character pairs, space-separated (see ``search_units``); the browser
turns a query into the same characters and pairs (templates/assets/search.js).
A page contains a query only if it has all the query's pairs, so Pagefind's AND
over them finds every such page; the browser then keeps only the pages whose
text (in the record's metadata) really contains the query. Both sides use one
rule, written twice: ``search_units`` here and ``units`` in search.js.
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import json
import os
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .assemble import Site
from .datafiles import Data
from .inputs import STAGING_PREFIX, STAMP_FILE
from .localities import Estate, PlaceIndex, StreetPlace
from .model import Case, District, Method, Obstacle, Problem
from .parallel import SliceMap, remove_later
from .zh_text import compact, to_simplified

LANGUAGE = "zh-cn"  # Pagefind has no stemmer for it, so our words are indexed as they are
CASE, METHOD, OBSTACLE, PLACE = "案例", "做法", "难题", "地点"
_CJK_START, _CJK_END = 0x4E00, 0x9FFF


def compact_for_search(text: str) -> str:
    """What search compares: letters, digits and Chinese characters, lower case, full-width folded."""
    return compact(unicodedata.normalize("NFKC", text).lower())


def search_units(text: str) -> list[str]:
    """The distinct character pairs of a text in order of first appearance, and the characters that
    start no pair (a text's last character, if it occurs nowhere else).

    Pagefind matches every query word as a prefix, so a one-character query finds the pages with a
    pair starting with that character; indexing every character as well would cost a third more
    words, time and memory for nothing."""
    chars = compact_for_search(text)
    pairs = dict.fromkeys(map(str.__add__, chars[:-1], chars[1:]))
    starts = {pair[0] for pair in pairs}
    return list(pairs) + [ch for ch in dict.fromkeys(chars) if ch not in starts]


def index_word(unit: str) -> str:
    """A pair or lone character as the word Pagefind indexes: "z" and each character's code point in
    five hex digits (梯 → z068af, 电梯 → z07535068af). Pagefind's matching of Chinese index words is
    unreliable: a query word it does not find in the index chunk it loaded falls back to a shorter
    word that is there, so 以心 matched 489 pages on the 1,000-article corpus and missed 10 of the 30
    that hold it (measured). ASCII words are matched exactly, and a lone character's word is still a
    prefix of its pairs' words. search.js writes the same words (``word``)."""
    return "z" + "".join(f"{ord(ch):05x}" for ch in unit)


def index_words(*texts: str) -> str:
    """The index words of several texts: each text's units, once, in order of first appearance (no pair
    is made across two texts)."""
    units = dict.fromkeys(u for text in texts for u in search_units(text))
    return " ".join(map(index_word, units))


def utf16_span(text: str, part: str) -> tuple[int, int]:
    """Where ``part`` stands in ``text``, in the UTF-16 units a browser's strings count; (-1, 0) if absent."""
    at = text.find(part) if part else -1
    if at == -1:
        return -1, 0
    return len(text[:at].encode("utf-16-le")) // 2, len(part.encode("utf-16-le")) // 2


Tag = tuple[str, tuple[str, ...], str]  # the tag page's URL, its names, the case's sentence that earned it


@dataclass(frozen=True)
class Record:
    url: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str]


# The tags metadata is one word to Pagefind (which indexes metadata too): letters and digits only, its
# parts joined by click letters, which Pagefind keeps inside a word. A tag is "t" and its entry's index
# in search/methods.json, or "n" and its names (an estate's: too many to list there), then the start
# (plus one; 0 for none) and the length of its sentence in the text, in UTF-16 units.
TAG_SEP, FIELD_SEP, NAME_SEP = "\u01c3", "\u01c2", "\u01c1"  # ǃ ǂ ǁ


def filters_word(filters: dict[str, list[str]]) -> str:
    """A record's filter values as one word to Pagefind, as the tags are: filters joined by ǃ, a filter's
    name and values by ǂ, its values by ǁ (search.js reads it back)."""
    return TAG_SEP.join(FIELD_SEP.join((name, NAME_SEP.join(values))) for name, values in sorted(filters.items()))


def _tags_word(text: str, tags: tuple[Tag, ...], listed: dict[str, int]) -> str:
    entries = []
    for url, names, sentence in tags:
        start, length = utf16_span(text, sentence)
        ref = f"t{listed[url]}" if url in listed else "n" + NAME_SEP.join(names)
        entries.append(FIELD_SEP.join((ref, str(start + 1), str(length))))
    return TAG_SEP.join(entries)


def case_record(case: Case, tags: tuple[Tag, ...] = (), listed: dict[str, int] | None = None) -> Record:
    """A case's record: found by its text's pairs and by the names of what it is tagged with (its
    methods, obstacles, district, street, estate), so that a query naming a tag finds every case that
    has it; ``tags`` in the metadata says where each tag's sentence stands in the text, for search.js
    to show it. ``listed``: the index of each tag page in search/methods.json."""
    a, p = case.article, case.place
    place = " › ".join(x for x in (p.district, p.street, p.neighbourhood) if x)
    filters = {"类型": [CASE], "做法": [u.name for u in case.methods]}
    if p.district:
        filters["区"] = [p.district]
    if a.date:
        filters["年份"] = [a.date[:4]]
    if case.stage:
        filters["阶段"] = [case.stage.name]
    # Filters are applied in the browser from this metadata (search/filters.json lists the values):
    # Pagefind's own filter files come out in a different order on every run, which would make two
    # builds of the same site differ.
    meta_filters = {"filters": filters_word(filters)}
    return Record(
        url=case.url,
        content=index_words(a.text, *(name for _, names, _ in tags for name in names)),
        meta={
            "title": a.title,
            "text": a.text,
            "tags": _tags_word(a.text, tags, listed or {}),
            "place": place,
            "date": a.date or "",
            "methods": "、".join(u.name for u in case.methods),
            "kind": CASE,
        }
        | meta_filters,
        filters=filters,
        sort={"date": a.date or "0000-00-00"},
    )


def _page_record(url: str, title: str, lines: list[str], label: str, kind: str) -> Record:
    """A record for a method or obstacle page: found by every line given (names, aliases, questions…)."""
    text = "\n".join(lines)
    return Record(
        url=url,
        content=index_words(text),
        meta={
            "title": title,
            "text": text,
            "place": label,
            "date": "",
            "methods": "",
            "kind": kind,
            "filters": filters_word({"类型": [kind]}),
        },
        filters={"类型": [kind]},
        sort={"date": "0000-00-00"},
    )


@dataclass(frozen=True)
class Searchable:
    """What the index is made from: the cases, and the taxonomy's method and obstacle pages. It needs
    no assembled site, so indexing can start before the site is assembled."""

    cases: tuple[Case, ...]
    methods: tuple[Method, ...]
    obstacles: tuple[Obstacle, ...]
    places: PlaceIndex = field(default_factory=PlaceIndex.empty)
    districts: tuple[District, ...] = ()  # the districts that have cases

    @classmethod
    def of(cls, site: Site) -> Searchable:
        methods, obstacles = tuple(p.method for p in site.methods), tuple(p.obstacle for p in site.obstacles)
        return cls(site.cases, methods, obstacles, site.places, tuple(p.district for p in site.districts if p.cases))

    @classmethod
    def make(cls, cases: tuple[Case, ...], data: Data, places: PlaceIndex) -> Searchable:
        where = {(d.city, d.name): d for c in data.cities for d in c.districts}
        used = dict.fromkeys((c.place.city or "", c.place.district or "") for c in cases)
        districts = tuple(where[k] for k in used if k in where)
        return cls(cases, data.methods, data.obstacles, places, districts)

    @property
    def streets(self) -> tuple[StreetPlace, ...]:
        return self.places.streets

    @property
    def estates(self) -> tuple[Estate, ...]:
        return self.places.estates


def method_records(s: Searchable) -> list[Record]:
    return [
        _page_record(m.url, m.name, [m.name, *m.aliases, m.summary, m.description], m.category, METHOD)
        for m in s.methods
    ]


def obstacle_records(s: Searchable) -> list[Record]:
    """Obstacle pages, found by their names and by the ways residents ask (一楼不同意怎么办？)."""
    return [
        _page_record(o.url, o.name, [o.name, *o.aliases, *o.questions, o.summary, o.description], "加梯难题", OBSTACLE)
        for o in s.obstacles
    ]


def searched_estates(s: Searchable) -> list[Estate]:
    """The estates whose pages search lists: those with a timeline, two articles or more. An estate
    with one article is found through its case (whose text names it, and whose breadcrumb links to
    the estate's page), which keeps a record per article out of Pagefind's work."""
    return [e for e in s.estates if len(e.steps) > 1]


def place_records(s: Searchable) -> list[Record]:
    """District and street pages, and estates with a timeline: found by every name of the place."""
    names = tag_names(s)
    records = [_page_record(d.url, d.name, names[d.url], d.city, PLACE) for d in s.districts]
    for street in s.streets:
        estates = [e.name for e in street.estates]
        lines = [*names[street.url], street.district.name + street.name, *estates]
        records.append(_page_record(street.url, street.name, lines, street.district.name, PLACE))
    for e in searched_estates(s):
        where = " › ".join(x for x in (e.district.name, e.street) if x)
        records.append(_page_record(e.url, e.name, [*names[e.url], where], where, PLACE))
    return records


def tag_names(s: Searchable) -> dict[str, list[str]]:
    """Every tag page's URL and the names a query may give it by: a method's or obstacle's name and
    aliases, a district's name, short form and former names, a street's name and aliases, a searched
    estate's name and other spellings."""
    names = {m.url: [m.name, *m.aliases] for m in s.methods}
    names |= {o.url: [o.name, *o.aliases] for o in s.obstacles}
    names |= {d.url: [d.name, *d.aliases, *d.former] for d in s.districts}
    for street in s.streets:
        known = next((st for st in street.district.streets if st.name == street.name), None)
        names[street.url] = [street.name, *(known.aliases if known else ())]
    names |= {e.url: [e.name, *e.aliases] for e in searched_estates(s)}
    return names


def case_tags(s: Searchable) -> dict[str, tuple[Tag, ...]]:
    """For each case, what it is tagged with that search knows by name, and the sentence for each."""
    names = tag_names(s)
    district_url = {(d.city, d.name): d.url for d in s.districts}
    out = {}
    for case in s.cases:
        p, found = case.place, []
        found += [(f"/methods/{u.id}/", u.evidence[0] if u.evidence else "") for u in case.methods]
        found += [(f"/obstacles/{o.id}/", o.evidence[0] if o.evidence else "") for o in case.obstacles]
        district = district_url.get((p.city or "", p.district or ""))
        street, estate = s.places.street_of.get(case.slug), s.places.estate_of.get(case.slug)
        for url, field_ in (
            (district, "district"),
            (street and street.url, "street"),
            (estate and estate.url, "neighbourhood"),
        ):
            if url:
                found.append((url, p.evidence.get(field_, "")))
        out[case.slug] = tuple((url, tuple(names[url]), sentence) for url, sentence in found if url in names)
    return out


def t2s_map(s: Searchable) -> dict[str, str]:
    """Traditional → Simplified for single characters, only where the Simplified one occurs on the site,
    so that a query typed in Traditional script finds Simplified pages (a query can only match
    characters that some page has)."""
    present = (
        {ch for case in s.cases for ch in case.article.text}
        | {ch for m in s.methods for ch in m.name + m.description}
        | {ch for o in s.obstacles for ch in "".join(o.questions) + o.description}
        | {ch for names in tag_names(s).values() for name in names for ch in name}
    )
    chars = [chr(c) for c in range(_CJK_START, _CJK_END + 1)]
    converted = to_simplified("\n".join(chars)).split("\n")
    return {t: s for t, s in zip(chars, converted, strict=True) if t != s and len(s) == 1 and s in present}


def filter_values(filters: list[dict[str, list[str]]]) -> dict[str, dict[str, int]]:
    """Every filter's values with their number of pages, for the search page's menus."""
    counts: dict[str, dict[str, int]] = {}
    for own in filters:
        for name, values in own.items():
            for value in values:
                counts.setdefault(name, {})[value] = counts.get(name, {}).get(value, 0) + 1
    return {name: dict(sorted(values.items())) for name, values in sorted(counts.items())}


def method_names(s: Searchable) -> list[dict[str, object]]:
    """Names that pin a page first in the results, and that find every case tagged with the page: a
    method's, obstacle's, district's or street's name or alias, an obstacle's question."""
    questions = {o.url: list(o.questions) for o in s.obstacles}
    return [
        {"url": url, "names": names + questions.get(url, [])}
        for url, names in tag_names(s).items()
        if not url.startswith("/places/")  # estates' names travel with their cases' tags
    ]


def record_html(r: Record) -> str:
    """One record as the small HTML page the Pagefind CLI indexes: the pairs' words are the body,
    everything else is metadata, filters and a sort key."""
    meta = "".join(f'<p data-pagefind-meta="{k}">{html.escape(v)}</p>' for k, v in sorted(r.meta.items()))
    sort = "".join(f'<p data-pagefind-sort="{k}">{html.escape(v)}</p>' for k, v in sorted(r.sort.items()))
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8">'
        f"<title>{html.escape(r.meta['title'])}</title></head><body>{meta}{sort}"
        f"<main data-pagefind-body>{html.escape(r.content)}</main></body></html>"
    )


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
