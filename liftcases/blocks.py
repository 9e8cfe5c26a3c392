"""Turn an article body in any raw form into a flat list of raw blocks.

Only text and image addresses come out of here: no markup from the source ever
reaches a page, so nothing in a scraped page can run script in a reader's
browser. HTML is parsed with BeautifulSoup; Markdown is first rendered with
markdown-it-py and then read the same way.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from markdown_it import MarkdownIt

from .model import Image
from .zh_text import CJK, looks_mojibake, to_simplified

BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "aside", "main", "blockquote",
    "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "center",
}  # fmt: skip
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BOLD_TAGS = {"strong", "b"}
# Elements whose content is never article text: dropped with everything inside.
DROP_TAGS = {
    "script", "style", "noscript", "iframe", "frame", "frameset", "embed", "select", "textarea",
    "template", "nav", "head", "title", "meta", "link", "base", "audio", "video", "canvas",
    "button", "input", "label", "option",
}  # fmt: skip
# Elements dropped themselves while their text is kept: left unclosed in a scraped page
# (<svg/onload=…>), they would otherwise swallow the rest of the article.
UNWRAP_TAGS = {"svg", "math", "form", "object", "fieldset"}
_PROXY = re.compile(r"^https?://[^?#]+\?(?:[a-z_]+=)?(https?(?::|%3A)(?://|%2F%2F).+)$", re.I)
_BULLET = re.compile(r"^\s*(?:[•·●◆◇■□▪►▶✔✅\-*+]|\d{1,2}[.、)）])\s+")
# Three spaces, or two ideographic spaces (a Chinese paragraph indent), inside a line start a new paragraph.
_SPACE_RUN = re.compile(
    r"(?<=\S)(?:[ \t\u00a0]{3,}|[ \t\u00a0]*\u3000{2,}[ \t\u00a0]*|[ \t\u00a0\u3000]+[•●◆■▪►▶][ \t\u00a0\u3000]+)(?=\S)"
)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_SENTENCE_END = re.compile(r"[。！？!?…：:；;”’」』）)】\]]$")
WRAP_MIN = 20  # shorter lines are headings, captions or list items, never wrapped text
_SPACED = re.compile(rf"[{CJK}][ \t\u3000]+\S")
# A dateline (a date with a time or a label, or a line that starts with a date) is a line of its own.
_DATELINE = re.compile(
    r"^\s*(?:19|20)\d{2}[-/.年]|(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d{2}|来源|來源|时间[：:]|時間[：:]"
)
WRAP_SLACK = 1.2  # a wrapped line's next line is at most this much longer (full- and half-width mixed)
_UNSAFE_MD_LINK = re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript|data|file):[^)\n]*\)", re.I)
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")
# An image this small, or this flat, is an icon or a separator, not a picture of the case.
DECORATIVE_MAX_SIDE = 200
SEPARATOR_RATIO = 4


@dataclass(frozen=True)
class RawBlock:
    text: str = ""
    bold: bool = False  # every character of the text is bold
    heading: int = 0  # 1–6 for an HTML heading
    image: Image | None = None


def unwrap_proxy(url: str) -> str:
    """An image proxy URL such as ``https://proxy/?http://host/a.jpg`` becomes ``http://host/a.jpg``."""
    url = url.strip()
    for _ in range(3):
        m = _PROXY.match(url)
        if not m:
            break
        inner = m.group(1)
        url = unquote(inner) if inner[4:8].upper().startswith(("%3A", "S%3A")) else inner
    return url


def safe_image_url(url: str) -> str | None:
    """Only absolute http(s) images, or site-relative paths, may appear on a page."""
    url = unwrap_proxy(url)
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    return None


def _int(value: object) -> int | None:
    try:
        n = int(str(value).strip().removesuffix("px"))
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


def image_from_tag(tag: Tag) -> Image | None:
    """An Image from an <img>, or None when it is missing, unsafe or decorative."""
    src = ""
    for attr in ("data-src", "data-original", "data-actualsrc", "src"):
        value = tag.get(attr)
        if isinstance(value, str) and value.strip() and not value.startswith("data:"):
            src = value
            break
    url = safe_image_url(src) if src else None
    if not url:
        return None
    width, height = _int(tag.get("width")), _int(tag.get("height"))
    size = tag.get("data-size")
    if isinstance(size, str) and "," in size:
        width, height = (_int(v) for v in size.split(",", 1))
    if width and height:
        small = width <= DECORATIVE_MAX_SIDE and height <= DECORATIVE_MAX_SIDE
        flat = width >= SEPARATOR_RATIO * height and height <= 80
        if small or flat:
            return None
    alt = tag.get("alt")
    return Image(src=url, alt=alt.strip() if isinstance(alt, str) else "", width=width, height=height)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[RawBlock] = []
        self.pieces: list[tuple[str, bool]] = []
        self.heading = 0

    def flush(self) -> None:
        text = "".join(t for t, _ in self.pieces)
        if text.strip():
            bold = all(b for t, b in self.pieces if t.strip())
            for part in split_runs(text.replace("\n", " ")):
                self.blocks.append(RawBlock(text=" ".join(part.split()), bold=bold, heading=self.heading))
        self.pieces = []

    def walk(self, node: Tag, bold: bool = False) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, CDATA or doctype
                    self.pieces.append((str(child), bold))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if name in DROP_TAGS:
                continue
            if name in UNWRAP_TAGS:
                self.walk(child, bold)
                continue
            if name == "br":
                self.flush()
            elif name == "img":
                self.flush()
                image = image_from_tag(child)
                if image:
                    self.blocks.append(RawBlock(image=image))
            elif name in BLOCK_TAGS:
                self.flush()
                outer = self.heading
                if name in HEADING_TAGS:
                    self.heading = int(name[1])
                self.walk(child, bold)
                self.flush()
                self.heading = outer
            else:
                self.walk(child, bold or name in BOLD_TAGS)


def html_to_blocks(html: str) -> list[RawBlock]:
    soup = BeautifulSoup(html, "html.parser")
    walker = _Walker()
    # The whole document, not soup.body: a stray <body> deep in a scraped page would hide the rest;
    # <head> and <title> are dropped by the walker anyway.
    walker.walk(soup)
    walker.flush()
    return walker.blocks


_UNSAFE = (
    ("script", re.compile(r"<\s*script\b", re.I)),
    ("iframe/frame", re.compile(r"<\s*i?frame\b", re.I)),
    ("object/embed", re.compile(r"<\s*(object|embed|applet)\b", re.I)),
    ("form", re.compile(r"<\s*(form|input|button)\b", re.I)),
    ("style", re.compile(r"<\s*style\b|\sstyle\s*=", re.I)),
    ("meta refresh", re.compile(r"<\s*meta[^>]*http-equiv\s*=\s*[\"']?\s*refresh", re.I)),
    ("事件属性 on…=", re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)),
    ("javascript: 链接", re.compile(r"(java|vb)script\s*:", re.I)),
    ("base/link", re.compile(r"<\s*(base|link)\b", re.I)),
)


def unsafe_markup(raw: str) -> list[str]:
    """Names of the kinds of unsafe markup a body carries, to tell the editor. Nothing of it reaches a
    page either way: bodies are rebuilt from text; this only reports what was left out."""
    return [name for name, pattern in _UNSAFE if pattern.search(raw)]


def markdown_to_blocks(text: str) -> list[RawBlock]:
    # markdown-it leaves a link it refuses (javascript:) as literal text; drop the target, keep the words.
    return html_to_blocks(_MARKDOWN.render(_UNSAFE_MD_LINK.sub("]()", text)))


def split_runs(text: str) -> list[str]:
    """Paragraphs run together on one line, separated by runs of spaces or by spaced bullets (“ • ”)."""
    return [p for p in (_BULLET.sub("", part).strip() for part in _SPACE_RUN.split(text)) if p]


def _wrapped(line: str, following: str) -> bool:
    """A hard-wrapped line: long, not ending a sentence, and followed by more text."""
    if len(line) < WRAP_MIN or _SENTENCE_END.search(line) or not following or _BULLET.match(following):
        return False
    if _SPACED.search(line) or _SPACED.search(following) or _DATELINE.search(line) or "://" in line:
        return False  # words set apart by spaces are a menu, a slogan or a headline, not wrapped prose
    if looks_mojibake(to_simplified(line)) or looks_mojibake(to_simplified(following)):
        return False  # debris is never half of a sentence; it stays a line of its own and is dropped
    if len(following) > WRAP_SLACK * len(line) + 2:
        return False  # wrapped lines share one width; a longer next line is a paragraph under a headline
    # A short next line is the wrapped tail of a sentence only if it ends one ("猜你喜欢" does not).
    return len(following) >= WRAP_MIN or bool(_SENTENCE_END.search(following))


def text_to_blocks(text: str) -> list[RawBlock]:
    """Plain scraped text: a paragraph per line (hard-wrapped lines joined again), per run of spaces,
    or per bullet. Tags and entities left over from a web page are removed."""
    text = html.unescape(_TAG.sub("", text))
    lines = [line.strip() for line in text.split("\n")]
    paragraphs: list[str] = []
    joining = False
    for n, line in enumerate(lines):
        if not line:
            joining = False
            continue
        if joining:
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
        following = lines[n + 1] if n + 1 < len(lines) else ""
        joining = _wrapped(line, following)
    return [RawBlock(text=part) for paragraph in paragraphs for part in split_runs(paragraph)]
