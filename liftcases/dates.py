"""Read publication dates in the many ways articles write them; never guess."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

# A full date written in text: 2023年07月07日, 2023-07-09, 2020/9/23, 2023.7.9
_TEXT_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:年\s*|[-/.])(?P<m>\d{1,2})\s*(?:月\s*|[-/.])(?P<d>\d{1,2})(?:\s*日)?(?!\d)"
)
_LABELLED = re.compile(r"(发布时间|发布日期|发表时间|时间|日期|更新时间)\s*[：:]")


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_meta_date(value: object, tz: str) -> str | None:
    """A front matter date: a YAML date/datetime, RFC 2822, ISO 8601 or a text date."""
    if isinstance(value, datetime):
        return _in_zone(value, tz).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return _in_zone(datetime.fromisoformat(text.replace("Z", "+00:00")), tz).date().isoformat()
    except ValueError:
        pass
    try:
        return _in_zone(parsedate_to_datetime(text), tz).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    return find_date(text)


def _in_zone(moment: datetime, tz: str) -> datetime:
    # A time with a zone (RFC 2822 "GMT") is read as local time where the article was published.
    return moment.astimezone(ZoneInfo(tz)) if moment.tzinfo else moment


def find_date(text: str) -> str | None:
    """The first complete, valid date in a piece of text; labelled dates (发布时间：…) win."""
    labelled = _LABELLED.search(text)
    if labelled:
        m = _TEXT_DATE.search(text, labelled.end())
        if m:
            found = _valid(int(m["y"]), int(m["m"]), int(m["d"]))
            if found:
                return found
    for m in _TEXT_DATE.finditer(text):
        found = _valid(int(m["y"]), int(m["m"]), int(m["d"]))
        if found:
            return found
    return None


def has_date(text: str) -> bool:
    return _TEXT_DATE.search(text) is not None


_PARTIAL = re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*(?:月\s*(?P<d1>\d{1,2})\s*日|-(?P<d2>\d{1,2})(?=\s+\d{1,2}:\d{2}))")
_URL_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:[/_-]?(?:0[1-9]|1[0-2]))(?!\d{3})")


def find_partial_date(text: str) -> tuple[int, int] | None:
    """A month and day without a year (7月8日, 07-09 12:05), as written in a head line."""
    m = _PARTIAL.search(text)
    if not m:
        return None
    month, day = int(m["m"]), int(m["d1"] or m["d2"])
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def complete_date(partial: tuple[int, int], url: str | None) -> str | None:
    """Give a yearless date its year only when the article's URL names it; otherwise None, never a guess."""
    m = _URL_YEAR.search(url or "")
    return _valid(int(m.group(1)), *partial) if m else None


_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_.]?(0[1-9]|1[0-2])[-/_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


def url_date(url: str | None) -> str | None:
    """A full date written in an address (/2023/07/09/, t20230709_…): only ever shown to an editor as a
    value to check, never taken as the article's date."""
    for m in _URL_DATE.finditer(url or ""):
        found = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found
    return None


def before(partial: tuple[int, int], updated: str | None) -> str | None:
    """A yearless date completed by the year of a later full date (when the page was last changed):
    the same year when that makes it no later, else the year before; None without a full date."""
    if not updated:
        return None
    year = int(updated[:4])
    found = _valid(year, *partial)
    if found and found > updated:
        found = _valid(year - 1, *partial)
    return found
