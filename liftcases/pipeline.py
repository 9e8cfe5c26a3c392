"""The build, top to bottom: one call per stage.

ingest → normalise → enrich → merge duplicates → assemble → render → index → publish
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .assemble import assemble
from .datafiles import load_data
from .duplicates import merge_duplicates
from .enrich import enrich
from .ingest import ingest
from .model import Case, Problem
from .normalise import normalise
from .places import build_gazetteer
from .publish import discard, publish, staging_dir
from .render import Output, render
from .search_index import index
from .settings import load_settings


@dataclass(frozen=True)
class Paths:
    content: Path
    templates: Path
    out: Path

    @property
    def articles(self) -> Path:
        return self.content / "articles"


@dataclass(frozen=True)
class BuildResult:
    cases: tuple[Case, ...]
    problems: tuple[Problem, ...]  # every problem, for every file
    published: bool


def build(paths: Paths, *, strict: bool = False, search: bool = True, write: bool = True) -> BuildResult:
    """Build the site from ``paths.content`` into ``paths.out``.

    Problems are collected, never raised: one bad article never stops the
    others. With ``strict`` any problem fails the build and site/ is left as it
    was. With ``write=False`` nothing is written at all (``make check``).
    """
    settings, problems = load_settings(paths.content / "site.yaml")
    data = load_data(paths.content / "data")  # raises DataError: nothing to build without data
    gazetteer = build_gazetteer(data.cities)

    ingested = ingest(paths.articles, settings.max_article_bytes)
    problems += ingested.problems
    cases = []
    for source in ingested.sources:
        article, found = normalise(source, data.boilerplate, settings.timezone)
        case = enrich(article, data, gazetteer)
        case = replace(case, problems=tuple(found) + case.problems)
        problems += case.problems
        cases.append(case)
    cases, moved, merged = merge_duplicates(cases)
    problems += merged
    site = assemble(cases, moved, data.methods, data.categories, data.cities)

    if not write or (strict and problems):
        return BuildResult(site.cases, tuple(problems), published=False)

    staging = staging_dir(paths.out)
    try:
        render(site, settings, paths.templates, Output(staging))
        if search:
            index_problems = index(site, staging)
            problems += index_problems
            if strict and index_problems:
                discard(staging)
                return BuildResult(site.cases, tuple(problems), published=False)
        publish(staging, paths.out)
    except BaseException:
        discard(staging)
        raise
    return BuildResult(site.cases, tuple(problems), published=True)
