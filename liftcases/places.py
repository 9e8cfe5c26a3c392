"""Where a case happened: city › district › street › neighbourhood, each with its evidence.

Mentions are weighed by where they stand: the title and lead say where the
story is; the tail often names places only in passing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .estates import buildings, main_neighbourhood
from .model import City, District, Place, Problem, frozen_mapping
from .zh_text import CJK, split_sentences

# A short district form (宝山 for 宝山区) followed by one of these is a road, river or temple, not the district.
_NOT_AFTER_SHORT = "路街江山寺河港湖桥站浜塘"
TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT, PUBLISHER_WEIGHT = 4, 2, 1, 2
LEAD_BLOCKS = 2
_VENDOR = re.compile(r"(有限公司|地址[：:]|公司地址|联系电话|邮编)")
_CITY_BEFORE = re.compile(rf"[{CJK}]{{2,3}}市$")


Entry = tuple[str, District | None, str | None]  # (city, district, street)


@dataclass(frozen=True)
class Gazetteer:
    cities: tuple[City, ...]
    pattern: re.Pattern[str]
    forms: dict[str, tuple[Entry, ...]]  # a surface form may name units in several cities (鼓楼区)


def _street_variants(name: str) -> tuple[str, ...]:
    """Spellings news use for a street: 长风新村街道 is also 长风街道; 真如镇街道 is also 真如镇."""
    if name.endswith("新村街道"):
        return (name.removesuffix("新村街道") + "街道",)
    if name.endswith("镇街道"):
        return (name.removesuffix("街道"),)
    return ()


def build_gazetteer(cities: tuple[City, ...]) -> Gazetteer:
    forms: dict[str, list[Entry]] = {}
    derived: dict[str, list[Entry]] = {}

    def add(table: dict[str, list[Entry]], form: str, entry: Entry) -> None:
        if entry not in table.setdefault(form, []):
            table[form].append(entry)

    for city in cities:
        for alias in (city.name, *city.aliases):
            add(forms, alias, (city.name, None, None))
        for district in city.districts:
            for alias in (district.name, *district.aliases, *district.former):
                add(forms, alias, (city.name, district, None))
            for street in district.streets:
                for alias in (street.name, *street.aliases):
                    add(forms, alias, (city.name, district, street.name))
                for variant in _street_variants(street.name):
                    add(derived, variant, (city.name, district, street.name))
    for form, entries in derived.items():
        forms.setdefault(form, entries)  # a derived spelling never shadows a real unit's name
    # Longest first, so 宝山路街道 (a street of 静安区) wins over 宝山 (the district).
    alternatives = []
    for form in sorted(forms, key=lambda f: (-len(f), f)):
        short = not form.endswith(("区", "市", "街道", "镇", "县", "乡"))
        guard = f"(?![{_NOT_AFTER_SHORT}])" if short else ""
        alternatives.append(re.escape(form) + guard)
    return Gazetteer(cities, re.compile("|".join(alternatives)), {f: tuple(e) for f, e in forms.items()})


@dataclass(frozen=True)
class _Mention:
    form: str
    city: str
    district: District | None
    street: str | None
    weight: int
    sentence: str


def _mentions(gaz: Gazetteer, zones: list[tuple[str, int]], body: bool = True) -> list[_Mention]:
    found = []
    for text, weight in zones:
        for sentence in split_sentences(text):
            if body and _VENDOR.search(sentence):
                continue  # a company's address is not where the case happened
            for m in gaz.pattern.finditer(sentence):
                named_city = _CITY_BEFORE.search(sentence[max(0, m.start() - 4) : m.start()])
                for city, district, street in gaz.forms[m.group(0)]:
                    if district and named_city and named_city.group(0) != city:
                        continue  # 舟山市普陀区 is not Shanghai's 普陀区
                    found.append(_Mention(m.group(0), city, district, street, weight, sentence))
    return found


def resolve_place(
    gaz: Gazetteer, rel: str, title: str, blocks: list[str], publisher: str | None
) -> tuple[Place, list[Problem]]:
    zones = [(title, TITLE_WEIGHT)]
    zones += [(b, LEAD_WEIGHT if n < LEAD_BLOCKS else BODY_WEIGHT) for n, b in enumerate(blocks)]
    in_text = _mentions(gaz, zones)
    mentions = in_text + (_mentions(gaz, [(publisher, PUBLISHER_WEIGHT)], body=False) if publisher else [])
    named_cities = {m.city for m in mentions if not m.district}
    problems: list[Problem] = []
    scores: Counter[District] = Counter()
    for m in mentions:
        # Shanghai is the collection's home; a district of another city counts only when that city is named.
        if m.district and (m.district.city == "上海市" or m.city in named_cities):
            scores[m.district] += m.weight * (2 if m.street else 1)
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
        streets = Counter(m.street for m in in_text if m.district == district and m.street)
        if streets:
            street = streets.most_common(1)[0][0]
            evidence["street"] = next(m.sentence for m in in_text if m.street == street)
    city = district.city if district else None
    if city is None:
        named = Counter(m.city for m in mentions if m.district is None)
        city = named.most_common(1)[0][0] if named else None
    city_sentence = next((m.sentence for m in in_text if m.city == city), None) if city else None
    if city_sentence:
        evidence["city"] = city_sentence
    body = "\n".join([title, *blocks])
    nb = main_neighbourhood(body, gaz.pattern)
    if nb:
        evidence["neighbourhood"] = next(s for s in split_sentences(body) if nb in s)
    place = Place(
        city=city,
        district=district.name if district else None,
        street=street,
        neighbourhood=nb,
        buildings=buildings(body),
        evidence=frozen_mapping(evidence),
    )
    return place, problems
