"""The text normaliser on fixture articles written the way real news, WeChat, portal and aggregator pages are.

One test per feature; each fixture under tests/fixtures/ is named after the feature it exercises.
Known defects are marked xfail(strict=True) with the exact input and output, never asserted away.
"""

from __future__ import annotations

import re

import pytest

from liftcases.model import Article
from liftcases.zh_text import looks_mojibake, normalise_punctuation, to_simplified

from .conftest import FIXTURES, article_of, source_of

TRADITIONAL_CHARS = set("區黨電裝樓層於為據會體")
PINYIN = re.compile(r"[（(][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[1-5]?[）)]")


def normalised(article: Article, line: str) -> str:
    """A raw line as the normaliser records it in ``removed``: Simplified (every text is converted), punctuation
    normalised."""
    return normalise_punctuation(to_simplified(line))


def texts(article: Article) -> list[str]:
    return [b.text for b in article.blocks if b.kind != "img"]


# --- encodings and mojibake ---------------------------------------------------------------------

ENCODINGS = {
    "encoding_big5.txt": {"big5", "big5hkscs"},
    "encoding_gb18030.txt": {"gb18030"},
    "encoding_gbk.txt": {"gb18030", "gbk"},
    "encoding_utf16_bom.txt": {"utf-16"},
    "encoding_utf16le_no_bom.txt": {"utf-16-le"},
    "encoding_utf8_bom.txt": {"utf-8"},
}


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("encoding_*.txt")))
def test_encoding_fixture_decodes_to_simplified_article(name: str):
    assert source_of(name).encoding in ENCODINGS[name]
    a = article_of(name)
    assert "加装电梯" in a.title
    assert to_simplified(a.text) == a.text
    assert not TRADITIONAL_CHARS & set(a.text)
    assert "\ufffd" not in a.text
    assert a.converted_from_traditional is (name == "encoding_big5.txt")
    assert len(texts(a)) == 2


MOJIBAKE_GOOD = [
    "仙霞新村建于上世纪八十年代，全村共有四十二个楼道，六层住宅为主，老年居民占比超过三成。",
    "去年以来，居民区党总支组织楼组长逐户走访，听取低层住户对采光、噪声的意见，并请设计单位现场答疑。",
    "截至目前，已有十一个楼道完成签约，签约率超过九成，其中三个楼道已进场施工。",
    "居民张阿姨说：“以前下楼买菜要歇三次，等电梯装好了，我就能天天出门了。”",
]


@pytest.mark.parametrize(
    "name",
    [
        "mojibake_scraped.txt",
        pytest.param(
            "mojibake_single_newlines.txt",
        ),
    ],
)
def test_mojibake_lines_are_removed_and_good_lines_stay(name: str):
    a = article_of(name)
    assert texts(a) == MOJIBAKE_GOOD
    assert a.title == "长宁区仙霞新村加装电梯签约率过九成"
    raw = (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    bad = [line for line in raw[1:] if line.strip() and looks_mojibake(line)]
    assert len(bad) == 3  # GBK-read UTF-8, 锟斤拷, Latin-1 debris
    for line in bad:
        assert normalised(a, line) in a.removed
    assert not any(looks_mojibake(t) for t in texts(a))
    assert not {"锟", "ä", "æ", "\ufffd"} & set(a.text)


def test_mojibake_does_not_make_simplified_article_traditional():
    a = article_of("mojibake_scraped.txt")
    assert a.converted_from_traditional is False
    assert all(b.original == "" for b in a.blocks)


# --- script -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["script_partly_converted.txt", "script_pinyin_annotations.txt"])
def test_traditional_and_pinyin_become_plain_simplified(name: str):
    a = article_of(name)
    assert a.converted_from_traditional
    assert "加装电梯" in a.title
    assert not PINYIN.search(a.text)
    assert not PINYIN.search(a.title)
    assert not TRADITIONAL_CHARS & set(a.text)
    assert to_simplified(a.text) == a.text
    assert "党总支" in a.text


def test_traditional_html_keeps_original_wording():
    a = article_of("script_traditional_html.txt")
    assert a.converted_from_traditional
    assert a.original_title == "虹口區曲陽路街道老公房加裝電梯 居民圓了「電梯夢」"
    assert a.title.startswith("虹口区曲阳路街道老公房加装电梯") and a.title.endswith("居民圆了“电梯梦”")
    blocks = [b for b in a.blocks if b.kind != "img"]
    assert len(blocks) == 5
    for b in blocks:
        assert b.original and b.original != b.text
        assert to_simplified(b.original) == b.text
        assert not TRADITIONAL_CHARS & set(b.text)
    assert blocks[0].original.startswith("虹口區曲陽路街道玉田新村建於上世紀八十年代")
    assert blocks[0].text.startswith("虹口区曲阳路街道玉田新村建于上世纪八十年代")
    assert (blocks[2].kind, blocks[2].text, blocks[2].original) == ("h2", "党建引领凝聚共识", "黨建引領凝聚共識")
    assert blocks[4].text.endswith("居民们说：“电梯装好了，下楼买菜、看病都方便多了。”")


# --- punctuation and paragraphs -------------------------------------------------------------------


def test_ascii_punctuation_between_chinese_becomes_full_width():
    a = article_of("punctuation_ascii.txt")
    assert a.title == "静安区彭浦新村加梯：从“不同意”到“抢着签”"
    assert texts(a) == [
        "彭浦新村某楼道的加梯方案，前后改了三稿；每一稿都先贴在楼道里征求意见。",
        "三楼的李阿姨起初不同意，她问：“电梯井挡了我家的窗户怎么办？”设计师把井道外移了半米，她才点了头！",
        "如今楼里的老人都说“电梯一装，腿脚就轻松了”，楼组长笑称这是‘一梯到家’。",
        "这次加梯（含井道改造）的费用由居民按楼层分摊，政府补贴（最高二十八万元）已经到位。",
        "新装电梯额定载重1,000公斤，运行速度1.0米/秒，可容纳一副担架。",  # 1,000 and 1.0 stay ASCII
    ]
    assert not set('"「」『』') & set(a.text)


KAILU = [
    "开鲁新村共有多层住宅一百零六幢，符合加梯条件的楼道有二百余个。",
    "街道把加梯列为年度民心工程，由社区规划师上门为每个楼道出具初步方案。",
    "目前已有一百一十个楼道完成签约，加梯进度过半。",
]
TIPS = ["先摸底，弄清每户的意愿和顾虑。", "再公示，方案贴进楼道，人人看得见。", "后协商，费用分摊由全楼一起商量。"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("paragraphs_blank_lines.txt", KAILU),
        ("paragraphs_single_newlines.txt", KAILU),
        ("paragraphs_space_runs.txt", KAILU),
        (
            "paragraphs_bullets.txt",
            ["开鲁新村的楼组长总结了加梯的四个诀窍：", *TIPS, "常回访，电梯装好后定期听取意见。"],
        ),
        (
            "paragraphs_hard_wrapped.txt",
            [
                "开鲁新村共有多层住宅一百零六幢，符合加梯条件的楼道有二百余个，其中大部分楼道的老年居民占比超过四成，"
                "上下楼难成了居民最迫切的烦恼。",
                KAILU[1],
                KAILU[2],
            ],
        ),
        pytest.param(
            "paragraphs_inline_bullets.txt",
            ["开鲁新村的楼组长总结了加梯的三个诀窍。", *TIPS],
        ),
    ],
)
def test_paragraphs_are_split_and_rejoined(name: str, expected: list[str]):
    a = article_of(name)
    assert a.title.startswith("杨浦区殷行街道开鲁新村加梯")
    assert a.date == "2022-08-16"
    assert texts(a) == expected
    assert all(b.kind == "p" for b in a.blocks)


# --- titles ---------------------------------------------------------------------------------------

GUMEI = "闵行区古美西路某小区加梯：先算清一本明白账"
NANQIAO = "奉贤区南桥镇老公房加装电梯补贴标准公布"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("title_hexo_underscores.md", "喜获“新年大礼”，浦东新区潍坊新村首台加装电梯启用"),
        ("title_hexo_series.md", "宝山区通河新村“加梯专班”上门服务"),
        ("title_site_suffix_dash.txt", GUMEI),
        ("title_site_suffix_bar.txt", GUMEI),
        pytest.param(
            "title_site_suffix_underscore.txt",
            GUMEI,
        ),
        ("title_clickbait_bracket.txt", NANQIAO),
        ("title_clickbait_exclaim.txt", NANQIAO),
        ("title_clickbait_suffix.txt", NANQIAO),
        ("title_restated_body.txt", "长宁区天山新村加梯记：从“不同意”到“抢着签”"),
    ],
)
def test_title_is_repaired(name: str, title: str):
    a = article_of(name)
    assert a.title == title
    assert a.original_title != a.title
    assert "_" not in a.title
    assert a.title not in texts(a)  # a restated title is not left at the top of the body


def test_title_restated_over_two_bold_lines():
    a = article_of("title_restated_two_lines.txt")
    assert a.title.startswith("嘉定区菊园新区加装电梯经验谈")
    assert a.title.endswith("“一梯一策”，精准服务")
    assert {"嘉定区菊园新区加装电梯经验谈", "“一梯一策”，精准服务"} <= set(a.removed)
    assert texts(a)[0].startswith("菊园新区对每个申请加梯的楼道")
    assert not any(b.kind in ("h2", "h3") for b in a.blocks)


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("date_rfc2822.txt", "2022-01-19"),  # Tue, 18 Jan 2022 17:30 GMT is the 19th in Shanghai
        ("date_iso_offset.txt", "2022-01-01"),  # 2021-12-31T20:00-05:00 is 09:00 on 1 January in Shanghai
        ("date_yaml_date.txt", "2020-09-23"),
        ("date_head_chinese.txt", "2023-07-07"),
        ("date_head_labelled.txt", "2023-07-09"),
        ("date_head_slashes.txt", "2020-09-23"),
        ("date_no_year.txt", None),
        pytest.param(
            "date_no_year_url.txt",
            "2021-05-08",
        ),
        ("date_tail_guess.txt", None),
        ("date_tail_related.txt", None),
    ],
)
def test_date_is_read_never_guessed(name: str, date: str | None):
    a = article_of(name)
    assert a.date == date
    assert a.title == "松江区方松街道又一台加装电梯通过验收"
    assert texts(a)[0].startswith("松江区方松街道某小区加装电梯项目日前通过竣工验收")
    assert len(texts(a)) == 2
    assert not re.search(r"\d{1,2}:\d{2}|猜你喜欢|相关阅读", a.text)


# --- sources and credits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "publisher", "channel"),
    [
        ("source_label.txt", "金山时讯", None),
        ("source_label_spaces.txt", "金山时讯", None),
        ("source_label_after_chinese_date.txt", "金山时讯", None),  # 2022年10月11日 来源：金山时讯
        ("source_repost.txt", "金山时讯", None),
        ("source_agency_opening.txt", "金山新闻网", None),
        ("source_xinhua_dateline.txt", "新华社", None),
        ("source_aggregator_author.txt", "金山时讯", "趣头条"),
        ("source_title_aggregator.txt", None, "一点资讯"),
        pytest.param(
            "source_title_site.txt",
            "金山时讯网",
            None,
        ),
    ],
)
def test_source_becomes_publisher_or_channel(name: str, publisher: str | None, channel: str | None):
    a = article_of(name)
    assert (a.publisher, a.channel) == (publisher, channel)
    assert a.title == "金山区石化街道某小区加装电梯开工"
    assert not re.search("来源|转载|浏览", a.text)
    assert "该小区共有二十个楼道提出加梯意向" in a.text


@pytest.mark.parametrize(
    ("name", "credits"),
    [
        ("credits_end_lines.txt", "记者 王一帆|通讯员 沈佳怡|摄影 周子健|编辑 陆晓雯|校对 钱鸣|责编 黄蕾"),
        ("credits_trailing_paren.txt", "通讯员 沈佳怡"),
        ("credits_trailing_pair.txt", "记者 王一帆|通讯员 沈佳怡"),
    ],
)
def test_credits_are_kept_out_of_text(name: str, credits: str):
    a = article_of(name)
    assert [f"{c.role} {c.names}" for c in a.credits] == credits.split("|")
    assert len(texts(a)) == 2
    assert texts(a)[-1].endswith("每天下午五点前完成当天的作业并清理场地。")
    for credit in credits.split("|"):
        role, names = credit.split()
        assert role not in a.text and names not in a.text


# --- boilerplate ----------------------------------------------------------------------------------


# Lines a page wraps around an article, "|"-separated as they stand in each fixture; then fragments that must stay.
CHROME = (
    "您的位置：首页 > 社区新闻 > 正文|分享至：微信 微博 QQ空间|字号：大 中 小|收藏|资料图"
    "|图说：施工人员正在吊装电梯井道钢结构。|{{ article.editor }}|<#if article.video??>"
    '|{% include "ad_banner.html" %}|关键词：加装电梯，老公房，五里桥|免责声明：本文仅代表作者观点，不代表本站立场。'
    "|欢迎关注我们的微信公众号，获取更多社区资讯。|*转载请注明来自南外滩社区报|返回顶部"
)
WECHAT = "点击上方蓝字关注我们|———————————|本文来源：田林社区|长按识别二维码关注|阅读原文|在看"
FOOTER = (
    "地址：上海市崇明区城桥镇八一路88号|电话：021-59612345|邮箱：news@yingzhou.example.cn|沪ICP备12345678号-2"
    "|Copyright © 2008-2023 瀛洲社区网 All Rights Reserved"
)
CAPTIONS = "浦东新区洋泾街道某小区加装电梯实现“一次签约” - 东方社区网|（资料图片）|图说：新装的电梯井道与楼道平层入户。"


@pytest.mark.parametrize(
    ("name", "lines", "kept"),
    [
        (
            "boilerplate_portal_chrome.txt",
            CHROME,
            "五里桥街道某小区建于|日前全部竣工。",
        ),
        ("boilerplate_wechat.txt", WECHAT, "田林十二村是田林街道加梯需求最集中的小区|听取每户居民的意见。"),
        ("boilerplate_footer.txt", FOOTER, "城桥镇某小区首台加装电梯近日正式启用|三年没有下过楼了。"),
        (
            "boilerplate_captions.txt",
            CAPTIONS,
            "洋泾街道某小区三号楼|签字就顺了。|春节前投入使用。",
        ),
    ],
)
def test_boilerplate_lines_are_removed(name: str, lines: str, kept: str):
    a = article_of(name)
    for line in lines.split("|"):
        clean = normalised(a, line)
        assert clean in a.removed, clean
        assert clean not in a.text
        assert not any(clean in t for t in texts(a))
    for fragment in kept.split("|"):
        assert fragment in a.text
    assert not re.search(r"[<>{}]|article|ICP|©|东方社区网|瀛洲社区网|关注|转载|分享|您的位置", a.text)


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("boilerplate_tail_guess_you_like.txt", "猜你喜欢"),
        ("boilerplate_tail_related.txt", "相关阅读："),
        ("boilerplate_tail_recommended.txt", "推荐阅读"),
        ("boilerplate_tail_hot.txt", "热读"),
        ("boilerplate_tail_prev_next.txt", "上一篇：嘉定区加梯补贴申请指南"),
        ("boilerplate_tail_category.txt", "社区分类资讯推荐"),
        ("boilerplate_tail_copyright.txt", "© 2023 瀛洲社区网"),
        ("boilerplate_tail_rights.txt", "瀛洲社区网版权所有，未经授权不得转载"),
    ],
)
def test_boilerplate_tail_is_cut(name: str, heading: str):
    a = article_of(name)
    raw = (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    tail = raw[raw.index(heading) :]
    assert [t for t in tail if t] == list(a.removed[-3:])
    assert texts(a) == [
        "城桥镇某小区首台加装电梯近日正式启用，这也是崇明区城桥镇今年完成的第五台加装电梯。",
        "楼里八十五岁的施老伯第一个乘上了电梯，他说自己已经三年没有下过楼了。",
    ]
    assert not re.search("嘉定|宝山|瀛洲|返回", a.text)


@pytest.mark.parametrize(
    ("name", "label"), [("boilerplate_wechat.txt", "导语："), ("boilerplate_lead_label.txt", "导语")]
)
def test_lead_repeated_under_label_appears_once(name: str, label: str):
    a = article_of(name)
    lead = "田林街道总结出“一楼一档、一梯一策”的加梯工作法，今年已有三十台电梯开工。"
    assert texts(a)[0] == lead
    assert a.text.count(lead) == 1
    assert label in a.removed
    assert "导语" not in a.text


# --- images ---------------------------------------------------------------------------------------

IMAGES = ["http://img.example.cn/a.jpg", "https://img.example.cn/b.png", "https://img.example.cn/c.jpg"]


def test_html_images_unwrapped_lazy_and_decorative_dropped():
    a = article_of("images_html.txt")
    images = [b.image for b in a.blocks if b.kind == "img"]
    assert [i.src for i in images] == IMAGES
    assert [(i.width, i.height) for i in images] == [(1080, 720), (None, None), (900, 1200)]
    assert [i.alt for i in images] == ["吊装现场", "焊接", "电梯井道"]
    assert [b.kind for b in a.blocks] == ["p", "img", "p", "img", "img", "p"]


@pytest.mark.parametrize(
    "name",
    [
        "images_markdown.md",
        pytest.param(
            "images_markdown_inline_html.md",
        ),
    ],
)
def test_markdown_images(name: str):
    a = article_of(name)
    images = [b.image for b in a.blocks if b.kind == "img"]
    assert [i.src for i in images] == IMAGES
    assert (images[2].width, images[2].height) == (900, 1200)
    assert images[0].alt == "吊装现场"
    assert "![" not in a.text and "](" not in a.text
    assert len(texts(a)) == 3


# --- structure and sanitising ---------------------------------------------------------------------


def test_bold_lines_in_html_become_headings():
    a = article_of("structure_bold_html.txt")
    # The partly bold paragraph ('…让居民<strong>看得懂、算得清</strong>。') stays a paragraph.
    assert [b.kind for b in a.blocks] == "p h2 h3 p h2 p h2 p".split()
    headings = [b.text for b in a.blocks if b.kind != "p"]
    assert headings == ["第一步：摸清底数", "建立一楼一档", "第二步：搭建平台", "第三步：跟踪服务"]


def test_short_plain_lines_between_paragraphs_become_headings():
    a = article_of("structure_plain_headings.txt")
    assert [b.kind for b in a.blocks] == "p h2 p h2 p p".split()  # the short last line is not a heading
    assert [b.text for b in a.blocks if b.kind == "h2"] == ["摸清底数", "搭建平台"]
    assert a.blocks[-1].text == "目前还有五个楼道正在征询"


UNSAFE = re.compile(
    r"alert|javascript|document|cookie|evil\.example|on(click|error|load|mouseover)|style|color:|display|refresh"
    r"|请升级浏览器|请输入手机号|立即报名|请开启|[<>]",
    re.I,
)


@pytest.mark.parametrize(
    "name",
    [
        "sanitise_html.txt",
        "sanitise_markdown.md",
        pytest.param(
            "sanitise_markdown_links.md",
        ),
    ],
)
def test_unsafe_markup_never_survives(name: str):
    source = source_of(name)
    if name.endswith(".md"):
        assert source.form == "frontmatter-markdown"
    a = article_of(name)
    for b in a.blocks:
        assert not UNSAFE.search(b.text), b.text
        assert not UNSAFE.search(b.original)
        if b.image:
            assert b.image.src.startswith("https://img.example.cn/"), b.image.src
    assert texts(a)[0].startswith("新华路街道某小区召开加装电梯居民议事会")
    assert any("一致同意按楼层系数分摊费用" in t for t in texts(a))
