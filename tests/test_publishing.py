"""Drafts and readiness to publish: a draft is in no published output and is shown by make serve; make
new's scaffold left unfilled fails make check; the sitemap and feeds are valid, with absolute links
once site_url is set; hints show a format or a value the build found."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from liftcases.cli import main
from liftcases.enrich import _no_date
from liftcases.ingest import SCAFFOLD, draft_status, read_article
from liftcases.settings import load_settings

from .conftest import ORIGIN, ROOT, build_into, make_content, soup, with_site_url
from .linkcheck import check_links

MARK = "甲乙丙丁"  # in the draft's title and body only
DRAFT = f"""---
draft: true
title: 草稿试验{MARK}小区加装电梯
date: 2024-05-06
district: 普陀区
---

{MARK}小区居委会召开听证会，先易后难，一个楼道一个楼道推进加装电梯。
"""
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory):
    """The seeds and one draft, built for publishing with site_url set, search index included."""
    tmp = tmp_path_factory.mktemp("published")
    return build_into(tmp, with_site_url(make_content(tmp, {"draft-case.md": DRAFT}, seeds=True)))


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory):
    """The same content as make serve builds it: drafts shown."""
    tmp = tmp_path_factory.mktemp("preview")
    return build_into(tmp, make_content(tmp, {"draft-case.md": DRAFT}, seeds=True), search=False, drafts=True)


def _text_of(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":  # Pagefind's index and fragments are gzipped
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def test_a_draft_is_in_no_published_output(published):
    result, site = published
    assert len(result.cases) == 5 and all(not c.draft for c in result.cases)
    assert [c.slug for c in result.site.drafts] == ["draft-case"]
    assert not (site / "cases" / "draft-case").exists()
    files = [p for p in site.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pf_fragment" for p in files)  # the search index is among what is searched
    # Only the editors' review page (noindex, in no list, feed or sitemap) names it.
    found = sorted(p.relative_to(site).as_posix() for p in files if MARK in _text_of(p))
    assert found == ["review/index.html"]
    home = soup(site, "index.html")
    assert MARK not in home.get_text()
    assert f"{len(result.cases)}" in home.select_one("main").get_text()


def test_a_draft_is_reported_only_for_what_keeps_it_a_draft(published):
    result, _ = published
    assert not [p for p in result.problems if p.path == "draft-case.md"]
    assert any("1 篇草稿不会发布：draft-case.md" in fix for fix in result.fixes)


def test_the_review_page_lists_drafts_without_a_link_to_a_page_that_is_not_there(published):
    _, site = published
    section = soup(site, "review/index.html").select_one("section[aria-labelledby=drafts-h]")
    assert section is not None and MARK in section.get_text() and "draft-case.md" in section.get_text()
    assert section.select("li a") == []


def test_make_serve_shows_drafts_marked_as_drafts(preview):
    result, site = preview
    assert "draft-case" in {c.slug for c in result.cases}
    page = soup(site, "cases/draft-case/index.html")
    assert page.select_one(".draft-note") is not None and page.select_one(".draft-note .draft").get_text() == "草稿"
    item = next(li for li in soup(site, "index.html").select("li") if MARK in li.get_text())
    assert item.select_one(".draft").get_text() == "草稿"
    review = soup(site, "review/index.html").select_one("section[aria-labelledby=drafts-h]")
    assert review.select_one("li a")["href"] == "/cases/draft-case/"


def test_a_preview_with_drafts_is_never_taken_for_the_published_site(tmp_path: Path):
    content = make_content(tmp_path, {"draft-case.md": DRAFT}, seeds=True)
    build_into(tmp_path, content, search=False, drafts=True)
    args = ["--content", str(content), "--templates", str(ROOT / "templates"), "--out", str(tmp_path / "site")]
    assert main([*args, "--quiet", "--no-search"]) == 0  # not "unchanged": the preview had drafts
    assert not (tmp_path / "site" / "cases" / "draft-case").exists()


def test_make_new_writes_a_draft_and_left_unfilled_it_fails_check(tmp_path: Path, capsys):
    content = make_content(tmp_path, seeds=True)
    args = ["--content", str(content), "--templates", str(ROOT / "templates"), "--out", str(tmp_path / "site")]
    assert main([*args, "--new", "新的案例"]) == 0
    (scaffold,) = [p for p in (content / "articles").iterdir() if p.suffix == ".md"]
    source, _ = read_article(scaffold, scaffold.name, scaffold.read_bytes())
    assert source is not None and source.meta["draft"] is True
    capsys.readouterr()
    assert main([*args, "--check"]) == 1
    err = capsys.readouterr().err
    assert f"{scaffold.name}: 错误: 标题和正文还是 make new 写下的占位文字" in err
    assert main([*args, "--no-search", "--quiet"]) == 0  # a build publishes the rest
    assert not (tmp_path / "site" / "cases" / scaffold.stem).exists()


def test_a_scaffold_is_never_published_even_when_its_draft_line_is_removed(tmp_path: Path):
    text = SCAFFOLD.replace("draft: true\n", "")
    result, site = build_into(tmp_path, make_content(tmp_path, {"half.md": text}, seeds=True), search=False)
    assert "half" not in {c.slug for c in result.cases} and not (site / "cases" / "half").exists()
    assert any(p.path == "half.md" and p.severity == "error" for p in result.problems)


def test_a_draft_value_other_than_true_or_false_keeps_it_a_draft_and_says_so(tmp_path: Path):
    source, _ = read_article(tmp_path / "a.md", "a.md", DRAFT.replace("draft: true", "draft: 是").encode())
    assert source is not None
    draft, problems = draft_status(source)
    assert draft and "draft: true（草稿）或 draft: false（发布）" in problems[0].message
    source, _ = read_article(tmp_path / "a.md", "a.md", DRAFT.replace("draft: true", "draft: false").encode())
    assert draft_status(source) == (False, [])


def test_without_site_url_there_is_no_sitemap_and_check_says_what_to_set(seed_site: Path, tmp_path: Path, capsys):
    assert not (seed_site / "sitemap.xml").exists()
    assert "Sitemap:" not in (seed_site / "robots.txt").read_text(encoding="utf-8")
    content = make_content(tmp_path, seeds=True)
    args = ["--content", str(content), "--templates", str(ROOT / "templates"), "--out", str(tmp_path / "site")]
    assert main([*args, "--check"]) == 0
    out = capsys.readouterr().out
    assert "发布前还要处理：" in out and "site_url" in out and "sitemap.xml" in out


def test_with_site_url_the_sitemap_is_valid_and_absolute(published):
    result, site = published
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [e.text or "" for e in root.iter(f"{SITEMAP}loc")]
    assert locs and all(loc.startswith(ORIGIN + "/") for loc in locs)
    assert {ORIGIN + c.url for c in result.cases} <= set(locs)
    assert ORIGIN + "/404.html" not in locs and ORIGIN + "/review/" not in locs
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    assert not any("site_url" in fix for fix in result.fixes)


def test_with_site_url_every_link_of_pages_feeds_and_sitemap_resolves(published):
    assert check_links(published[1], origin=ORIGIN) == []


@pytest.mark.parametrize("feed", ["feed.xml", "methods/xian-yi-hou-nan/feed.xml", "districts/putuo/feed.xml"])
def test_with_site_url_feeds_parse_and_every_link_is_absolute(published, feed: str):
    parsed = feedparser.parse((published[1] / feed).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and parsed.entries
    links = [link.href for link in parsed.feed.links] + [link.href for e in parsed.entries for link in e.links]
    ids = [parsed.feed.id] + [e.id for e in parsed.entries]
    assert all(href.startswith(ORIGIN + "/") for href in links + ids), links + ids
    assert MARK not in str(parsed)


def test_a_site_url_that_is_not_an_address_is_an_error(tmp_path: Path):
    for value in ("example.org", "https://example.org/jiati", "ftp://example.org"):
        (tmp_path / "site.yaml").write_text(f"site_url: {value}\n", encoding="utf-8")
        settings, problems = load_settings(tmp_path / "site.yaml")
        assert settings.site_url == "" and problems and problems[0].severity == "error", value
    (tmp_path / "site.yaml").write_text("site_url: https://example.org/\n", encoding="utf-8")
    assert load_settings(tmp_path / "site.yaml") == (load_settings(tmp_path / "site.yaml")[0], [])
    assert load_settings(tmp_path / "site.yaml")[0].site_url == "https://example.org"


def test_a_missing_date_hint_shows_the_format_or_a_date_the_address_shows():
    plain = _no_date(None)
    assert "date: YYYY-MM-DD" in plain and not re.search(r"\d{4}-\d{2}-\d{2}", plain)
    found = _no_date("https://www.example.gov.cn/xwzx/202307/t20230709_123456.html")
    assert "原文网址里有日期 2023-07-09" in found and "date: 2023-07-09" in found
    assert _no_date("https://example.org/news/12345.html") == plain  # digits that are no date give none


def test_hints_never_show_an_example_date(tmp_path: Path):
    """Every problem the seeds and a dateless, placeless article give: a date in a hint is one the
    article or its address shows."""
    bare = "---\ntitle: 一篇没有日期的文章\n---\n\n居民们商量了很久，终于装上了电梯。\n"
    unreadable = "---\ntitle: 日期写错的文章\ndate: 去年夏天\n---\n\n居民们商量了很久，终于装上了电梯。\n"
    content = make_content(tmp_path, {"bare.md": bare, "unreadable.md": unreadable})
    result, _ = build_into(tmp_path, content, search=False)
    messages = [p.message for p in result.problems]
    assert any("date: YYYY-MM-DD" in p.message for p in result.problems if p.path == "bare.md")
    assert any("请写成 YYYY-MM-DD" in p.message for p in result.problems if p.path == "unreadable.md")
    assert not [m for m in messages if re.search(r"(19|20)\d{2}-\d{2}-\d{2}", m)]
    assert not [m for m in messages if "如 普陀区" in m]
