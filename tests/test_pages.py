"""Saved web pages and copied page text (tests/fixtures/pages/): what the build reads from each shape,
the extraction score on the whole corpus, and duplicates judged on what a reader reads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from liftcases.ingest import read_article
from liftcases.normalise import normalise
from liftcases.webpage import is_document, page_title, read_page

from . import evaluate
from .conftest import DATA, GAZ, TZ, build_into, make_content

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
EXPECTED = {e["file"]: e for e in json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))}
SCRIPT_DEBRIS = re.compile(r"window\.|document\.|function\s*\(|var\s+\w+\s*=|\{[^}]*:[^}]*\}|@charset|<!DOCTYPE", re.I)


def article(name: str):
    path = PAGES / "articles" / name
    source, problems = read_article(path, name, path.read_bytes())
    assert source is not None, problems
    return normalise(source, DATA.boilerplate, TZ)[0]


def text_of(a) -> str:
    return "\n".join([a.title, *(b.text for b in a.blocks if b.kind != "img")])


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".html")))
def test_saved_pages_are_read_as_pages_and_no_page_code_reaches_the_text(name: str):
    a = article(name)
    assert a.source.form == "html-page"
    assert not SCRIPT_DEBRIS.search(text_of(a)), text_of(a)[:200]
    expected = EXPECTED[name]
    assert evaluate.norm(a.title) == evaluate.norm(expected["title"])
    assert a.date == expected["date"]
    assert evaluate.norm(expected["body_first"]) in evaluate.norm(text_of(a))


def test_wechat_date_comes_from_the_publish_time_in_the_script():
    a = article("saved_wechat.html")
    assert a.date == "2023-06-08"  # var ct; the later svr_time is the time the page was served
    assert a.publisher == "殷行家园"  # the account
    assert all(b.image.src.startswith("https://mmbiz.qpic.cn/") for b in a.blocks if b.image)


def test_jsonld_headline_and_date():
    page = read_page((PAGES / "articles" / "saved_jsonld.html").read_text(encoding="utf-8"), TZ)
    assert page.meta.date == "2022-03-17" and page.meta.date_why == "JSON-LD datePublished"
    assert page.meta.title == EXPECTED["saved_jsonld.html"]["title"]


def test_a_logo_h1_is_not_the_headline():
    a = article("saved_no_headline_tag.html")
    assert a.title == "虹仙小区老楼组长的“加梯日记”"


def test_a_yearless_dateline_takes_the_year_of_the_pages_update_time():
    assert article("saved_baijiahao.html").date == "2022-09-21"


def test_front_matter_wins_over_the_page():
    a = article("saved_with_frontmatter.html")
    assert a.title == EXPECTED["saved_with_frontmatter.html"]["title"]
    assert a.url and a.url.startswith("http")


def test_gbk_page_is_decoded():
    a = article("saved_portal_gbk.html")
    assert a.source.encoding == "gb18030"
    assert "珮" in text_of(a)


def test_chrome_of_a_saved_page_is_recorded_for_the_review_page():
    a = article("saved_national_portal.html")
    assert a.cut_above and a.cut_below
    assert not any("相关新闻" in b.text for b in a.blocks)


def test_is_document_tells_a_page_from_a_fragment():
    assert is_document("<!DOCTYPE html><html><body><p>a</p></body></html>")
    assert is_document("\n<!-- saved from url=(0042)https://x/ -->\n<html lang='zh'>")
    assert not is_document("<p>正文</p><p>第二段</p>")


def test_page_title_names_a_fetched_page():
    html = (
        "<html><head><title>某某小区加梯开工_某某网</title><meta property='og:title' content='某某小区加梯开工'></head>"
    )
    assert page_title(html) == "某某小区加梯开工"


@pytest.mark.parametrize(
    ("corpus", "floor"),
    # The later corpora were scored once before any rule changed for them (README), then fixed in general
    # terms only; what is left there is judgement (a shortened og:title, a page's "today" on an e-paper).
    [
        ("pages", 0.95),
        ("heldout", 0.95),
        ("heldout2", 0.95),
        ("heldout3", 0.9),
        ("heldout_text", 0.9),
        ("estates", 1.0),
    ],
)
def test_corpus_scores_hold(corpus: str, floor: float):
    """The extraction score on a corpus, as `make eval CORPUS=tests/fixtures/…` prints it."""
    path = PAGES.parent / corpus
    score, unread = evaluate.evaluate(path, evaluate.load_corpus(path), DATA, GAZ)
    assert unread == 0
    for row in ("title", "date", "body_first kept", "body_last kept", "boilerplate markers absent"):
        assert score.right[row] >= floor * score.of[row], (row, score.right[row], score.of[row])
    assert score.right["evidence grounded"] == score.of["evidence grounded"]


def test_different_pages_from_one_site_stay_apart_and_one_story_saved_twice_is_merged(tmp_path: Path):
    names = [f"saved_site_a_story{n}.html" for n in (1, 2, 3)] + [
        "saved_same_page_twice_a.html",
        "saved_same_page_twice_b.html",
    ]
    content = make_content(tmp_path, {})
    for name in names:
        shutil.copy(PAGES / "articles" / name, content / "articles" / name)
    result, out = build_into(tmp_path, content, search=False)
    slugs = {c.slug for c in result.cases}
    assert len(result.cases) == 4
    assert {"saved-site-a-story1", "saved-site-a-story2", "saved-site-a-story3"} <= slugs
    merged = next(c for c in result.cases if c.other_sources)
    assert {merged.slug, merged.other_sources[0].slug} == {"saved-same-page-twice-a", "saved-same-page-twice-b"}
    assert "标题相近" in merged.other_sources[0].why
    review = BeautifulSoup((out / "review" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert merged.other_sources[0].rel in review.get_text()


STORY = "".join(
    f"<p>第{n}段：长宁区某小区的加装电梯项目进展顺利，居民区党总支书记一户一户上门，讲解方案和费用分摊。</p>"
    for n in range(6)
)


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("<title>某小区加梯开工_新闻频道_某某网(example.com)</title><h1>某小区加梯开工</h1>", "某小区加梯开工"),
        ("<title>某小区加梯开工_新闻频道_某某网(example.com)</title>", "某小区加梯开工"),
        ("<title>某某网</title><h1><a href='/'>某某网</a></h1><div class='title'>x</div>", "某某网"),
        ("<title>某小区加梯开工 - 某某网</title><h1><a href='/'>某某网</a></h1>", "某小区加梯开工"),
    ],
)
def test_headline_from_title_parts_and_h1(head: str, title: str):
    page = read_page(
        f"<!DOCTYPE html><html><head>{head}</head><body><div class='content'>{STORY}</div></body></html>", TZ
    )
    assert page.meta.title == title


def test_a_browsers_saved_from_note_gives_the_address_and_its_date():
    html = (
        "<!-- saved from url=(0052)https://news.example.cn/2023/0514/c1234-56789.html -->\n"
        f"<!DOCTYPE html><html><head><title>某小区加梯开工</title></head><body><div>{STORY}</div></body></html>"
    )
    page = read_page(html, TZ)
    assert page.meta.url == "https://news.example.cn/2023/0514/c1234-56789.html"
    assert page.meta.date == "2023-05-14" and page.meta.date_why == "网址中的日期"


def test_the_story_block_beats_a_sidebar_of_links_and_a_comment_list():
    comments = "".join(f"<li>网友{n}：装电梯真是好事，希望我们小区也能早日装上。</li>" for n in range(10))
    links = "".join(f"<li><a href='/{n}'>某区加梯新闻第{n}条，居民点赞</a></li>" for n in range(12))
    html = (
        "<!DOCTYPE html><html><head><title>某小区加梯开工</title></head><body>"
        f"<div class='sidebar'><ul>{links}</ul></div><div class='TRS_Editor'>{STORY}</div>"
        f"<div id='comments'><ul>{comments}</ul></div></body></html>"
    )
    page = read_page(html, TZ)
    assert "第0段" in page.content and "第5段" in page.content
    assert "网友" not in page.content and "某区加梯新闻" not in page.content


def article_from(html: str, tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    source, problems = read_article(path, "page.html", path.read_bytes())
    assert source is not None, problems
    return normalise(source, DATA.boilerplate, TZ)[0]


def test_a_print_page_headline_is_found_in_its_lines(tmp_path: Path):
    html = (
        "<!DOCTYPE html><html><head><title>打印本页</title></head><body>"
        "<center><b>江苏路街道首台加装电梯开工</b></center><div>时间：2018-11-02 09:33:17</div>"
        f"<table><tr><td>{STORY}</td></tr></table></body></html>"
    )
    a = article_from(html, tmp_path)
    assert a.title == "江苏路街道首台加装电梯开工"
    assert a.date == "2018-11-02"
    assert "网页文字中的标题行" in a.title_why


def test_lead_formulas_captions_and_newsroom_credits_leave_the_story(tmp_path: Path):
    html = (
        "<!DOCTYPE html><html><head><title>某小区加梯开工_新闻频道_某某网(example.com)</title></head><body>"
        "<h1>某小区加梯开工</h1><div class='content'><p>某某网消息：长宁区某小区的加装电梯项目近日开工，"
        "居民区党总支书记一户一户上门，讲解方案和费用分摊。</p>"
        "<figure><img src='https://img.example/a.jpg' width='800' height='600'>"
        "<figcaption>新建的电梯井道。</figcaption></figure>"
        f"{STORY}<p>（总台某某记者 李晓航 陈栋）</p></div></body></html>"
    )
    a = article_from(html, tmp_path)
    texts = [b.text for b in a.blocks if b.kind != "img"]
    assert texts[0].startswith("长宁区某小区的加装电梯项目近日开工")
    assert not any("井道" in t or "李晓航" in t for t in texts)
    assert [c.names for c in a.credits] == ["李晓航陈栋"]  # (names as the clean text has them)
    assert a.publisher == "某某网"  # the lead's formula; the site's name in <title> is the last resort
    assert any(b.image for b in a.blocks)  # the figure's image stays, its caption goes
