"""The real built seed site in headless Chromium: navigation and search."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from .browser import browser, chromium_path

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="needs Debian's chromium: apt-get install chromium"),
]

FENGHE = "/cases/putuo-changfeng-fenghe-ten-methods/"
GANQUAN = "/cases/putuo-ganquanyuan-traditional/"


@pytest.fixture(scope="module")
def browser_instance():
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def page(browser_instance, seed_server):
    context = browser_instance.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.base = seed_server  # type: ignore[attr-defined]
    yield p
    assert errors == []
    context.close()


def test_navigation_case_method_case_district_case(page):
    base = page.base
    page.goto(base + FENGHE)
    page.get_by_role("link", name="居民议事会", exact=True).first.click()
    page.wait_for_url(base + "/methods/hong-se-yi-shi-ting/")
    assert page.locator("h1").inner_text() == "居民议事会"
    page.locator(f'a[href="{GANQUAN}"]').first.click()
    page.wait_for_url(base + GANQUAN)
    page.locator('nav.breadcrumb a[href="/districts/putuo/"]').first.click()
    page.wait_for_url(base + "/districts/putuo/")
    page.locator(f'main a[href="{FENGHE}"]').first.click()
    page.wait_for_url(base + FENGHE)
    assert "风荷加梯十法" in page.locator("h1").inner_text()


ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
PAGE_TYPES = {
    "home": "/",
    "case": FENGHE,
    "case-traditional": GANQUAN,
    "method": "/methods/xian-yi-hou-nan/",
    "methods": "/methods/",
    "district": "/districts/putuo/",
    "street": "/districts/putuo/changfengxincun/",
    "estate": "/places/putuo/ganquanyuan/",
    "districts": "/districts/",
    "search": "/search/?q=红色议事厅",
    "about": "/about/",
    "not-found": "/404.html",
}


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_page_type_is_accessible_fits_a_phone_and_is_screenshotted(browser_instance, seed_server, name):
    check_page(browser_instance, seed_server + PAGE_TYPES[name], name)


# Place pages of the corpus with several articles per estate (tests/fixtures/estates/): a real timeline and chart.
PLACE_PAGES = {"estate-timeline": "/places/putuo/tongyinyuan/", "street-estates": "/districts/putuo/changfengxincun/"}


@pytest.fixture(scope="module")
def estates_server(tmp_path_factory):
    import shutil

    from .conftest import build_into, make_content, serve

    tmp = tmp_path_factory.mktemp("estates-browser")
    content = make_content(tmp)
    shutil.rmtree(content / "articles")
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "estates" / "articles", content / "articles")
    _, site = build_into(tmp, content, search=False)
    yield from serve(site)


@pytest.mark.parametrize("name", sorted(PLACE_PAGES))
def test_place_pages_are_accessible_fit_a_phone_and_are_screenshotted(browser_instance, estates_server, name):
    check_page(browser_instance, estates_server + PLACE_PAGES[name], name)


def check_page(browser_instance, url: str, name: str) -> None:
    """At 360 and 1280 px: no horizontal scroll, no serious axe finding (at 1280), a screenshot of each."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (360, 1280):
        context = browser_instance.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        p = context.new_page()
        p.goto(url)
        if name == "search":
            p.locator("#search-results li").first.wait_for(timeout=15000)
        p.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert p.evaluate("document.documentElement.scrollWidth") <= width, "horizontal scroll"
        if width == 1280:
            violations = Axe().run(p).response["violations"]
            bad = [
                (v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")
            ]
            assert bad == []
        context.close()
    assert (ARTIFACTS / f"{name}-360.png").stat().st_size > 1000


def test_pages_read_without_javascript(browser_instance, seed_server):
    context = browser_instance.new_context(java_script_enabled=False)
    p = context.new_page()
    p.goto(seed_server + FENGHE)
    assert "风荷加梯十法" in p.locator("h1").inner_text()
    assert p.locator(".methods li").count() >= 10
    requests: list[str] = []
    p.on("request", lambda r: requests.append(r.url))
    p.goto(seed_server + "/")
    assert all(u.startswith(seed_server) for u in requests), requests  # no font, script or CDN elsewhere
    context.close()
