"""Stage 5, render: every page of the site, written into the staging folder.

One function builds each template's context, with a fixed set of keys; the
templates never reach into globals. Jinja2 autoescaping is on for every
template: article text is data, never markup.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .assemble import DistrictPage, MethodPage, ObstaclePage, Site
from .charts import bar_chart, tile_map
from .exports import CASES_SCHEMA, atom_feed, cases_csv, cases_json, review_json, robots, sitemap
from .model import Case, Method
from .parallel import SliceMap
from .settings import Settings
from .zh_text import slugify, split_sentences

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


def _common(settings: Settings, page_title: str, path: str, section: str) -> dict[str, Any]:
    return {"settings": settings, "page_title": page_title, "path": path, "section": section}


LEAD_MAX = 120


def lead_summary(case: Case) -> str:
    """The opening of the article: its first sentences, up to about LEAD_MAX characters."""
    first = next((b.text for b in case.article.blocks if b.kind == "p"), "")
    lead = ""
    for sentence in split_sentences(first):
        if lead and len(lead) + len(sentence) > LEAD_MAX:
            break
        lead += sentence
    return lead


def case_context(case: Case, site: Site, settings: Settings) -> dict[str, Any]:
    district = site.district_for(case)
    methods = [(site.method_of[u.id], u) for u in case.methods]
    # Methods backed by the same sentence are shown together, so a sentence listing ten methods
    # appears once, not ten times.
    groups: dict[str, list[Method]] = {}
    for method, use in methods:
        groups.setdefault(use.evidence[0] if use.evidence else "", []).append(method)
    return _common(settings, case.article.title, case.url, "cases") | {
        "case": case,
        "article": case.article,
        "lead": lead_summary(case),
        "district": district,
        "methods": methods,
        "evidence_groups": list(groups.items()),
        "method_of": site.method_of,
        "related": site.related.get(case.slug, ()),
    }


def obstacle_context(page: ObstaclePage, site: Site, settings: Settings) -> dict[str, Any]:
    return _common(settings, page.obstacle.name, page.obstacle.url, "obstacles") | {
        "page": page,
        "method_of": site.method_of,
    }


def obstacles_index_context(site: Site, settings: Settings) -> dict[str, Any]:
    pages = sorted(site.obstacles, key=lambda p: (-len(p.entries), p.obstacle.id))
    return _common(settings, "难题", "/obstacles/", "obstacles") | {"pages": pages}


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
    return _common(settings, "地区", "/districts/", "districts") | {
        "shanghai": shanghai,
        "others": others,
        "map": tile_map(site.districts),
    }


LIFTS_DONE = "已建成电梯"  # the figure label whose values add up to the lifts reported


def home_context(site: Site, settings: Settings) -> dict[str, Any]:
    used = sorted((p for p in site.methods if p.entries), key=lambda p: (-len(p.entries), p.method.id))
    years = Counter((c.article.date or "")[:4] for c in site.cases if c.article.date)
    # Only the cases' own lifts: a district's total told in a case is not more lifts.
    lifts = sum(f.value for c in site.cases for f in c.figures if f.label == LIFTS_DONE and f.scope == "estate")
    return _common(settings, settings.title, "/", "home") | {
        "latest": site.cases[:10],
        "method_chart": bar_chart([(p.method.name, len(p.entries), p.method.url) for p in used[:15]]),
        "year_chart": bar_chart([(f"{y}年", n, None) for y, n in sorted(years.items(), reverse=True)]),
        "map": tile_map(site.districts),
        # One question per obstacle, the most met first: the reader's way in by problem.
        "questions": [
            (p.obstacle.questions[0], p.obstacle.url)
            for p in sorted(site.obstacles, key=lambda p: (-len(p.entries), p.obstacle.id))
            if p.obstacle.questions
        ][:8],
        "stats": {
            "cases": len(site.cases),
            "districts": len({(c.place.city, c.place.district) for c in site.cases if c.place.district}),
            "methods": len(used),
            "lifts": int(lifts),
        },
    }


def search_context(site: Site, settings: Settings) -> dict[str, Any]:
    return _common(settings, "搜索", "/search/", "search") | {}


def moved_context(slug: str, target: str, settings: Settings) -> dict[str, Any]:
    return _common(settings, "已合并的报道", f"/cases/{slug}/", "cases") | {"target": f"/cases/{target}/"}


def not_found_context(site: Site, settings: Settings) -> dict[str, Any]:
    return _common(settings, "找不到页面", "/404.html", "") | {}


# How much each doubt lowers the build's confidence in a case (out of 100).
DOUBTS = {"district": 30, "date": 15, "methods": 30, "neighbourhood": 10, "problem": 10}


def confidence(case: Case) -> int:
    score = 100
    score -= DOUBTS["district"] if not case.place.district else 0
    score -= DOUBTS["date"] if not case.article.date else 0
    score -= DOUBTS["methods"] if not case.methods else 0
    score -= DOUBTS["neighbourhood"] if not case.place.neighbourhood else 0
    score -= DOUBTS["problem"] * len(case.problems)
    return max(0, score)


def review_context(site: Site, settings: Settings) -> dict[str, Any]:
    """The editors' queue: the cases most in need of a look first."""
    items = [{"case": c, "confidence": confidence(c), "problems": [p.message for p in c.problems]} for c in site.cases]
    items.sort(key=lambda item: (item["confidence"], item["case"].slug))
    return _common(settings, "编辑核查", "/review/", "review") | {"items": items}


def about_context(site: Site, settings: Settings) -> dict[str, Any]:
    return _common(settings, "关于", "/about/", "about") | {"schema": CASES_SCHEMA, "count": len(site.cases)}


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


def _case_pages(
    site: Site, settings: Settings, env: Environment, out: Output, cases: tuple[Case, ...], pages: PageCache | None
) -> None:
    template = env.get_template("case.html")
    # A case page shows the case and its related cases, nothing else that a rebuild can change.
    keyed = [(case.url.lstrip("/") + "index.html", (case, *site.related.get(case.slug, ())), case) for case in cases]
    if pages is not None:  # make serve: the pages an edit changed first, so the open page reloads soonest
        keyed.sort(key=lambda item: _same(pages.get(item[0], (None,))[0], item[1]))
    for rel, key, case in keyed:
        make(out, pages, rel, key, lambda c=case: template.render(case_context(c, site, settings)))


def _case_slice(job: tuple[Site, Settings, Path, Path], start: int, stop: int) -> tuple[dict[str, int], list[str]]:
    """In a worker: render one slice of the case pages straight into the output folder."""
    site, settings, templates, root = job
    out = Output(root)
    _case_pages(site, settings, make_env(templates, settings), out, site.cases[start:stop], None)
    return out.checksums, out.written


def render(
    site: Site, settings: Settings, templates: Path, out: Output, pages: PageCache | None = None, workers: int = 1
) -> None:
    """Write every page. With ``workers`` > 1 (a fresh output folder, no page cache), the case pages
    are rendered by forked processes while this one renders the rest: the bytes are the same."""
    env = make_env(templates, settings)
    pages_list: list[str] = []

    def page(template: str, path: str, context: dict[str, Any], listed: bool = True) -> None:
        rel = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        make(out, pages, rel, (template, *sorted(context.items())), lambda: env.get_template(template).render(context))
        if listed:
            pages_list.append(path)

    pool = None
    if workers > 1 and pages is None and out.previous is None and site.cases:
        pool = SliceMap(_case_slice, (site, settings, templates, out.root), len(site.cases), workers)
    try:
        if pool is None:  # case pages first: after an edit, the page an editor has open is written soonest
            _case_pages(site, settings, env, out, site.cases, pages)
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
        feed("/", settings.title, site.cases)
        out.write("sitemap.xml", sitemap(settings, pages_list))
        out.write("robots.txt", robots(settings))
        # The exports show every case with the slugs of its related cases, and nothing else that changes.
        everything = (settings, *site.cases, *(site.related.get(c.slug) for c in site.cases))
        make(out, pages, "data/cases.json", everything, lambda: cases_json(site))
        make(out, pages, "data/cases.csv", everything, lambda: cases_csv(site))
        make(out, pages, "data/review.json", everything, lambda: review_json(site))
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
