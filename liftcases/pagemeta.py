"""What a saved web page says about its article: headline, publication date, address and publisher.

Each is chosen among the page's own sources, weighed rather than taken first-come (STYLE.md, habit 12),
and the reasons are kept for the review page:

- the headline most sources agree on: og:title, twitter:title, JSON-LD ``headline``, WeChat's
  ``rich_media_title``, each <h1>, elements named as a title (``title``, ``bt`` for 标题), a title meta,
  and <title>'s first part; without agreement, a title-named element or heading above the story, then
  <title> split from the site's and column's names;
- the date in htmldate's order: the usual metas, JSON-LD ``datePublished``, WeChat's ``var ct``, a
  <time>, then the dateline shown on the page (never the page's "today"), then a date in the address;
- the publisher: a WeChat account, the dateline's 来源 or an element named as the source, then the
  site that shows the page (og:site_name, JSON-LD, the site's name in <title>).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from .datafiles import Boilerplate
from .dates import find_date, find_partial_date, parse_meta_date
from .textpage import SOURCE_LABEL, TITLE_MIN_CJK, chrome_kind, is_meta, locate
from .titles import SITE_NAME, split_site_parts
from .zh_text import cjk_count, compact, normalise_punctuation, to_simplified

_META_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "og:release_date",
    "datepublished", "publishdate", "publish-date", "publish_date", "pubdate", "pubtime", "publishtime",
    "publication_date", "dc.date.issued", "dc.date", "dcterms.issued", "sailthru.date", "parsely-pub-date",
    "article:created", "weibo:article:create_at", "created", "date",
)  # fmt: skip
_META_UPDATED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dateupdate", "lastmod")
_WECHAT_TIME = re.compile(r"""\b(?:var\s+ct|create_time|createTime|ct)\s*[=:]\s*["']?(\d{10})["']?""")
_WECHAT_CREATED = re.compile(r"""\bcreateTime\s*=\s*["']((?:19|20)\d{2}-\d{1,2}-\d{1,2}[^"']{0,10})["']""")
_WECHAT_NAME = re.compile(r"""\bvar\s+nickname\s*=\s*(?:htmlDecode\()?["']([^"']{2,30})["']""")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->", re.I)
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)")
# What separates a headline from a column's and a site's names in <title>.
_TITLE_PARTS = re.compile(r"\s*(?:[_|｜—–·]|--|\s-\s)\s*")
_WORD = re.compile(r"[a-z0-9]+")
# Class and id words of an element holding the headline, and of one holding the source (来源).
_TITLE_WORDS = {"title", "tit", "bt", "biaoti", "headline", "heading"}
_SOURCE_WORDS = {"source", "laiyuan", "ly"}
_PUBLISH_LABEL = re.compile(r"发布|发表|日期|时间|来源")
_BARE_DATE = re.compile(r"^(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
LABEL_CELL = 8
_DRAFTED = re.compile(r"成文|生成|印发|撰写|更新|修改")
_PUBLISHED = re.compile(r"发布|发表|公开")
# Block elements make the page's lines; inline ones (span, em, a, time) are part of their block's line.
_LINE_TAGS = ["p", "div", "td", "th", "li", "h1", "h2", "h3", "h4", "section", "dd", "dt", "header", "article"]
_LINE_SET = set(_LINE_TAGS)
_INLINE_TAGS = ["span", "em", "time", "font", "i", "b"]
_INLINE_SET = set(_INLINE_TAGS)
AGREE_SHARE = 0.5
DATELINE_REACH = 12  # lines under the headline where its dateline is looked for first
SOURCE_MAX = 20


@dataclass(frozen=True)
class Meta:
    title: str | None
    title_why: str
    date: str | None
    date_why: str
    url: str | None
    publisher: str | None  # who wrote it: a WeChat account, the dateline's 来源, an element named the source
    site: str | None  # the site that shows it (og:site_name, JSON-LD, <title>): when nothing says more
    updated: str | None  # when the page was last changed
    partial: tuple[int, int] | None  # a dateline's month and day when it gives no year


def words(tag: Tag) -> list[str]:
    """The words of an element's class and id (commentList → comment, list)."""
    classes = tag.get("class") or []
    names = " ".join(classes if isinstance(classes, list) else [str(classes)]) + " " + str(tag.get("id") or "")
    return _WORD.findall(re.sub(r"([a-z])([A-Z])", r"\1 \2", names).lower())


def text(tag: Tag | None) -> str:
    return " ".join(tag.get_text(" ", strip=True).split()) if tag else ""


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


def _is_site(part: str) -> bool:
    return bool(SITE_NAME.search(re.sub(r"[（(][^（()）]*[）)]", "", part).strip()))


def _title_parts(title: str) -> list[str]:
    """<title> split into headline, column and site (标题_栏目_某某网, 标题 - 某某网, 标题 某某网)."""
    parts = [part.strip() for part in _TITLE_PARTS.split(title) if part.strip()]
    if len(parts) == 1:
        head, _, tail = title.strip().rpartition(" ")
        if head and _is_site(tail) and cjk_count(head) >= cjk_count(tail):
            parts = [head.strip(), tail]
    return parts


def _agrees(key: str, other: str) -> bool:
    """Another source agrees with a headline when it says the same, holds it as most of what it says, or
    holds it as its first part (<title>'s 标题_栏目_网站); a logo's <h1> is only a later, small part of it."""
    whole = compact(other)
    if key not in whole:
        return False
    parts = _title_parts(other)
    return len(key) >= AGREE_SHARE * len(whole) or (bool(parts) and compact(parts[0]) == key)


def _headline_shaped(value: str) -> bool:
    return 6 <= cjk_count(value) <= 64 and "。" not in value and not _is_site(value)


def _choose_title(candidates: list[tuple[str, str]], site: str | None) -> tuple[str | None, str]:
    """The headline most sources agree on; else a title-named element or heading; else <title> without the
    site's and column's names. ``candidates`` are (where, text) in order of trust."""
    shown = [(where, value) for where, value in candidates if where != "<title>" and 4 <= len(compact(value)) <= 120]
    page_title = next((value for where, value in candidates if where == "<title>"), "")
    best: tuple[int, bool, int, str, str] | None = None
    for rank, (where, value) in enumerate(shown):
        votes = sum(_agrees(compact(value), other) for w, other in candidates if w != where)
        # On equal votes the headline the page shows beats sharing metadata, which is often shortened.
        seen = where.startswith("<") or where == "微信标题"
        if best is None or (votes, seen, -rank) > (best[0], best[1], best[2]):
            best = (votes, seen, -rank, where, value)
    if best and best[0] > 0:
        return best[4], f"{best[3]}（另有 {best[0]} 处相同）"
    # Nothing agrees: the headline the page shows (or its sharing metadata) says more than <title>, which on
    # many portals names only the site and the column.
    shaped = next(((where, value) for where, value in shown if _headline_shaped(value)), None)
    if shaped:
        return shaped[1], f"{shaped[0]}（与 <title> 不同）"
    if page_title:
        parts = _title_parts(page_title)
        main, _ = split_site_parts(page_title, (site,) if site else ())
        if len(parts) > 1:  # the longest part that is not a site's name, whatever separates them
            main = max(parts, key=lambda part: (not _is_site(part), cjk_count(part)))
        return main, "<title>（去掉网站名）"
    if best:
        return best[4], best[3]
    return None, "网页上没有标题"


def _titled(body: Tag) -> list[tuple[str, str]]:
    """Elements that show a headline: <h1>, elements named as a title, then <h2>."""
    named = [tag for tag in body.find_all(True) if tag.name != "title" and _TITLE_WORDS & set(words(tag))]
    named = [tag for tag in named if not tag.find(_LINE_TAGS[:4])]  # the innermost, not a whole box
    return [
        *(("<h1>", text(h)) for h in body.find_all("h1")),
        *((f"<{tag.name} class=标题>", text(tag)) for tag in named[:6]),
        *(("<h2>", text(h)) for h in body.find_all("h2")[:3]),
    ]


def _date(metas: dict[str, str], ld: list[dict[str, object]], soup: BeautifulSoup, tz: str) -> tuple[str | None, str]:
    """The publication date from the page's named sources, in htmldate's order."""
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


def _lines(body: Tag) -> list[str]:
    """The page's text in document order: a line per innermost block element, and one per innermost
    inline element too (a dateline's parts often stand in <span>s beside other things)."""
    tags = body.find_all(_LINE_TAGS + _INLINE_TAGS)
    inner = set()  # elements holding another of their kind (block in block, inline in inline): not lines
    for tag in tags:
        kinds = _LINE_SET if tag.name in _LINE_SET else _INLINE_SET | _LINE_SET
        parent = next((p for p in tag.parents if p.name in kinds), None)
        if parent is not None and (parent.name in _INLINE_SET) == (tag.name in _INLINE_SET):
            inner.add(id(parent))
    return [value for value in (text(tag) for tag in tags if id(tag) not in inner) if value]


def _dateline(body: Tag, title: str | None) -> tuple[str | None, str, str | None, tuple[int, int] | None]:
    """(date, why, source, a yearless date) from the dateline shown on the page: a short line with a date,
    a time or a 来源 label, the nearest one under the headline first. A date given with its weekday and no
    label (2025年05月21日 星期三 at the top of a page) is the day the page was viewed, not published."""
    lines = _lines(body)
    key = compact(title or "")
    start = next((i for i, line in enumerate(lines) if key and key in compact(line)), 0)
    date, why, source, partial = None, "", None, None
    order = [
        *range(start, min(len(lines), start + DATELINE_REACH)),
        *range(start),
        *range(start + DATELINE_REACH, len(lines)),
    ]
    for i in order:
        value = normalise_punctuation(to_simplified(lines[i]))
        if i and _BARE_DATE.match(value):
            # A table gives the label in the cell before: 发布日期 | 2021-04-16.
            value = normalise_punctuation(to_simplified(lines[i - 1]))[-LABEL_CELL:] + "：" + value
        if not is_meta(value) or ("星期" in value and not _PUBLISH_LABEL.search(value)):
            continue
        label = SOURCE_LABEL.search(value)
        named = [w for w in re.split(r"[\s·|｜]+", value) if _is_site(w) and 2 < len(w) <= SOURCE_MAX]
        source = source or (label.group(1) if label else None) or next(iter(named), None)
        partial = partial or find_partial_date(value)
        if find_date(value) and (date is None or (_DRAFTED.search(why) and _PUBLISHED.search(value))):
            # A government page's table gives 成文日期 (drafted) and 发布日期 (published): publication wins.
            date, why = find_date(value), f"网页上的日期行：{value[:40]}"
        if date and source and not _DRAFTED.search(why):
            break
    return date, why, source, partial


def _named_source(body: Tag) -> str | None:
    """The text of an element named as the source (<a class="source">某某报</a>), without its label."""
    for tag in body.find_all(True):
        if _SOURCE_WORDS & set(words(tag)):
            value = re.sub(r"^.*?来源\s*[：:]\s*", "", normalise_punctuation(to_simplified(text(tag))))
            if 2 <= len(value) <= SOURCE_MAX and not re.search(r"\d{4}", value):
                return value
    return None


def _headline_from_lines(body: Tag, bp: Boilerplate) -> tuple[str | None, str]:
    """When the page's markup names no headline, read its lines as copied text is read (textpage)."""
    lines = _lines(body)
    frame = locate([normalise_punctuation(to_simplified(line)) for line in lines], lines, bp)
    return (frame.title_text or None), f"网页文字中的标题行（{frame.why}）"


def read_meta(soup: BeautifulSoup, html: str, tz: str, bp: Boilerplate | None = None) -> Meta:
    """Everything the page says about its article, before any of it is taken apart."""
    metas, ld = _metas(soup), _json_ld(soup)
    body = soup.find("body") or soup
    site = metas.get("og:site_name") or _ld_value(ld, "publisher")
    scripts = " ".join(s.get_text() for s in soup.find_all("script"))
    wechat = _WECHAT_NAME.search(scripts)
    account = text(soup.find(id="js_name")) or (wechat.group(1) if wechat else "")
    page_title = text(soup.find("title"))
    candidates = [
        ("og:title", metas.get("og:title", "")),
        ("twitter:title", metas.get("twitter:title", "")),
        ("JSON-LD headline", _ld_value(ld, "headline") or ""),
        ("微信标题", text(soup.find(class_="rich_media_title"))),
        *_titled(body),
        ("<meta title>", metas.get("title", "") or metas.get("headline", "")),
        ("<title>", page_title),
    ]
    title, title_why = _choose_title([(w, t) for w, t in candidates if t], site)
    if bp is not None and (not title or chrome_kind(title, title, bp) or cjk_count(title) < TITLE_MIN_CJK):
        # <title> says only 打印本页 or the site's name, and nothing in the markup is named a headline.
        title, title_why = _headline_from_lines(body, bp)
    date, date_why = _date(metas, ld, soup, tz)
    seen_date, seen_why, seen_source, partial = _dateline(body, title)
    url = _url(soup, metas, html)
    if date is None:
        date, date_why = seen_date, seen_why
    if date is None and url and _URL_DATE.search(url):
        date, date_why = find_date("-".join(_URL_DATE.search(url).groups())), "网址中的日期"
    # The dateline's 来源 names who wrote it; og:site_name and JSON-LD name the site that shows it.
    suffix = next((p for p in reversed(_title_parts(page_title)[1:]) if _is_site(p)), None)  # 栏目 before 网站
    publisher = account or seen_source or _named_source(body)
    updated = next((parse_meta_date(metas[k], tz) for k in _META_UPDATED_KEYS if k in metas), None)
    updated = updated or parse_meta_date(_ld_value(ld, "dateModified") or "", tz)
    return Meta(title, title_why, date, date_why, url, publisher, site or suffix, updated, partial)
