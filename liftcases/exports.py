"""Data exports and machine-readable files: cases.json, cases.csv, review.json, Atom feeds, sitemap, robots.

Everything here is a pure function from the assembled site to text. Times come from the
articles' own dates (or SOURCE_DATE_EPOCH), never the clock, so two builds are identical.
"""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from .assemble import Site
from .localities import Latest, latest_totals, newest_first
from .model import Case
from .settings import Settings

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50
# The public schema of data/cases.json and cases.csv, also shown on the about page.
CASES_SCHEMA: tuple[tuple[str, str, str], ...] = (
    ("slug", "字符串", "案例的稳定标识（ASCII），页面地址是 url"),
    ("url", "字符串", "站内地址，以 / 开头"),
    ("source_file", "字符串", "content/articles/ 下的源文件"),
    ("title", "字符串", "整理后的标题（简体）"),
    ("date", "字符串或 null", "发布日期 YYYY-MM-DD；文章没写就是 null"),
    ("source", "字符串或 null", "发布者（公众号、报纸、网站），不是聚合平台"),
    ("channel", "字符串或 null", "转载的聚合平台或镜像网站"),
    ("source_url", "字符串或 null", "原文地址（前置信息给出时）"),
    ("city", "字符串或 null", "城市，如 上海市"),
    ("district", "字符串或 null", "区的全称，如 普陀区"),
    ("street", "字符串或 null", "街道或镇，文中写明时才有"),
    ("neighbourhood", "字符串或 null", "案例所在的主要小区或居民区"),
    ("place_ids", "对象", "{district, street, neighbourhood}：案例所在地点页的 id（见 places.json），没有就是 null"),
    ("other_neighbourhoods", "字符串数组", "文中提到的其他小区，按出现先后"),
    ("buildings", "数组", "涉及的楼号，如 37号、3号楼"),
    ("place_evidence", "对象", "地点各字段所依据的原句"),
    ("stage", "对象或 null", "{id, name, evidence}：文中已经到达的最晚阶段"),
    ("methods", "数组", "{id, name, evidence}：用到的做法和说明它的原句"),
    ("obstacles", "数组", "{id, name, evidence, methods}：遇到的难题、原句，以及文中用来解决它的做法 id"),
    ("figures", "数组", "{label, value, unit, evidence, scope}：关键数字、原句、范围（estate 或全街道/区/市）"),
    ("credits", "数组", "{role, names}：记者、通讯员、编辑等"),
    ("converted_from_traditional", "布尔", "原文为繁体、已转为简体"),
    ("related", "数组", "相关案例的 slug，最相关的在前"),
    ("other_sources", "数组", "合并进来的同一报道的其他来源"),
    ("problems", "数组", "构建时发现、需要编辑留意的问题"),
)


def json_lines(records: list[dict[str, Any]]) -> str:
    """A JSON array with one record per line: readable, diff-friendly, and written by the C encoder
    (an indented dump runs in pure Python and took most of a second at 1,000 cases)."""
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n"


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
        "place_ids": place_ids(case, site),
        "other_neighbourhoods": list(p.other_neighbourhoods),
        "buildings": list(p.buildings),
        "place_evidence": dict(p.evidence),
        "stage": {"id": case.stage.id, "name": case.stage.name, "evidence": case.stage.evidence}
        if case.stage
        else None,
        "methods": [{"id": u.id, "name": u.name, "evidence": list(u.evidence)} for u in case.methods],
        "obstacles": [
            {"id": o.id, "name": o.name, "evidence": list(o.evidence), "methods": [m for m, _ in o.methods]}
            for o in case.obstacles
        ],
        "figures": [
            {"label": f.label, "value": f.value, "unit": f.unit, "evidence": f.evidence, "scope": f.scope}
            for f in case.figures
        ],
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


def place_ids(case: Case, site: Site) -> dict[str, str | None]:
    """The ids of the place pages a case is listed on (places.json): its district's, its street's (its
    own, or its estate's when the article names none) and its estate's."""
    district = site.district_for(case)
    street = site.places.street_of.get(case.slug)
    estate = site.places.estate_of.get(case.slug)
    return {
        "district": f"districts/{district.slug}" if district else None,
        "street": street.id if street else None,
        "neighbourhood": estate.id if estate else None,
    }


def _latest(found: tuple[Latest, ...]) -> list[dict[str, Any]]:
    return [
        {"label": x.lift.label, "value": x.lift.value, "unit": x.lift.unit, "date": x.case.article.date,
         "case": x.case.slug}
        for x in found
    ]  # fmt: skip


def places_json(site: Site) -> str:
    """data/places.json: every district, street and estate that has a page, with its cases (newest
    first) and the latest lift counts reported for it (an estate's own; a street's or district's total)."""
    series = site.places.series
    records: list[dict[str, Any]] = []
    for dp in site.districts:
        if dp.cases:
            records.append({
                "id": f"districts/{dp.district.slug}", "kind": "district", "name": dp.district.name,
                "aliases": list(dp.district.aliases), "parent": None, "city": dp.district.city,
                "url": dp.district.url, "cases": [c.slug for c in dp.cases], "stage": None,
                "latest": _latest(latest_totals(dp.cases, "district", series)),
            })  # fmt: skip
    for st in site.places.streets:
        records.append({
            "id": st.id, "kind": "street", "name": st.name, "aliases": [], "parent": f"districts/{st.district.slug}",
            "city": st.district.city, "url": st.url, "cases": [c.slug for c in st.cases], "stage": None,
            "latest": _latest(latest_totals(st.cases, "street", series)),
        })  # fmt: skip
    for e in site.places.estates:
        street = site.places.street_page(e)
        stage = {"id": e.stage[0].id, "name": e.stage[0].name, "case": e.stage[1].slug} if e.stage else None
        records.append({
            "id": e.id, "kind": "neighbourhood", "name": e.name, "aliases": list(e.aliases),
            "parent": street.id if street else f"districts/{e.district.slug}", "city": e.district.city,
            "url": e.url, "cases": [c.slug for c in newest_first(list(e.cases))], "stage": stage,
            "latest": _latest(e.latest),
        })  # fmt: skip
    return json_lines(records)


def cases_json(site: Site) -> str:
    return json_lines([case_record(c, site) for c in site.cases])


SCOPE_NOTE = {"street": "（全街道）", "district": "（全区）", "city": "（全市）"}  # a wider total, in the CSV's figures
CSV_COLUMNS = ("slug", "url", "title", "date", "source", "channel", "city", "district", "street", "neighbourhood",
               "stage", "methods", "method_ids", "figures", "source_file")  # fmt: skip


def cases_csv(site: Site) -> str:
    """The cases as a spreadsheet: UTF-8 with a BOM so that Excel reads the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in site.cases:
        a, p = c.article, c.place
        writer.writerow(
            [
                c.slug, c.url, a.title, a.date or "", a.publisher or "", a.channel or "", p.city or "",
                p.district or "", p.street or "", p.neighbourhood or "", c.stage.name if c.stage else "",
                "；".join(u.name for u in c.methods), ";".join(u.id for u in c.methods),
                "；".join(f"{f.label} {f.value:g}{f.unit}{SCOPE_NOTE.get(f.scope, '')}" for f in c.figures),
                a.source.rel,
            ]
        )  # fmt: skip
    return "\ufeff" + buffer.getvalue()


def review_record(case: Case) -> dict[str, Any]:
    """What an editor checks: what was cut, what nearly matched, what the build was unsure of."""
    return {
        "source_file": case.article.source.rel,
        "url": case.url,
        "form": case.article.source.form,
        "encoding": case.article.source.encoding,
        "original_title": case.article.original_title,
        "title_why": case.article.title_why,
        "cut_above": list(case.article.cut_above),
        "cut_below": list(case.article.cut_below),
        "merged": [{"source_file": o.rel, "title": o.title, "why": o.why} for o in case.other_sources],
        "removed": list(case.article.removed),
        "near_misses": [{"method": n.method, "sentence": n.sentence, "why": n.why} for n in case.near_misses],
        "problems": [str(p) for p in case.problems],
    }


def review_json(site: Site) -> str:
    return json_lines([review_record(c) for c in site.cases])


def absolute(settings: Settings, path: str) -> str:
    """A page's address for feeds and the sitemap: absolute when site_url is set, else site-relative."""
    return settings.site_url + settings.base_url + path.lstrip("/")


def _timestamp(date: str | None) -> str:
    if date:
        return f"{date}T00:00:00+08:00"
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def atom_feed(settings: Settings, title: str, page: str, feed: str, cases: tuple[Case, ...]) -> str:
    """An Atom feed of the newest cases; ids are stable (the case URL), times are the articles' dates."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": settings.language})
    _sub(root, f"{{{ATOM}}}title", title)
    _sub(root, f"{{{ATOM}}}id", absolute(settings, feed) if settings.site_url else f"urn:jiati:feed:{feed.strip('/')}")
    _sub(root, f"{{{ATOM}}}link", href=absolute(settings, feed), rel="self")
    _sub(root, f"{{{ATOM}}}link", href=absolute(settings, page), rel="alternate", type="text/html")
    newest = max((c.article.date for c in cases if c.article.date), default=None)
    _sub(root, f"{{{ATOM}}}updated", _timestamp(newest))
    author = _sub(root, f"{{{ATOM}}}author")
    _sub(author, f"{{{ATOM}}}name", settings.title)
    for case in cases[:FEED_SIZE]:
        entry = _sub(root, f"{{{ATOM}}}entry")
        _sub(entry, f"{{{ATOM}}}title", case.article.title)
        _sub(
            entry, f"{{{ATOM}}}id", absolute(settings, case.url) if settings.site_url else f"urn:jiati:case:{case.slug}"
        )
        _sub(entry, f"{{{ATOM}}}link", href=absolute(settings, case.url), rel="alternate", type="text/html")
        _sub(entry, f"{{{ATOM}}}updated", _timestamp(case.article.date))
        place = " ".join(x for x in (case.place.district, case.place.street, case.place.neighbourhood) if x)
        methods = "、".join(u.name for u in case.methods)
        _sub(entry, f"{{{ATOM}}}summary", f"{place}。做法：{methods}" if methods else place or case.article.title)
        for use in case.methods:
            _sub(entry, f"{{{ATOM}}}category", term=use.id, label=use.name)
    return _xml(root)


def sitemap(settings: Settings, paths: list[str]) -> str:
    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for path in paths:
        url = _sub(root, f"{{{SITEMAP}}}url")
        _sub(url, f"{{{SITEMAP}}}loc", absolute(settings, path))
    return _xml(root)


def robots(settings: Settings) -> str:
    lines = ["User-agent: *", f"Disallow: {settings.base_url}data/review.json", f"Disallow: {settings.base_url}review/"]
    lines.append("Allow: /")
    if settings.site_url:
        lines.append(f"Sitemap: {absolute(settings, '/sitemap.xml')}")
    return "\n".join(lines) + "\n"
