"""Where a case happened: city › district › street › neighbourhood, each with its evidence.

Mentions are weighed by where they stand: the title and lead say where the
story is; the tail often names places only in passing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .model import City, District, Place, Problem, frozen_mapping
from .zh_text import CJK, split_sentences

# A short district form (宝山 for 宝山区) followed by one of these is a road, river or temple, not the district.
_NOT_AFTER_SHORT = "路街江山寺河港湖桥站浜塘"
TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT, PUBLISHER_WEIGHT = 4, 2, 1, 2
LEAD_BLOCKS = 2
MAX_BUILDINGS = 5
NEIGHBOURHOOD_SUFFIX = "居民区|小区|新村|新苑|花园|公寓|家园|苑|邸|坊|里|弄"
_NEIGHBOURHOOD = re.compile(rf"([{CJK}]{{2,6}}?)({NEIGHBOURHOOD_SUFFIX})(?:(\d+)(?:号楼|号|幢|栋))?")
# Words that cannot be part of a neighbourhood's name; a candidate keeps only what follows them.
_NAME_BREAK = re.compile(
    r".*(的|了|在|是|和|与|及|等|这|那|该|本|个|各|多|老旧|公房|住宅|社区|街道|镇|区|市|县|路|号|一|为|对|将|从|到|让|使|由|被|把|向|于|中|里|内|外|上|下)"
)
_VENDOR = re.compile(r"(有限公司|地址[：:]|公司地址|联系电话|邮编)")
_CITY_BEFORE = re.compile(rf"[{CJK}]{{2,3}}市$")
_BUILDING = re.compile(r"(?<![\d.])(\d{1,4})(号楼|幢|栋|号)(?=楼道|楼|的|居民|门洞|单元|，|、|和|与|及|加装|电梯|\s|$)")
_GENERIC = {"居民", "老旧", "多层", "整个", "所在", "全部", "自然", "试点", "示范", "成片", "新建", "老公"}


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


def neighbourhoods(text: str, places: re.Pattern[str]) -> Counter[str]:
    """Candidate neighbourhood names, counted; a numbered building makes a candidate weigh more."""
    text = places.sub("|", text)  # 长风新村街道 is a street, not a 新村
    counts: Counter[str] = Counter()
    for m in _NEIGHBOURHOOD.finditer(text):
        name = _NAME_BREAK.sub("", m.group(1))
        if len(name) < 2 or name in _GENERIC:
            continue
        counts[name + m.group(2)] += 3 if m.group(3) else 1
    return counts


def _best_neighbourhood(counts: Counter[str]) -> str | None:
    """Fold 甘泉苑居民区 / 甘泉苑小区 / 甘泉苑 into one name, then take the most weighed."""
    if not counts:
        return None
    bases: Counter[str] = Counter()
    spelling: dict[str, Counter[str]] = {}
    for name, n in counts.items():
        base = re.sub(r"(居民区|小区)$", "", name) or name
        bases[base] += n
        spelling.setdefault(base, Counter())[name] += n
    base, total = bases.most_common(1)[0]
    if total < 2:
        return None
    return spelling[base].most_common(1)[0][0]


def buildings(text: str) -> tuple[str, ...]:
    """Numbered buildings the case is about (37号, 3号楼), in order of first mention."""
    found: dict[str, str] = {}  # number -> label as first written; 37号 and 37号楼 are one building
    for m in _BUILDING.finditer(text):
        after = text[m.end() : m.end() + 2]
        suffix = "号楼" if m.group(2) == "号" and after.startswith("楼") and after != "楼道" else m.group(2)
        found.setdefault(m.group(1), m.group(1) + suffix)
    return tuple(list(found.values())[:MAX_BUILDINGS])


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
    nb = _best_neighbourhood(neighbourhoods(body, gaz.pattern))
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
