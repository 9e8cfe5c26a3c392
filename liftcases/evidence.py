"""Find what the sentences of an article show: method uses, key figures, the project's stage.

Pure functions over a list of sentences of the normalised text; every claim they
return quotes one of those sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .datafiles import Data
from .model import Figure, Method, MethodUse, NearMiss, Obstacle, ObstacleUse, StageClaim
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


def find_figures(data: Data, sentences: list[str]) -> tuple[Figure, ...]:
    """The first figure of each label, from sentences about this case (not a district or city total)."""
    local = [s for s in sentences if not any(word in s for word in data.figure_scope_exclude)]
    figures: list[Figure] = []
    labels: set[str] = set()
    for rule in data.figures:
        if rule.label in labels:
            continue
        for sentence in local:
            m = rule.pattern.search(sentence)
            value = parse_number(m.group("value")) if m else None
            if value:
                figures.append(Figure(rule.label, value, rule.unit, sentence))
                labels.add(rule.label)
                break
    return tuple(figures)


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
