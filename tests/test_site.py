"""The built seed site: its pages, cross links, data export and link check."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bs4 import BeautifulSoup

from .linkcheck import check_links
from .markup import forbidden_markup

CASE_KEYS = {
    "slug", "url", "source_file", "title", "date", "source", "channel", "source_url", "city", "district",
    "street", "neighbourhood", "buildings", "place_evidence", "stage", "methods", "figures", "credits",
    "converted_from_traditional", "related", "other_sources", "problems",
}  # fmt: skip


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


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
    item = next(li for li in case.select(".methods li") if li.a and li.a.get_text() == "先易后难")
    assert "先易后难法" in item.select_one(".evidence").get_text()


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
            assert set(f) == {"label", "value", "unit", "evidence"}
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
