"""Stage 5, render: every page of the site, written into the staging folder.

One function builds each template's context, with a fixed set of keys; the
templates never reach into globals. Jinja2 autoescaping is on for every
template: article text is data, never markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nh3
from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .assemble import Site
from .contexts import (
    about_context,
    case_context,
    district_context,
    districts_index_context,
    estate_context,
    home_context,
    method_context,
    methods_index_context,
    moved_context,
    not_found_context,
    obstacle_context,
    obstacles_index_context,
    review_context,
    search_context,
    street_context,
)  # fmt: skip
from .exports import atom_feed, cases_csv, cases_json, places_json, review_json, robots, sitemap
from .localities import Estate
from .model import Case
from .output import Layout, Made, Output, Pages, fragment, make, make_page
from .parallel import SliceMap
from .settings import Settings
from .zh_text import slugify

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


def compact_asset(path: Path) -> bytes:
    """An asset as served: a script without its whole-line comments, a style sheet without its comments,
    both without indentation and blank lines (every search downloads them; the sources stay readable).
    Only whole lines are dropped, so nothing inside a string can be cut."""
    data = path.read_bytes()
    if path.suffix not in (".js", ".css"):
        return data
    text = data.decode("utf-8")
    if path.suffix == ".css":
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line and not line.startswith("//")).encode("utf-8") + b"\n"


def _layout(templates: Path, settings: Settings) -> Layout:
    return Layout(make_env(templates, settings), lambda loader: make_env(templates, settings, loader))


def make_env(templates: Path, settings: Settings, loader: BaseLoader | None = None) -> Environment:
    env = Environment(
        loader=loader or FileSystemLoader(str(templates)),
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


def _places_of(site: Site, case: Case) -> tuple[object, ...]:
    street, estate = site.places.street_of.get(case.slug), site.places.estate_of.get(case.slug)
    return (street and street.url, estate and (estate.url, estate.name, len(estate.steps)))


def _case_pages(
    site: Site, settings: Settings, layout: Layout, out: Output, cases: tuple[Case, ...], pages: Pages | None
) -> None:
    # A case page shows the case, its related cases and its places' addresses (and the number of its
    # estate's articles), nothing else that a rebuild can change.
    keyed = [
        (case.url.lstrip("/") + "index.html", (case, *site.related.get(case.slug, ()), *_places_of(site, case)), case)
        for case in cases
    ]
    if pages is not None and out.reuse == out.root:
        # Rewriting a preview in place: the pages an edit changed first, so the page an editor has open
        # reloads soonest (a staged build swaps in the whole site at once, in any order).
        keyed.sort(key=lambda item: pages.previous.get(item[0], "").split(" ")[0] == pages.key(item[1], "case.html"))
    for rel, key, case in keyed:
        make_page(out, pages, layout, rel, key, "case.html", lambda c=case: case_context(c, site, settings))


def _estate_pages(
    site: Site, settings: Settings, layout: Layout, out: Output, estates: tuple[Estate, ...], pages: Pages | None
) -> None:
    # An estate page shows the estate, its street and the lift series charted (the rest of its context is
    # made from these and the data files).
    for estate in estates:
        key = (estate, site.places.street_page(estate), site.places.series)
        rel = estate.url.lstrip("/") + "index.html"
        make_page(out, pages, layout, rel, key, "estate.html", lambda e=estate: estate_context(e, site, settings))


def _page(out: Output, pages: Pages | None, layout: Layout, template: str, path: str, context: Context,
          key: object = None) -> None:  # fmt: skip
    """One page from its template and context (a function when the page may not need making), keyed by
    ``key``, or else by its whole context."""
    rel = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
    if key is None:
        context = context if isinstance(context, dict) else context()
        key = tuple(sorted(context.items()))
    given = context
    make_page(out, pages, layout, rel, key, template, lambda: given if isinstance(given, dict) else given())


def _feed(out: Output, pages: Pages | None, settings: Settings, path: str, title: str, cases: tuple[Case, ...]) -> None:
    make(out, pages, path.lstrip("/") + "feed.xml", (settings, title, *cases),
         lambda: atom_feed(settings, title, path, path + "feed.xml", cases))  # fmt: skip


def _one_each(site: Site) -> list[tuple[str, Any]]:
    """The pages there is one of per case, estate, street, method, district and obstacle, in this order."""
    return [
        *(("case", c) for c in site.cases), *(("estate", e) for e in site.places.estates),
        *(("street", s) for s in site.places.streets), *(("method", m) for m in site.methods),
        *(("district", d) for d in site.districts), *(("obstacle", o) for o in site.obstacles),
    ]  # fmt: skip


def _many_pages(
    site: Site, settings: Settings, layout: Layout, out: Output, start: int, stop: int, pages: Pages | None
) -> None:
    """The pages of _one_each(site) from start to stop (with their feeds)."""
    items = _one_each(site)[start:stop]
    _case_pages(site, settings, layout, out, tuple(x for kind, x in items if kind == "case"), pages)
    _estate_pages(site, settings, layout, out, tuple(x for kind, x in items if kind == "estate"), pages)
    for kind, x in items:
        if kind == "street":
            _page(out, pages, layout, "street.html", x.url, street_context(x, site, settings))
            _feed(out, pages, settings, x.url, f"{x.district.name}{x.name} · {settings.title}", x.cases)
        elif kind == "method":
            _page(out, pages, layout, "method.html", x.method.url, method_context(x, settings))
            _feed(out, pages, settings, x.method.url, f"{x.method.name} · {settings.title}",
                  tuple(e.case for e in x.entries))  # fmt: skip
        elif kind == "district":
            path = f"/districts/{x.district.slug}/"
            _page(out, pages, layout, "district.html", path, district_context(x, settings))
            _feed(out, pages, settings, path, f"{x.district.name} · {settings.title}", x.cases)
        elif kind == "obstacle":
            _page(out, pages, layout, "obstacle.html", x.obstacle.url, obstacle_context(x, site, settings))


Context = dict[str, Any] | Callable[[], dict[str, Any]]

# The layout the forked workers use, its templates compiled in the parent before the fork: compiling
# them costs 0.15 s, once per slice otherwise.
_forked_layout: Layout | None = None


Slice = tuple[Made, list[str], list[str], list[str]]  # what a worker made; its files, written and kept


def _slice(job: tuple[Site, Settings, Path, Output, Pages | None], start: int, stop: int) -> Slice:
    """In a worker: render one slice of _one_each(site) straight into the output folder."""
    site, settings, templates, out, pages = job
    _many_pages(site, settings, _forked_layout or _layout(templates, settings), out, start, stop, pages)
    return (pages.made if pages is not None else {}), out.files, out.written, out.kept


def render(
    site: Site, settings: Settings, templates: Path, out: Output, pages: Pages | None = None, workers: int = 1
) -> None:
    """Write every page; with ``pages``, only those whose inputs changed (the rest are kept). With
    ``workers`` > 1 (a new output folder), the pages there is one of per case, estate, street, method,
    district and obstacle are made by forked processes while this one makes the rest: the bytes are
    the same."""
    layout = _layout(templates, settings)
    env = layout.env
    pages_list: list[str] = []

    # The pages about the whole site (home, indexes, review, exports) are made from everything: the
    # cases, the drafts and which copies were merged (with the templates, code, data files and settings, the whole
    # site is a pure function of these). Fingerprinting their large contexts would cost more than it saves.
    whole = ("site", pages.key((site.cases, site.drafts, sorted(site.moved.items())))) if pages is not None else None

    def page(template: str, path: str, context: Context, listed: bool = True, key: object = None) -> None:
        _page(out, pages, layout, template, path, context, key)
        if listed:
            pages_list.append(path)

    def review() -> dict[str, Any]:
        context = review_context(site, settings)
        item = env.get_template("partials/review_item.html")
        context["sections"] = [
            fragment(pages, "partials/review_item.html", (settings, i["case"]), lambda i=i: item.render(item=i))
            for i in context["items"]
        ]
        return context

    pool = None
    many = len(_one_each(site))
    if workers > 1 and out.reuse != out.root and site.cases:
        global _forked_layout
        _forked_layout = layout
        for name in ("case.html", "estate.html", "street.html", "method.html", "district.html", "obstacle.html"):
            layout.warm(name)
        pool = SliceMap(_slice, (site, settings, templates, out, pages), many, workers)
        _forked_layout = None
    try:
        if pool is None:  # case pages first: after an edit, the page an editor has open is written soonest
            _many_pages(site, settings, layout, out, 0, many, pages)
        page("home.html", "/", lambda: home_context(site, settings), key=whole)
        page("search.html", "/search/", lambda: search_context(site, settings), key=whole)
        page("about.html", "/about/", lambda: about_context(site, settings), key=whole)
        page("404.html", "/404.html", lambda: not_found_context(site, settings), listed=False, key=whole)
        page("review.html", "/review/", review, listed=False, key=whole)  # editors only: not in the sitemap
        page("methods.html", "/methods/", lambda: methods_index_context(site, settings), key=whole)
        page("districts.html", "/districts/", lambda: districts_index_context(site, settings), key=whole)
        page("obstacles.html", "/obstacles/", lambda: obstacles_index_context(site, settings), key=whole)
        pages_list += [op.obstacle.url for op in site.obstacles]
        pages_list += [case.url for case in site.cases]
        for slug, target in sorted(site.moved.items()):
            # The page of a merged copy stays where it was and points to the case it joined: URLs never break.
            page("moved.html", f"/cases/{slug}/", moved_context(slug, target, settings), listed=False)
        pages_list += [mp.method.url for mp in site.methods]
        pages_list += [f"/districts/{dp.district.slug}/" for dp in site.districts]
        pages_list += [street.url for street in site.places.streets]
        pages_list += [estate.url for estate in site.places.estates]
        _feed(out, pages, settings, "/", settings.title, site.cases)
        if settings.site_url:  # the sitemap protocol takes absolute addresses only (ready.py says so)
            out.write("sitemap.xml", sitemap(settings, pages_list))
        out.write("robots.txt", robots(settings))
        # The exports are made by code alone: a template edit leaves them as they are.
        make(out, pages, "data/cases.json", whole, lambda: cases_json(site))
        make(out, pages, "data/cases.csv", whole, lambda: cases_csv(site))
        make(out, pages, "data/review.json", whole, lambda: review_json(site))
        make(out, pages, "data/places.json", whole, lambda: places_json(site))
        assets = templates / "assets"
        for path in sorted(assets.rglob("*")):
            if path.is_file():
                out.write(f"assets/{path.relative_to(assets).as_posix()}", compact_asset(path))
        for made, files, written, kept in pool.results() if pool is not None else ():
            if pages is not None:
                pages.made.update(made)
            out.files += files
            out.written += written
            out.kept += kept
    finally:
        if pool is not None:
            pool.close()
