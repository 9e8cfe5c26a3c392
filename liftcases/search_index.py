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
import json
import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .assemble import Site
from .model import Case, Problem
from .zh_text import to_simplified

LANGUAGE = "zh-cn"  # Pagefind has no stemmer for it, so our pairs are indexed as they are
CASE, METHOD, OBSTACLE = "案例", "做法", "难题"
_CJK_START, _CJK_END = 0x4E00, 0x9FFF


def compact_for_search(text: str) -> str:
    """What search compares: letters, digits and Chinese characters, lower case, full-width folded."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def search_units(text: str) -> list[str]:
    """The distinct character pairs of a text in order of first appearance, and the characters that
    start no pair (a text's last character, if it occurs nowhere else).

    Pagefind matches every query word as a prefix, so a one-character query finds the pages with a
    pair starting with that character; indexing every character as well would cost a third more
    words, time and memory for nothing."""
    chars = compact_for_search(text)
    pairs = dict.fromkeys(chars[i : i + 2] for i in range(len(chars) - 1))
    starts = {pair[0] for pair in pairs}
    return list(pairs) + [ch for ch in dict.fromkeys(chars) if ch not in starts]


@dataclass(frozen=True)
class Record:
    url: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str]


def case_record(case: Case) -> Record:
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
    meta_filters = {"filters": json.dumps(filters, ensure_ascii=False, sort_keys=True)}
    return Record(
        url=case.url,
        content=" ".join(search_units(a.text)),
        meta={
            "title": a.title,
            "text": a.text,
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
        content=" ".join(search_units(text)),
        meta={
            "title": title,
            "text": text,
            "place": label,
            "date": "",
            "methods": "",
            "kind": kind,
            "filters": json.dumps({"类型": [kind]}, ensure_ascii=False),
        },
        filters={"类型": [kind]},
        sort={"date": "0000-00-00"},
    )


def method_records(site: Site) -> list[Record]:
    return [
        _page_record(m.url, m.name, [m.name, *m.aliases, m.summary, m.description], m.category, METHOD)
        for m in (page.method for page in site.methods)
    ]


def obstacle_records(site: Site) -> list[Record]:
    """Obstacle pages, found by their names and by the ways residents ask (一楼不同意怎么办？)."""
    return [
        _page_record(o.url, o.name, [o.name, *o.aliases, *o.questions, o.summary, o.description], "加梯难题", OBSTACLE)
        for o in (page.obstacle for page in site.obstacles)
    ]


def t2s_map(site: Site) -> dict[str, str]:
    """Traditional → Simplified for single characters, only where the Simplified one occurs on the site,
    so that a query typed in Traditional script finds Simplified pages (a query can only match
    characters that some page has)."""
    present = (
        {ch for case in site.cases for ch in case.article.text}
        | {ch for page in site.methods for ch in page.method.name + page.method.description}
        | {ch for page in site.obstacles for ch in "".join(page.obstacle.questions) + page.obstacle.description}
    )
    chars = [chr(c) for c in range(_CJK_START, _CJK_END + 1)]
    converted = to_simplified("\n".join(chars)).split("\n")
    return {t: s for t, s in zip(chars, converted, strict=True) if t != s and len(s) == 1 and s in present}


def filter_values(records: list[Record]) -> dict[str, dict[str, int]]:
    """Every filter's values with their number of pages, for the search page's menus."""
    counts: dict[str, dict[str, int]] = {}
    for r in records:
        for name, values in r.filters.items():
            for value in values:
                counts.setdefault(name, {})[value] = counts.get(name, {}).get(value, 0) + 1
    return {name: dict(sorted(values.items())) for name, values in sorted(counts.items())}


def method_names(site: Site) -> list[dict[str, object]]:
    """Names that pin a page first in the results: a method's name or alias, an obstacle's name,
    alias or question."""
    names: list[dict[str, object]] = [
        {"url": p.method.url, "names": [p.method.name, *p.method.aliases]} for p in site.methods
    ]
    names += [
        {"url": p.obstacle.url, "names": [p.obstacle.name, *p.obstacle.aliases, *p.obstacle.questions]}
        for p in site.obstacles
    ]
    return names


def record_html(r: Record) -> str:
    """One record as the small HTML page the Pagefind CLI indexes: the pairs are the body,
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
    """What indexing cost, for the benchmark: records given, and the Pagefind process's peak memory."""

    records: int = 0
    peak_rss_kib: int = 0
    reused: bool = False  # the previous site's index was kept: nothing it indexes changed


def _run(cmd: list[str], stats: IndexStats) -> tuple[int, str]:
    """Run Pagefind and read its own peak memory from the kernel (wait4), apart from the build's."""
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    stats.peak_rss_kib = usage.ru_maxrss
    return process.returncode, output


DIGEST_FILE = "search/index-digest.txt"


def _reuse(previous: Path, target: Path) -> None:
    """Hard-link the previous site's index into the new one (the previous site is deleted after the
    swap, and no build ever rewrites a file in place there, so the two never share a change)."""
    for root, _, files in os.walk(previous):
        folder = target / Path(root).relative_to(previous)
        folder.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(root) / name, folder / name)


def index(site: Site, site_dir: Path, stats: IndexStats | None = None, previous: Path | None = None) -> list[Problem]:
    """Write site_dir/pagefind/ and the small files the search page needs; a failure is a problem,
    and the site is still published without search. When ``previous`` (the site being replaced) was
    indexed from exactly the same records, its index is reused instead of running Pagefind again:
    a template edit does not re-index."""
    records = [case_record(c) for c in site.cases] + method_records(site) + obstacle_records(site)
    search_dir = site_dir / "search"
    search_dir.mkdir(parents=True, exist_ok=True)
    (search_dir / "t2s.json").write_text(json.dumps(t2s_map(site), ensure_ascii=False, sort_keys=True), "utf-8")
    (search_dir / "methods.json").write_text(json.dumps(method_names(site), ensure_ascii=False), "utf-8")
    (search_dir / "filters.json").write_text(json.dumps(filter_values(records), ensure_ascii=False), "utf-8")
    pages = {r.url.strip("/") + "/index.html": record_html(r) for r in records}
    digest = hashlib.sha256(_pagefind().encode())
    for rel, page in pages.items():
        digest.update(f"{rel}\0{page}\0".encode())
    stats = stats or IndexStats()
    stats.records = len(records)
    (site_dir / DIGEST_FILE).write_text(digest.hexdigest(), "utf-8")
    if previous is not None and (previous / "pagefind").is_dir() and (previous / DIGEST_FILE).is_file():
        if (previous / DIGEST_FILE).read_text("utf-8") == digest.hexdigest():
            _reuse(previous / "pagefind", site_dir / "pagefind")
            stats.reused = True
            return []
    # The Pagefind CLI reads these pages from a folder inside the staging site, removed afterwards.
    folder = site_dir / ".search-records"
    for rel, page in pages.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    cmd = [_pagefind(), "--site", str(folder), "--output-path", str(site_dir / "pagefind"), "--silent"]
    try:
        code, output = _run(cmd, stats)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if code != 0:
        (site_dir / DIGEST_FILE).unlink()  # a failed index is never reused
        return [Problem("pagefind", f"搜索索引生成失败：{output.strip()[-500:]}", None, "error")]
    return []
