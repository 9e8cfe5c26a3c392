"""Stage 2, normalise: a raw Source becomes a clean Article.

Order matters and each step says why: script conversion comes first because
every pattern after it (boilerplate, credits, sources, titles) is written in
Simplified Chinese with full-width punctuation.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlsplit

from .blocks import RawBlock, html_to_blocks, markdown_to_blocks, text_to_blocks, unsafe_markup
from .bodylines import Line, structure, take_credits
from .datafiles import Boilerplate
from .dates import before, complete_date, find_date, find_partial_date, has_date, parse_meta_date
from .model import Article, Credit, Problem, Source, frozen_mapping
from .textpage import SOURCE_LABEL, Frame, article_end, is_meta, locate
from .titles import SITE_NAME, pair_underscores, repeats_title, restated_title, split_site_parts
from .webpage import Page, read_page
from .zh_text import (
    compact,
    looks_mojibake,
    normalise_punctuation,
    split_sentences,
    strip_pinyin,
    to_simplified,
    traditional_share,
)

# Share of characters OpenCC changes above which a text is taken as Traditional script.
TRADITIONAL_THRESHOLD = 0.02
_REPOST = re.compile(r"转载请注明(?:来自|来源[：:]?|出处[：:]?)\s*[“]?([^”，。\s]{2,20})")
_AGENCY = re.compile(r"^(?!本报|本网|本台|本刊)([^\s，。]{2,10}?)讯\s*[（(]")
# 某某新闻（www.…）记者从…了解到: the publisher names itself in the lead.
_SELF_NAMED = re.compile(
    r"(?:^|^\d{1,2}月\d{1,2}日[，,]?)(?!本报|本网|本台|据)([^\s，。（(“”、]{2,10}?)(?:[（(](?:www\.|https?://)[^）)]{3,40}[）)])?"
    r"\s*记者(?:从|获悉|了解到|近日|日前|走访)"
)
_DATELINE = re.compile(r"^([^\s，。]{2,8}?(?:网|社|报))[^\s，。]{0,6}?\d{1,2}月\d{1,2}日电")
SOURCE_LINE_MAX = 40
LEAD_LINES = 3  # the lines of the lead where a publisher may name itself
HEAD_LINES = 4  # how many lines under a scraped title may hold date and source


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
        self.title_why = ""
        self.derived_title = False  # the title was made from the body's first sentence: the body keeps it
        self.headline = ""  # the headline line as the page had it, compacted
        self.cut_above: list[str] = []
        self.cut_below: list[str] = []
        self.page_url: str | None = None
        self.updated: str | None = None

    def run(self) -> Article:
        src = self.source
        page = read_page(src.body, self.tz, self.bp) if src.form == "html-page" else None
        raw = [b for b in (html_to_blocks(page.content) if page else _raw_blocks(src)) if b.text or b.image]
        meta_title = _meta_str(src, "title") or (page.meta.title if page else None)
        if page:
            self._read_page(page)
        original_title = meta_title or next((b.text for b in raw if b.text), "")
        lines = self._drop_mojibake([Line(_clean(b.text, True), b.bold, b.heading, b.image, b.text) for b in raw])
        raws = [ln.original for ln in lines]
        # Every text is converted (OpenCC leaves Simplified text as it is, and stray Traditional characters
        # in a Simplified article are fixed); an article counts as Traditional, with its original wording
        # kept for readers, only above a threshold, measured without the mojibake lines.
        sample = original_title + "".join(ln.original for ln in lines[:200])
        traditional = traditional_share(sample) > TRADITIONAL_THRESHOLD
        lines = [replace(ln, original=_clean(ln.original, False) if traditional else "") for ln in lines]
        if meta_title is None and src.form == "scraped-text":
            # Copied page text: the headline is chosen among the lines, the chrome around the story cut.
            title, original_title, lines = self._frame(lines, raws)
        else:
            if meta_title is None and lines and not lines[0].image:
                # Bare Markdown: the first line is the title.
                lines, raws = lines[1:], raws[1:]
            title = self._title(_clean(original_title, True))
        if page:
            lines = self._page_end(lines, raws)
        lines = self._head_meta(lines)
        lines = self._cut_boilerplate(lines, title)
        title, lines = self._restated(title, lines)
        lines, credits, publishers, labels = take_credits(lines)
        self.credits.extend(credits)
        self.publishers.extend(publishers)
        self.removed.extend(labels)
        self._find_sources(lines)
        date = parse_meta_date(src.meta.get("date"), self.tz) if "date" in src.meta else None
        if date is None and self.date is None and self.partial_date:
            # A date without a year is resolved only when the source URL names the year, or the page says
            # when it was last changed (published 09-21, updated 2022-09-21: the same year, not later).
            url = _meta_str(src, "url", "link", "source_url") or self.page_url
            self.date = complete_date(self.partial_date, url) or before(self.partial_date, self.updated)
        if src.meta.get("date") not in (None, "") and date is None:
            self.problems.append(
                Problem(src.rel, f"日期 '{src.meta.get('date')}' 无法识别：请写成 YYYY-MM-DD", None, "warning")
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
            url=_http_url(_meta_str(src, "url", "link", "source_url") or self.page_url),
            blocks=tuple(structure(lines, plain=src.form == "scraped-text")),
            credits=tuple(self.credits),
            converted_from_traditional=traditional,
            original_title=original_title,
            removed=tuple(self.removed),
            title_why=self.title_why,
            cut_above=tuple(self.cut_above),
            cut_below=tuple(self.cut_below),
            extra=frozen_mapping({k: v for k, v in src.meta.items() if k not in _KNOWN_META}),
        )

    def _read_page(self, page: Page) -> None:
        """What a saved page's metadata says; front matter still wins (see run)."""
        meta = page.meta
        self.date = meta.date
        self.publishers.extend([meta.publisher] if meta.publisher else [])
        self.sites.extend([meta.site] if meta.site else [])
        self.title_why = meta.title_why + (f"；日期：{meta.date_why}" if meta.date_why else "")
        self.cut_above, self.cut_below = list(page.above), list(page.below)
        self.removed.extend(page.above + page.below)
        self.page_url, self.updated, self.partial_date = meta.url, meta.updated, meta.partial

    def _page_end(self, lines: list[Line], raws: list[str]) -> list[Line]:
        """A page's story block may still end with a notice, a related list or a share prompt."""
        end, inside = article_end([ln.text for ln in lines], raws, self.bp)
        cut = [ln for j, ln in enumerate(lines) if j >= end or j in inside]
        self.cut_below.extend(ln.text for ln in cut if ln.text)
        self.removed.extend(ln.text for ln in cut if ln.text)
        return [ln for j, ln in enumerate(lines) if j < end and j not in inside]

    def _frame(self, lines: list[Line], raws: list[str]) -> tuple[str, str, list[Line]]:
        """(title, the title as the page had it, the article's lines): see textpage.locate."""
        frame: Frame = locate([ln.text for ln in lines], raws, self.bp)
        self.title_why = frame.why
        self.date, self.partial_date = frame.date, frame.partial_date
        self.publishers.extend(frame.publishers)
        self.sites.extend(frame.sites)
        head = set(frame.dropped)
        self.cut_above = [ln.text for j, ln in enumerate(lines[: frame.start]) if j != frame.title]
        middle = (frame.start + frame.end) / 2
        self.cut_above += [lines[j].text for j in sorted(head) if j < middle]
        self.cut_below = [lines[j].text for j in sorted(head) if j >= middle] + [ln.text for ln in lines[frame.end :]]
        self._find_sources(lines[frame.end :], tail=True)
        self.removed.extend(self.cut_above + self.cut_below)
        kept = [ln for j, ln in enumerate(lines[frame.start : frame.end], frame.start) if j not in head]
        if frame.title is not None:
            self.headline = compact(lines[frame.title].text)
            return self._title(frame.title_text), raws[frame.title], kept
        first = next((ln.text for ln in kept if ln.text), "")
        # Read as a title line is (underscores as quotation marks), so that the page, copied and read
        # again, gives the same title.
        sentence = _title_from_sentence(first)
        title = pair_underscores(sentence) or sentence
        self.derived_title = True
        self.problems.append(
            Problem(self.source.rel, "页面上没有标题：暂用正文第一句作标题；请在文件开头加前置信息 title: 标题")
        )
        return title, title, kept

    def _title(self, title: str) -> str:
        main, dropped = split_site_parts(self._strip_noise(title), self.bp.aggregators)
        # A site's name after the title is a source; a series label (系列报道, 专题) is not.
        self.sites.extend(d for d in dropped if d in self.bp.aggregators or SITE_NAME.search(d))
        return pair_underscores(self._strip_noise(main)) or pair_underscores(main)

    def _strip_noise(self, title: str) -> str:
        for rule in self.bp.title_noise:
            title = rule.pattern.sub("", title).strip()
        return title

    def _drop_mojibake(self, lines: list[Line]) -> list[Line]:
        kept = []
        for line in lines:
            if not line.image and looks_mojibake(line.text):
                self.removed.append(line.text)
            else:
                kept.append(line)
        return kept

    def _head_meta(self, lines: list[Line]) -> list[Line]:
        """Lines right under the title that only carry the date, source, category or view counts."""
        out = list(lines)
        for line in lines[:HEAD_LINES]:
            text = line.text
            if line.image or not is_meta(text):  # is_meta needs a date, a month and day, or a 来源 label
                continue
            partial = find_partial_date(text) if not has_date(text) else None
            self.date = self.date or find_date(text)
            self.partial_date = self.partial_date or partial
            label = SOURCE_LABEL.search(text)
            if label:
                self.publishers.append(label.group(1))
            self.removed.append(text)
            out.remove(line)
        return out

    def _cut_boilerplate(self, lines: list[Line], title: str) -> list[Line]:
        out: list[Line] = []
        for n, line in enumerate(lines):
            text = line.text
            if line.image:
                out.append(line)
                continue
            if n > 0 and any(r.pattern.search(text) for r in self.bp.cut_tail):
                self.removed.extend(ln.text for ln in lines[n:] if ln.text)
                self._find_sources(lines[n:], tail=True)
                break
            if text.startswith("【") and compact(text[1 : text.find("】")]) in (compact(title), self.headline):
                text = text[text.find("】") + 1 :].strip()  # 【the headline】 glued before the lead
                line = replace(line, text=text)
            site = repeats_title(text, title) if not self.derived_title else None
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

    def _restated(self, title: str, lines: list[Line]) -> tuple[str, list[Line]]:
        """When the body opens by restating the title, that wording wins and the copy goes."""
        head = [ln.text for ln in lines[:8]]
        found = restated_title(title, head) if not self.derived_title else None
        if not found:
            return title, lines
        text, start = found
        used = 1 if lines[start].text == text else 2
        self.removed.extend(ln.text for ln in lines[start : start + used])
        return text, lines[:start] + lines[start + used :]

    def _find_sources(self, lines: list[Line], tail: bool = False) -> None:
        for line in lines:
            short = len(line.text) <= SOURCE_LINE_MAX  # a 来源 line after the story names it too
            for pattern in (_REPOST, SOURCE_LABEL) if not tail or short else (_REPOST,):
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
            named = (_SELF_NAMED.match(ln.text) for ln in lines[:LEAD_LINES])
            self.publishers.extend(m.group(1) for m in named if m)


_KNOWN_META = {
    "title", "date", "source", "publisher", "author", "url", "link", "source_url", "slug",
    "categories", "tags", "headimg", "thumbnail", "comments", "city", "district", "street",
    "neighbourhood", "methods", "figures", "draft",
}  # fmt: skip


TITLE_FROM_SENTENCE_MIN = 12
TITLE_FROM_SENTENCE_MAX = 40


def _title_from_sentence(text: str) -> str:
    """A readable title for a page that shows no headline: the body's first clauses, as many as make a
    headline's length."""
    sentence = (split_sentences(text) or [text])[0].rstrip("。！？；，")
    title = ""
    for clause in sentence.split("，"):
        title = f"{title}，{clause}" if title else clause
        if len(title) >= TITLE_FROM_SENTENCE_MIN:
            break
    return title if len(title) <= TITLE_FROM_SENTENCE_MAX else title[:TITLE_FROM_SENTENCE_MAX] + "…"


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
    # A saved page always has scripts and styles: of its markup only a redirect is worth a warning.
    body = unsafe_markup(source.body)
    body = [kind for kind in body if kind == "meta refresh"] if source.form == "html-page" else body
    unsafe = body + [f"前置信息 {k}" for k, v in source.meta.items() if unsafe_markup(str(v))]
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
