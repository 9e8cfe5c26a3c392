"""Saved web pages: a whole HTML document (browser "Save page as…", ``make add``) read as a page.

What the page says about its article (headline, date, publisher) is read by pagemeta.py. The story
itself is the block of the page whose paragraphs carry the most prose, Readability's way: text length and
commas count for a block; link density and class names such as nav, share, related, comment and footer
count against it. Only that block's HTML goes on to blocks.py, so menus, related lists and footers never
reach a case page, and the page's scripts never did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .blocks import DROP_TAGS
from .datafiles import Boilerplate
from .pagemeta import Meta, read_meta, text, words

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
_BLOCKY = {"p", "div", "section", "article", "td", "pre", "blockquote", "li", "main"}
MIN_PARAGRAPH = 12  # characters: shorter blocks are labels, buttons and links, never a paragraph
SIBLING_SHARE = 0.2  # a sibling of the best block joins it when it scores this share of it
STORY_WEIGHT = 25  # a block whose class or id names the story (Readability's class weight)


@dataclass(frozen=True)
class Page:
    """What a saved page says about its article, and the HTML of the article itself."""

    meta: Meta  # headline, date, address, publisher (pagemeta.py)
    content: str  # HTML of the story: the only part of the page read further
    above: tuple[str, ...]  # text of the blocks left out above the story (menus, breadcrumbs), for editors
    below: tuple[str, ...]  # and below it (share bars, related lists, comments, footers)


def is_document(text: str) -> bool:
    """A whole HTML document, not an HTML fragment: it starts with a doctype, <html>, <head> or <meta>."""
    return bool(_DOCUMENT.match(text[:4096]))


def page_title(html: str) -> str | None:
    """The headline a saved page gives, or None (for naming a fetched page)."""
    return read_page(html, "Asia/Shanghai").meta.title


def _story_word(word: str) -> bool:
    return word in _STORY_WORDS or word.startswith(_STORY_PREFIXES)


def _story_named(tag: Tag) -> bool:
    return any(map(_story_word, words(tag)))


def _is_chrome(tag: Tag) -> bool:
    names = words(tag)
    chrome = any(word in _CHROME_WORDS or word.startswith(_CHROME_PREFIXES) for word in names)
    return chrome and not any(map(_story_word, names))


def _link_density(tag: Tag) -> float:
    size = len(text(tag))
    links = sum(len(text(a)) for a in tag.find_all("a"))
    return links / size if size else 1.0


def _paragraph_score(value: str) -> float:
    """Readability's paragraph weight, for Chinese: commas and full stops, and length in 100s of characters."""
    return 1 + value.count("，") + value.count(",") + value.count("。") + min(len(value) / 100, 3)


def _best_block(body: Tag) -> Tag | None:
    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}
    for tag in body.find_all(_BLOCKY):
        if tag.find(_BLOCKY) and tag.name not in ("p", "td"):
            continue  # a container: it is scored through its paragraphs
        value = text(tag)
        if len(value) < MIN_PARAGRAPH:
            continue
        score = _paragraph_score(value)
        for level, ancestor in enumerate((tag.parent, tag.parent.parent if tag.parent else None)):
            if isinstance(ancestor, Tag):
                nodes[id(ancestor)] = ancestor
                scores[id(ancestor)] = scores.get(id(ancestor), 0.0) + score / (1 + level)
    best: tuple[float, Tag] | None = None
    for key, tag in nodes.items():
        weight = STORY_WEIGHT if _story_named(tag) else 0
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
        if name in DROP_TAGS or name in ("header", "footer", "aside", "form", "figcaption"):
            value = text(tag) if name not in ("script", "style", "noscript", "template") else ""
        elif _is_chrome(tag) or (tag.name in ("ul", "ol", "div") and tag.find("a") and _link_density(tag) > 0.6):
            value = text(tag)
        else:
            continue
        if value:
            dropped.append((tag.sourceline or 0, value))
        tag.decompose()
    return dropped


def read_page(html: str, tz: str, bp: Boilerplate | None = None) -> Page:
    """Read a saved page: what it says about its article, and the one block of it that is the story."""
    soup = BeautifulSoup(html, "html.parser")
    meta = read_meta(soup, html, tz, bp)
    body = soup.find("body") or soup
    wechat_body = soup.find(id="js_content")
    left_out = _strip_chrome(body)
    block = wechat_body if isinstance(wechat_body, Tag) and not wechat_body.decomposed else _best_block(body)
    content = _with_siblings(block) if block is not None else str(body)
    line = (block.sourceline or 0) if block is not None else 0
    above = tuple(value for at, value in left_out if at < line)
    below = tuple(value for at, value in left_out if at >= line)
    return Page(meta, content, above, below)


def _with_siblings(block: Tag) -> str:
    """The best block, with the siblings that carry prose too (a story split over several <div>s)."""
    parent = block.parent
    if not isinstance(parent, Tag):
        return str(block)
    base = _paragraph_score(text(block))
    kept = [
        sib
        for sib in parent.find_all(recursive=False)
        if sib is block
        or (
            len(text(sib)) >= MIN_PARAGRAPH * 4
            and _link_density(sib) < 0.3
            and _paragraph_score(text(sib)) >= SIBLING_SHARE * base
        )
    ]
    return "".join(str(tag) for tag in kept)
