"""Stage 3, enrich: what the knowledge base knows about each article.

Every claim carries the sentence of the normalised text that backs it, so a
reader (and a test) can check it: evidence is always a substring of
``Article.text``.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from .datafiles import Data
from .dates import url_date
from .evidence import find_figures, find_obstacles, find_stage, method_evidence
from .ingest import draft_status
from .model import Article, Case, Figure, MethodUse, Place, Problem, frozen_mapping
from .places import Gazetteer, resolve_place
from .zh_text import split_sentences


def _nearest(value: str, options: list[str]) -> str:
    near = difflib.get_close_matches(value, options, n=3, cutoff=0.3) or options[:5]
    return "、".join(near)


def _override_methods(
    article: Article, data: Data, found: tuple[MethodUse, ...], sentences: list[str]
) -> tuple[tuple[MethodUse, ...], list[Problem]]:
    """Front matter ``methods:`` (ids, names or aliases) replaces what the text matching found."""
    wanted = article.source.meta.get("methods")
    if wanted is None:
        return found, []
    problems: list[Problem] = []
    # Aliases last: an id or a name always wins; a method renamed keeps its old name as an alias.
    by_key = {a: m for m in data.methods for a in m.aliases}
    by_key |= {m.id: m for m in data.methods} | {m.name: m for m in data.methods}
    uses = []
    for key in wanted if isinstance(wanted, list) else [wanted]:
        method = by_key.get(str(key))
        if method is None:
            problems.append(
                Problem(
                    article.source.rel,
                    f"未知的做法 '{key}'；可用的有：{_nearest(str(key), list(by_key))}",
                    None,
                    "error",
                )
            )
            continue
        uses.append(MethodUse(method.id, method.name, method_evidence(method, sentences)[0]))
    return tuple(uses), problems


def _override_figures(article: Article, found: tuple[Figure, ...]) -> tuple[tuple[Figure, ...], list[Problem]]:
    """Front matter ``figures:`` (a list of {label, value, unit}) replaces what extraction found.

    An editor's figure has no sentence of the text behind it, so its evidence is empty."""
    given = article.source.meta.get("figures")
    if given is None:
        return found, []
    figures, problems = [], []
    for n, item in enumerate(given if isinstance(given, list) else [given], 1):
        try:
            figures.append(Figure(str(item["label"]), float(item["value"]), str(item.get("unit", "")), ""))
        except (KeyError, TypeError, ValueError):
            problems.append(
                Problem(
                    article.source.rel,
                    f"figures 第 {n} 项应写成 {{label: 已建成电梯, value: 3, unit: 台}}",
                    None,
                    "error",
                )
            )
    return tuple(figures), problems


def _override_place(article: Article, place: Place, gaz: Gazetteer) -> tuple[Place, list[Problem]]:
    meta = article.source.meta
    problems: list[Problem] = []
    fields = {k: str(meta[k]) for k in ("city", "district", "street", "neighbourhood") if meta.get(k)}
    if not fields:
        return place, problems
    district = fields.get("district")
    if district:
        entries = [(city, d) for city, d, street in gaz.forms.get(district, ()) if d is not None and street is None]
        entries.sort(key=lambda e: e[0] != fields.get("city", e[0]))  # the named city's district first
        if not entries:
            names = [d.name for c in gaz.cities for d in c.districts]
            problems.append(
                Problem(
                    article.source.rel, f"未知的区 '{district}'；相近的有：{_nearest(district, names)}", None, "error"
                )
            )
            fields.pop("district")
        else:
            city, found = entries[0]
            fields["district"] = found.name
            fields.setdefault("city", city)
            street = fields.get("street")
            if street and street not in {*(s.name for s in found.streets), *found.towns}:
                problems.append(
                    Problem(
                        article.source.rel, f"街道 '{street}' 不在{found.name}的街道名录中：请核对，或在地名表中补充"
                    )
                )
            if "street" not in fields and place.district != found.name:
                fields["street"] = ""
    evidence = {k: v for k, v in place.evidence.items() if k not in fields}
    values = {k: (v or None) for k, v in fields.items()}
    return replace(place, **values, evidence=frozen_mapping(evidence)), problems


def _no_date(url: str | None) -> str:
    """The hint for a missing date: the format, and a date the source's address shows, if it shows one
    (for the editor to check, never an example that could pass for a guess)."""
    hint = "找不到发布日期：请在前置信息写 date: YYYY-MM-DD（文章发布的日期）"
    found = url_date(url)
    return f"{hint}；原文网址里有日期 {found}，核对它是发布日期后可以写 date: {found}" if found else hint


def enrich(article: Article, data: Data, gaz: Gazetteer) -> Case:
    """One case from one article; problems are collected on the case, never raised."""
    text_blocks = [b.text for b in article.blocks if b.kind != "img"]
    # Evidence comes from the title and paragraphs; a sub-heading is a label, not a sentence that shows a use.
    sentences = split_sentences("\n".join([article.title, *(b.text for b in article.blocks if b.kind == "p")]))
    place, problems = resolve_place(gaz, article.source.rel, article.title, text_blocks, article.publisher)
    place, place_problems = _override_place(article, place, gaz)
    uses, near_misses = [], []
    whole = "\n".join(sentences)
    for method in data.methods:
        evidence, near = method_evidence(method, sentences, whole)
        near_misses.extend(near)
        if evidence:
            uses.append(MethodUse(method.id, method.name, evidence))
    methods, method_problems = _override_methods(article, data, tuple(uses), sentences)
    figures, figure_problems = _override_figures(article, find_figures(data, sentences, place))
    problems = [*problems, *place_problems, *method_problems, *figure_problems]
    rel = article.source.rel
    if place.district is None and place.city is None:
        problems.append(Problem(rel, "找不到案例所在的区：请在前置信息写 district: 区名"))
    if article.date is None:
        problems.append(Problem(rel, _no_date(article.url)))
    draft, draft_problems = draft_status(article.source)
    problems += draft_problems
    if not methods:
        problems.append(Problem(rel, "没有识别出任何做法：请在前置信息写 methods: [做法 id]，或补充方法库的匹配规则"))
    return Case(
        article=article,
        place=place,
        methods=methods,
        figures=figures,
        stage=find_stage(data, sentences, place),
        obstacles=find_obstacles(data.obstacles, sentences, methods),
        near_misses=tuple(near_misses),
        problems=tuple(problems),
        draft=draft,
    )
