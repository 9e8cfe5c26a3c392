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
NEIGHBOURHOOD_SUFFIX = "居民区|小区|新村|新苑|花园|公寓|家园|苑|邸|坊|里|弄"
_NEIGHBOURHOOD = re.compile(rf"([{CJK}]{{2,6}}?)({NEIGHBOURHOOD_SUFFIX})(?:(\d+)(?:号楼|号|幢|栋))?")
# Words that cannot be part of a neighbourhood's name; a candidate keeps only what follows them.
_NAME_BREAK = re.compile(
    r".*(的|了|在|是|和|与|及|等|这|那|该|本|个|各|多|老旧|公房|住宅|社区|街道|镇|区|市|县|路|号|一|为|对|将|从|到|让|使|由|被|把|向|于|中|里|内|外|上|下)"
)
_GENERIC = {"居民", "老旧", "多层", "整个", "所在", "全部", "自然", "试点", "示范", "成片", "新建", "老公"}


@dataclass(frozen=True)
class Gazetteer:
    cities: tuple[City, ...]
    pattern: re.Pattern[str]
    forms: dict[str, tuple[str, District | None, str | None]]  # surface -> (city, district, street)


def build_gazetteer(cities: tuple[City, ...]) -> Gazetteer:
    forms: dict[str, tuple[str, District | None, str | None]] = {}
    for city in cities:
        for alias in (city.name, *city.aliases):
            forms.setdefault(alias, (city.name, None, None))
        for district in city.districts:
            for alias in (district.name, *district.aliases, *district.former):
                forms.setdefault(alias, (city.name, district, None))
            for street in district.streets:
                for alias in (street.name, *street.aliases):
                    forms.setdefault(alias, (city.name, district, street.name))
    # Longest first, so 宝山路街道 (a street of 静安区) wins over 宝山 (the district).
    alternatives = []
    for form in sorted(forms, key=len, reverse=True):
        short = not form.endswith(("区", "市", "街道", "镇", "县", "乡"))
        guard = f"(?![{_NOT_AFTER_SHORT}])" if short else ""
        alternatives.append(re.escape(form) + guard)
    return Gazetteer(cities, re.compile("|".join(alternatives)), forms)


@dataclass(frozen=True)
class _Mention:
    form: str
    city: str
    district: District | None
    street: str | None
    weight: int
    sentence: str


def _mentions(gaz: Gazetteer, zones: list[tuple[str, int]]) -> list[_Mention]:
    found = []
    for text, weight in zones:
        for sentence in split_sentences(text):
            for m in gaz.pattern.finditer(sentence):
                city, district, street = gaz.forms[m.group(0)]
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


def resolve_place(
    gaz: Gazetteer, rel: str, title: str, blocks: list[str], publisher: str | None
) -> tuple[Place, list[Problem]]:
    zones = [(title, TITLE_WEIGHT)]
    zones += [(b, LEAD_WEIGHT if n < LEAD_BLOCKS else BODY_WEIGHT) for n, b in enumerate(blocks)]
    mentions = _mentions(gaz, zones)
    mentions += _mentions(gaz, [(publisher, PUBLISHER_WEIGHT)]) if publisher else []
    problems: list[Problem] = []
    scores: Counter[str] = Counter()
    by_name: dict[str, District] = {}
    for m in mentions:
        if m.district and (m.district.city == "上海市" or any(x.city == m.city and not x.district for x in mentions)):
            scores[m.district.name] += m.weight * (2 if m.street else 1)
            by_name[m.district.name] = m.district
    evidence: dict[str, str] = {}
    district = street = None
    if scores:
        (best, top), *rest = scores.most_common()
        district = by_name[best]
        evidence["district"] = next(
            m.sentence for m in sorted(mentions, key=lambda x: -x.weight) if m.district is district
        )
        if rest and rest[0][1] * 2 >= top:
            problems.append(
                Problem(
                    rel, f"区不确定：文中提到 {best}，也提到 {rest[0][0]}；如有误，请在前置信息写 district: 正确的区名"
                )
            )
        streets = Counter(m.street for m in mentions if m.district is district and m.street)
        if streets:
            street = streets.most_common(1)[0][0]
            evidence["street"] = next(m.sentence for m in mentions if m.street == street)
    city = district.city if district else None
    if city is None:
        named = Counter(m.city for m in mentions if m.district is None)
        if named:
            city = named.most_common(1)[0][0]
    if city:
        evidence.setdefault("city", next((m.sentence for m in mentions if m.city == city), ""))
    body = "\n".join([title, *blocks])
    nb = _best_neighbourhood(neighbourhoods(body, gaz.pattern))
    if nb:
        evidence["neighbourhood"] = next((s for s in split_sentences(body) if nb in s), "")
    return Place(city, district.name if district else None, street, nb, frozen_mapping(evidence)), problems
