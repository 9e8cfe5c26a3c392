"""The search records: what Pagefind indexes for each case and each tag page, and the files search.js
reads beside the index (search/t2s.json, methods.json, filters.json).

Pagefind's own Chinese segmentation disagrees between index (jieba) and browser
(Intl.Segmenter), so words a reader types are silently dropped (Pagefind #1237).
Instead, every page is given to Pagefind as a small record page whose words are
the page's distinct character pairs, spelt in ASCII (see ``search_units`` and ``index_word``);
the browser turns a query into the same words (templates/assets/search.js).
A page contains a query only if it has all the query's pairs, so Pagefind's AND
over them finds every such page; the browser then keeps only the pages whose
text (in the record's metadata) really contains the query, or that are tagged with what
the query names. Both sides use one rule, written twice: here and in search.js.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field

from .assemble import Site
from .datafiles import Data
from .localities import Estate, PlaceIndex, StreetPlace
from .model import Case, District, Method, Obstacle
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


def index_words(text: str) -> str:
    return " ".join(map(index_word, search_units(text)))


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
# in search/methods.json (which lists every tag page), then the start (plus one; 0 for none) and the
# length of its sentence in the text, in UTF-16 units.
TAG_SEP, FIELD_SEP, NAME_SEP = "\u01c3", "\u01c2", "\u01c1"  # ǃ ǂ ǁ


def filters_word(filters: dict[str, list[str]]) -> str:
    """A record's filter values as one word to Pagefind, as the tags are: filters joined by ǃ, a filter's
    name and values by ǂ, its values by ǁ (search.js reads it back)."""
    return TAG_SEP.join(FIELD_SEP.join((name, NAME_SEP.join(values))) for name, values in sorted(filters.items()))


def _tags_word(text: str, tags: tuple[Tag, ...], listed: dict[str, int]) -> str:
    entries = []
    for url, _, sentence in tags:
        start, length = utf16_span(text, sentence)
        entries.append(FIELD_SEP.join((f"t{listed[url]}", str(start + 1), str(length))))
    return TAG_SEP.join(entries)


def case_filters(case: Case) -> dict[str, list[str]]:
    """A case's values for the search page's filters."""
    filters = {"类型": [CASE], "做法": [u.name for u in case.methods]}
    if case.place.district:
        filters["区"] = [case.place.district]
    if case.article.date:
        filters["年份"] = [case.article.date[:4]]
    if case.stage:
        filters["阶段"] = [case.stage.name]
    return filters


def case_record(case: Case, tags: tuple[Tag, ...] = (), listed: dict[str, int] | None = None) -> Record:
    """A case's record: found by its text's pairs, and by one word per tag (its methods, obstacles,
    district, street, estate): y, the tag page's index in search/methods.json (``listed``), q. A query
    naming a tag asks for that word and finds every case that has it; ``tags`` in the metadata says
    where each tag's sentence stands in the text, for search.js to show it."""
    a, p = case.article, case.place
    place = " › ".join(x for x in (p.district, p.street, p.neighbourhood) if x)
    filters = case_filters(case)
    # Filters are applied in the browser from this metadata (search/filters.json lists the values):
    # Pagefind's own filter files come out in a different order on every run, which would make two
    # builds of the same site differ.
    meta_filters = {"filters": filters_word(filters)}
    return Record(
        url=case.url,
        content=" ".join([index_words(a.text), *(f"y{listed[url]}q" for url, _, _ in tags if url in (listed or {}))]),
        meta={
            "title": a.title,
            "text": a.text,
            "tags": _tags_word(a.text, tags, listed or {}),
            "place": place,
            "date": a.date or "",
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
        set().union(*(case.article.text for case in s.cases))
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
    method's, obstacle's, district's, street's or estate's name or alias, an obstacle's question. A
    case's record holds the word y<index in this list>q for each of its tags (search.js asks for it)."""
    questions = {o.url: list(o.questions) for o in s.obstacles}
    return [{"url": url, "names": names + questions.get(url, [])} for url, names in tag_names(s).items()]


def record_html(r: Record) -> str:
    """One record as the small HTML page the Pagefind CLI indexes: the pairs' words are the body,
    everything else is metadata, filters and a sort key."""
    meta = "".join(f'<p data-pagefind-meta="{k}">{html.escape(v)}</p>' for k, v in sorted(r.meta.items()) if v)
    sort = "".join(f'<p data-pagefind-sort="{k}">{html.escape(v)}</p>' for k, v in sorted(r.sort.items()))
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8">'
        f"<title>{html.escape(r.meta['title'])}</title></head><body>{meta}{sort}"
        f"<main data-pagefind-body>{html.escape(r.content)}</main></body></html>"
    )
