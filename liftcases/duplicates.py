"""Near-duplicates: the same story carried by two sites becomes one case with several sources.

Texts are compared by their character 4-gram shingles. A bottom-k sketch of each
text proposes candidate pairs (two copies of one story share their smallest shingle
hashes), and each candidate pair is then checked exactly: when most of the shorter
text's shingles are in the longer one, the two are one story.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from .model import Case, Problem, SourceRef
from .zh_text import compact

SHINGLE = 4
SKETCH = 8  # smallest hashes kept per text to propose candidates
MIN_SHARED_SKETCH = 2
COMMON_SKETCH = 32
CONTAINMENT = 0.8  # share of the shorter text's shingles found in the longer one
MIN_SHINGLES = 80  # shorter texts are too short to call duplicates safely
SAME_TITLE = 0.6  # share of the shorter headline's character pairs found in the other's
SAME_LEAD = 0.6  # share of the shorter lead's shingles found in the other's


def shingles(text: str) -> frozenset[int]:
    s = compact(text)
    return frozenset(zlib.crc32(s[i : i + SHINGLE].encode("utf-8")) for i in range(len(s) - SHINGLE + 1))


def sketch(text: str) -> tuple[int, ...]:
    """The text's SKETCH smallest shingle hashes; none for a text too short to compare."""
    s = shingles(text)
    return tuple(sorted(s)[:SKETCH]) if len(s) >= MIN_SHINGLES else ()


def _bigrams(text: str) -> set[str]:
    s = compact(text)
    return {s[i : i + 2] for i in range(len(s) - 1)}


def _share(a: set[str] | frozenset[int], b: set[str] | frozenset[int]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def _same_heading(a: Case, b: Case) -> str:
    """Why two texts that share their body are one story, or '': their headlines or their leads agree."""
    titles = _share(_bigrams(a.article.title), _bigrams(b.article.title))
    if titles >= SAME_TITLE:
        return f"标题相近 {titles:.0%}"
    leads = [next((blk.text for blk in c.article.blocks if blk.kind == "p"), "") for c in (a, b)]
    lead = _share(shingles(leads[0]), shingles(leads[1])) if all(leads) else 0.0
    return f"导语相近 {lead:.0%}" if lead >= SAME_LEAD else ""


def _rank(case: Case) -> tuple[bool, bool, int, str, str]:
    """Which copy leads: one with a named publisher, then one not carried by an aggregator, then the
    longer text, then the earlier date."""
    a = case.article
    return (a.publisher is None, a.channel is not None, -len(a.text), a.date or "9999", case.slug)


def _ref(case: Case) -> SourceRef:
    a = case.article
    return SourceRef(a.source.rel, case.slug, a.title, a.date, a.publisher, a.channel, a.url)


def merge_duplicates(
    cases: list[Case], sketches: list[tuple[int, ...]] | None = None
) -> tuple[list[Case], dict[str, str], list[Problem]]:
    """(cases with duplicates merged, {merged slug: leading slug}, problems telling editors what was merged).

    ``sketches`` are the cases' sketches when they are known (made beside each article, see the
    pipeline); a text's whole shingle set is then made only when a candidate pair needs it."""
    if sketches is None:
        sketches = [sketch(c.article.text) for c in cases]
    index: dict[int, list[int]] = {}
    for i, own in enumerate(sketches):
        for h in own:
            index.setdefault(h, []).append(i)
    shared: dict[tuple[int, int], int] = {}
    for members in index.values():
        if len(members) > COMMON_SKETCH:
            continue  # a shingle in many texts (a stock phrase) says nothing about any two of them
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                pair = (members[x], members[y])
                shared[pair] = shared.get(pair, 0) + 1
    parent = list(range(len(cases)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    why: dict[int, str] = {}
    for (i, j), count in sorted(shared.items()):
        if count < MIN_SHARED_SKETCH:
            continue
        small, large = sorted((shingles(cases[i].article.text), shingles(cases[j].article.text)), key=len)
        body = len(small & large) / max(1, len(small))
        if body < CONTAINMENT:
            continue
        also = _same_heading(cases[i], cases[j])
        if also:  # the same body is not enough: the headline or the lead must say the same too
            why[i] = why[j] = f"正文重合 {body:.0%}，{also}"
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(cases)):
        groups.setdefault(root(i), []).append(i)
    merged: list[Case] = []
    moved: dict[str, str] = {}
    problems: list[Problem] = []
    for members in groups.values():
        lead, *rest = sorted((cases[i] for i in members), key=_rank)
        for other in rest:
            moved[other.slug] = lead.slug
            problems.append(
                Problem(
                    other.article.source.rel,
                    f"与 {lead.article.source.rel} 是同一篇报道，已合并为一个案例（/cases/{lead.slug}/）；"
                    "如不是，请改写其中一篇或在前置信息设 slug",
                )
            )
        index_of = {cases[i].slug: i for i in members}
        refs = tuple(replace(_ref(c), why=why.get(index_of[c.slug], "")) for c in rest)
        merged.append(replace(lead, other_sources=refs) if rest else lead)
    return merged, moved, problems
