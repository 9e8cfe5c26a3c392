"""The built seed site: its pages, cross links, data export and link check."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from bs4 import BeautifulSoup

from liftcases.exports import CASES_SCHEMA

from .conftest import ORIGIN, build_into, make_content, soup, with_site_url
from .linkcheck import check_links
from .markup import forbidden_markup

CASE_KEYS = {
    "slug", "url", "source_file", "title", "date", "source", "channel", "source_url", "city", "district",
    "street", "neighbourhood", "place_ids", "other_neighbourhoods", "buildings", "place_evidence", "stage", "methods",
    "obstacles", "figures", "credits", "converted_from_traditional", "related", "other_sources", "problems",
}  # fmt: skip


def hrefs(page: BeautifulSoup) -> set[str]:
    return {str(a["href"]) for a in page.find_all("a", href=True)}


def test_required_pages_exist(seed_site: Path):
    for rel in ("index.html", "search/index.html", "methods/index.html", "districts/index.html", "404.html"):
        assert (seed_site / rel).is_file(), rel
    assert len(list((seed_site / "cases").glob("*/index.html"))) == 5
    assert (seed_site / "methods" / "xian-yi-hou-nan" / "index.html").is_file()
    assert (seed_site / "districts" / "putuo" / "index.html").is_file()
    assert (seed_site / "pagefind" / "pagefind.js").is_file()


def test_urls_are_ascii_and_follow_file_names(seed_site: Path):
    for path in seed_site.rglob("*"):
        assert path.relative_to(seed_site).as_posix().isascii(), path
    assert (seed_site / "cases" / "putuo-ganquanyuan-traditional" / "index.html").is_file()


def test_case_links_to_its_district_and_methods_and_they_link_back(seed_site: Path):
    url = "/cases/putuo-changfeng-fenghe-ten-methods/"
    case = soup(seed_site, "cases/putuo-changfeng-fenghe-ten-methods/index.html")
    links = hrefs(case)
    assert "/districts/putuo/" in links
    assert "/methods/xian-yi-hou-nan/" in links
    assert url in hrefs(soup(seed_site, "methods/xian-yi-hou-nan/index.html"))
    assert url in hrefs(soup(seed_site, "districts/putuo/index.html"))


def test_case_page_shows_evidence_under_each_method(seed_site: Path):
    case = soup(seed_site, "cases/putuo-changfeng-fenghe-ten-methods/index.html")
    item = next(li for li in case.select(".methods li") if "先易后难" in [a.get_text() for a in li.find_all("a")])
    assert "先易后难法" in item.select_one(".evidence").get_text()
    # One sentence naming ten methods is shown once, under all of them.
    assert len([li for li in case.select(".methods li") if "先易后难法" in li.get_text()]) == 1


def test_pages_have_one_h1_and_landmarks(seed_site: Path):
    for path in seed_site.rglob("*.html"):
        if "pagefind" in path.parts:
            continue
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert len(page.find_all("h1")) == 1, path
        assert page.find("main") and page.find("header") and page.find("footer"), path
        assert page.html["lang"] == "zh-CN"
        for img in page.find_all("img"):
            assert img.get("alt"), path


def test_cases_json_follows_the_schema(seed_site: Path):
    records = json.loads((seed_site / "data" / "cases.json").read_text(encoding="utf-8"))
    assert isinstance(records, list) and len(records) == 5
    for r in records:
        assert set(r) == CASE_KEYS
        assert r["url"] == f"/cases/{r['slug']}/"
        assert (Path(__file__).parent.parent / "content" / "articles" / r["source_file"]).is_file()
        assert r["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"])
        assert r["city"] in (None, "上海市") or r["city"].endswith("市")
        assert r["district"] is None or r["district"].endswith("区")
        for m in r["methods"]:
            assert set(m) == {"id", "name", "evidence"} and m["evidence"]
        for f in r["figures"]:
            assert set(f) == {"label", "value", "unit", "evidence", "scope"}
            assert f["scope"] in ("estate", "street", "district", "city")
        assert all(isinstance(p, str) for p in r["problems"])


def test_no_broken_internal_link_or_anchor(seed_site: Path):
    assert check_links(seed_site) == []


def test_link_check_finds_broken_links(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="x">x</h2><a href="/a/#x">ok</a>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="/a/">ok</a><a href="/b/">missing</a><a href="/a/#nope">anchor</a>'
        '<a href="javascript:alert(1)">js</a>',
        encoding="utf-8",
    )
    broken = check_links(tmp_path)
    assert len(broken) == 3
    assert (
        any("/b/" in b for b in broken) and any("#nope" in b for b in broken) and any("javascript" in b for b in broken)
    )


def test_traditional_case_shows_its_original_wording(seed_site: Path):
    page = soup(seed_site, "cases/putuo-ganquanyuan-traditional/index.html")
    original = page.select_one("details.original")
    assert original is not None and original.summary.get_text() == "查看繁体原文"
    assert "甘泉苑居民區黨總支" in original.get_text()
    assert "甘泉苑居民区党总支" in page.select_one("section.body").get_text()
    assert soup(seed_site, "cases/putuo-changfeng-fenghe-ten-methods/index.html").select_one("details.original") is None


def test_no_page_carries_forbidden_markup(seed_site: Path):
    for path in seed_site.rglob("*.html"):
        if "pagefind" not in path.relative_to(seed_site).parts:
            assert forbidden_markup(path.read_text(encoding="utf-8")) == [], path


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CASE_URLS = {
    "/cases/baoshan-xinyue-fudi-lift-opens/",
    "/cases/jingan-tianmuxilu-five-dimensions/",
    "/cases/jinshan-hengxin-practical-projects/",
    "/cases/putuo-changfeng-fenghe-ten-methods/",
    "/cases/putuo-ganquanyuan-traditional/",
}


def feed_links(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    return [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]


def test_feeds_parse_and_list_every_case(seed_site: Path):
    assert set(feed_links(seed_site / "feed.xml")) == CASE_URLS
    method_feed = feed_links(seed_site / "methods" / "hong-se-yi-shi-ting" / "feed.xml")
    assert set(method_feed) == {"/cases/putuo-changfeng-fenghe-ten-methods/", "/cases/putuo-ganquanyuan-traditional/"}
    district_feed = feed_links(seed_site / "districts" / "putuo" / "feed.xml")
    assert set(district_feed) == {"/cases/putuo-changfeng-fenghe-ten-methods/", "/cases/putuo-ganquanyuan-traditional/"}
    assert feed_links(seed_site / "districts" / "huangpu" / "feed.xml") == []


def test_sitemap_lists_every_page_but_not_404(tmp_path: Path):
    _, site = build_into(tmp_path, with_site_url(make_content(tmp_path, seeds=True)), search=False)
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = {(e.text or "").removeprefix(ORIGIN) for e in root.iter(f"{SITEMAP}loc")}
    assert CASE_URLS <= locs
    assert {"/", "/about/", "/methods/", "/districts/", "/methods/xian-yi-hou-nan/", "/districts/putuo/"} <= locs
    assert "/404.html" not in locs
    assert (site / "robots.txt").read_text(encoding="utf-8").startswith("User-agent: *")


def test_csv_export_opens_in_excel(seed_site: Path):
    raw = (seed_site / "data" / "cases.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["url"] for r in rows} == CASE_URLS
    fenghe = next(r for r in rows if r["slug"] == "putuo-changfeng-fenghe-ten-methods")
    assert fenghe["district"] == "普陀区" and "先易后难" in fenghe["methods"]


def test_documented_schema_is_the_real_one(seed_site: Path):
    records = json.loads((seed_site / "data" / "cases.json").read_text(encoding="utf-8"))
    assert [name for name, _, _ in CASES_SCHEMA] == list(records[0])
    about = soup(seed_site, "about/index.html")
    assert {c.get_text() for c in about.select("table code")} == {name for name, _, _ in CASES_SCHEMA}


def test_home_dashboard(seed_site: Path):
    home = soup(seed_site, "index.html")
    stats = [li.get_text(" ", strip=True) for li in home.select(".stats li")]
    assert stats[:2] == ["5 个案例", "4 个区"]
    assert "28 台电梯" in stats[3]  # 甘泉苑 reports 28 lifts completed
    tiles = {a["aria-label"] for a in home.select(".tile-map a")}
    assert "普陀区：2 个案例" in tiles and "黄浦区：0 个案例" in tiles and len(tiles) == 16
    assert not home.find("script")  # the dashboard is made at build time


def test_case_page_has_lead_breadcrumb_and_related(seed_site: Path):
    page = soup(seed_site, "cases/putuo-changfeng-fenghe-ten-methods/index.html")
    crumbs = [a.get_text() for a in page.select("nav.breadcrumb a")]
    assert crumbs == ["上海市", "普陀区", "长风新村街道", "风荷苑"]
    assert page.select_one(".summary").get_text().startswith("长风新村街道风荷苑这一老旧公房小区")
    assert len(page.select(".related li")) >= 1
    assert page.select_one(".stage strong").get_text() == "签约"


def test_case_pages_stay_within_the_budget(seed_site: Path):
    css = (seed_site / "assets" / "style.css").stat().st_size
    for page in (seed_site / "cases").glob("*/index.html"):
        assert page.stat().st_size + css <= 50_000, page


def test_site_under_a_sub_path_and_without_remote_images(tmp_path: Path):
    content = make_content(tmp_path, seeds=True)
    (content / "site.yaml").write_text("base_url: /jiati/\nremote_images: false\n", encoding="utf-8")
    _, out = build_into(tmp_path, content)
    assert check_links(out, base="/jiati/") == []
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="/jiati/methods/"' in home and 'href="/methods/"' not in home
    for page in (out / "cases").glob("*/index.html"):
        assert "<img" not in page.read_text(encoding="utf-8")
