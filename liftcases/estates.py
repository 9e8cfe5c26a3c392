"""Estates (小区, 居民区, 新村, 苑, 弄…) and numbered buildings named in a case's text.

Every estate-like name is a candidate. Its right edge is a suffix (新村, 三村, 花苑, 小区…); its left
edge is where the words that cannot belong to a name stop (的, 街道, a district's name, a lane's
number…). Mentions of one estate however spelt (甘泉苑, 甘泉苑居民区, 甘泉苑小区) are one candidate,
weighed by where they stand (the title and lead weigh more than the tail) and by a numbered
building or a residents' committee named with them. The heaviest is the case's main estate; the
others are kept. places.py decides the city, district and street.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .zh_text import CJK, to_simplified

MAX_BUILDINGS = 5
MAX_OTHERS = 10
TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 4, 2, 1
LEAD_LINES, LEAD_CHARS = 2, 200  # the lead: the first two lines after the title, or its first 200 characters
# A numbered building named with the estate says the case is about it; its committee, or its address
# written before it, say so less.
BUILDING_BONUS, COMMITTEE_BONUS, ADDRESS_BONUS = 2, 1, 1
WEAK = 0.5  # a bare house number (西塘北巷9号) may be an estate, or only an address
MAX_CONTAINED = 4  # the longest name written before 小区 alone (秀枫翠谷, 五马路)
MAIN_AT_LEAST = 2  # one mention in the tail names an estate in passing, not the case's
ROUND_UP_COUNT, ROUND_UP_SHARE = 3, 0.75  # three estates or more within 75% of the heaviest: a round-up

_NUMERAL = "一二三四五六七八九十"
_CONTAINER = "居民区|小区|社区"
# Longest first: 新村 before 村, 花苑 before 苑.
_OWN = "新村|新邨|新苑|花苑|花园|公寓|家园|福邸|苑|邸|坊|村|邨|里"
_NAME = re.compile(
    rf"(?P<core>[{CJK}]{{2,12}}?)"
    rf"(?P<suffix>(?:(?P<num>[{_NUMERAL}]{{1,3}}|\d{{1,2}})(?:村|区|街坊)|(?P<own>{_OWN})(?:[{_NUMERAL}]{{1,2}}[村区])?)"
    rf"(?:{_CONTAINER})?"
    rf"|(?P<container>{_CONTAINER}))"
)
# A road, its number and 弄 (古猗园路355弄) or 号院 is an estate; a bare 号 (西塘北巷9号) may be one.
_LANE = re.compile(
    rf"(?P<core>[{CJK}]{{1,10}}?(?:路|街|巷|道|浜))\s?\d{{1,4}}\s?(?P<kind>弄|号院|号(?![楼幢栋室单门]))"
    rf"(?:\d{{1,3}}支弄)?(?P<container>{_CONTAINER}|院小区|院)?"
)
# Where a name cannot go on leftwards. After a hard break no name goes on (这个小区 names none); a
# soft one may also start a name (和睦新村, 向阳小区, 丰镇路), so the name starts after it only when
# two characters remain; a road inside a name is an address (中山北路金牛花苑 is 金牛花苑).
_BREAK = re.compile(
    r"(?P<hard>街道|位于|隶属|包括|涉及|来到|走进|走访|前往|住在|家住|居住|所在|地处|坐落|其中|以及|还有|比如|例如|"
    r"尤其|作为|成为|属于|这里|通过|完成|开工|启动|实现|进入|举行|召开|看到|发现|介绍|表示|参观|考察|调研|来自|"
    r"首个|第一|一个|首批|记者|居民|老人|阿姨|老伯|大爷|先生|女士|自己|大家|[的了在是这那该个各某每本此其们我你他她它说讲称号弄])"
    r"|(?P<soft>[市县镇区省乡和与及等为对从到由向于将让使被把至即或有如给就都也又再路街巷])"
)
# Names that are ordinary words: 老旧小区, 该小区, 多层住宅小区, 小区里.
_GENERIC = re.compile(
    r"(?:老旧|老|旧|新|大|小|公房|住宅|商品房|动迁房|售后|多层|高层|周边|附近|周围|隔壁|相邻|兄弟|其他|其它|"
    r"试点|示范|样板|成片|整个|全部|所有|自然|新建|老公|城市|城镇|进|入|回|出|到|住|近|座|批|类|型|级|些|家|"
    r"电梯|加梯|加装|改造|项目|工程|楼道|楼栋|楼组|单元|群|厅|室|所|站|店|场|心|房|门|局|队|组|部|办|"
    r"内|外|上|下|前|后|全|整|区|安置|几年|去年|今年|多年|[于和与及等也让都就又再给把被将对从至即或由多一]|"
    r"[作看过来去助取解持守齐览绕着著挨])$"
)
# Words a suffix makes with what precedes it that are not estates: 农村, 街坊, 口袋花园, 美丽家园
# (Shanghai's renovation programme), 人才公寓.
_NOT_NAMED = {
    "村": re.compile(r"(?:农|乡|山|渔|城中|地球|度假|新农)$"),
    "新村": re.compile(r"(?:工人|农)$"),
    "坊": re.compile(r"(?:街|作|牌|工|磨|染|酒|茶|书)$"),
    "花园": re.compile(r"(?:口袋|空中|屋顶|楼顶|街心|社区|共享|垂直|阳台|主题|家庭|立体|微)$"),
    "家园": re.compile(r"(?:美丽|和谐|精神|共同|美好|温馨|幸福|绿色|心灵|温暖|共建|共治|共享)$"),
    "公寓": re.compile(r"(?:人才|青年|长租|养老|老年|学生|职工|酒店|服务式)$"),
    "社区": re.compile(r"(?:美丽|和谐|智慧|熟人|友好|文明|平安|绿色|幸福|睦邻|海绵|完整|韧性|全龄|化|型|式|性)$"),
}
# 里 is mostly "in" (群里, 家里, 议事厅里): it names an estate only as 新福康里, 武圣东里, or with
# 小区, a committee or a number after it.
_LI_AFTER = re.compile(rf"(?:{_CONTAINER}|居委|\d+号|\d+弄)")
# A bare 村 followed by these is a village (村委会, 村民).
_VILLAGE_AFTER = re.compile(r"委|民|干部|级|庄|镇|落|两委|党|集体|务|规")
# A name followed by these is a company's, a hotel's or a school's, not an estate's.
_NOT_ESTATE_AFTER = re.compile(
    rf"(?:(?![由的与和请委及等为被把将向])[{CJK}]){{0,4}}?"
    r"(?:有限公司|公司|集团|酒店|宾馆|饭店|银行|医院|学校|中学|小学|幼儿园|大厦|商场|咨询|服务中心|事务所|协会)"
)
_ATTACHED = re.compile(r"\s?(?:(?P<building>\d{1,4}(?:号|幢|栋))|居委|业委|党总支|党支部|党委)")
_CJK_CHAR = re.compile(f"[{CJK}]")
_FULL_UNIT = re.compile(r"(?:区|市|县|街道|镇|乡)$")
_COMMITTEE = re.compile(r"\s?(?:居委|党总支|党支部|党委)")
_STRIP = re.compile(rf"(?:{_CONTAINER})$")


@dataclass(frozen=True)
class Mention:
    written: str  # as the text spells it: 甘泉苑居民区
    start: int
    weight: float
    community: bool  # a 社区, or a name followed by its committee (庆安四村党总支): the area an estate is in
    unsure: bool = False


@dataclass(frozen=True)
class Candidate:
    """One estate and the reasons it weighs what it does (the review page can show them)."""

    name: str  # the spelling written most often
    score: float
    first: int  # where it is first named
    mentions: int
    in_title: bool
    community: bool  # only ever named as a 社区 or with its committee


def estate_key(name: str) -> str:
    """甘泉苑居民区, 甘泉苑小区 and 甘泉苑 are one estate; 西塘北巷9号院小区 is 西塘北巷9号."""
    key = to_simplified("".join(name.split()))  # 沪亭路168 弄 is 沪亭路168弄
    for _ in range(2):
        stripped = _STRIP.sub("", key)
        if len(stripped) >= 2:
            key = stripped
    return re.sub(r"(?<=\d号)院$", "", key)


def _cut(text: str, core: str, start: int, spans: list[tuple[int, int]]) -> int:
    """Where the name starts inside core (the characters left of a suffix); -1 when no name is left."""
    left = 0
    for m in _BREAK.finditer(core):
        if m.group("hard"):
            left = m.end()
        elif len(core) - m.end() >= 2:
            left = max(left, m.end())
    # A place's name before the estate's (宝山阳光苑), unless the estate is named after it (田林九村,
    # 长风馨苑: fewer than two characters would be left).
    for s, e in spans:
        full = _FULL_UNIT.search(text, s, e)  # 西湖区翠苑二区: after a unit's full name, one character may be a name
        if start + left < e <= start + len(core) - (1 if full else 2):
            left = e - start
    return left if left < len(core) else -1


def _position_weights(text: str) -> list[tuple[int, int]]:
    """(end offset, weight) of the title, the lead and the rest."""
    lines = text.split("\n")
    title_end = len(lines[0])
    lead_end = len("\n".join(lines[: 1 + LEAD_LINES]))
    return [(title_end, TITLE_WEIGHT), (max(lead_end, title_end + LEAD_CHARS), LEAD_WEIGHT), (len(text), BODY_WEIGHT)]


def _weight_at(zones: list[tuple[int, int]], offset: int) -> int:
    return next((w for end, w in zones if offset <= end), BODY_WEIGHT)


def mentions(text: str, places: re.Pattern[str]) -> list[Mention]:
    """Every estate named in the text, in order, each weighed by where it stands and what follows it."""
    spans = [m.span() for m in places.finditer(text)]
    zones = _position_weights(text)
    lanes = []
    for m in _LANE.finditer(text):
        left = _cut(text, m.group("core"), m.start(), spans)
        if left >= 0 and len(m.group("core")) - left >= 2:
            lanes.append((m.start() + left, m.end(), m.group("kind") == "号" and not m.group("container")))
    found: list[Mention] = []
    for m in _NAME.finditer(text):
        core, suffix = m.group("core"), m.group("suffix")
        if any(s <= m.start("suffix") < e for s, e in spans) or text.startswith("街道", m.end()):
            continue  # 长风新村街道 is a street, not a 新村
        left = _cut(text, core, m.start(), spans)
        name, start = core[left:], m.start() + left
        # One character is a name only before a numbered part (翠苑二区).
        shortest = 1 if m.group("own") and len(suffix) > len(m.group("own")) and not m.group("container") else 2
        if left < 0 or len(name) < shortest or not _named(name, m, text[m.end() :]):
            continue
        if name + suffix + "街道" in text or places.fullmatch(name + suffix + "街道"):
            continue  # 曹杨新村 alone is the street 曹杨新村街道 named short
        container_only = not (m.group("own") or m.group("num"))
        clean = left > 0 or m.start() == 0 or not _CJK_CHAR.match(text, m.start() - 1)
        if container_only and (len(name) > MAX_CONTAINED or not clean):
            continue  # 以实际行动支持社区: before 小区 or 社区 alone, a long or unbounded run is no name
        # A lane just before the name (姚虹路259弄古北虹苑) is its address: the case's own estate.
        address = any(end in (start, start - 1) for _, end, _ in lanes)
        weight = _weight(text, zones, start, m.end()) + (ADDRESS_BONUS if address else 0)
        committee = _COMMITTEE.match(text, m.end())
        # 发挥社区, 动员小区: a word before 小区 alone, with nothing cut before it, nothing after it and
        # not in the title, may be a verb's object; such a name needs a second mention.
        unsure = container_only and left == 0 and not _ATTACHED.match(text, m.end()) and start > zones[0][0]
        community = m.group("container") == "社区" or bool(committee)
        found.append(Mention(name + suffix, start, weight, community, unsure))
    for start, end, weak in lanes:
        if not any(f.start - end in (0, 1) for f in found):
            weight = _weight(text, zones, start, end) * (WEAK if weak else 1)
            found.append(Mention(text[start:end], start, weight, False, False))  # as written: evidence finds it
    return sorted(found, key=lambda f: f.start)


def _named(core: str, m: re.Match[str], rest: str) -> bool:
    """Whether core and the suffix after it name an estate, not an ordinary word or a company."""
    own = m.group("own") or m.group("container")
    if _GENERIC.search(core) or (own in _NOT_NAMED and _NOT_NAMED[own].search(core)):
        return False
    bare = m.group("suffix") == own  # no 小区 or 居民区 after the name's own suffix
    if own == "里" and bare and not (core.startswith("新") or core[-1] in "东西南北中" or _LI_AFTER.match(rest)):
        return False
    if own == "村" and bare and _VILLAGE_AFTER.match(rest):
        return False
    return not _NOT_ESTATE_AFTER.match(rest)


def _weight(text: str, zones: list[tuple[int, int]], start: int, end: int) -> float:
    attached = _ATTACHED.match(text, end)
    bonus = 0 if not attached else BUILDING_BONUS if attached.group("building") else COMMITTEE_BONUS
    return _weight_at(zones, start) + bonus


def candidates(text: str, places: re.Pattern[str]) -> list[Candidate]:
    """Estates named in the text, heaviest first; among equals, the most named, then the first named."""
    found = mentions(text, places)
    keys = {estate_key(f.written) for f in found}
    # 刚搬进沁秋小区 is 沁秋小区: a key that ends with another is that estate with other words before it.
    merged = {k: min((o for o in keys if k.endswith(o)), key=len) for k in keys}
    by_key: dict[str, list[Mention]] = {}
    for f in found:
        by_key.setdefault(merged[estate_key(f.written)], []).append(f)
    title_end = len(text.split("\n", 1)[0])
    out = []
    for group in by_key.values():
        if len(group) == 1 and group[0].unsure:
            continue
        # The estate's own name when the text writes it bare (甘泉苑, not 甘泉苑居民区); else the usual
        # spelling among those that are the key itself (淞四居民区, not 同住淞四居民区), first written.
        own = [f for f in group if merged[estate_key(f.written)] == estate_key(f.written)] or group
        written = Counter(f.written for f in own)
        top = max(written.values())
        bare = [f.written for f in own if f.written == estate_key(f.written)]
        name = bare[0] if bare else next(f.written for f in own if written[f.written] == top)
        out.append(
            Candidate(
                name=name,
                score=sum(f.weight for f in group),
                first=group[0].start,
                mentions=len(group),
                in_title=group[0].start < title_end,
                community=all(f.community for f in group),
            )
        )
    return sorted(out, key=lambda c: (-c.score, -c.mentions, c.first))


def estates(text: str, places: re.Pattern[str]) -> tuple[str | None, tuple[str, ...]]:
    """(the case's main estate or None, the other estates named, in order of first mention).

    A 社区 (a residents' committee's area, or a whole quarter's) is the main one only when no estate
    is, or when several estates weigh about the same (a round-up of a community's lifts); a
    round-up with no community named has no main estate."""
    found = candidates(text, places)
    estates_ = [c for c in found if not c.community and c.score >= MAIN_AT_LEAST]
    communities = [c for c in found if c.community and c.score >= MAIN_AT_LEAST]
    close = [c for c in estates_ if c.score >= ROUND_UP_SHARE * estates_[0].score] if estates_ else []
    if estates_ and len(close) < ROUND_UP_COUNT:
        main: Candidate | None = estates_[0]
    else:
        main = communities[0] if communities else None
    others = sorted((c for c in found if c is not main and c.score >= 1), key=lambda c: c.first)
    return (main.name if main else None), tuple(c.name for c in others[:MAX_OTHERS])


def main_neighbourhood(text: str, places: re.Pattern[str]) -> str | None:
    """The case's main estate, or None when none is named often enough."""
    return estates(text, places)[0]


_BUILDING = re.compile(r"(?<![\d.])(\d{1,4})(号楼|幢|栋|号)(?=楼道|楼|的|居民|门洞|单元|，|、|和|与|及|加装|电梯|\s|$)")


def buildings(text: str) -> tuple[str, ...]:
    """Numbered buildings the case is about (37号, 3号楼), in order of first mention."""
    found: dict[str, str] = {}  # number -> label as first written; 37号 and 37号楼 are one building
    for m in _BUILDING.finditer(text):
        after = text[m.end() : m.end() + 2]
        suffix = "号楼" if m.group(2) == "号" and after.startswith("楼") and after != "楼道" else m.group(2)
        found.setdefault(m.group(1), m.group(1) + suffix)
    return tuple(list(found.values())[:MAX_BUILDINGS])
