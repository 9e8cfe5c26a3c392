"""Stage 5, render: every page of the site, written into the staging folder.

One function builds each template's context, with a fixed set of keys; the
templates never reach into globals. Jinja2 autoescaping is on for every
template: article text is data, never markup.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .assemble import DistrictPage, MethodPage, Site
from .model import Case
from .settings import Settings
from .zh_text import slugify

CASES_SCHEMA_VERSION = 1


# What article HTML may contain after the sanitiser: structure, emphasis, links and images; nothing
# that runs script, embeds another page, submits a form or styles the page.
BODY_TAGS = {"p", "h2", "h3", "h4", "figure", "figcaption", "img", "strong", "em", "b", "i", "a", "br",
             "ul", "ol", "li", "blockquote", "section", "details", "summary", "div", "span"}  # fmt: skip
BODY_ATTRIBUTES = {
    "img": {"src", "alt", "width", "height", "loading", "referrerpolicy"},
    "a": {"href"},
    "section": {"class", "lang"},
    "details": {"class"},
    "div": {"class", "lang"},
    "p": {"class"},
}


def sanitise(html: str) -> Markup:
    """The allowlist sanitiser (nh3, Rust's ammonia) every article body passes through, as a second
    wall behind building the body from plain text: only http(s) URLs, external links get
    rel="noopener noreferrer"."""
    return Markup(
        nh3.clean(
            str(html),
            tags=BODY_TAGS,
            attributes=BODY_ATTRIBUTES,
            url_schemes={"http", "https"},
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    )


class Output:
    """Writes files under one root folder and refuses any path that would leave it."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.written: list[str] = []

    def write(self, rel: str, content: str | bytes) -> None:
        target = (self.root / PurePosixPath(rel.lstrip("/"))).resolve()
        if not target.is_relative_to(self.root):
            raise ValueError(f"refusing to write outside the output folder: {rel}")
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)
        self.written.append(rel)


def make_env(templates: Path, settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(["html", "xml"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    base = settings.base_url

    def url(path: str) -> str:
        return base + path.lstrip("/")

    env.filters["url"] = url
    env.filters["slug"] = slugify
    env.filters["sanitise"] = sanitise
    env.filters["number"] = lambda v: f"{v:g}" if isinstance(v, float) else str(v)
    return env


def _common(settings: Settings, page_title: str, path: str, section: str) -> dict[str, Any]:
    return {"settings": settings, "page_title": page_title, "path": path, "section": section}


def case_context(case: Case, site: Site, settings: Settings) -> dict[str, Any]:
    district = site.district_for(case)
    methods = [(site.method_of[u.id], u) for u in case.methods]
    return _common(settings, case.article.title, case.url, "cases") | {
        "case": case,
        "article": case.article,
        "district": district,
        "methods": methods,
        "related": site.related.get(case.slug, ()),
    }


def method_context(page: MethodPage, settings: Settings) -> dict[str, Any]:
    return _common(settings, page.method.name, page.method.url, "methods") | {"page": page}


def district_context(page: DistrictPage, settings: Settings) -> dict[str, Any]:
    path = f"/districts/{page.district.slug}/"
    return _common(settings, page.district.name, path, "districts") | {"page": page}


def methods_index_context(site: Site, settings: Settings) -> dict[str, Any]:
    groups = [(cat, [p for p in site.methods if p.method.category == cat]) for cat in site.categories]
    return _common(settings, "做法", "/methods/", "methods") | {"groups": groups}


def districts_index_context(site: Site, settings: Settings) -> dict[str, Any]:
    shanghai = [p for p in site.districts if p.district.city == "上海市"]
    others = [p for p in site.districts if p.district.city != "上海市"]
    return _common(settings, "地区", "/districts/", "districts") | {"shanghai": shanghai, "others": others}


def home_context(site: Site, settings: Settings) -> dict[str, Any]:
    used = sorted((p for p in site.methods if p.entries), key=lambda p: (-len(p.entries), p.method.id))
    years = Counter((c.article.date or "")[:4] for c in site.cases if c.article.date)
    return _common(settings, settings.title, "/", "home") | {
        "cases": site.cases,
        "latest": site.cases[:10],
        "methods": used,
        "districts": [p for p in site.districts if p.cases],
        "years": sorted(years.items()),
        "stats": {
            "cases": len(site.cases),
            "districts": len({c.place.district for c in site.cases if c.place.district}),
            "methods": len(used),
        },
    }


def search_context(site: Site, settings: Settings) -> dict[str, Any]:
    return _common(settings, "搜索", "/search/", "search") | {}


def moved_context(slug: str, target: str, settings: Settings) -> dict[str, Any]:
    return _common(settings, "已合并的报道", f"/cases/{slug}/", "cases") | {"target": f"/cases/{target}/"}


def not_found_context(site: Site, settings: Settings) -> dict[str, Any]:
    return _common(settings, "找不到页面", "/404.html", "") | {}


def case_record(case: Case, site: Site) -> dict[str, Any]:
    """One object of data/cases.json: a public interface; keep it stable (see README)."""
    a, p = case.article, case.place
    return {
        "slug": case.slug,
        "url": case.url,
        "source_file": a.source.rel,
        "title": a.title,
        "date": a.date,
        "source": a.publisher,
        "channel": a.channel,
        "source_url": a.url,
        "city": p.city,
        "district": p.district,
        "street": p.street,
        "neighbourhood": p.neighbourhood,
        "buildings": list(p.buildings),
        "place_evidence": dict(p.evidence),
        "stage": {"id": case.stage.id, "name": case.stage.name, "evidence": case.stage.evidence}
        if case.stage
        else None,
        "methods": [{"id": u.id, "name": u.name, "evidence": list(u.evidence)} for u in case.methods],
        "figures": [{"label": f.label, "value": f.value, "unit": f.unit, "evidence": f.evidence} for f in case.figures],
        "credits": [{"role": c.role, "names": c.names} for c in a.credits],
        "converted_from_traditional": a.converted_from_traditional,
        "related": [c.slug for c in site.related.get(case.slug, ())],
        "other_sources": [
            {
                "source_file": o.rel,
                "slug": o.slug,
                "title": o.title,
                "date": o.date,
                "source": o.publisher,
                "channel": o.channel,
                "source_url": o.url,
            }
            for o in case.other_sources
        ],
        "problems": [p.message for p in case.problems],
    }


def review_record(case: Case) -> dict[str, Any]:
    """What an editor checks: what was cut, what nearly matched, what the build was unsure of."""
    return {
        "source_file": case.article.source.rel,
        "url": case.url,
        "form": case.article.source.form,
        "encoding": case.article.source.encoding,
        "original_title": case.article.original_title,
        "removed": list(case.article.removed),
        "near_misses": [{"method": n.method, "sentence": n.sentence, "why": n.why} for n in case.near_misses],
        "problems": [str(p) for p in case.problems],
    }


def render(site: Site, settings: Settings, templates: Path, out: Output) -> None:
    env = make_env(templates, settings)

    def page(template: str, rel: str, context: dict[str, Any]) -> None:
        out.write(rel, env.get_template(template).render(context))

    page("home.html", "index.html", home_context(site, settings))
    page("search.html", "search/index.html", search_context(site, settings))
    page("404.html", "404.html", not_found_context(site, settings))
    page("methods.html", "methods/index.html", methods_index_context(site, settings))
    page("districts.html", "districts/index.html", districts_index_context(site, settings))
    for case in site.cases:
        page("case.html", f"cases/{case.slug}/index.html", case_context(case, site, settings))
    for slug, target in sorted(site.moved.items()):
        # The page of a merged copy stays where it was and points to the case it joined: URLs never break.
        page("moved.html", f"cases/{slug}/index.html", moved_context(slug, target, settings))
    for mp in site.methods:
        page("method.html", f"methods/{mp.method.id}/index.html", method_context(mp, settings))
    for dp in site.districts:
        page("district.html", f"districts/{dp.district.slug}/index.html", district_context(dp, settings))
    records = [case_record(c, site) for c in site.cases]
    out.write(
        "data/review.json", json.dumps([review_record(c) for c in site.cases], ensure_ascii=False, indent=1) + "\n"
    )
    out.write("data/cases.json", json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    assets = templates / "assets"
    for path in sorted(assets.rglob("*")):
        if path.is_file():
            out.write(f"assets/{path.relative_to(assets).as_posix()}", path.read_bytes())
