"""Find what the sentences of an article show: method uses, key figures, the project's stage.

Pure functions over a list of sentences of the normalised text; every claim they
return quotes one of those sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .datafiles import Data
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


@cache
def _scope_marks(marks: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    scope_of = dict(marks)
    words = "|".join(map(re.escape, sorted(scope_of, key=len, reverse=True)))
    return re.compile(words or "(?!)"), scope_of


def _marks(data: Data, place: Place | None) -> tuple[tuple[str, str], ...]:
    """(word, scope): figures.yaml's words (全区, 小区 …), then the case's own place names, full and short
    (闵行区 and 闵行), which win over a generic word."""
    marks = [(word, scope) for scope, words in data.figure_scopes for word in words]
    for scope in SCOPES:
        name = getattr(place, {"estate": "neighbourhood"}.get(scope, scope), None) if place else None
        if name:
            short = next((name.removesuffix(x) for x in _PLACE_SUFFIXES[scope] if name.endswith(x)), name)
            marks += [(name, scope)] + ([(short, scope)] if len(short) >= 2 else [])
    return tuple(marks)


def _scope(marks: re.Pattern[str], scope_of: dict[str, str], before: str) -> str:
    """The scope of the last place word before the number (小区里 reads as 小区, not 区里); else the case's.
    A counted word is no place: in 分布在400余个小区，合计8157个门洞 the 8157 is not an estate's; nor is a
    speaker (街道工作人员介绍，…): the place word must be the figure's subject, not who tells it."""
    last = None
    for m in marks.finditer(before):
        if before[m.start() - 1 : m.start()] not in ("个", "余", "多") and not _SPEAKER.match(before, m.end()):
            last = m
    return scope_of[last.group(0)] if last else "estate"


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
    marks, scope_of = _scope_marks(_marks(data, place))
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
                figure = Figure(label, value, unit, sentence, _scope(marks, scope_of, sentence[:at]))
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


def find_stage(data: Data, sentences: list[str]) -> StageClaim | None:
    """The latest stage the article says has happened (plans and worries do not count)."""
    past = [s for s in sentences if not any(word in s for word in data.stage_future)]
    for stage in reversed(data.stages):
        for sentence in past:
            if any(c in sentence for c in stage.cues) and not any(x in sentence for x in stage.none_of):
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
