"""Find what the sentences of an article show: method uses, key figures, the project's stage.

Pure functions over a list of sentences of the normalised text; every claim they
return quotes one of those sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .datafiles import Data
from .estates import estate_key
from .model import Figure, Method, MethodUse, NearMiss, Obstacle, ObstacleUse, Place, StageClaim
from .zh_text import parse_number

MAX_EVIDENCE = 3


@dataclass(frozen=True)
class _Rules:
    """A method's match rules compiled to regular expressions: the matching runs in C."""

    phrases: re.Pattern[str] | None
    all_of: tuple[tuple[re.Pattern[str], ...], ...]
    none_of: re.Pattern[str] | None


def _either(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True)))) if words else None


@cache
def _rules(method: Method) -> _Rules:
    groups = tuple(tuple(p for p in map(_either, rule) if p) for rule in method.all_of)
    return _Rules(_either(method.phrases), groups, _either(method.none_of))


def _hit(rules: _Rules, text: str) -> bool:
    return bool(rules.phrases and rules.phrases.search(text)) or any(
        all(group.search(text) for group in rule) for rule in rules.all_of if rule
    )


def method_evidence(
    method: Method | Obstacle, sentences: list[str], whole: str | None = None
) -> tuple[tuple[str, ...], tuple[NearMiss, ...]]:
    """(sentences that show the method in use, sentences that nearly did).

    Only the match rules count, not the name: some names are also slogans (党建引领) that a sentence
    can carry without showing the method in use; the taxonomy lists names as phrases where they are safe.
    A near miss would have matched but for a ``none_of`` word: editors see them in the review output
    and can tune the rules. (Sentences meeting all but one group of a rule were tried as near misses
    too, and were mostly noise: the missing group is usually the generic 加梯/电梯.)
    """
    rules = _rules(method)
    found: list[str] = []
    near: list[NearMiss] = []
    # A sentence can only match if the whole text does: most methods are absent from most articles,
    # so one search of the whole text settles them.
    if not _hit(rules, whole if whole is not None else "\n".join(sentences)):
        return (), ()
    for sentence in sentences:
        if not _hit(rules, sentence):
            continue
        excluded = rules.none_of.search(sentence) if rules.none_of else None
        if excluded:
            near.append(NearMiss(method.id, sentence, f"含排除词“{excluded.group(0)}”"))
        elif sentence not in found and len(found) < MAX_EVIDENCE:
            found.append(sentence)
    return tuple(found), tuple(near[:MAX_EVIDENCE]) if not found else ()


SCOPES = ("estate", "street", "district", "city")  # the case's own figures first, then wider totals
MAX_PER_LABEL = 3  # figures of one label and scope: a yearly total beside today's, not every number
_WAN = re.compile(r"(\d+(?:\.\d+)?)万(?:(\d)千)?")
_CLAUSE = re.compile(r"[，；：！？,;:!?]")
_PLACE_SUFFIXES = {"city": ("市",), "district": ("区", "县"), "street": ("街道", "镇", "乡"),
                   "estate": ("第一居民区", "居民区", "小区", "社区")}  # fmt: skip
# A place word that names who speaks (街道加梯办的工作人员介绍，…) is not whose figure it is.
_SPEAKER = re.compile(r"[^，。；：,;:！？!?]{0,8}?(介绍|表示|透露|告诉|指出|工作人员|负责人|说[，：,:“\"])")


def _amount(text: str) -> float | None:
    """A figure's number: Arabic (3,250), Chinese (十二), or Arabic with 万 (6.4万, 3万7千)."""
    m = _WAN.fullmatch(text)
    if m:
        return float(m.group(1)) * 10000 + (int(m.group(2)) * 1000 if m.group(2) else 0)
    return parse_number(text)


@dataclass(frozen=True)
class _Marks:
    """Place words (figures.yaml's 全区, 小区 … and the case's own names) found in a text as one
    alternation longest first would find them (小区里 reads as 小区, not 区里), without compiling a
    pattern per article: the generic words are one pattern for the whole build, and the case's few
    names are looked up with str.find."""

    generic: re.Pattern[str]  # (?=(word|…)): the longest generic word at every position
    names: tuple[str, ...]
    scope_of: dict[str, str]

    def finditer(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, word) of every place word, left to right, not overlapping."""
        at: dict[int, str] = {m.start(): m.group(1) for m in self.generic.finditer(text)}
        for name in self.names:
            i = text.find(name)
            while i != -1:
                if len(name) > len(at.get(i, "")):
                    at[i] = name
                i = text.find(name, i + 1)
        found, end = [], 0
        for start in sorted(at):
            if start >= end:
                end = start + len(at[start])
                found.append((start, end, at[start]))
        return found


@cache
def _generic_marks(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return re.compile(f"(?=({alternatives}))" if alternatives else "(?!)()")


def _scope_marks(marks: tuple[tuple[str, str], ...], generic: int) -> _Marks:
    """The first ``generic`` marks are the data's, the same for every case; the rest are the case's names."""
    scope_of = dict(marks)
    words = tuple(dict.fromkeys(w for w, _ in marks[:generic]))
    names = tuple(dict.fromkeys(w for w, _ in marks[generic:]))
    return _Marks(_generic_marks(words), names, scope_of)


def _marks(data: Data, place: Place | None) -> _Marks:
    """(word, scope): figures.yaml's words (全区, 小区 …), then the case's own place names, full and short
    (闵行区 and 闵行), which win over a generic word."""
    marks = [(word, scope) for scope, words in data.figure_scopes for word in words]
    generic = len(marks)
    for scope in SCOPES:
        name = getattr(place, {"estate": "neighbourhood"}.get(scope, scope), None) if place else None
        if name:
            short = next((name.removesuffix(x) for x in _PLACE_SUFFIXES[scope] if name.endswith(x)), name)
            marks += [(name, scope)] + ([(short, scope)] if len(short) >= 2 else [])
    return _scope_marks(tuple(marks), generic)


def _scope(marks: _Marks, before: str) -> str:
    """The scope of the last place word before the number (小区里 reads as 小区, not 区里); else the case's.
    A counted word is no place: in 分布在400余个小区，合计8157个门洞 the 8157 is not an estate's; nor is a
    speaker (街道工作人员介绍，…): the place word must be the figure's subject, not who tells it."""
    last = None
    for start, end, word in marks.finditer(before):
        if before[start - 1 : start] not in ("个", "余", "多") and not _SPEAKER.match(before, end):
            last = word
    return marks.scope_of[last] if last else "estate"


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause around a match: 计划全年开工800台、完工500台 is one clause, and both figures are plans."""
    left = max((m.end() for m in _CLAUSE.finditer(sentence, 0, start)), default=0)
    right = _CLAUSE.search(sentence, end)
    return sentence[left : right.start() if right else len(sentence)]


def find_figures(data: Data, sentences: list[str], place: Place | None = None) -> tuple[Figure, ...]:
    """Every figure the rules of figures.yaml find, each with its scope: the case's own (estate), or a
    street's, district's or city's total, told by the last place word before the number. A number is
    read once (the first rule that takes it wins), a plan (计划开工800台) gets the rule's planned label,
    and an ordinal (第400台) is never a count. Sentences with a scope_exclude word (全国) are skipped."""
    marks = _marks(data, place)
    taken: set[tuple[int, int]] = set()  # (sentence, position of the number)
    found: dict[tuple[str, str], list[tuple[int, int, int, Figure]]] = {}
    for order, rule in enumerate(data.figures):
        for n, sentence in enumerate(sentences):
            if any(word in sentence for word in data.figure_scope_exclude):
                continue
            for m in rule.pattern.finditer(sentence):
                at = m.start("value")
                value = _amount(m.group("value"))
                if not value or (n, at) in taken or (at == m.start() and sentence[at - 1 : at] == "第"):
                    continue
                taken.add((n, at))
                plan = rule.planned and any(w in _clause(sentence, m.start(), m.end()) for w in data.figure_plan_words)
                label = rule.planned if plan else rule.label
                unit = m.groupdict().get("unit") or rule.unit
                figure = Figure(label, value, unit, sentence, _scope(marks, sentence[:at]))
                same = found.setdefault((label, figure.scope), [])
                twin = next((i for i, (*_, f) in enumerate(same) if (f.value, f.unit) == (value, unit)), None)
                if twin is None and len(same) < MAX_PER_LABEL:
                    same.append((order, n, at, figure))
                elif twin is not None and not _CLAUSE.search(same[twin][3].evidence) and _CLAUSE.search(sentence):
                    # A headline states a figure bare; the body tells it again with its context: keep that.
                    same[twin] = (order, n, at, figure)
    rank = {scope: i for i, scope in enumerate(SCOPES)}
    ranked = sorted((rank.get(f.scope, 9), order, n, at, f) for same in found.values() for order, n, at, f in same)
    return tuple(f for *_, f in ranked)


def find_stage(data: Data, sentences: list[str], place: Place | None = None) -> StageClaim | None:
    """The latest stage the article says has happened (plans and worries do not count). A cue speaks
    of the case's own estate unless a street's, district's or city's name or word stands before it in
    its sentence (甘泉路街道已有37台加装电梯投入使用 is the street's total, not the estate's stage), nor
    another estate's name (看了隔壁桐荫苑已经开工的电梯), and a
    cue followed by 后 is a condition (电梯投用后由物业托底), not an event."""
    marks = _marks(data, place)
    # Another estate named before the cue (看了隔壁桐荫苑已经开工的电梯) is where it happened.
    others = {
        n for name in (place.other_neighbourhoods if place else ()) for n in (name, estate_key(name)) if len(n) >= 2
    }
    past = [s for s in sentences if not any(word in s for word in data.stage_future)]

    def told(sentence: str, cue: str) -> bool:
        at = sentence.find(cue)
        while at != -1:
            before = sentence[:at]
            last_mark = max((end for _, end, _ in marks.finditer(before)), default=-1)
            elsewhere = max((before.rfind(o) + len(o) for o in others if o in before), default=-2) >= last_mark
            if not sentence.startswith(("后", "以后"), at + len(cue)) and not elsewhere:
                if _scope(marks, before) == "estate":
                    return True
            at = sentence.find(cue, at + 1)
        return False

    for stage in reversed(data.stages):
        for sentence in past:
            if any(told(sentence, c) for c in stage.cues) and not any(x in sentence for x in stage.none_of):
                return StageClaim(stage.id, stage.name, sentence)
    return None


# A method is tied to an obstacle when the article shows it within this many sentences of the obstacle
# and the taxonomy lists it among the obstacle's usual remedies, or in the very same sentence.
TIE_DISTANCE = 2


def find_obstacles(
    obstacles: tuple[Obstacle, ...], sentences: list[str], uses: tuple[MethodUse, ...]
) -> tuple[ObstacleUse, ...]:
    """The obstacles a case met, each with its sentences and the case's methods tied to overcoming it."""
    position: dict[str, int] = {}
    for i, sentence in enumerate(sentences):
        position.setdefault(sentence, i)
    found = []
    whole = "\n".join(sentences)
    for obstacle in obstacles:
        evidence, _ = method_evidence(obstacle, sentences, whole)
        if not evidence:
            continue
        at = [position[s] for s in evidence]
        ties = []
        for use in uses:
            for sentence in use.evidence:
                j = position.get(sentence)
                near = j is not None and any(abs(j - i) <= TIE_DISTANCE for i in at)
                if near and (use.id in obstacle.methods or j in at):
                    ties.append((use.id, sentence))
                    break
        found.append(ObstacleUse(obstacle.id, obstacle.name, evidence, tuple(ties)))
    return tuple(found)
