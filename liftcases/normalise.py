"""Stage 2, normalise: a raw Source becomes a clean Article.

Order matters and each step says why: script conversion comes first because
every pattern after it (boilerplate, credits, sources, titles) is written in
Simplified Chinese with full-width punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from .blocks import RawBlock, html_to_blocks, markdown_to_blocks, text_to_blocks, unsafe_markup
from .datafiles import Boilerplate
from .dates import complete_date, find_date, find_partial_date, has_date, parse_meta_date
from .model import Article, Block, Credit, Image, Problem, Source, frozen_mapping
from .titles import SITE_NAME, pair_underscores, repeats_title, restated_title, split_site_parts
from .zh_text import cjk_count, looks_mojibake, normalise_punctuation, strip_pinyin, to_simplified, traditional_share

# Share of characters OpenCC changes above which a text is taken as Traditional script.
TRADITIONAL_THRESHOLD = 0.02
CREDIT_ROLES = "记者|通讯员|编辑|责任编辑|责编|校对|摄影|摄像|审核|撰稿|作者|文字|文|图|视频|统筹|监制|编审"
_CREDIT_LINE = re.compile(rf"^[（(]?\s*({CREDIT_ROLES})\s*[：:｜|丨/]?\s*([^，。；：:]{{1,30}}?)\s*[）)]?$")
_CREDIT_TAIL = re.compile(rf"[（(]\s*((?:(?:{CREDIT_ROLES})\s*[：:]?\s*[^（()）]{{1,12}}?\s*)+)[）)]\s*$")
_MAIN_ROLES = "记者|通讯员|编辑|责任编辑|责编|校对|摄影|摄像"
# “新民晚报讯（记者 张三 通讯员 李四）” or a bare “（记者 张三）” opening a paragraph.
_CREDIT_HEAD = re.compile(
    rf"^([^\s，。（(]{{2,12}}讯)?\s*[（(]\s*((?:(?:{_MAIN_ROLES})\s*[：:]?\s*[^（()）]{{1,12}}?\s*)+)[）)]\s*"
)
_CREDIT_PAIR = re.compile(rf"({_MAIN_ROLES})\s*[：:]?\s*(.+?)\s*(?=(?:{_MAIN_ROLES})|$)")
_REPOST = re.compile(r"转载请注明(?:来自|来源[：:]?|出处[：:]?)\s*[“]?([^”，。\s]{2,20})")
# 来源：X at a line start or after a date (spaces between Chinese are gone by now); not 资金来源：.
_SOURCE_LABEL = re.compile(
    r"(?:^|(?<=[\s\d日]))(?:本文)?来源\s*[：:]\s*([^\s，。|｜]{2,20}?)(?=\s|[，。|｜]|发布|时间|日期|作者|编辑|浏览|$)"
)
_AGENCY = re.compile(r"^([^\s，。]{2,10}?)讯\s*[（(]\s*(?:记者|通讯员)")
_DATELINE = re.compile(r"^([^\s，。]{2,8}?(?:网|社|报))[^\s，。]{0,6}?\d{1,2}月\d{1,2}日电")
_LEAD_LABEL = re.compile(r"^(导语|导读|摘要|编者按)[：:]\s*")
_END_PUNCT = re.compile(r"[。！？!?…；;：:，,”’）)]$")
_META_NOISE = re.compile(
    r"(?:19|20)\d{2}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?|\d{1,2}月\d{1,2}日|\d{1,2}-\d{1,2}(?=\s)|"
    r"\d{1,2}:\d{2}(?::\d{2})?|发布时间|发布日期|发表时间|更新时间|时间|日期|作者|编辑|浏览|阅读|点击|次数|[：:|｜\d\s]"
)
HEAD_META_MAX = 80
HEAD_META_WORDS = 8  # a category (社会, 国际) or an author's name may remain
HEADING_MAX = 30
HEAD_LINES = 4  # how many lines under a scraped title may hold date and source


@dataclass(frozen=True)
class _Line:
    text: str
    bold: bool = False
    heading: int = 0
    image: Image | None = None
    original: str = ""


def _raw_blocks(source: Source) -> list[RawBlock]:
    if source.form == "frontmatter-html":
        return html_to_blocks(source.body)
    if source.form == "scraped-text":
        return text_to_blocks(source.body)
    return markdown_to_blocks(source.body)


def _clean(text: str, simplify: bool) -> str:
    # Convert to Simplified before anything else: every later pattern is written in Simplified.
    text = strip_pinyin(text)
    return normalise_punctuation(to_simplified(text) if simplify else text)


def _meta_str(source: Source, *keys: str) -> str | None:
    for key in keys:
        value = source.meta.get(key)
        if isinstance(value, (str, int, float)) and str(value).strip():
            return str(value).strip()
    return None


def _is_meta(text: str) -> bool:
    """A head line of metadata, not a sentence: little Chinese is left once the date, time, labels,
    the source's name and numbers are taken out (“2023年07月07日23:03:06 社会 2062”)."""
    rest = _META_NOISE.sub("", _SOURCE_LABEL.sub("", text))
    return len(text) <= HEAD_META_MAX and cjk_count(rest) <= HEAD_META_WORDS


def _http_url(value: str | None) -> str | None:
    """Only an absolute http(s) address may become a link on a page."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


class _Normaliser:
    """Holds one article's working state while its steps run; never shared between articles."""

    def __init__(self, source: Source, boilerplate: Boilerplate, tz: str):
        self.source, self.bp, self.tz = source, boilerplate, tz
        self.removed: list[str] = []
        self.problems: list[Problem] = []
        self.credits: list[Credit] = []
        self.publishers: list[str] = []
        self.sites: list[str] = []
        self.date: str | None = None
        self.partial_date: tuple[int, int] | None = None

    def run(self) -> Article:
        src = self.source
        raw = [b for b in _raw_blocks(src) if b.text or b.image]
        meta_title = _meta_str(src, "title")
        original_title = meta_title or next((b.text for b in raw if b.text), "")
        lines = self._drop_mojibake([_Line(_clean(b.text, True), b.bold, b.heading, b.image, b.text) for b in raw])
        # Every text is converted (OpenCC leaves Simplified text as it is, and stray Traditional characters
        # in a Simplified article are fixed); an article counts as Traditional, with its original wording
        # kept for readers, only above a threshold, measured without the mojibake lines.
        sample = original_title + "".join(ln.original for ln in lines[:200])
        traditional = traditional_share(sample) > TRADITIONAL_THRESHOLD
        lines = [replace(ln, original=_clean(ln.original, False) if traditional else "") for ln in lines]
        if meta_title is None and lines and not lines[0].image:
            # Scraped text and bare Markdown: the first line is the title.
            lines = lines[1:]
        title = self._title(_clean(original_title, True))
        lines = self._head_meta(lines)
        lines = self._cut_boilerplate(lines, title)
        title, lines = self._restated(title, lines)
        lines = self._take_credits(lines)
        self._find_sources(lines)
        date = parse_meta_date(src.meta.get("date"), self.tz) if "date" in src.meta else None
        if date is None and self.date is None and self.partial_date:
            # A date without a year is resolved only when the source URL names the year.
            self.date = complete_date(self.partial_date, _meta_str(src, "url", "link", "source_url"))
        if "date" in src.meta and date is None:
            self.problems.append(
                Problem(src.rel, f"日期 '{src.meta.get('date')}' 无法识别：请写成 2023-07-09", None, "warning")
            )
        publisher = _meta_str(src, "source", "publisher")
        publisher = _clean(publisher, True) if publisher else None
        channel = None
        for name in [publisher, _meta_str(src, "author"), *self.publishers, *self.sites]:
            if not name:
                continue
            if name in self.bp.aggregators:
                channel = channel or name
            elif publisher is None:
                publisher = name
        return Article(
            source=src,
            title=title,
            date=date or self.date,
            publisher=publisher,
            channel=channel,
            url=_http_url(_meta_str(src, "url", "link", "source_url")),
            blocks=tuple(_structure(lines, plain=src.form == "scraped-text")),
            credits=tuple(self.credits),
            converted_from_traditional=traditional,
            original_title=original_title,
            removed=tuple(self.removed),
            extra=frozen_mapping({k: v for k, v in src.meta.items() if k not in _KNOWN_META}),
        )

    def _title(self, title: str) -> str:
        main, dropped = split_site_parts(self._strip_noise(title), self.bp.aggregators)
        # A site's name after the title is a source; a series label (系列报道, 专题) is not.
        self.sites.extend(d for d in dropped if d in self.bp.aggregators or SITE_NAME.search(d))
        return pair_underscores(self._strip_noise(main)) or pair_underscores(main)

    def _strip_noise(self, title: str) -> str:
        for rule in self.bp.title_noise:
            title = rule.pattern.sub("", title).strip()
        return title

    def _drop_mojibake(self, lines: list[_Line]) -> list[_Line]:
        kept = []
        for line in lines:
            if not line.image and looks_mojibake(line.text):
                self.removed.append(line.text)
            else:
                kept.append(line)
        return kept

    def _head_meta(self, lines: list[_Line]) -> list[_Line]:
        """Lines right under the title that only carry the date, source, category or view counts."""
        out = list(lines)
        for line in lines[:HEAD_LINES]:
            text = line.text
            partial = find_partial_date(text) if not has_date(text) else None
            if line.image or not (has_date(text) or partial or _SOURCE_LABEL.search(text)) or not _is_meta(text):
                continue
            self.date = self.date or find_date(text)
            self.partial_date = self.partial_date or partial
            label = _SOURCE_LABEL.search(text)
            if label:
                self.publishers.append(label.group(1))
            self.removed.append(text)
            out.remove(line)
        return out

    def _cut_boilerplate(self, lines: list[_Line], title: str) -> list[_Line]:
        out: list[_Line] = []
        for n, line in enumerate(lines):
            text = line.text
            if line.image:
                out.append(line)
                continue
            if n > 0 and any(r.pattern.search(text) for r in self.bp.cut_tail):
                self.removed.extend(ln.text for ln in lines[n:] if ln.text)
                self._find_sources(lines[n:], tail=True)
                break
            site = repeats_title(text, title)
            if site is not None:
                if site:
                    self.sites.append(site)
                self.removed.append(text)
                continue
            if any(r.pattern.search(text) for r in self.bp.drop_line):
                self._find_sources([line])
                self.removed.append(text)
                continue
            out.append(line)
        return out

    def _restated(self, title: str, lines: list[_Line]) -> tuple[str, list[_Line]]:
        """When the body opens by restating the title, that wording wins and the copy goes."""
        head = [ln.text for ln in lines[:8]]
        found = restated_title(title, head)
        if not found:
            return title, lines
        text, start = found
        used = 1 if lines[start].text == text else 2
        self.removed.extend(ln.text for ln in lines[start : start + used])
        return text, lines[:start] + lines[start + used :]

    def _take_credits(self, lines: list[_Line]) -> list[_Line]:
        out = []
        for line in lines:
            m = _CREDIT_LINE.match(line.text) if not line.image else None
            if m and cjk_count(m.group(2)) <= 12:
                self.credits.append(Credit(m.group(1), m.group(2).strip()))
                continue
            head = _CREDIT_HEAD.match(line.text) if not line.image else None
            if head and len(line.text) > len(head.group(0)):
                for role, names in _CREDIT_PAIR.findall(head.group(2)):
                    self.credits.append(Credit(role, names))
                if head.group(1):
                    self.publishers.append(head.group(1).removesuffix("讯"))  # 新民晚报讯 names the publisher
                line = replace(line, text=line.text[head.end() :])
            tail = _CREDIT_TAIL.search(line.text) if not line.image else None
            if tail and len(line.text) > len(tail.group(0)):
                for role, names in _CREDIT_PAIR.findall(tail.group(1)):
                    self.credits.append(Credit(role, names))
                line = replace(line, text=line.text[: tail.start()].rstrip())
            label = _LEAD_LABEL.match(line.text)
            if label and len(line.text) > len(label.group(0)):
                self.removed.append(label.group(0).strip())
                line = replace(line, text=line.text[label.end() :])
            out.append(line)
        return out

    def _find_sources(self, lines: list[_Line], tail: bool = False) -> None:
        for line in lines:
            for pattern in (_REPOST, _SOURCE_LABEL) if not tail else (_REPOST,):
                m = pattern.search(line.text)
                if m:
                    self.publishers.append(m.group(1))
            if tail and "©" in line.text:
                for name in self.bp.aggregators:
                    if name in line.text:
                        self.sites.append(name)
        if not tail and lines:
            for pattern in (_AGENCY, _DATELINE):
                m = pattern.match(lines[0].text)
                if m:
                    self.publishers.append(m.group(1))


_KNOWN_META = {
    "title", "date", "source", "publisher", "author", "url", "link", "source_url", "slug",
    "categories", "tags", "headimg", "thumbnail", "comments", "city", "district", "street",
    "neighbourhood", "methods", "figures",
}  # fmt: skip


def _structure(lines: list[_Line], plain: bool) -> list[Block]:
    """Recover sub-headings and drop repeats: bold-only short lines, HTML headings, and in plain
    text (which has no bold) short unpunctuated lines standing between paragraphs become headings."""
    blocks: list[Block] = []
    seen: set[str] = set()
    for n, line in enumerate(lines):
        if line.image:
            if not blocks or blocks[-1].image != line.image:
                blocks.append(Block("img", image=line.image))
            continue
        original = line.original
        text = line.text
        if text in seen and len(text) > HEADING_MAX:
            continue  # a lead repeated under 导语/导读, or a paragraph pasted twice
        seen.add(text)
        short = len(text) <= HEADING_MAX and not _END_PUNCT.search(text)
        nxt = next((ln for ln in lines[n + 1 :] if not ln.image), None)
        between = plain and nxt is not None and len(nxt.text) > HEADING_MAX and bool(blocks)
        if short and (line.heading or line.bold or between) and nxt is not None:
            level = "h3" if blocks and blocks[-1].kind == "h2" else "h2"
            blocks.append(Block(level, text=text, original=original))
        else:
            blocks.append(Block("p", text=text, original=original))
    while blocks and blocks[-1].kind in ("h2", "h3"):
        blocks.pop()
    return blocks


# Front matter keys the build reads, and the types they must have.
_META_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str, int, float),
    "source": (str,),
    "url": (str,),
    "slug": (str,),
    "city": (str,),
    "district": (str,),
    "street": (str,),
    "neighbourhood": (str,),
    "methods": (list, str),
    "figures": (list, dict),
}


def _meta_problems(source: Source) -> list[Problem]:
    problems = []
    for key, types in _META_TYPES.items():
        value = source.meta.get(key)
        if value is not None and not isinstance(value, types):
            problems.append(
                Problem(
                    source.rel,
                    f"前置信息 '{key}' 的值类型不对（{type(value).__name__}）：请写成文字，如 {key}: …",
                    None,
                    "error",
                )
            )
    unsafe = unsafe_markup(source.body) + [f"前置信息 {k}" for k, v in source.meta.items() if unsafe_markup(str(v))]
    if unsafe:
        problems.append(
            Problem(
                source.rel, f"已去除不安全的内容（{'、'.join(unsafe)}）：页面上只保留文字和图片，请核对正文是否完整"
            )
        )
    return problems


def normalise(source: Source, boilerplate: Boilerplate, tz: str) -> tuple[Article, list[Problem]]:
    """One article, normalised; problems are returned, never raised."""
    worker = _Normaliser(source, boilerplate, tz)
    worker.problems.extend(_meta_problems(source))
    article = worker.run()
    if not article.title:
        worker.problems.append(Problem(source.rel, "找不到标题：请在前置信息里写 title: 标题", None, "error"))
    return article, worker.problems
