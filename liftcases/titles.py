"""Repair titles that exporters and aggregators mangled."""

from __future__ import annotations

import re

from .zh_text import close_cjk_spaces, compact

# " _ ", " - ", " | " and their full-width forms separate a title from a site name or series label.
_SEPARATOR = re.compile(r"\s+[_\-|｜—]+\s+|\s*[|｜]\s*|\s+-\s*|\s*-\s+")
# A part that names a site or an account rather than the article.
SITE_NAME = re.compile(
    r"(网|报|新闻|要闻|头条|快报|号|在线|发布|官微|频道|之声|客户端|APP|app|资讯|公司|人民政府|政府网站|电子版|数字报)$"
)
# The same words anywhere in a short part: a site's name with a button glued on (某某资讯登录).
SITE_WORD = re.compile(r"(网|报|新闻|头条|资讯|客户端|APP|app|政府)")
SITE_TAIL_MAX = 12
# A part that names a series or column.
_SERIES = re.compile(r"(系列报道|专题|专栏|系列|第.{1,3}(篇|期))$")


def split_site_parts(title: str, site_names: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """(title, [dropped parts]): keep the part that is the article's own title."""
    parts = [p.strip() for p in _SEPARATOR.split(title) if p and p.strip()]
    if len(parts) <= 1 and title.count("-") == 1:
        # One hyphen without spaces separates a short site name (…新速度-微头条), not a compound word.
        head, tail = title.rsplit("-", 1)
        if len(tail.strip()) <= SITE_TAIL_MAX and (tail.strip() in site_names or SITE_WORD.search(tail)):
            parts = [head.strip(), tail.strip()]
    if len(parts) <= 1 and title.count("_") == 1:
        # One underscore is a separator when what follows it is a site's name (…明白账_闵行新闻);
        # paired underscores are quotation marks (see pair_underscores).
        head, tail = title.rsplit("_", 1)
        if tail.strip() in site_names or SITE_NAME.search(tail.strip()):
            parts = [head.strip(), tail.strip()]
    if len(parts) <= 1:
        # A site's name before a colon (某某资讯：标题) is a label, not part of the headline.
        head, colon, tail = title.partition("：")
        if colon and len(head) <= SITE_TAIL_MAX and SITE_WORD.search(head) and len(tail) > len(head):
            return tail.strip(), [head.strip()]
        return title.strip(), []
    keep = [p for p in parts if p not in site_names and not SITE_NAME.search(p) and not _SERIES.search(p)]
    if not keep:
        keep = [max(parts, key=len)]
    main = max(keep, key=len)
    return main, [p for p in parts if p != main]


def pair_underscores(title: str) -> str:
    """Hexo exports turned quotation marks into underscores: ``喜获_新年大礼_`` is ``喜获“新年大礼”``."""
    pieces = title.split("_")
    if len(pieces) == 1:
        return title
    out = [pieces[0]]
    for n, piece in enumerate(pieces[1:]):
        last_unpaired = len(pieces) % 2 == 0 and n == len(pieces) - 2
        out.append((" " if last_unpaired else "“”"[n % 2]) + piece)
    return close_cjk_spaces("".join(out)).strip()


def restated_title(title: str, candidates: list[str]) -> tuple[str, int] | None:
    """When the body restates the title in one or two consecutive lines, return (that text, lines used).

    The body's wording is the true one: it still has the quotation marks the export lost.
    """
    target = compact(title)
    if len(target) < 4:
        return None
    for start, first in enumerate(candidates):
        if compact(first) == target:
            return first, start
        if start + 1 < len(candidates) and compact(first + candidates[start + 1]) == target:
            return first + candidates[start + 1], start
    return None


def repeats_title(line: str, title: str) -> str | None:
    """When a line is only the title again (an image caption), perhaps with a site name after each
    copy, return that site name ('' if none); otherwise None."""
    if len(compact(title)) < 6 or title not in line:
        return None
    leftovers = {part.strip(" -_|｜—") for part in line.replace(title, "\n").split("\n")} - {""}
    if len(leftovers) > 1:
        return None
    site = leftovers.pop() if leftovers else ""
    return site if len(site) <= 15 and not re.search(r"[，。！？]", site) else None
