"""Search through the real pagefind.js and search.js in headless Chromium: full recall by Chinese keyword.

For every query, every case page whose text contains the query (after conversion to Simplified)
must be found; results that do not contain it must be rare (here: none). Run over the seed site
and over a generated corpus of 1,000 articles.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from liftcases.search_records import compact_for_search
from liftcases.zh_text import to_simplified

from .browser import browser, chromium_path, search_urls, wait_until
from .conftest import DATA, build_into, make_content, serve
from .corpus import write_corpus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="needs Debian's chromium: apt-get install chromium"),
]

QUERIES = [
    # methods and their aliases
    "党建引领", "先易后难", "掌上签约", "红色议事厅", "三驾马车", "以心换心", "因户施策", "锦囊妙计", "挂图作战",
    "包干竞赛", "意见征询", "临时党支部", "成熟一部加装一部", "全生命周期",
    # places
    "长风", "甘泉苑", "普陀", "静安区", "天目西路", "新月福邸", "恒信", "金山工业区", "宝山",
    # words and problems
    "电梯", "悬空老人", "采光", "停车", "维保", "噪音", "楼组长", "业委会", "分摊比例", "晾晒",
    # single characters
    "装", "梯", "楼", "难",
    # phrases and several words
    "“加装电梯”", "加装 电梯", "居民区党总支 协商",
    # Traditional and mixed script
    "黨建引領", "紅色議事廳", "加裝電梯", "懸空老人", "長風", "加装電梯",
    # figures and ASCII
    "1+2+N", "28台",
    # nonsense: nothing contains them
    "火箭发射场", "加装火箭", "量子计算机", "zzzz",
]  # fmt: skip
NONSENSE = ["火箭发射场", "加装火箭", "量子计算机", "zzzz", "电梯火箭"]


def expected_pages(cases, query: str, site: Path | None = None) -> set[str]:
    """The cases whose text holds the query, and (given the built site) every case tagged with a
    method, obstacle, district, street or estate whose name or alias is the query."""
    terms = [compact_for_search(to_simplified(t)) for t in query.split()]
    terms = [t for t in terms if t]
    found = {c.url for c in cases if all(t in compact_for_search(c.article.text) for t in terms)}
    return found | (tagged_pages(cases, "".join(terms), site) if site else set())


def same(name: str, query: str) -> bool:
    return compact_for_search(to_simplified(name)) == query


def tagged_pages(cases, query: str, site: Path) -> set[str]:
    """Worked out from the data files and places.json, not from what the build gave the search page."""
    methods = {m.id: (m.name, *m.aliases) for m in DATA.methods}
    obstacles = {o.id: (o.name, *o.aliases) for o in DATA.obstacles}
    districts = {(d.city, d.name): (d.name, *d.aliases, *d.former) for c in DATA.cities for d in c.districts}
    streets = {(d.name, st.name): (st.name, *st.aliases) for c in DATA.cities for d in c.districts for st in d.streets}
    found = set()
    for c in cases:
        names = [n for u in c.methods for n in methods[u.id]] + [n for o in c.obstacles for n in obstacles[o.id]]
        names += districts.get((c.place.city or "", c.place.district or ""), ())
        if any(same(n, query) for n in names):
            found.add(c.url)
    places = json.loads((site / "data" / "places.json").read_text(encoding="utf-8"))
    for p in places:
        names = [p["name"], *p["aliases"]]
        if p["kind"] == "street":
            district = next(d for c in DATA.cities for d in c.districts if f"districts/{d.slug}" == p["parent"])
            names += streets.get((district.name, p["name"]), ())
        if p["kind"] == "district" or (p["kind"] == "neighbourhood" and len(p["cases"]) < 2):
            continue  # districts are counted above; an estate with one article has no search record
        if any(same(n, query) for n in names):
            found |= {f"/cases/{slug}/" for slug in p["cases"]}
    return found


def tag_queries() -> list[str]:
    """Every method's, obstacle's and Shanghai district's name, in Simplified and in Traditional script."""
    import opencc

    names = [m.name for m in DATA.methods] + [o.name for o in DATA.obstacles]
    names += [d.name for c in DATA.cities if c.name == "上海市" for d in c.districts]
    traditional = opencc.OpenCC("s2t")
    return names + [t for t in (traditional.convert(n) for n in names) if t not in names]


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def seed_search(chromium, seed_build, seed_server):
    page = chromium.new_page()
    page.goto(seed_server + "/search/")
    yield page, seed_build[0].cases, seed_build[1]
    page.close()


@pytest.fixture(scope="module")
def corpus_search(chromium, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus-1000")
    content = make_content(tmp)
    write_corpus(content / "articles", 1000)
    result, site = build_into(tmp, content)
    for base in serve(site):
        page = chromium.new_page()
        page.goto(base + "/search/")
        yield page, result.cases, site
        page.close()


def check_suite(page, cases, site: Path) -> tuple[int, int]:
    """Full recall on every query, tag queries included; returns (results that contain the query or
    are tagged with it, all case results)."""
    correct = total = by_tag_only = 0
    for query in QUERIES + tag_queries():
        want = expected_pages(cases, query, site)
        by_tag_only += len(want - expected_pages(cases, query))
        got = [u for u in search_urls(page, query) if u.startswith("/cases/")]
        missing = want - set(got)
        assert not missing, f"{query}: missed {sorted(missing)[:5]}"
        correct += len(set(got) & want)
        total += len(got)
    for query in NONSENSE:
        assert search_urls(page, query) == [], query
    assert by_tag_only > 0  # some cases are found by what they are tagged with, not by their words
    return correct, total


def test_query_suite_has_forty_queries_of_every_kind():
    assert len(QUERIES) >= 40
    assert any(len(q) == 1 for q in QUERIES) and any(" " in q for q in QUERIES)


def test_seed_site_full_recall_and_precision(seed_search):
    page, cases, site = seed_search
    correct, total = check_suite(page, cases, site)
    assert total and correct / total >= 0.95


def test_corpus_of_1000_full_recall_and_precision(corpus_search):
    page, cases, site = corpus_search
    assert len(cases) > 900
    correct, total = check_suite(page, cases, site)
    assert total > 1000 and correct / total >= 0.95


@pytest.mark.parametrize("query", ["电梯加装", "电梯居民加装", "居民区加装电梯"])
def test_a_query_whose_pairs_are_common_apart_checks_few_pages(corpus_search, query):
    """Pagefind is asked for pairs that cover the query without overlapping (fewer index chunks to
    load); when most pages found that way lack the query, the skipped pairs are asked for as well,
    so a query made of common pairs in an unusual order does not read a fragment per page."""
    page, cases, _ = corpus_search
    fetched: list[str] = []

    def fragment(request) -> None:
        if request.url.endswith(".pf_fragment"):
            fetched.append(request.url)

    page.on("request", fragment)
    try:
        found = search_urls(page, query)
    finally:
        page.remove_listener("request", fragment)
    assert {u for u in found if u.startswith("/cases/")} == expected_pages(cases, query)
    assert len(fetched) <= len(found) + 30


METHOD_QUERIES = [
    ("一楼不同意怎么办？", "/obstacles/di-lou-ceng-fan-dui/"),
    ("电梯装好后谁来维保", "/obstacles/wei-bao-yun-wei/"),
    ("先易后难", "/methods/xian-yi-hou-nan/"),
    ("先易后难法", "/methods/xian-yi-hou-nan/"),
    ("红色议事厅", "/methods/hong-se-yi-shi-ting/"),
    ("紅色議事廳", "/methods/hong-se-yi-shi-ting/"),
]


@pytest.mark.parametrize(("query", "url"), METHOD_QUERIES)
def test_method_or_obstacle_page_ranks_first_for_its_name_alias_or_question(seed_search, query, url):
    page, _, _ = seed_search
    assert search_urls(page, query)[0] == url


def test_a_case_found_by_its_tag_shows_the_sentence_that_earned_it(chromium, seed_build, seed_server):
    """Through the search page: each case tagged with the method searched for shows, as its excerpt,
    the sentence that earned the tag (as the method's page does), even when its words differ."""
    method = next(m for m in DATA.methods if m.name == "意见征询")
    evidence = {c.url: u.evidence[0] for c in seed_build[0].cases for u in c.methods if u.id == method.id}
    assert len(evidence) >= 2
    page = chromium.new_page()
    page.goto(seed_server + "/search/?q=" + method.name)
    wait_until(page, "document.querySelectorAll('#search-results li').length > 2")
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll('#search-results li')).map(li =>
             [li.querySelector('h2 a').getAttribute('href'), li.querySelector('.excerpt').textContent])"""
    )
    page.close()
    assert shown[0][0] == method.url  # the method's own page first
    tagged = {href: text for href, text in shown if href in evidence}
    assert set(tagged) == set(evidence)
    for href, text in tagged.items():
        assert text.strip("…") in " ".join(evidence[href].split()), (href, text)


def test_filters_and_sort(seed_search):
    page, cases, _ = seed_search
    putuo = search_urls(page, "电梯", {"区": "普陀区"})
    assert set(putuo) == {c.url for c in cases if c.place.district == "普陀区"}
    y2021 = search_urls(page, "电梯", {"年份": "2021"})
    assert set(y2021) == {c.url for c in cases if (c.article.date or "").startswith("2021")}
    newest = [u for u in search_urls(page, "电梯", {}, "date") if u.startswith("/cases/")]
    dates = [next(c.article.date for c in cases if c.url == u) for u in newest]
    assert dates == sorted(dates, reverse=True)


def test_search_page_by_keyboard_with_state_in_the_url(chromium, seed_server):
    page = chromium.new_page()
    page.goto(seed_server + "/search/?q=甘泉苑&district=普陀区")
    results = page.locator("#search-results li")
    results.first.wait_for(timeout=15000)
    assert page.locator("#f-district").input_value() == "普陀区"
    first = results.first
    assert first.locator("h2 a").get_attribute("href") == "/cases/putuo-ganquanyuan-traditional/"
    assert "普陀区" in first.inner_text() and "2023-07-07" in first.inner_text() and "做法：" in first.inner_text()
    assert first.locator("mark").first.inner_text() == "甘泉苑"
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("火箭发射场")
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('search-status').textContent.includes('没有找到')")
    assert page.locator("#search-results li").count() == 0
    assert "q=%E7%81%AB%E7%AE%AD" in page.url
    page.close()


def test_an_estate_alias_finds_every_article_about_the_estate(chromium, tmp_path_factory):
    """On the corpus with several articles per estate: 桐荫苑居民区 names the estate 桐荫苑, whose articles
    also write 桐荫苑小区 or 桐蔭苑; every one of them is found, and the street's short name (长风街道)
    finds its page first and the cases the build placed on that street."""
    import shutil

    tmp = tmp_path_factory.mktemp("estates-search")
    content = make_content(tmp)
    shutil.rmtree(content / "articles")
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "estates" / "articles", content / "articles")
    result, site = build_into(tmp, content)
    places = {p["name"]: p for p in json.loads((site / "data" / "places.json").read_text(encoding="utf-8"))}
    for base in serve(site):
        page = chromium.new_page()
        page.goto(base + "/search/")
        estate = {f"/cases/{slug}/" for slug in places["桐荫苑"]["cases"]}
        text_only = expected_pages(result.cases, "桐荫苑居民区")
        assert text_only < estate  # some articles do not write the alias: only the tag finds them
        assert set(search_urls(page, "桐荫苑居民区")) >= estate
        street = {f"/cases/{slug}/" for slug in places["长风新村街道"]["cases"]}
        assert expected_pages(result.cases, "长风街道") < street  # the gazetteer's short form of the name
        found = search_urls(page, "长风街道")
        assert found[0] == places["长风新村街道"]["url"] and set(found) >= street
        page.close()
