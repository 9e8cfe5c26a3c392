"""The text normaliser: examples for each rule, and properties that must hold for any input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from liftcases.blocks import html_to_blocks, unwrap_proxy
from liftcases.datafiles import load_data
from liftcases.dates import find_date, parse_meta_date
from liftcases.ingest import read_article
from liftcases.normalise import normalise
from liftcases.titles import pair_underscores, repeats_title, restated_title, split_site_parts
from liftcases.zh_text import normalise_punctuation, split_sentences, strip_pinyin, to_simplified

from .conftest import ROOT

DATA = load_data(ROOT / "content" / "data")
TZ = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("为民办实事,普陀「梯」升", "为民办实事，普陀“梯”升"),
        ("如何落实?居民说:好!", "如何落实？居民说：好！"),
        ("老人超过40%,80岁以上", "老人超过40%，80岁以上"),
        ('他说"加梯"很好', "他说“加梯”很好"),
        ("时间 12:05:29 不变", "时间 12:05:29 不变"),
        ("英文 a, b; c 不变", "英文 a, b; c 不变"),
        ("（通讯员 甘萱）", "（通讯员甘萱）"),
        ("居民(业主)同意", "居民（业主）同意"),
    ],
)
def test_punctuation(raw: str, clean: str):
    assert normalise_punctuation(raw) == clean


def test_pinyin_annotations_are_removed():
    assert strip_pinyin("普陀區(qū)長(zhǎng)風(feng1)") == "普陀區長風"
    assert strip_pinyin("方案(a)和(B)") == "方案(a)和(B)"


def test_traditional_is_converted_phrase_by_phrase():
    assert to_simplified("黨總支依託「紅色議事廳」") == "党总支依托「红色议事厅」"
    assert to_simplified("意見徵詢") == "意见征询"


def test_sentences_keep_their_closing_quote():
    assert split_sentences("他说：“好的。”然后走了。是吗？") == ["他说：“好的。”", "然后走了。", "是吗？"]


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("喜获_新年大礼_，宝山这个小区加装电梯正式启用！", "喜获“新年大礼”，宝山这个小区加装电梯正式启用！"),
        ("某小区_加梯_成功", "某小区“加梯”成功"),
        ("无下划线的标题", "无下划线的标题"),
    ],
)
def test_underscores_become_quotes(raw: str, title: str):
    assert pair_underscores(raw) == title


@pytest.mark.parametrize(
    ("raw", "title", "dropped"),
    [
        ("为民办实事，普陀“梯”升居民幸福感 - 天天要闻", "为民办实事，普陀“梯”升居民幸福感", ["天天要闻"]),
        ("老房加梯系列报道 _ 天目西路街道的秘笈", "天目西路街道的秘笈", ["老房加梯系列报道"]),
        ("某区加梯新进展｜新民晚报", "某区加梯新进展", ["新民晚报"]),
        (
            "长风新村街道探索“风荷加梯十法”，让居民“一键无忧”！",
            "长风新村街道探索“风荷加梯十法”，让居民“一键无忧”！",
            [],
        ),
    ],
)
def test_site_names_and_series_labels_are_stripped(raw: str, title: str, dropped: list[str]):
    assert split_site_parts(raw) == (title, dropped)


def test_body_restating_the_title_repairs_it():
    assert restated_title("天目西路街道_加梯_楼的秘笈", ["导语", "天目西路街道“加梯”楼", "的秘笈"]) == (
        "天目西路街道“加梯”楼的秘笈",
        1,
    )
    assert restated_title("完全不同的标题", ["天目西路街道", "的秘笈"]) is None


def test_caption_repeating_the_title_names_the_site():
    title = "为民办实事，普陀“梯”升居民幸福感"
    assert repeats_title(f"{title} - 天天要闻{title} - 天天要闻", title) == "天天要闻"
    assert repeats_title(title, title) == ""
    assert repeats_title(f"{title}，居民纷纷点赞。", title) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 18 Jan 2022 13:57:56 GMT", "2022-01-18"),
        ("Tue, 18 Jan 2022 17:30:00 GMT", "2022-01-19"),  # after 16:00 GMT it is the next day in Shanghai
        ("2023-07-09T12:05:29+08:00", "2023-07-09"),
        ("2023-07-09", "2023-07-09"),
        ("2023年07月07日23:03:06", "2023-07-07"),
        ("2020/9/23 6:16:08", "2020-09-23"),
        ("not a date", None),
        ("2023-02-30", None),
    ],
)
def test_meta_dates(value: str, expected: str | None):
    assert parse_meta_date(value, TZ) == expected


def test_text_dates():
    assert find_date("来源：上海普陀 发布时间：2023-07-09 12:05:29") == "2023-07-09"
    assert find_date("7月8日，某某召开会议") is None  # no year: never a guess


def test_image_proxies_are_unwrapped():
    assert unwrap_proxy("https://cors.zfour.workers.dev/?http://static.1sapp.com/a.jpeg") == (
        "http://static.1sapp.com/a.jpeg"
    )
    assert unwrap_proxy("https://proxy.example/?url=https%3A%2F%2Fimg.example%2Fb.png") == "https://img.example/b.png"
    assert unwrap_proxy("https://img.example/c.jpg") == "https://img.example/c.jpg"


def test_decorative_and_unsafe_images_are_dropped():
    blocks = html_to_blocks(
        '<p><img src="https://a.example/icon.gif" data-size="26,26"></p>'
        '<p><img src="https://a.example/line.gif" data-size="600,20"></p>'
        '<p><img src="javascript:alert(1)"></p><p><img src=""></p>'
        '<p><img src="https://a.example/photo.jpg" data-size="750,563"></p>'
    )
    images = [b.image for b in blocks if b.image]
    assert [(i.src, i.width, i.height) for i in images] == [("https://a.example/photo.jpg", 750, 563)]


def _article(body: str, name: str = "prop.txt"):
    source, _ = read_article(Path(name), name, body.encode("utf-8"))
    if source is None:
        return None
    article, _ = normalise(source, DATA.boilerplate, TZ)
    return article


chinese = st.text(
    alphabet=st.sampled_from(list("加装电梯居民区小区党建引领，。：；？！“”「」()[]<>&\"'_ -\n\t普陀區黨")),
    max_size=200,
)
html_bits = st.sampled_from(
    [
        "<p>", "</p>", "<div>", "</div>", "<strong>", "</strong>", "<br>", "<img src='https://a/b.jpg'>",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:alert(1)'>x</a>",
        "<iframe src='//evil'></iframe>", "<style>body{}</style>", "<!-- c -->", "&lt;", "&amp;", "加梯", "。",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chinese)
def test_punctuation_normalising_is_idempotent(text: str):
    once = normalise_punctuation(text)
    assert normalise_punctuation(once) == once


@settings(max_examples=150, deadline=None)
@given(chinese)
def test_normalising_any_text_never_raises(text: str):
    article = _article("标题\n" + text)
    assert article is None or isinstance(article.text, str)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(html_bits, chinese), max_size=30))
def test_normalising_any_html_never_raises_and_keeps_no_markup(parts: list[str]):
    article = _article("---\ntitle: t\n---\n<div>" + "".join(parts) + "</div>")
    if article is None:
        return
    for block in article.blocks:
        assert "alert" not in (block.image.src if block.image else "")
        assert "<script" not in block.text.lower() or "&lt;" in "".join(parts)
    for block in article.blocks:
        if block.image:
            assert block.image.src.startswith(("http://", "https://"))


def _as_scraped_text(article) -> str:
    return "\n\n".join([article.title, *(b.text for b in article.blocks if b.kind != "img")])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(chinese, st.sampled_from(["猜你喜欢", "编辑：张三", "（资料图）", "　　", "• "])), max_size=9)
)
@example(parts=["_党党党党党。党党党？"])  # a title from a sentence reads "_" as a title line does
def test_normalising_is_idempotent(parts: list[str]):
    first = _article("普陀区某小区加装电梯\n" + "\n".join(parts))
    if first is None:
        return
    second = _article(_as_scraped_text(first))
    assert second is not None
    assert second.title == first.title
    assert [b.text for b in second.blocks] == [b.text for b in first.blocks]
