"""Where a case happened: city › district › street › neighbourhood, each with its evidence.

Mentions are weighed by where they stand: the title and lead say where the
story is; the tail often names places only in passing.

The gazetteer holds about 45,000 surface forms (every town in China, from towns.json). They are not
one regex: a name that ends in a unit word (区, 市, 街道, 镇 …) is found by looking up, at each unit word
of a sentence, the text that ends there in a dict, longest first; only the short forms the curated
file gives (上海, 沪, 浦东) are matched by an alternation. Where two found forms overlap, the longer
one wins (宝山路街道 over 宝山, 南京西路街道 over 南京).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .estates import buildings, estates
from .model import City, District, Place, Problem, frozen_mapping
from .zh_text import CJK, split_sentences

HOME = "上海市"  # the collection's home: its places need no other context
# A short district form (宝山 for 宝山区) followed by one of these is a road, river or temple, not the district.
_NOT_AFTER_SHORT = "路街江山寺河港湖桥站浜塘"
TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT, PUBLISHER_WEIGHT = 4, 2, 1, 2
LEAD_BLOCKS = 2
_VENDOR = re.compile(r"(有限公司|地址[：:]|公司地址|联系电话|邮编)")
_CITY_BEFORE = re.compile(rf"[{CJK}]{{2,3}}市$")
# The words a unit's name ends with; a form ending otherwise goes into the alternation.
_UNIT = re.compile("街道|[区县市旗镇乡街]")
_UNIT_ENDINGS = ("街道", "区", "县", "市", "旗", "镇", "乡", "街")


def _too_short(form: str) -> bool:
    """One character and a unit word (城区, 郊区, 新县, 华镇): too likely a common word to vouch for a place."""
    return len(form) <= 2 and form.endswith(_UNIT_ENDINGS)


Entry = tuple[str, District | None, str | None]  # (city, district, street)


@dataclass(frozen=True)
class Gazetteer:
    cities: tuple[City, ...]
    pattern: re.Pattern[str]  # only the forms that end in no unit word (上海, 沪, 浦东, 宝山), guarded
    forms: dict[str, tuple[Entry, ...]]  # a surface form may name units in several cities (鼓楼区)
    longest: int  # the longest form, in characters


def _spelled_out(form: str) -> tuple[str, ...]:
    """The official names a shorter spelling in the news may stand for: 长风街道 for 长风新村街道, 枫林街道
    for 枫林路街道, 农林街 for 农林街道, 金融街 for 金融街街道, 真如镇 for 真如镇街道.

    Spellings are worked out when a sentence is read, not listed for 40,000 towns when the gazetteer
    is built. A stem of one character (牛街) stands for nothing: too likely a common word."""
    if form.endswith("街道"):
        stem = form[:-2]
        return (stem + "路街道", stem + "新村街道") if len(stem) >= 2 else ()
    if form.endswith("街") and len(form) >= 3:
        stem = form[:-1]
        return (stem + "街道", stem + "路街道", stem + "新村街道", form + "街道")
    if form.endswith("镇"):
        return (form + "街道",)
    return ()


def build_gazetteer(cities: tuple[City, ...]) -> Gazetteer:
    forms: dict[str, tuple[Entry, ...]] = {}
    short: set[str] = set()  # curated forms that end in no unit word, for the alternation

    def add(form: str, entry: Entry) -> None:
        entries = forms.get(form, ())
        if entry not in entries:
            forms[form] = (*entries, entry)
        if not form.endswith(_UNIT_ENDINGS):
            short.add(form)

    for city in cities:
        for alias in (city.name, *city.aliases):
            add(alias, (city.name, None, None))
        for district in city.districts:
            for alias in (district.name, *district.aliases, *district.former):
                add(alias, (city.name, district, None))
            for street in district.streets:
                for alias in (street.name, *street.aliases):
                    add(alias, (city.name, district, street.name))
            # The national list's 40,000 towns: one dict entry each and nothing more, since this runs
            # in every build and worker (towns.json lists a town once per district). Names that end in
            # no unit word (农场, 林场) are never looked up; they cost nothing but a slot.
            for town in district.towns:
                forms[town] = (*forms.get(town, ()), (city.name, district, town))
    for word in _UNIT_ENDINGS:
        forms.pop(word, None)  # two towns are listed as plain 街道: a word, not a name
    # Longest first, so 浦东新区 is never cut to 浦东.
    alternatives = sorted(short, key=lambda f: (-len(f), f))
    pattern = re.compile("|".join(re.escape(f) + f"(?![{_NOT_AFTER_SHORT}])" for f in alternatives))
    return Gazetteer(cities, pattern, forms, max(map(len, forms), default=1))


_Span = tuple[int, int, str, tuple[Entry, ...], tuple[Entry, ...]]


def _find(gaz: Gazetteer, sentence: str) -> list[_Span]:
    """The place names of a sentence, left to right: (start, end, form, units of that name, units it
    is a shorter spelling of). The longer of two overlapping names wins."""
    spans = []
    for unit in _UNIT.finditer(sentence):
        end = unit.end()
        for start in range(max(0, end - gaz.longest), end - 1):  # longest first
            form = sentence[start:end]
            entries = gaz.forms.get(form, ())
            # A spelling may stand for a town of another city than the real unit of that name
            # (枫林街道 of 娄底, and 枫林路街道 of 上海), never of the same city.
            real = {e[0] for e in entries}
            spelled = tuple(e for name in _spelled_out(form) for e in gaz.forms.get(name, ()) if e[0] not in real)
            if entries or spelled:
                spans.append((start, end, form, entries, spelled))
                break
    spans += [(m.start(), m.end(), m.group(0), gaz.forms[m.group(0)], ()) for m in gaz.pattern.finditer(sentence)]
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s[0])


@dataclass(frozen=True)
class _Mention:
    form: str
    city: str
    district: District | None
    street: str | None
    weight: int
    sentence: str
    cities: frozenset[str]  # every city the form can name here
    unique: bool  # the form is the official name of one town in the country, and not too short
    contested: bool  # a spelling of this town, and the official name of a town elsewhere (新华街道)


def _mentions(gaz: Gazetteer, zones: list[tuple[str, int]], names: set[str], body: bool = True) -> list[_Mention]:
    """Every reading of every place name in the zones; ``names`` collects the names as written."""
    found = []
    for text, weight in zones:
        for sentence in split_sentences(text):
            spans = _find(gaz, sentence)
            names.update(span[2] for span in spans)
            if body and _VENDOR.search(sentence):
                continue  # a company's address is not where the case happened
            for start, _end, form, real, spelled in spans:
                named_city = _CITY_BEFORE.search(sentence[max(0, start - 4) : start])
                # 舟山市普陀区 is not Shanghai's 普陀区
                kept = [e for e in real + spelled if not (e[1] and named_city and named_city.group(0) != e[0])]
                cities = frozenset(e[0] for e in kept)
                unique = len(kept) == len(real) == 1 and not spelled and not _too_short(form)
                found += [
                    _Mention(form, c, d, s, weight, sentence, cities, unique, bool(real) and (c, d, s) in spelled)
                    for c, d, s in kept
                ]
    return found


def _names_pattern(names: set[str]) -> re.Pattern[str]:
    """The place names a text was found to hold, as one small pattern for estates.py (长风新村街道 is a
    street, not a 新村): compiled per text, since the 45,000 forms of the gazetteer are no regex."""
    alternatives = sorted(names, key=lambda f: (-len(f), f)) or ["(?!)"]
    return re.compile("|".join(a if a == "(?!)" else re.escape(a) for a in alternatives))


def _elsewhere(m: _Mention, named_cities: set[str]) -> bool:
    """A form that could name places in several cities means the named city's when one is named."""
    return m.city not in named_cities and bool(m.cities & named_cities)


def _counts(m: _Mention, named_cities: set[str], named: set[District]) -> bool:
    """Whether a mention of a street counts towards where the case happened.

    Shanghai is the collection's home and needs no context. Elsewhere a street counts when its city or
    district is named, or when its name is the only one of its kind in the country, is not a mere
    spelling (农林街), is not too short to be a common word, and the text names no other city, nor a
    district of one (徐汇区 and 枫林街道: Shanghai's 枫林路街道, not the town of that name in 娄底).
    A form that could name places in several cities means the named city's, when one is named."""
    if _elsewhere(m, named_cities):
        return False
    if m.city in named_cities or m.district in named:
        return True
    if m.city == HOME:
        # 新华街道 is the name of 27 towns: only its district makes it Shanghai's 新华路街道.
        return not m.contested
    return m.unique and not (named_cities | {d.city for d in named}) - {m.city}


def resolve_place(
    gaz: Gazetteer, rel: str, title: str, blocks: list[str], publisher: str | None
) -> tuple[Place, list[Problem]]:
    zones = [(title, TITLE_WEIGHT)]
    zones += [(b, LEAD_WEIGHT if n < LEAD_BLOCKS else BODY_WEIGHT) for n, b in enumerate(blocks)]
    names: set[str] = set()
    in_text = _mentions(gaz, zones, names)
    mentions = in_text + (_mentions(gaz, [(publisher, PUBLISHER_WEIGHT)], set(), body=False) if publisher else [])
    named_cities = {m.city for m in mentions if not m.district}
    # 城区, 郊区, 矿区 are district names too short to vouch for a street.
    named = {m.district for m in mentions if m.district and not m.street and not _too_short(m.form)}
    streets_counted = [m for m in mentions if m.street and _counts(m, named_cities, named)]
    confirmed = {m.district for m in streets_counted}
    problems: list[Problem] = []
    scores: Counter[District] = Counter()
    for m in streets_counted:
        scores[m.district] += m.weight * 2
    for m in mentions:
        # Shanghai is the collection's home; a district of another city counts only when that city,
        # or a street of the district that counts, is named too.
        if m.district and not m.street and not _elsewhere(m, named_cities):
            if m.city == HOME or m.city in named_cities or m.district in confirmed:
                scores[m.district] += m.weight
    evidence: dict[str, str] = {}
    district: District | None = None
    street = None
    if scores:
        (district, top), *rest = scores.most_common()
        # Evidence is always a sentence of the text; a district known only from the publisher has none.
        sentence = next((m.sentence for m in sorted(in_text, key=lambda x: -x.weight) if m.district == district), None)
        if sentence:
            evidence["district"] = sentence
        if rest and rest[0][1] * 2 >= top:
            other = rest[0][0].name
            problems.append(
                Problem(
                    rel,
                    f"区不确定：文中提到 {district.name}，也提到 {other}；如有误，请在前置信息写 district: 正确的区名",
                )
            )
        counted = [m for m in in_text if m.street and m.district == district and _counts(m, named_cities, named)]
        streets = Counter(m.street for m in counted)
        if streets:
            street = streets.most_common(1)[0][0]
            evidence["street"] = next(m.sentence for m in counted if m.street == street)
    city = district.city if district else None
    if city is None:
        city_counts = Counter(m.city for m in mentions if m.district is None)
        city = city_counts.most_common(1)[0][0] if city_counts else None
    # The sentence that names the city, else the one that showed the district (天津 known from 南开区兴南街).
    city_sentence = next((m.sentence for m in in_text if m.city == city and not m.district), evidence.get("district"))
    if city_sentence:
        evidence["city"] = city_sentence
    body = "\n".join([title, *blocks])
    nb, other_nbs = estates(body, _names_pattern(names))
    if nb:
        evidence["neighbourhood"] = next(s for s in split_sentences(body) if nb in s)
    place = Place(
        city=city,
        district=district.name if district else None,
        street=street,
        neighbourhood=nb,
        other_neighbourhoods=other_nbs,
        buildings=buildings(body),
        evidence=frozen_mapping(evidence),
    )
    return place, problems
