"""Headless Chromium (Debian's package) driven by Playwright, and Pagefind queried through the real pagefind.js."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SEARCH_JS = """
async (q) => {
  if (!window.__pf) {
    window.__pf = await import(document.baseURI.replace(/[^/]*$/, '') + '../pagefind/pagefind.js');
    await window.__pf.init();
  }
  const r = await window.__pf.search(q);
  const data = await Promise.all(r.results.map((x) => x.data()));
  return data.map((d) => d.url);
}
"""


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def search_urls(page: Page, query: str) -> list[str]:
    """Result URLs for a query, through the site's own pagefind.js (the page must be /search/)."""
    return page.evaluate(SEARCH_JS, query)
