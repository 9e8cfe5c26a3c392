"""One test per raw form: the form is told from the content, and each becomes a clean case."""

from __future__ import annotations

from pathlib import Path

import pytest

from liftcases.ingest import detect_form, read_article, split_front_matter

from .conftest import case_of as _case
from .conftest import source_of


def case_of(name: str):
    return source_of(name), _case(name)


def method_ids(case) -> set[str]:
    return {u.id for u in case.methods}


def test_frontmatter_html_form():
    source, case = case_of("form_frontmatter_html.txt")
    assert source.form == "frontmatter-html"
    a = case.article
    assert a.title == "普陀某小区“加梯”成功：先易后难见成效"
    assert a.date == "2022-03-05"
    assert a.publisher == "测试日报"
    assert case.place.district == "普陀区"
    assert "xian-yi-hou-nan" in method_ids(case)
    assert [(c.role, c.names) for c in a.credits] == [("编辑", "张三")]
    assert "alert" not in a.text
    assert any(b.kind == "h2" and b.text == "先易后难" for b in a.blocks)


def test_frontmatter_markdown_form():
    source, case = case_of("form_frontmatter_markdown.md")
    assert source.form == "frontmatter-markdown"
    a = case.article
    assert a.title == "徐汇区某小区掌上签约加梯"
    assert a.date == "2023-05-06"
    assert case.place.district == "徐汇区"
    assert "zhang-shang-qian-yue" in method_ids(case)
    # The body's restated "# title" is not repeated in the body; list items are paragraphs.
    assert next(b.text for b in a.blocks if b.kind != "img").startswith("徐汇区某小区居委会")
    assert any(b.text == "先开居民会议，讲清政策。" for b in a.blocks)
    assert [b.image.src for b in a.blocks if b.kind == "img"] == ["https://example.org/photo.jpg"]


def test_scraped_text_form():
    source, case = case_of("form_scraped_text.txt")
    assert source.form == "scraped-text"
    a = case.article
    assert a.title == "杨浦区某小区加装电梯投入使用"
    assert a.date == "2021-10-12"
    assert case.place.district == "杨浦区"
    assert "推荐阅读" in a.removed and "另一篇无关的文章标题" in a.removed
    assert "另一篇" not in a.text
    assert "hong-se-yi-shi-ting" in method_ids(case)


def test_markdown_without_front_matter_form():
    source, case = case_of("form_markdown_no_frontmatter.md")
    assert source.form == "markdown"
    assert case.article.title == "闵行区某新村以心换心推进加梯"
    assert case.place.district == "闵行区"
    assert "yi-xin-huan-xin" in method_ids(case)
    assert case.article.date is None  # nothing says when: null, never a guess


@pytest.mark.parametrize(
    ("body", "form"),
    [
        ("---\ntitle: x\n---\n<p>a</p><p>b</p>", "frontmatter-html"),
        ("---\ntitle: x\n---\n正文第一段。\n\n正文第二段。", "frontmatter-markdown"),
        ("标题\n正文。", "scraped-text"),
        ("# 标题\n\n正文。", "markdown"),
    ],
)
def test_form_is_told_from_content_not_extension(body: str, form: str):
    meta, rest, *_ = split_front_matter(body)
    assert detect_form(meta, rest) == form
    for name in ("a.txt", "a.md", "a.html", "a"):
        source, _ = read_article(Path(name), name, body.encode())
        assert source is not None and source.form == form
