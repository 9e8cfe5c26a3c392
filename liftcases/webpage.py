"""Saved web pages: a whole HTML document (browser "Save page as…", ``make add``) read as a page.

The page's own metadata says most of what an article needs: the headline (og:title, JSON-LD, the
article's <h1>, <title> minus the site's name), the publication time (article:published_time, pubdate
metas, JSON-LD, WeChat's ``var ct``, a <time> element) and the publisher (og:site_name, JSON-LD, a WeChat
account). Candidates are weighed, not taken first-come (STYLE.md, habit 12): a headline that several
sources agree on wins, and the reasons are kept for the review page. The story itself is the block of the
page whose paragraphs carry the most prose, Readability's way: text length and commas count for a block,
link density and class names such as nav, share, related, comment and footer count against it. Only that
block's HTML goes on to blocks.py, so menus, related lists and footers never reach a case page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from .blocks import DROP_TAGS
from .dates import find_date, find_partial_date, parse_meta_date
from .textpage import SOURCE_LABEL, is_meta
from .titles import SITE_NAME, split_site_parts
from .zh_text import cjk_count, compact, normalise_punctuation, to_simplified

_DOCUMENT = re.compile(r"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html\b|<head\b|<meta\b)", re.I | re.S)
# Words in class and id names: of page chrome, and of the story's container (Readability's lists, with
# Chinese sites' usual abbreviations: txt, con, zw for 正文). Short words must match a whole word
# (ad, not address); long ones may begin a word (comment, comments, commentBox).
_CHROME_WORDS = {
    "ad", "ads", "app", "author", "qr", "tag", "tags", "top", "more", "like", "hot", "side", "tool", "tools", "foot",
    "rank", "path", "nav", "menu", "bottom", "share", "print", "login", "sns", "fav",
}  # fmt: skip
_CHROME_PREFIXES = (
    "comment", "share", "social", "related", "relate", "recommend", "sidebar", "footer", "header", "masthead",
    "breadcrumb", "crumb", "toolbar", "banner", "advert", "sponsor", "promo", "copyright", "subscribe", "qrcode",
    "download", "popup", "modal", "pagination", "pager", "keyword", "widget", "guess", "reward", "praise",
    "position", "location", "navbar", "navigation", "menu", "hotnews", "ranking", "follow", "statement",
)  # fmt: skip
_STORY_PREFIXES = ("article", "content", "body", "text", "post", "story", "detail", "entry", "rich", "neirong",
                   "zhengwen", "wenzhang", "editor")  # fmt: skip
# Abbreviations Chinese sites use for the story's box (txt, con, zw 正文, nr 内容, wz 文章; zoom and TRS on
# government sites): whole words only, so that container or transform say nothing.
_STORY_WORDS = {"txt", "con", "cont", "cnt", "zw", "nr", "wz", "zoom", "trs", "main", "media", "news"}
_WORD = re.compile(r"[a-z0-9]+")
_LINE_TAGS = ["p", "div", "td", "li", "h1", "h2", "h3", "span", "em", "time", "section"]
_LINE_SET = set(_LINE_TAGS)
_BLOCKY = {"p", "div", "section", "article", "td", "pre", "blockquote", "li", "main"}
_META_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "og:release_date",
    "datepublished", "publishdate", "publish-date", "publish_date", "pubdate", "pubtime", "publishtime",
    "publication_date", "dc.date.issued", "dc.date", "dcterms.issued", "sailthru.date", "parsely-pub-date",
    "article:created", "weibo:article:create_at", "created", "date",
)  # fmt: skip
_META_UPDATED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dateupdate", "lastmod")
_WECHAT_TIME = re.compile(r"""\b(?:var\s+ct|create_time|createTime|ct)\s*[=:]\s*["']?(\d{10})["']?""")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->", re.I)
_WECHAT_CREATED = re.compile(r"""\bcreateTime\s*=\s*["']((?:19|20)\d{2}-\d{1,2}-\d{1,2}[^"']{0,10})["']""")
_WECHAT_NAME = re.compile(r"""\bvar\s+nickname\s*=\s*(?:htmlDecode\()?["']([^"']{2,30})["']""")
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)")
AGREE_SHARE = 0.5
# What separates a headline from a column's and a site's names in <title>.
_TITLE_PARTS = re.compile(r"\s*(?:[_|｜—–·]|--|\s-\s)\s*")
MIN_PARAGRAPH = 12  # characters: shorter blocks are labels, buttons and links, never a paragraph
SIBLING_SHARE = 0.2  # a sibling of the best block joins it when it scores this share of it
DATELINE_REACH = 12  # lines under the headline where its dateline may stand


@dataclass(frozen=True)
class Page:
    """What a saved page says about its article, and the HTML of the article itself."""

    title: str | None
    title_why: str
    date: str | None  # YYYY-MM-DD
    date_why: str
    publisher: str | None
    url: str | None  # the page's canonical address, when it gives one
    content: str  # HTML of the story: the only part of the page read further
    above: tuple[str, ...]  # text of the blocks left out above the story (menus, breadcrumbs), for editors
    below: tuple[str, ...]  # and below it (share bars, related lists, comments, footers)
    updated: str | None = None  # when the page says it was last changed: gives a yearless date its year
    partial: tuple[int, int] | None = None  # a dateline's month and day, when it gives no year (09-21 16:05)


def is_document(text: str) -> bool:
    """A whole HTML document, not an HTML fragment: it starts with a doctype, <html>, <head> or <meta>."""
    return bool(_DOCUMENT.match(text[:4096]))


def page_title(html: str) -> str | None:
    """The headline a saved page gives, or None (for naming a fetched page)."""
    return read_page(html, "Asia/Shanghai").title


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop")
        value = tag.get("content")
        if isinstance(key, str) and isinstance(value, str) and value.strip():
            found.setdefault(key.strip().lower(), value.strip())
    return found


def _json_ld(soup: BeautifulSoup) -> list[dict[str, object]]:
    """Every JSON-LD object on the page (json.loads only: data, never code)."""
    objects: list[dict[str, object]] = []
    for tag in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(tag.get_text() or "null")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                stack.extend(v for k, v in item.items() if k == "@graph")
    return objects


def _text(tag: Tag | None) -> str:
    return " ".join(tag.get_text(" ", strip=True).split()) if tag else ""


def _ld_value(objects: list[dict[str, object]], key: str) -> str | None:
    for item in objects:
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = value[0].get("name")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _choose_title(candidates: list[tuple[str, str]], site: str | None) -> tuple[str | None, str]:
    """The headline most sources agree on; <title> only through the part the others share, else split
    from the site's name. ``candidates`` are (where, text) in order of trust."""
    shown = [(where, text) for where, text in candidates if where != "<title>" and 4 <= len(compact(text)) <= 120]
    page_title = next((text for where, text in candidates if where == "<title>"), "")
    best: tuple[int, int, str, str] | None = None
    for rank, (where, text) in enumerate(shown):
        key = compact(text)
        # Another source agrees when it says the same, or holds it as most of what it says (<title> with a
        # site's name after it); a logo's <h1> is only a small part of the <title> it appears in.
        votes = sum(_agrees(key, other) for w, other in candidates if w != where)
        if best is None or (votes, -rank) > (best[0], best[1]):
            best = (votes, -rank, where, text)
    if best and (best[0] > 0 or not page_title):
        return best[3], f"{best[2]}（另有 {best[0]} 处相同）" if best[0] else best[2]
    if page_title:
        parts = [part for part in _TITLE_PARTS.split(page_title) if part.strip()]
        main, _ = split_site_parts(page_title, (site,) if site else ())
        if len(parts) > 2:  # 标题_新闻_某某网(x.com): the longest part that is not a site's name
            main = max(parts, key=lambda part: (not _is_site(part), cjk_count(part))).strip()
        return main, "<title>（去掉网站名）"
    return None, "网页上没有标题"


def _is_site(part: str) -> bool:
    return bool(SITE_NAME.search(re.sub(r"[（(][^（()）]*[）)]", "", part).strip()))


def _agrees(key: str, other: str) -> bool:
    """Another source agrees with a headline when it says the same, holds it as most of what it says, or
    holds it as its first part (<title>'s 标题_栏目_网站); a logo's <h1> is only a later, small part of it."""
    whole = compact(other)
    if key not in whole:
        return False
    first = next((part for part in _TITLE_PARTS.split(other) if part.strip()), "")
    return len(key) >= AGREE_SHARE * len(whole) or compact(first) == key  # the headline leads, the site follows


def _date(metas: dict[str, str], ld: list[dict[str, object]], soup: BeautifulSoup, tz: str) -> tuple[str | None, str]:
    """The publication date from the page's named sources, in htmldate's order; never the page's 'today'."""
    for key in _META_DATE_KEYS:
        if key in metas:
            found = parse_meta_date(metas[key], tz)
            if found:
                return found, f"<meta {key}>"
    value = _ld_value(ld, "datePublished") or _ld_value(ld, "dateCreated")
    if value and parse_meta_date(value, tz):
        return parse_meta_date(value, tz), "JSON-LD datePublished"
    for script in soup.find_all("script"):
        code = script.get_text() or ""
        m = _WECHAT_TIME.search(code)
        if m:
            moment = datetime.fromtimestamp(int(m.group(1)), ZoneInfo(tz))
            return moment.date().isoformat(), "微信文章的发布时间（ct）"
        m = _WECHAT_CREATED.search(code)
        if m and find_date(m.group(1)):
            return find_date(m.group(1)), "微信文章的发布时间（createTime）"
    for tag in soup.find_all("time"):
        value = tag.get("datetime") or tag.get_text(strip=True)
        found = parse_meta_date(value, tz) if isinstance(value, str) else None
        if found:
            return found, "<time>"
    return None, ""


def _url(soup: BeautifulSoup, metas: dict[str, str], html: str) -> str | None:
    """The page's address: its canonical link, og:url, or the address a browser noted when saving it."""
    link = soup.find("link", rel="canonical")
    href = link.get("href") if link else None
    if isinstance(href, str) and href.startswith("http"):
        return href
    saved = _SAVED_FROM.search(html[:2048])
    return metas.get("og:url") or (saved.group(1) if saved else None)


def _words(tag: Tag) -> list[str]:
    classes = tag.get("class") or []
    names = " ".join(classes if isinstance(classes, list) else [str(classes)]) + " " + str(tag.get("id") or "")
    return _WORD.findall(re.sub(r"([a-z])([A-Z])", r"\1 \2", names).lower())


def _story_word(word: str) -> bool:
    return word in _STORY_WORDS or word.startswith(_STORY_PREFIXES)


def _story_named(tag: Tag) -> bool:
    return any(map(_story_word, _words(tag)))


def _is_chrome(tag: Tag) -> bool:
    words = _words(tag)
    chrome = any(word in _CHROME_WORDS or word.startswith(_CHROME_PREFIXES) for word in words)
    return chrome and not any(map(_story_word, words))


def _link_density(tag: Tag) -> float:
    text = len(_text(tag))
    links = sum(len(_text(a)) for a in tag.find_all("a"))
    return links / text if text else 1.0


def _paragraph_score(text: str) -> float:
    """Readability's paragraph weight, for Chinese: commas and full stops, and length in 100s of characters."""
    return 1 + text.count("，") + text.count(",") + text.count("。") + min(len(text) / 100, 3)


def _best_block(body: Tag) -> Tag | None:
    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}
    for tag in body.find_all(_BLOCKY):
        if tag.find(_BLOCKY) and tag.name not in ("p", "td"):
            continue  # a container: it is scored through its paragraphs
        text = _text(tag)
        if len(text) < MIN_PARAGRAPH:
            continue
        score = _paragraph_score(text)
        for level, ancestor in enumerate((tag.parent, tag.parent.parent if tag.parent else None)):
            if isinstance(ancestor, Tag):
                nodes[id(ancestor)] = ancestor
                scores[id(ancestor)] = scores.get(id(ancestor), 0.0) + score / (1 + level)
    best: tuple[float, Tag] | None = None
    for key, tag in nodes.items():
        weight = 25 if _story_named(tag) else 0
        score = (scores[key] + weight) * (1 - _link_density(tag))
        if best is None or score > best[0]:
            best = (score, tag)
    return best[1] if best else None


def _strip_chrome(root: Tag) -> list[tuple[int, str]]:
    """Leave out what is never the story: script and style, navigation, and blocks named or shaped as
    chrome (share bars, related lists, comments); their text and place are returned for the review page."""
    dropped: list[tuple[int, str]] = []
    for tag in root.find_all(True):
        if tag.decomposed:
            continue
        name = tag.name.lower()
        if name in DROP_TAGS or name in ("header", "footer", "aside", "form"):
            text = _text(tag) if name not in ("script", "style", "noscript", "template") else ""
        elif _is_chrome(tag) or (tag.name in ("ul", "ol", "div") and tag.find("a") and _link_density(tag) > 0.6):
            text = _text(tag)
        else:
            continue
        if text:
            dropped.append((tag.sourceline or 0, text))
        tag.decompose()
    return dropped


def read_page(html: str, tz: str) -> Page:
    """Read a saved page: its metadata, and the one block of it that is the story."""
    soup = BeautifulSoup(html, "html.parser")
    metas, ld = _metas(soup), _json_ld(soup)
    site = metas.get("og:site_name") or _ld_value(ld, "publisher")
    scripts = " ".join(s.get_text() for s in soup.find_all("script"))
    wechat = _WECHAT_NAME.search(scripts)
    account = _text(soup.find(id="js_name")) or (wechat.group(1) if wechat else "")
    candidates = [
        ("og:title", metas.get("og:title", "")),
        ("twitter:title", metas.get("twitter:title", "")),
        ("JSON-LD headline", _ld_value(ld, "headline") or ""),
        ("微信标题", _text(soup.find(class_="rich_media_title"))),
        *(("<h1>", _text(h)) for h in soup.find_all("h1")),
        ("<meta title>", metas.get("title", "") or metas.get("headline", "")),
        ("<title>", _text(soup.find("title"))),
    ]
    title, title_why = _choose_title([(w, t) for w, t in candidates if t], site)
    date, date_why = _date(metas, ld, soup, tz)
    url = _url(soup, metas, html)
    body = soup.find("body") or soup
    seen_date, seen_why, seen_source, partial = _dateline(body, title)
    if date is None:
        date, date_why = seen_date, seen_why
    wechat_body = soup.find(id="js_content")
    left_out = _strip_chrome(body)
    block = wechat_body if isinstance(wechat_body, Tag) and not wechat_body.decomposed else _best_block(body)
    if date is None and url and _URL_DATE.search(url):
        date, date_why = find_date("-".join(_URL_DATE.search(url).groups())), "网址中的日期"
    content = _with_siblings(block) if block is not None else str(body)
    line = (block.sourceline or 0) if block is not None else 0
    above = tuple(text for at, text in left_out if at < line)
    below = tuple(text for at, text in left_out if at >= line)
    suffix = split_site_parts(_text(soup.find("title")))[1]
    # The dateline's 来源 names who wrote it; og:site_name and JSON-LD name the site that shows it.
    publisher = account or seen_source or site or next((p for p in suffix if SITE_NAME.search(p)), None)
    updated = next((parse_meta_date(metas[k], tz) for k in _META_UPDATED_KEYS if k in metas), None)
    updated = updated or parse_meta_date(_ld_value(ld, "dateModified") or "", tz)
    return Page(title, title_why, date, date_why, publisher, url, content, above, below, updated, partial)


def _with_siblings(block: Tag) -> str:
    """The best block, with the siblings that carry prose too (a story split over several <div>s)."""
    parent = block.parent
    if not isinstance(parent, Tag):
        return str(block)
    base = _paragraph_score(_text(block))
    kept = [
        sib
        for sib in parent.find_all(recursive=False)
        if sib is block
        or (
            len(_text(sib)) >= MIN_PARAGRAPH * 4
            and _link_density(sib) < 0.3
            and _paragraph_score(_text(sib)) >= SIBLING_SHARE * base
        )
    ]
    return "".join(str(tag) for tag in kept)


def _dateline(body: Tag, title: str | None) -> tuple[str | None, str, str | None, tuple[int, int] | None]:
    """(date, why, source, a yearless date) from the dateline shown on the page: a short line with a date, a time or a
    来源 label, the nearest one under the headline, else the first on the page; never a "today" line."""
    tags = body.find_all(_LINE_TAGS)
    inner = set()  # tags holding another line tag: only the innermost make lines
    for tag in tags:
        parent = next((p for p in tag.parents if p.name in _LINE_SET), None)
        if parent is not None:
            inner.add(id(parent))
    lines = [text for text in (_text(tag) for tag in tags if id(tag) not in inner) if text]
    key = compact(title or "")
    start = next((i for i, line in enumerate(lines) if key and key in compact(line)), 0)
    date, why, source, partial = None, "", None, None
    for line in lines[start : start + DATELINE_REACH] + lines[:start]:
        text = normalise_punctuation(to_simplified(line))
        if not is_meta(text) or "星期" in text:
            continue
        label = SOURCE_LABEL.search(text)
        source = source or (label.group(1) if label else None)
        partial = partial or find_partial_date(text)
        if date is None and find_date(text):
            date, why = find_date(text), f"网页上的日期行：{text[:40]}"
        if date and source:
            break
    return date, why, source, partial
