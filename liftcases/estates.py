"""Neighbourhoods (小区, 居民区, 新村, 苑, 弄…) and numbered buildings named in a case's text.

The case's main estate is chosen by how often and where it is named; places.py decides the city,
district and street.
"""

from __future__ import annotations

import re
from collections import Counter

from .zh_text import CJK

MAX_BUILDINGS = 5
NEIGHBOURHOOD_SUFFIX = "居民区|小区|新村|新苑|花园|公寓|家园|苑|邸|坊|里|弄"
_NEIGHBOURHOOD = re.compile(rf"([{CJK}]{{2,6}}?)({NEIGHBOURHOOD_SUFFIX})(?:(\d+)(?:号楼|号|幢|栋))?")
# Words that cannot be part of a neighbourhood's name; a candidate keeps only what follows them.
_NAME_BREAK = re.compile(
    r".*(的|了|在|是|和|与|及|等|这|那|该|本|个|各|多|老旧|公房|住宅|社区|街道|镇|区|市|县|路|号|一|为|对|将|从|到|让|使|由|被|把|向|于|中|里|内|外|上|下)"
)
_BUILDING = re.compile(r"(?<![\d.])(\d{1,4})(号楼|幢|栋|号)(?=楼道|楼|的|居民|门洞|单元|，|、|和|与|及|加装|电梯|\s|$)")
_GENERIC = {"居民", "老旧", "多层", "整个", "所在", "全部", "自然", "试点", "示范", "成片", "新建", "老公"}


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


def main_neighbourhood(text: str, places: re.Pattern[str]) -> str | None:
    """The case's main neighbourhood, or None when none is named often enough."""
    return _best_neighbourhood(neighbourhoods(text, places))
