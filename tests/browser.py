"""Headless Chromium (Debian's package) driven by Playwright, and Pagefind queried through the real pagefind.js."""

from __future__ import annotations

import shutil
import time
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


def wait_until(page: Page, expression: str, timeout: float = 30.0) -> None:
    """Poll a JavaScript expression from Python until it is true. Playwright's wait_for_function polls
    with eval() inside the page, which the site's Content-Security-Policy (no 'unsafe-eval') refuses
    whenever the condition is not already true; page.evaluate goes through the DevTools protocol."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)


def search_urls(page: Page, query: str, filters: dict[str, str] | None = None, sort: str = "") -> list[str]:
    """Every result URL for a query, through the site's own search.js and pagefind.js (page must be /search/)."""
    wait_until(page, 'typeof window.jiatiSearch === "function"')
    return page.evaluate("([q, f, s]) => window.jiatiSearch(q, f, s)", [query, filters or {}, sort])


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
