"""A link checker for the built site: every internal link, anchor and asset must resolve."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

LINK_ATTRS = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("form", "action"))


def _target(site: Path, path: str) -> Path | None:
    rel = unquote(path).lstrip("/")
    candidate = site / rel
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def _xml_links(path: Path) -> list[str]:
    """Links in a feed (<link href>) or a sitemap (<loc>)."""
    root = ET.parse(path).getroot()
    links = [el.get("href", "") for el in root.iter() if el.tag.endswith("}link")]
    return links + [el.text or "" for el in root.iter() if el.tag.endswith("}loc")]


def check_links(site: Path, base: str = "/", origin: str = "") -> list[str]:
    """Broken links as 'page: link (reason)' strings; empty when every link resolves.

    Covers every HTML page (a, link, script, img, form), every feed and the sitemap. Links to
    ``origin`` (the site's site_url) are the site's own and are checked too."""
    site = site.resolve()

    @cache
    def ids(page: Path) -> frozenset[str]:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        return frozenset(str(t["id"]) for t in soup.find_all(id=True))

    def links_of(page: Path) -> list[str]:
        if page.suffix == ".xml":
            return _xml_links(page)
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        return [str(t.get(attr)) for name, attr in LINK_ATTRS for t in soup.find_all(name) if t.get(attr)]

    broken = []
    pages = [p for p in sorted(site.rglob("*")) if p.suffix in (".html", ".xml")]
    for page in pages:
        if "pagefind" in page.relative_to(site).parts:
            continue
        page_url = base + page.relative_to(site).as_posix()
        for value in links_of(page):
            value = value[len(origin) :] if origin and value.startswith(origin + "/") else value
            url = urlsplit(urljoin(page_url, value))
            if url.scheme in ("http", "https") and url.netloc:
                continue  # external: article images and publishers' pages
            if url.scheme not in ("", "http", "https"):
                broken.append(f"{page_url}: {value} (scheme {url.scheme!r} not allowed)")
                continue
            if not url.path.startswith(base):
                broken.append(f"{page_url}: {value} (outside base {base})")
                continue
            target = _target(site, url.path[len(base) :])
            if target is None:
                broken.append(f"{page_url}: {value} (no such file)")
            elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in ids(target):
                broken.append(f"{page_url}: {value} (no anchor #{unquote(url.fragment)})")
    return broken
