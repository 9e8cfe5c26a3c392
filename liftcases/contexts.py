"""What each template is given: one function per kind of page, each returning a fixed set of keys.

The templates never reach into globals; everything a page shows comes from its context here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .assemble import DistrictPage, MethodPage, ObstaclePage, Site
from .charts import bar_chart, line_chart, tile_map
from .exports import CASES_SCHEMA
from .localities import Estate, StreetPlace, latest_totals
from .model import Case, Method
from .settings import Settings
from .zh_text import split_sentences


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
        "street_page": site.places.street_of.get(case.slug),
        "estate": site.places.estate_of.get(case.slug),
    }


def street_context(street: StreetPlace, site: Site, settings: Settings) -> dict[str, Any]:
    obstacle_of = {p.obstacle.id: p.obstacle for p in site.obstacles}
    return _common(settings, street.name, street.url, "districts") | {
        "street": street,
        "methods": [(site.method_of[m], n) for m, n in street.methods if m in site.method_of],
        "obstacles": [(obstacle_of[o], n) for o, n in street.obstacles if o in obstacle_of],
        "street_cases": [c for c in street.cases if c.slug not in site.places.estate_of],
        "totals": latest_totals(street.cases, "street", site.places.series),
    }


def estate_context(estate: Estate, site: Site, settings: Settings) -> dict[str, Any]:
    street = site.places.street_page(estate)
    series = [(name, [(s.date, lift.value) for s in estate.steps if s.date for lift in s.lifts if lift.label == label])
              for label, name in site.places.series]  # fmt: skip
    return _common(settings, estate.name, estate.url, "districts") | {
        "estate": estate,
        "street": street,
        "chart": line_chart(series),
        "methods": [(site.method_of[m], uses) for m, uses in estate.methods if m in site.method_of],
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
UNSURE_BELOW = 70  # a case the review page is less sure of than this is worth an editor's look before publishing


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
    shown = {c.slug for c in site.cases}  # make serve shows the drafts: they have pages to link to
    drafts = [{"case": c, "shown": c.slug in shown, "problems": [p.message for p in c.problems]} for c in site.drafts]
    common = _common(settings, "编辑核查", "/review/", "review")
    unsure_cases = sum(item["confidence"] < UNSURE_BELOW for item in items)
    return common | {"items": items, "unsure": site.places.unsure, "drafts": drafts, "unsure_cases": unsure_cases,
                     "unsure_below": UNSURE_BELOW}  # fmt: skip


def about_context(site: Site, settings: Settings) -> dict[str, Any]:
    return _common(settings, "关于", "/about/", "about") | {"schema": CASES_SCHEMA, "count": len(site.cases)}
