"""The text of a web page: find the article inside it — its headline, its dateline, its first and last line.

A reader who copies a page gets the site's chrome with the story: account names, menus, breadcrumbs and
app prompts above the headline; share bars, related lists, disclaimers and contact blocks after the end.
Each line gets named features (its shape, its punctuation, its words, what stands near it); the headline is
chosen among scored candidates and the reasons are kept for the review page (STYLE.md, habit 12). Nothing
here knows a particular site: the vocabulary of page chrome is data (boilerplate.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .datafiles import Boilerplate
from .dates import find_date, find_partial_date, has_date
from .titles import SITE_NAME
from .zh_text import CJK, cjk_count, compact, to_simplified

# 来源：X at a line start or after a date (spaces between Chinese are gone by now); not 资金来源：.
SOURCE_LABEL = re.compile(
    r"(?:^|(?<=[\s\d日|｜]))(?:本文|文章|信息|新闻)?来源\s*[：:]\s*([^\s，。|｜:：]{2,20}?)"
    r"(?=\s|[，。|｜]|发布|时间|日期|作者|编辑|浏览|[^\s：:]{2,4}[：:]|$)"
)
_META_NOISE = re.compile(
    r"(?:19|20)\d{2}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?|\d{1,2}月\d{1,2}日|\d{1,2}-\d{1,2}(?=\s)|"
    r"\d{1,2}:\d{2}(?::\d{2})?|第\s*[A-Z]?\d+\s*版|星期.|周.|原创|发表于\S{0,3}|发布时间|发布日期|发表时间|更新时间|时间|日期|作者|编辑|浏览|阅读|点击|"
    r"次数|查看|字号|[大中小](?=\s|$)|[：:|｜\d\s]"
)
HEAD_META_MAX = 90
HEAD_META_WORDS = 8  # a category (社会, 国际) or an author's name may remain
DATED_LINE_WORDS = 20
_PAGE_NO = re.compile(r"第\s*[A-Z]?\d+\s*版")
_DATE_FIRST = re.compile(r"^\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_SENTENCE_MARK = re.compile(r"[，。！？；]")
_NOTE = re.compile(r"^(编者按|编者的话|编后|按语)[：:]")
_ASIDE = re.compile(
    r"^[（(【\[][^（()）【】\[\]]{1,20}[）)】\]]$"
)  # （资料图）, 【图片】: a label, not a line of the story
_LABEL = re.compile(rf"[{CJK}]{{2,5}}\s*[：:]")
_ROLES = "记者|通讯员|作者|编辑|责编|责任编辑|选稿|撰稿|审核|校对|摄影|摄像|文|图"
# 某某新闻记者 张三, 选稿：李四, 新民晚报“上海时刻”出品: who made it, not what it says.
_BYLINE = re.compile(
    rf"^(?P<org>\S{{0,12}}?)(?:{_ROLES})\s*[：:/｜|]?\s*\S{{2,4}}(?:\s+\S{{2,4}}){{0,3}}$|^(?P<maker>\S{{2,16}}(?:出品|制作|供稿|供图))$"
)
_FULL_STOP = re.compile(r"。(?!$)|。$")
_CRUMB = re.compile(r"(?:>|›|»|＞|→)")
_MENU_SPLIT = re.compile(r"[\s|｜丨/·•]+")
_MARKUP = re.compile(r"<[%@!/]?[a-zA-Z%@][^>]*>|<%|%>|\{\{|\}\}|\{%|%\}")
_TEASER = re.compile(r"(?:\.{3}|[^…]…|>)\s*$")
_DIGIT = re.compile(r"\d")
_BIGRAM = re.compile(f"(?=([{CJK}]{{2}}))")
_TRAILING_DATE = re.compile(r"\s+((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)\s*$")
_END_ROLES = re.compile(
    r"[（(][^（()）]{0,20}(?:记者|通讯员|编辑|责编|校对|审核|监制|编审)[^（()）]{0,30}[）)]\s*$"
    r"|^(?:责任编辑|责编|编辑|审核|校对|监制|编审|作者|记者|通讯员|摄影|摄像)\s*[：:|｜]"
)
TITLE_MIN_CJK = 5
TITLE_MAX = 64
HEAD_WINDOW = 30  # the headline stands among the first lines, before the story's prose
HEADLINE_MIN_SCORE = 2.0
BODY_REACH = 3000  # characters of the story a headline is compared with
PROSE_MIN_CJK = 20
HEADLINE_USUAL_CJK = 10  # most headlines have at least this many characters
LABEL_MAX_CJK = 8  # up to this a line is more often a column, a kicker (地名) or a sub-heading
SITE_NAME_MAX_CJK = 12
MIN_OVERLAP = 0.1
CLOSING_LINES = 2
SPACED_ITEMS = 4  # a line of this many space-separated items is a row of headlines or links


@dataclass(frozen=True)
class Frame:
    """Where the article stands in a page's lines."""

    title: int | None  # index of the headline line, None when the page shows none
    title_text: str  # the headline, with a trailing date or site name taken off
    why: str  # why that line (or why none), for the review page
    start: int  # first line of the article
    end: int  # one past its last line
    date: str | None
    partial_date: tuple[int, int] | None
    publishers: tuple[str, ...]  # names a dateline or byline gave (来源：X, a repeated account name), best first
    sites: tuple[str, ...]  # sites' names above the headline: the publisher only when nothing else says
    dropped: tuple[int, ...]  # datelines and controls inside the article's span, left out of the body


def _bigrams(text: str) -> set[str]:
    return set(_BIGRAM.findall(text))


def is_meta(text: str) -> bool:
    """A line of metadata, not a sentence: little Chinese is left once the date, time, labels,
    the source's name, a repeated account name and numbers are taken out; or several labelled
    fields (发布时间：… 来源：… 栏目：…) with no sentence punctuation."""
    if len(text) > HEAD_META_MAX or not (has_date(text) or find_partial_date(text) or SOURCE_LABEL.search(text)):
        return False
    words = text.split()
    deduped = " ".join(dict.fromkeys(words)) if len(words) > 1 else text
    rest = _META_NOISE.sub("", SOURCE_LABEL.sub("", deduped))
    labelled = len(_LABEL.findall(text)) >= 2 and not re.search("[，。！？]", text)
    # A line that opens with a full date and says no sentence (2022-12-05 09:41 · 江苏 某某官方账号).
    dated = bool(_DATE_FIRST.match(text)) and cjk_count(rest) <= DATED_LINE_WORDS and not re.search("[，。！？]", text)
    return cjk_count(rest) <= HEAD_META_WORDS or labelled or dated


def is_paragraph(text: str) -> bool:
    """Too long or too finished to be a headline: a full stop, or more Chinese than any headline has."""
    return "。" in text or cjk_count(text) > TITLE_MAX


def is_prose(text: str, bp: Boilerplate) -> bool:
    """A sentence of the story: enough Chinese, sentence punctuation, no teaser ellipsis, not a notice."""
    cjk = cjk_count(text)
    if cjk < 8 or _TEASER.search(text) or is_notice(text, bp):
        return False
    return bool(text.endswith(("。", "！", "？", "”"))) or (cjk >= PROSE_MIN_CJK and bool(_SENTENCE_MARK.search(text)))


def is_notice(text: str, bp: Boilerplate) -> bool:
    """A site's notice (copyright, disclaimer, reposting terms): prose-shaped, but never the story."""
    return any(word in text for word in bp.notice_words)


def chrome_kind(raw: str, text: str, bp: Boilerplate) -> str | None:
    """What kind of page chrome a line is, or None. ``raw`` keeps the page's spacing, ``text`` is clean."""
    cjk = cjk_count(text)
    if _MARKUP.search(raw):
        return "网页代码"
    if is_meta(text):
        return "日期来源"
    if cjk == 0 and not re.search(r"[A-Za-z]{4}", text):
        return "符号"
    if _CRUMB.search(text) and (text.count(">") + text.count("›") + text.count("»") >= 2 or cjk <= 20):
        return "面包屑"
    tokens = [t for t in _MENU_SPLIT.split(raw.strip()) if t]
    if len(tokens) >= 3 and not _SENTENCE_MARK.search(text) and sum(map(cjk_count, tokens)) / len(tokens) <= 4:
        return "菜单"
    chrome = sum(len(w) for w in bp.chrome_words if w in text)
    if chrome and chrome >= 0.5 * max(1, cjk):
        return "页面控件"
    if _BYLINE.match(raw.strip()) and cjk <= 20 and not _SENTENCE_MARK.search(text):
        return "署名"
    if _ASIDE.match(text):
        return "括注"
    if text.startswith(("——", "—", "--")) and cjk <= TITLE_MAX:
        return "副题"  # ——记某某小区: a subtitle under the headline
    if _NOTE.match(text):
        return "按语"  # 编者按：… stands between the headline and the story
    if SITE_NAME.search(text) and cjk <= SITE_NAME_MAX_CJK and not _SENTENCE_MARK.search(text):
        return "网站名"
    if cjk <= 4 and len(text) <= 10:
        return "按钮"
    return None


def _headline_text(raw: str, text: str) -> tuple[str, str | None]:
    """(the headline, a date written after it): ``标题 2023-12-29`` loses its date; in ``标题 某某网`` the
    site's name, set off by a space the clean text no longer has, is set off as ``标题 - 某某网``."""
    m = _TRAILING_DATE.search(raw)
    if m:
        cut = text.rfind(m.group(1).split()[0])
        return (text[:cut].strip() if cut > 0 else text), find_date(m.group(1))
    head, _, tail = to_simplified(raw.strip()).rpartition(" ")
    tail = tail.strip()
    if head and SITE_NAME.search(tail) and cjk_count(tail) <= LABEL_MAX_CJK and text.endswith(tail):
        main = text[: -len(tail)].rstrip(" -_|｜—")
        return (f"{main} - {tail}" if cjk_count(main) >= TITLE_MIN_CJK else text), None
    return text, None


def _next(kinds: list[str | None], i: int, step: int) -> int | None:
    """The nearest line in direction ``step`` that is a dateline or no chrome at all."""
    j = i + step
    while 0 <= j < len(kinds) and kinds[j] not in (None, "日期来源"):
        j += step
    return j if 0 <= j < len(kinds) else None


def _candidate(i: int, texts: list[str], raws: list[str], kinds: list[str | None]) -> bool:
    """Shaped like a headline: no chrome (a subtitle ——记某某 is chrome too), enough Chinese, not a
    paragraph, not a row of spaced items."""
    text = texts[i]
    return (
        kinds[i] is None
        and cjk_count(text) >= TITLE_MIN_CJK
        and len(text) <= TITLE_MAX
        and not _FULL_STOP.search(text)
        and len(raws[i].split()) < SPACED_ITEMS
    )


def _score(i: int, texts: list[str], kinds: list[str | None], story: str, first: bool) -> tuple[float, str]:
    """How much candidate line ``i`` looks like the headline, and the named features that say so."""
    text = texts[i]
    cjk = cjk_count(text)
    words = _bigrams(text)
    overlap = len(words & _bigrams(story)) / max(1, len(words))
    score = 3 * overlap
    why = [f"与正文重合 {overlap:.0%}"]
    after = _next(kinds, i, 1)
    key = compact(text)
    repeated = sum(compact(t) == key for t in texts[: HEAD_WINDOW + 10]) > 1 or f"【{text}" in story
    if overlap < MIN_OVERLAP and not repeated and (after is None or kinds[after] != "日期来源"):
        return 0.0, ""  # a headline shares words with its story; a slogan, a notice or a blurb does not
    if after is not None and kinds[after] == "日期来源":
        score += 3
        why.append("下一行是日期或来源")
    before = _next(kinds, i, -1)
    if before is not None and kinds[before] == "日期来源" and "星期" not in texts[before]:
        score += 0.5
        why.append("上一行是日期或来源")
    if after is not None and kinds[after] is None and is_paragraph(texts[after]):
        score += 1
        why.append("下面紧接正文")
    if first:
        score += 1
        why.append("页面上第一个像标题的行")
    if cjk >= HEADLINE_USUAL_CJK:
        score += 1
        why.append("标题的长度")
    elif cjk <= LABEL_MAX_CJK:
        score -= 1
        why.append("太短，像栏目或地名")
    if repeated:
        score += 1
        why.append("在页面上重复出现")
    return score, "，".join(why)


def _headline(texts: list[str], raws: list[str], kinds: list[str | None], first_prose: int) -> tuple[int, str]:
    """(index of the headline or -1, why): the best-scoring candidate above the story's first paragraph."""
    story = "".join(texts[first_prose:])[:BODY_REACH]
    candidates = [i for i in range(min(first_prose, HEAD_WINDOW)) if _candidate(i, texts, raws, kinds)]
    best: tuple[float, int, str] = (0.0, -1, "")
    for i in candidates:
        score, why = _score(i, texts, kinds, story, first=i == candidates[0])
        if score > best[0]:
            best = (score, i, why)
    score, title, why = best
    if first_prose == len(texts) and candidates and score < HEADLINE_MIN_SCORE:
        return candidates[0], "页面上没有成段的正文：取第一个像标题的行"
    if score < HEADLINE_MIN_SCORE:
        return -1, "页面上没有像标题的一行：标题取自正文第一句"
    return title, f"第 {title + 1} 行：{why}"


def _datelines(texts: list[str], raws: list[str], kinds: list[str | None], title: int, window: int) -> list[int]:
    """Where the dateline may stand: right under the headline, else just above it (a printed page's 版次
    line, never the page's "today" with its 星期), else a line that repeats the headline with a date (an
    e-paper's index)."""
    if title < 0:
        return [j for j in range(window) if kinds[j] == "日期来源"]
    near = list(range(title + 1, min(len(texts), title + 5)))
    near += [j for j in (title - 1, title - 2) if j >= 0 and "星期" not in texts[j]]
    near = [j for j in near if kinds[j] == "日期来源"]
    key = texts[title]
    near += [j for j, t in enumerate(texts) if j != title and key in t and has_date(t) and len(t) < HEAD_META_MAX]
    if not any(has_date(texts[j]) for j in near) and any(_PAGE_NO.search(t) for t in texts[:title]):
        # A printed paper's page (第A03版) shows its issue date with the weekday at the top: that is the date.
        near += [j for j in range(title) if kinds[j] == "日期来源" and has_date(texts[j])][:1]
    return near


def _names(raws: list[str], texts: list[str], kinds: list[str | None], title: int, lines: list[int]) -> list[str]:
    """Who published it, best first: a dateline's 来源, an account name the dateline repeats or that stands
    alone near the headline (WeChat's 原创 作者 账号 日期), a byline's organisation (某某新闻记者 张三)."""
    names: list[str] = []
    alone = {texts[j] for j in range(max(0, title - 3), min(len(texts), title + 4)) if j != title}
    for j in lines:
        label = SOURCE_LABEL.search(texts[j])
        names += [label.group(1)] if label else []
        words = to_simplified(raws[j]).split()
        others = alone - {texts[j]}
        names += [
            w
            for w in dict.fromkeys(words)
            if cjk_count(w) >= 2 and not _DIGIT.search(w) and (words.count(w) > 1 or w in others)
        ]
    for j in range(max(0, title - 3), min(len(texts), title + 5)) if title >= 0 else ():
        m = _BYLINE.match(raws[j].strip()) if kinds[j] == "署名" else None
        if m and m.group("org") and cjk_count(m.group("org")) >= 2:
            names.append(texts[j][: texts[j].find(m.group("org")[-2:]) + 2])
        elif m and m.group("maker"):
            names.append(re.split("[“”‘’「」]", texts[j])[0])  # 新民晚报“上海时刻”出品: the paper
    return names


def locate(texts: list[str], raws: list[str], bp: Boilerplate) -> Frame:
    """Find the article in a page's lines (``texts`` clean and Simplified, ``raws`` as the page spaced them)."""
    if not texts:
        return Frame(None, "", "页面上没有文字", 0, 0, None, None, (), (), ())
    kinds, prose = _features(texts, raws, bp)
    paragraphs = [i for i, p in enumerate(prose) if p and is_paragraph(texts[i])]
    first_prose = paragraphs[0] if paragraphs else len(texts)
    if len(paragraphs) > 1 and any(kinds[j] == "日期来源" for j in range(first_prose + 1, paragraphs[1])):
        first_prose = paragraphs[1]  # prose above a dateline is the site's blurb: the story starts below it
    title, why = _headline(texts, raws, kinds, first_prose)
    title_text, date = _headline_text(raws[title], texts[title]) if title >= 0 else ("", None)
    lines = _datelines(texts, raws, kinds, title, min(first_prose, HEAD_WINDOW))
    date = date or next((d for d in map(find_date, (texts[j] for j in lines)) if d), None)
    partial = next((p for j in lines if not has_date(texts[j]) and (p := find_partial_date(texts[j]))), None)
    sites = []
    for j in range(max(0, title - 3), max(0, title)):
        # A site's name above the headline (人民网, 某某日报 数字报纸): the publisher when nothing better says.
        words = to_simplified(raws[j]).split()
        sites += [
            w for w in words if SITE_NAME.search(w) and len(w) >= 3 and cjk_count(w) == len(w) <= SITE_NAME_MAX_CJK
        ]
    start = title + 1 if title >= 0 else min(first_prose, len(texts) - 1)
    # Datelines and controls between the headline and the story's first sentence (分享至, 小字号, a count).
    dropped = [j for j in lines if title < j <= title + 4]
    dropped += [j for j in range(start, max(start, first_prose)) if kinds[j] not in (None, "日期来源")]
    end, inside = _end(texts, kinds, prose, start, bp)
    return Frame(
        title if title >= 0 else None,
        title_text,
        why,
        start,
        end,
        date,
        partial,
        tuple(_names(raws, texts, kinds, title, lines)),
        tuple(sites),
        tuple(sorted(set(dropped + inside))),
    )


def _end(
    texts: list[str], kinds: list[str | None], prose: list[bool], start: int, bp: Boilerplate
) -> tuple[int, list[int]]:
    """(one past the article's last line, chrome lines inside it to leave out): the article ends at its
    last line of prose, or at a closing credit (（记者 某某）, 责任编辑：) and the credit lines after it; what
    stands between the last prose and a closing credit (返回首页，查看更多) is chrome. After that, the footer."""
    last = max((i for i in range(start, len(texts)) if prose[i]), default=None)
    if last is None:
        return len(texts), []
    seen_prose = 0
    for i in range(start + 1, len(texts)):
        if any(r.pattern.search(texts[i]) for r in bp.cut_tail):
            return i, []
        seen_prose += prose[i - 1]
        if _END_ROLES.search(texts[i]) and seen_prose >= 2:
            end = i + 1
            while end < len(texts) and _END_ROLES.search(texts[end]):
                end += 1
            before = max(j for j in range(start, i) if prose[j])
            chrome = [j for j in range(before + 1, i) if kinds[j] not in (None, "署名") or is_notice(texts[j], bp)]
            return end, chrome
    end = last + 1
    # A closing line or two without punctuation (目前还有五个楼道正在征询) still belongs to the story;
    # a longer run of such lines is a list of other headlines.
    rest = end
    while (
        rest < len(texts) and kinds[rest] is None and not _TEASER.search(texts[rest]) and not is_notice(texts[rest], bp)
    ):
        rest += 1
    return (rest if rest - end <= CLOSING_LINES and (rest == len(texts) or kinds[rest] is not None) else end), []


def _features(texts: list[str], raws: list[str], bp: Boilerplate) -> tuple[list[str | None], list[bool]]:
    """Each line's chrome kind (or None), and whether it is a sentence of the story."""
    kinds = [chrome_kind(r, t, bp) for r, t in zip(raws, texts, strict=True)]
    return kinds, [k is None and is_prose(t, bp) for t, k in zip(texts, kinds, strict=True)]


def article_end(texts: list[str], raws: list[str], bp: Boilerplate) -> tuple[int, list[int]]:
    """Where a story block taken from a saved page ends, and chrome lines inside it (see _end)."""
    return _end(texts, *_features(texts, raws, bp), 0, bp)
