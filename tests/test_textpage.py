"""Finding the article inside copied page text: each feature of the headline and the article's ends on
its own small page (textpage.locate, through normalise as the build runs it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from liftcases.ingest import read_article
from liftcases.normalise import normalise
from liftcases.textpage import chrome_kind, is_meta

from .conftest import DATA, TZ

LEAD = "虹口区嘉兴路街道某小区的两台加装电梯近日正式开工，居民区党总支书记介绍，前后协调了大半年。"
BODY = "为了让一楼居民放心，居委会请设计师上门，一户一户讲解方案，还召开了三次听证会。"
LAST = "街道表示，今年还将推动十台加装电梯签约，让更多老人告别爬楼之苦。"


def read(text: str):
    source, problems = read_article(Path("page.txt"), "page.txt", text.encode("utf-8"))
    assert source is not None, problems
    article, found = normalise(source, DATA.boilerplate, TZ)
    return article, found


def body_of(article) -> list[str]:
    return [b.text for b in article.blocks if b.kind != "img"]


def page(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_menu_breadcrumb_and_symbols_above_the_headline_are_cut():
    article, _ = read(
        page("首页 | 新闻 | 上海 | 区县 | 视频", "您现在的位置：首页 > 区县新闻 > 正文", "|",
             "嘉兴路街道两台加装电梯开工", "2023-05-14 10:20 来源：某某区融媒体", LEAD, BODY, LAST)
    )  # fmt: skip
    assert article.title == "嘉兴路街道两台加装电梯开工"
    assert article.date == "2023-05-14"
    assert article.publisher == "某某区融媒体"
    assert body_of(article) == [LEAD, BODY, LAST]
    assert "您现在的位置：首页 > 区县新闻 > 正文" in article.cut_above
    assert article.title_why.startswith("第 4 行")


def test_account_name_and_buttons_before_the_headline_are_not_the_title():
    article, _ = read(page("某某发布", "服务粉丝", "查看原文", "嘉兴路街道两台加装电梯开工", LEAD, BODY, LAST))
    assert article.title == "嘉兴路街道两台加装电梯开工"
    assert body_of(article)[0] == LEAD


def test_a_row_of_headlines_is_not_the_title():
    article, _ = read(
        page("喜 加梯开工了 乐 公园步道打造休闲处 你看超级月亮 餐具何时摆上餐桌", "第6版：上海新闻 2020-04-08",
             "嘉兴路街道两台加装电梯开工", LEAD, BODY, LAST)
    )  # fmt: skip
    assert article.title == "嘉兴路街道两台加装电梯开工"
    assert article.date == "2020-04-08"  # a printed page's 版次 line above the headline


def test_a_page_today_line_is_not_the_date():
    article, _ = read(page("2025年05月21日 星期三", "嘉兴路街道两台加装电梯开工", LEAD, BODY, LAST))
    assert article.date is None


def test_byline_between_headline_and_dateline_is_skipped():
    article, _ = read(page("嘉兴路街道两台加装电梯开工", "时讯", "某某新闻记者 张三", "2018-12-18 13:34", LEAD, BODY))
    assert article.title == "嘉兴路街道两台加装电梯开工"
    assert article.date == "2018-12-18"
    assert article.publisher == "某某新闻"


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("嘉兴路街道两台加装电梯开工 2023-12-29", "嘉兴路街道两台加装电梯开工"),  # a date after the headline
        ("嘉兴路街道两台加装电梯开工 全球今日报", "嘉兴路街道两台加装电梯开工"),  # a site's name after a space
        ("嘉兴路街道两台加装电梯开工-某某头条", "嘉兴路街道两台加装电梯开工"),  # after a bare hyphen
        ("某某快资讯：嘉兴路街道两台加装电梯开工！", "嘉兴路街道两台加装电梯开工！"),  # a site's label before a colon
        ("培育践行主流价值|嘉兴路街道两台加装电梯开工", "嘉兴路街道两台加装电梯开工"),  # a column before a bar
    ],
)
def test_headline_loses_what_the_page_glued_to_it(line: str, title: str):
    article, _ = read(page(line, LEAD, BODY, LAST))
    assert article.title == title


def test_a_page_without_a_headline_gets_its_first_sentence_and_a_warning():
    article, problems = read(page("本篇文章1698字，读完约4分钟", LEAD, BODY, LAST))
    assert article.title == "虹口区嘉兴路街道某小区的两台加装电梯近日正式开工"
    assert body_of(article) == [LEAD, BODY, LAST]  # the first sentence stays in the body
    assert any("没有标题" in p.message for p in problems)
    assert "本篇文章1698字，读完约4分钟" in article.cut_above


def test_notices_related_lists_and_controls_after_the_end_are_cut():
    article, _ = read(
        page("嘉兴路街道两台加装电梯开工", LEAD, BODY, LAST, "分享到：",
             "特别声明：以上内容为自媒体平台用户上传并发布，本平台仅提供信息存储服务。",
             "Notice: The content above is uploaded and posted by a user.", "普陀区某小区加装电梯竣工",
             "徐汇区加梯签约创新高", "长宁区加装电梯交付使用", "地址：某某路1号 电话：021-12345678")
    )  # fmt: skip
    assert body_of(article) == [LEAD, BODY, LAST]
    assert "徐汇区加梯签约创新高" in article.cut_below


def test_a_closing_line_without_punctuation_stays():
    article, _ = read(page("嘉兴路街道两台加装电梯开工", LEAD, BODY, "目前还有五个楼道正在征询"))
    assert body_of(article)[-1] == "目前还有五个楼道正在征询"


def test_a_closing_credit_ends_the_article():
    article, _ = read(
        page("嘉兴路街道两台加装电梯开工", LEAD, BODY, LAST + "（记者 张三）",
             "请说明您的需求、用途、公司、联系人，以便快速帮您对接资源")
    )  # fmt: skip
    assert body_of(article)[-1] == LAST
    assert [c.names for c in article.credits] == ["张三"]


def test_markup_shown_as_text_never_reaches_the_body():
    article, _ = read(
        page('<%@ include file="/inc/head.jsp" %>', "嘉兴路街道两台加装电梯开工", "• <bdo id=\"00ikk\"></bdo>",
             LEAD, '<tt id="yyyyy"><table id="x"></table></tt>', BODY, LAST)
    )  # fmt: skip
    assert article.title == "嘉兴路街道两台加装电梯开工"
    assert body_of(article) == [LEAD, BODY, LAST]


def test_an_epaper_index_line_gives_the_date():
    article, _ = read(
        page("某某日报 数字报纸", "00001版：一版要闻", "嘉兴路街道两台加装电梯开工", LEAD, BODY, LAST,
             "某某日报 一版要闻 00001 嘉兴路街道两台加装电梯开工 2023-12-14 26461572")
    )  # fmt: skip
    assert article.date == "2023-12-14"
    assert article.publisher == "某某日报"


@pytest.mark.parametrize(
    "line",
    [
        "来源：某某网 作者： 2022-01-19 09:08:38",
        "某某发布 某某发布 2023-05-14",
        "发布时间：2021-07-06 10:31:00 来源：区融媒体中心 浏览次数：1203",
        "2023年05月14日 10:20 来源：新民晚报",
        "时间：2020-10-22 作者：通讯员 王某 编辑：李某",
        "2021/12/10 13:39:27",
        "发布时间：2022-08-09 来源：某区融媒体中心 发布单位：某某工业区",
    ],
)
def test_dateline_shapes_are_metadata(line: str):
    assert is_meta(line)
    article, _ = read(page("嘉兴路街道两台加装电梯开工", line, LEAD, BODY))
    assert article.date and body_of(article)[0] == LEAD


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("首页新闻上海区县视频专题", "页面控件"),
        ("人民网>>上海频道>>区县新闻", "面包屑"),
        ("（资料图片仅供参考）", "括注"),
        ("•", "符号"),
        ("某某在线", "网站名"),
        ("看看新闻记者 孙某", "署名"),
    ],
)
def test_chrome_kinds(line: str, kind: str):
    assert chrome_kind(line, line, DATA.boilerplate) == kind


def test_a_headline_line_is_not_joined_to_the_paragraph_under_it():
    article, _ = read("上海加装电梯：住户共识怎么谈、决策流程怎么走\n" + LEAD + BODY + "\n")
    assert article.title == "上海加装电梯：住户共识怎么谈、决策流程怎么走"


def test_lists_in_copied_text_do_not_make_it_markdown():
    article, _ = read(page("嘉兴路街道两台加装电梯开工", LEAD, "- 第一步", "- 第二步", "1. 其一", BODY, LAST))
    assert article.source.form == "scraped-text"
    assert article.title == "嘉兴路街道两台加装电梯开工"


def test_prose_above_the_dateline_is_a_site_blurb_not_the_story():
    article, _ = read(
        page("某某街道门户网站，发布街道工作动态、社区活动和便民服务信息。", "嘉兴路街道两台加装电梯开工",
             "2023-05-14 10:20 来源：某某区融媒体", LEAD, BODY, LAST)
    )  # fmt: skip
    assert article.title == "嘉兴路街道两台加装电梯开工"
    assert body_of(article) == [LEAD, BODY, LAST]


def test_subtitle_editors_note_and_byline_stand_between_headline_and_dateline():
    article, _ = read(
        page("新民网 > 社会 > 社区", "从争吵到一致举手", "——嘉兴路街道一个门栋的加梯记",
             "编者按：加装电梯是老旧小区居民的心头事，本报今起推出系列报道，今天刊发第一篇。",
             "新民晚报记者 方可", "2023年9月5日 07:12", LEAD, BODY, LAST)
    )  # fmt: skip
    assert article.title == "从争吵到一致举手"
    assert article.date == "2023-09-05"
    assert body_of(article) == [LEAD, BODY, LAST]


@pytest.mark.parametrize(
    "line",
    [
        "【纠错】　【责任编辑：孙悦】",
        "【嘉兴路街道两台加装电梯开工】https://news.example.cn/detail?id=612345 复制链接分享给好友",
        "https://news.example.cn/detail?id=612345",
        "打开某某互动APP，体验更流畅",
        "展开全文",
        "您的浏览器不支持视频播放，请升级浏览器",
        "题图来源：受访者供图",
        "图为加梯地图局部。",
        "本文系某某网原创，转载请注明出处",
    ],
)
def test_controls_prompts_and_captions_inside_the_story_are_dropped(line: str):
    article, _ = read(page("嘉兴路街道两台加装电梯开工", "2023-05-14 来源：某某网", LEAD, line, BODY, LAST))
    assert body_of(article) == [LEAD, BODY, LAST]


def test_an_epaper_page_line_is_metadata():
    assert is_meta("松江报 第A03版：社区新闻 2023年07月25日")


def test_an_epaper_issue_date_with_its_weekday_is_the_date():
    article, _ = read(
        page("某某报 电子版", "2023年07月25日 星期二", "第A03版：社区新闻", "上一版 下一版", "第A01版：要闻",
             "嘉兴路街道两台加装电梯开工", "本报讯（记者 钱某）" + LEAD, BODY, LAST)
    )  # fmt: skip
    assert article.title == "嘉兴路街道两台加装电梯开工"
    assert article.date == "2023-07-25"
