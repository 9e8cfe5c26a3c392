"""Stage 5, render: every page of the site, written into the staging folder.

One function builds each template's context, with a fixed set of keys; the
templates never reach into globals. Jinja2 autoescaping is on for every
template: article text is data, never markup.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
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


class Output:
    """Writes files under one root folder and refuses any path that would leave it.

    With ``previous`` (file -> checksum of what an earlier build wrote there), a file whose bytes
    did not change is not written again: ``make serve`` rebuilds in place and touches only what
    a change affects."""

    def __init__(self, root: Path, previous: dict[str, int] | None = None):
        self.root = root.resolve()
        self.written: list[str] = []
        self.previous = previous
        self.checksums: dict[str, int] = {}
        self._folders: set[Path] = set()

    def write(self, rel: str, content: str | bytes) -> None:
        rel = rel.lstrip("/")
        parts = PurePosixPath(rel).parts
        # Checked on the path's words, not by resolving it: resolving every file costs seconds.
        if not parts or any(part in ("..", ".") or "\\" in part for part in parts):
            raise ValueError(f"refusing to write outside the output folder: {rel}")
        data = content.encode("utf-8") if isinstance(content, str) else content
        checksum = zlib.crc32(data) ^ (len(data) << 32)
        self.checksums[rel] = checksum
        if self.previous is not None and self.previous.get(rel) == checksum:
            return
        target = self.root.joinpath(*parts)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        target.write_bytes(data)
        self.written.append(rel)

    def remove_stale(self) -> None:
        """Delete files an earlier build wrote that this one did not (pages of removed articles)."""
        for rel in sorted(set(self.previous or ()) - set(self.checksums)):
            self.root.joinpath(*PurePosixPath(rel).parts).unlink(missing_ok=True)


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


# make serve keeps this between rebuilds (see pipeline.BuildCache): output path -> (what the file was
# made from, its bytes). A file is made again only when what it is made from changed: for a case page,
# the case and its related cases (the very same objects, as the cache keeps unchanged cases); for any
# other page, its whole template context, compared by value (unchanged parts are the same objects, so
# comparing is quick). Rendering is a pure function of these and the templates, whose change empties
# the cache.
PageCache = dict[str, tuple[object, bytes]]


def _same(a: object, b: object) -> bool:
    """Equal, where the parts that stayed the same objects are not compared further."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(x is y or _same(x, y) for x, y in zip(a, b, strict=True))
    return a is b or a == b


def _kept_or_made(pages: PageCache | None, name: str, key: object, produce: Callable[[], str | bytes]) -> str | bytes:
    """What ``produce()`` gives, unless the page cache holds ``name`` made from the same ``key``."""
    if pages is None:
        return produce()
    kept = pages.get(name)
    if kept is not None and _same(kept[0], key):
        return kept[1]
    data = produce()
    data = data.encode("utf-8") if isinstance(data, str) else data
    pages[name] = (key, data)
    return data


def fragment(pages: PageCache | None, name: str, key: object, produce: Callable[[], str]) -> Markup:
    """A piece of a page, kept like a whole page: made again only when ``key`` changed."""
    data = _kept_or_made(pages, name, key, produce)
    return Markup(data.decode("utf-8") if isinstance(data, bytes) else data)


def make(out: Output, pages: PageCache | None, rel: str, key: object, produce: Callable[[], str | bytes]) -> None:
    """Write ``rel`` from ``produce()``, unless the page cache holds it made from the same ``key``."""
    out.write(rel, _kept_or_made(pages, rel, key, produce))


def _places_of(site: Site, case: Case) -> tuple[object, ...]:
    street, estate = site.places.street_of.get(case.slug), site.places.estate_of.get(case.slug)
    return (street and street.url, estate and (estate.url, estate.name, len(estate.steps)))


def _case_pages(
    site: Site, settings: Settings, env: Environment, out: Output, cases: tuple[Case, ...], pages: PageCache | None
) -> None:
    template = env.get_template("case.html")
    # A case page shows the case, its related cases and its places' addresses (and the number of its
    # estate's articles), nothing else that a rebuild can change.
    keyed = [
        (case.url.lstrip("/") + "index.html", (case, *site.related.get(case.slug, ()), *_places_of(site, case)), case)
        for case in cases
    ]
    if pages is not None:  # make serve: the pages an edit changed first, so the open page reloads soonest
        keyed.sort(key=lambda item: _same(pages.get(item[0], (None,))[0], item[1]))
    for rel, key, case in keyed:
        make(out, pages, rel, key, lambda c=case: template.render(case_context(c, site, settings)))


def _estate_pages(
    site: Site, settings: Settings, env: Environment, out: Output, estates: tuple[Estate, ...], pages: PageCache | None
) -> None:
    template = env.get_template("estate.html")
    for estate in estates:
        context = estate_context(estate, site, settings)
        rel = estate.url.lstrip("/") + "index.html"
        make(out, pages, rel, ("estate.html", *sorted(context.items())), lambda c=context: template.render(c))


def _many_pages(
    site: Site, settings: Settings, env: Environment, out: Output, start: int, stop: int, pages: PageCache | None
) -> None:
    """The pages there are one of per case and per estate, numbered cases first: those from start to stop."""
    n = len(site.cases)
    _case_pages(site, settings, env, out, site.cases[start:stop], pages)
    _estate_pages(site, settings, env, out, site.places.estates[max(0, start - n) : max(0, stop - n)], pages)


# The environment the forked workers use, its templates compiled in the parent before the fork:
# compiling them costs 0.15 s, once per slice otherwise.
_forked_env: Environment | None = None


def _slice(job: tuple[Site, Settings, Path, Path], start: int, stop: int) -> tuple[dict[str, int], list[str]]:
    """In a worker: render one slice of the case and estate pages straight into the output folder."""
    site, settings, templates, root = job
    out = Output(root)
    _many_pages(site, settings, _forked_env or make_env(templates, settings), out, start, stop, None)
    return out.checksums, out.written


def render(
    site: Site, settings: Settings, templates: Path, out: Output, pages: PageCache | None = None, workers: int = 1
) -> None:
    """Write every page. With ``workers`` > 1 (a fresh output folder, no page cache), the case and
    estate pages are rendered by forked processes while this one renders the rest: the bytes are the same."""
    env = make_env(templates, settings)
    pages_list: list[str] = []

    def page(template: str, path: str, context: dict[str, Any], listed: bool = True) -> None:
        rel = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        make(out, pages, rel, (template, *sorted(context.items())), lambda: env.get_template(template).render(context))
        if listed:
            pages_list.append(path)

    pool = None
    many = len(site.cases) + len(site.places.estates)
    if workers > 1 and pages is None and out.previous is None and site.cases:
        global _forked_env
        _forked_env = env
        env.get_template("case.html"), env.get_template("estate.html")
        pool = SliceMap(_slice, (site, settings, templates, out.root), many, workers)
        _forked_env = None
    try:
        if pool is None:  # case pages first: after an edit, the page an editor has open is written soonest
            _many_pages(site, settings, env, out, 0, many, pages)
        page("home.html", "/", home_context(site, settings))
        page("search.html", "/search/", search_context(site, settings))
        page("about.html", "/about/", about_context(site, settings))
        page("404.html", "/404.html", not_found_context(site, settings), listed=False)
        review = review_context(site, settings)
        item = env.get_template("partials/review_item.html")
        review["sections"] = [
            fragment(pages, f"#review/{i['case'].slug}", (settings, i["case"]), lambda i=i: item.render(item=i))
            for i in review["items"]
        ]
        page("review.html", "/review/", review, listed=False)  # editors only: not in the sitemap
        page("methods.html", "/methods/", methods_index_context(site, settings))
        page("districts.html", "/districts/", districts_index_context(site, settings))
        page("obstacles.html", "/obstacles/", obstacles_index_context(site, settings))
        for op in site.obstacles:
            page("obstacle.html", op.obstacle.url, obstacle_context(op, site, settings))
        pages_list += [case.url for case in site.cases]
        for slug, target in sorted(site.moved.items()):
            # The page of a merged copy stays where it was and points to the case it joined: URLs never break.
            page("moved.html", f"/cases/{slug}/", moved_context(slug, target, settings), listed=False)

        def feed(path: str, title: str, cases: tuple[Case, ...]) -> None:
            make(out, pages, path.lstrip("/") + "feed.xml", (settings, title, *cases),
                 lambda: atom_feed(settings, title, path, path + "feed.xml", cases))  # fmt: skip

        for mp in site.methods:
            page("method.html", mp.method.url, method_context(mp, settings))
            feed(mp.method.url, f"{mp.method.name} · {settings.title}", tuple(e.case for e in mp.entries))
        for dp in site.districts:
            path = f"/districts/{dp.district.slug}/"
            page("district.html", path, district_context(dp, settings))
            feed(path, f"{dp.district.name} · {settings.title}", dp.cases)
        for street in site.places.streets:
            page("street.html", street.url, street_context(street, site, settings))
            feed(street.url, f"{street.district.name}{street.name} · {settings.title}", street.cases)
        pages_list += [estate.url for estate in site.places.estates]
        feed("/", settings.title, site.cases)
        out.write("sitemap.xml", sitemap(settings, pages_list))
        out.write("robots.txt", robots(settings))
        # The exports show every case with the slugs of its related cases, and nothing else that changes.
        everything = (settings, *site.cases, *(site.related.get(c.slug) for c in site.cases))
        make(out, pages, "data/cases.json", everything, lambda: cases_json(site))
        make(out, pages, "data/cases.csv", everything, lambda: cases_csv(site))
        make(out, pages, "data/review.json", everything, lambda: review_json(site))
        make(out, pages, "data/places.json", (settings, site.places), lambda: places_json(site))
        assets = templates / "assets"
        for path in sorted(assets.rglob("*")):
            if path.is_file():
                out.write(f"assets/{path.relative_to(assets).as_posix()}", path.read_bytes())
        for checksums, written in pool.results() if pool is not None else ():
            out.checksums.update(checksums)
            out.written += written
    finally:
        if pool is not None:
            pool.close()
