"""Places as pages (tests/fixtures/estates/): street and estate pages, each estate's timeline and chart,
names joined and split, places.json and place_ids, and the seed site's breadcrumbs.

The corpus holds several stories per estate across years and stages, in every raw form the build
reads, with one story saved from two sites and two estates whose names differ only by a suffix;
timeline.json says what a careful reader finds in each article.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from liftcases.datafiles import load_data
from liftcases.localities import index_places

from .conftest import ORIGIN, ROOT, build_into, make_content, with_site_url
from .linkcheck import check_links

CORPUS = Path(__file__).resolve().parent / "fixtures" / "estates"
TIMELINE = json.loads((CORPUS / "timeline.json").read_text(encoding="utf-8"))
SERIES = {"signed": "已签约电梯", "started": "已开工电梯", "completed": "已建成电梯"}


@pytest.fixture(scope="module")
def estates_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("estates")
    content = make_content(tmp)
    shutil.rmtree(content / "articles")
    shutil.copytree(CORPUS / "articles", content / "articles")
    with_site_url(content)  # a sitemap, to check
    result, site = build_into(tmp, content, search=False)
    return result, site, content


def places(site: Path) -> dict[str, dict]:
    records = json.loads((site / "data" / "places.json").read_text(encoding="utf-8"))
    return {r["id"]: r for r in records}


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")


def by_name(site: Path, name: str) -> dict:
    (record,) = [r for r in places(site).values() if r["kind"] == "neighbourhood" and r["name"] == name]
    return record


def slug_of(file: str) -> str:
    return Path(file).stem


def test_each_estate_is_one_place_with_every_story_in_date_order(estates_build):
    result, site, _ = estates_build
    cases = {c.slug: c for c in result.cases}
    merged = {slug_of(b) for a, b in TIMELINE["duplicates"]}
    for estate in TIMELINE["estates"]:
        record = by_name(site, estate["name"])
        wanted = [slug_of(a["file"]) for a in estate["articles"] if slug_of(a["file"]) not in merged]
        assert record["cases"] == list(reversed(wanted)), estate["name"]  # places.json: newest first
        assert record["parent"].endswith("/" + record["url"].split("/")[2]) or record["parent"].startswith("districts/")
        assert all(cases[s].place.district == estate["district"] for s in wanted)
        page = soup(site, record["url"])
        # The timeline: oldest first, one entry per story, each linking to its case.
        links = [a["href"] for a in page.select("ol.timeline h3 a")]
        assert links == [f"/cases/{s}/" for s in wanted]
        dates = [t["datetime"] for t in page.select("ol.timeline time")]
        assert dates == sorted(dates) == [a["date"] for a in estate["articles"] if slug_of(a["file"]) not in merged]


def test_stages_and_lift_counts_on_each_timeline_are_what_the_articles_say(estates_build):
    _, site, _ = estates_build
    merged = {slug_of(b) for a, b in TIMELINE["duplicates"]}
    names = {"consultation": "征询", "signing": "签约", "construction": "施工", "completed": "竣工/投用"}
    for estate in TIMELINE["estates"]:
        page = soup(site, by_name(site, estate["name"])["url"])
        entries = page.select("ol.timeline > li")
        wanted = [a for a in estate["articles"] if slug_of(a["file"]) not in merged]
        for entry, article in zip(entries, wanted, strict=True):
            stage = entry.select_one(".stage-name")
            assert stage is not None and stage.get_text() == names[article["stage"]], article["file"]
            counts = entry.select_one(".lifts")
            shown = counts.get_text(" ", strip=True) if counts else ""
            for key, value in article.get("lifts", {}).items():
                short = {"signed": "签约", "started": "开工", "completed": "建成"}[key]
                assert f"{short} {value} " in shown + " ", (article["file"], key, shown)


def test_latest_stage_and_figures_of_an_estate_come_from_its_latest_articles(estates_build):
    _, site, _ = estates_build
    tong = by_name(site, "桐荫苑")
    assert tong["stage"]["id"] == "completed"
    latest = {x["label"]: (x["value"], x["date"]) for x in tong["latest"]}
    assert latest[SERIES["completed"]] == (28, "2024-01-18")
    assert latest[SERIES["signed"]] == (28, "2022-09-28")
    assert sorted(tong["aliases"]) == ["桐荫苑小区", "桐荫苑居民区"]  # 桐蔭苑小區 is read as 桐荫苑小区


def test_the_chart_draws_each_series_through_the_articles_counts(estates_build):
    _, site, _ = estates_build
    page = soup(site, by_name(site, "桐荫苑")["url"])
    svg = page.select_one("figure.line-chart svg")
    assert svg is not None and svg.get("role") == "img" and svg.select_one("title").get_text()
    points = {c.select_one("title").get_text() for c in svg.select("circle")}
    assert "2022-09-28 建成 16 台" in points and "2024-01-18 建成 28 台" in points
    assert "2020-06-12 签约 12 台" in points
    completed = [c for c in svg.select("circle") if "建成" in c.select_one("title").get_text()]
    ys = [float(c["cy"]) for c in completed]
    assert ys == sorted(ys, reverse=True)  # more lifts, higher up
    xs = [float(c["cx"]) for c in completed]
    assert xs == sorted(xs)


def test_names_that_differ_only_by_a_suffix_in_two_named_streets_are_two_places(estates_build):
    _, site, _ = estates_build
    songhe = [r for r in places(site).values() if r["kind"] == "neighbourhood" and r["name"].startswith("松鹤")]
    assert len(songhe) == 2
    assert {r["parent"] for r in songhe} == {"districts/putuo/yichuanlu", "districts/putuo/shiquanlu"}
    review = soup(site, "/review/")
    unsure = review.select_one("#unsure-h").find_parent("section").get_text()
    assert "松鹤小区" in unsure and "松鹤居民区" in unsure


def test_street_page_lists_its_estates_methods_obstacles_and_articles_newest_first(estates_build):
    result, site, _ = estates_build
    street = places(site)["districts/putuo/changfengxincun"]
    assert street["name"] == "长风新村街道"
    page = soup(site, street["url"])
    estates = [a.get_text() for a in page.select("#estates-h + ul a")]
    assert estates == ["桐荫苑", "槿园新村"]  # the latest reported first
    listed = [a["href"] for a in page.select("#cases-h + ul.case-list > li > a")]
    cases = {c.url: c for c in result.cases}
    dates = [cases[u].article.date for u in listed]
    assert dates == sorted(dates, reverse=True) and len(listed) == len(street["cases"])
    assert page.select("#methods-h + ul a[href^='/methods/']")
    assert page.select_one("link[type='application/atom+xml']")["href"] == street["url"] + "feed.xml"
    assert (site / street["url"].strip("/") / "feed.xml").is_file()


def test_every_breadcrumb_and_place_link_reaches_a_page_and_no_place_page_is_empty(estates_build):
    result, site, _ = estates_build
    assert check_links(site, origin=ORIGIN) == []
    for case in result.cases:
        crumbs = [a["href"] for a in soup(site, case.url).select("nav.breadcrumb a")]
        assert crumbs[0] == "/districts/"
        if case.place.neighbourhood:
            assert crumbs[-1].startswith("/places/"), case.slug
    for record in places(site).values():
        assert record["cases"], record["id"]
        assert soup(site, record["url"]).select("a[href^='/cases/']"), record["id"]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert all(r["url"] in sitemap for r in places(site).values())


def test_cases_json_place_ids_name_pages_in_places_json(estates_build):
    _, site, _ = estates_build
    ids = places(site)
    for record in json.loads((site / "data" / "cases.json").read_text(encoding="utf-8")):
        for kind, pid in record["place_ids"].items():
            if pid is not None:
                assert ids[pid]["kind"] == kind and record["slug"] in ids[pid]["cases"]
        if record["neighbourhood"]:
            assert record["place_ids"]["neighbourhood"]


def test_places_yaml_joins_and_splits_names(estates_build, tmp_path):
    _, _, content = estates_build
    data_dir = tmp_path / "data"
    shutil.copytree(content / "data", data_dir)
    (data_dir / "places.yaml").write_text(
        "join:\n  - {district: 普陀区, name: 松鹤, aliases: [松鹤小区, 松鹤居民区], street: 宜川路街道, slug: songhe}\n"
        "apart:\n  - {district: 普陀区, names: [桐荫苑, 桐荫苑小区]}\n",
        encoding="utf-8",
    )
    result, _ = build_into(tmp_path, content, write=False)
    index = index_places(result.cases, load_data(data_dir))
    songhe = [e for e in index.estates if e.name.startswith("松鹤")]
    assert [(e.name, e.slug, e.street, len(e.steps)) for e in songhe] == [("松鹤", "songhe", "宜川路街道", 2)]
    tong = sorted(e.name for e in index.estates if e.name.startswith("桐荫苑"))
    assert tong == ["桐荫苑", "桐荫苑小区", "桐荫苑居民区"]


def test_a_bad_places_file_is_an_error_naming_the_entry(tmp_path):
    from liftcases.datafiles import DataError

    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "content" / "data", data_dir)
    (data_dir / "places.yaml").write_text(
        "join:\n  - {district: 普陀, name: 甲}\n  - {district: 普陀区, name: 乙, street: 五角场街道}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        load_data(data_dir)
    messages = [p.message for p in caught.value.problems]
    assert any("join 第 1 条" in m and "普陀" in m for m in messages)
    assert any("join 第 2 条" in m and "五角场街道" in m for m in messages)


def test_seed_breadcrumbs_reach_street_and_estate_pages(seed_site):
    page = soup(seed_site, "/cases/putuo-changfeng-fenghe-ten-methods/")
    crumbs = [a["href"] for a in page.select("nav.breadcrumb a")]
    assert crumbs == [
        "/districts/",
        "/districts/putuo/",
        "/districts/putuo/changfengxincun/",
        "/places/putuo/fengheyuan/",
    ]
    district = soup(seed_site, "/districts/putuo/")
    assert district.select_one("a[href='/districts/putuo/changfengxincun/']")
    assert check_links(seed_site) == []


def test_a_name_inside_another_is_listed_as_unsure_and_never_joined(tmp_path):
    """Extraction ends a name at its own suffix, so such pairs come from editors' front matter."""
    body = "普陀区长风新村街道梅岭苑居民区加装电梯工作取得进展。居民区党总支坚持党建引领，逐户上门做工作。"
    articles = {
        "a.md": "# 梅岭苑加梯有进展\n\n2023年5月1日\n\n" + body,
        "b.md": "---\ntitle: 梅岭苑二期加梯\ndate: 2023-06-01\nneighbourhood: 梅岭苑二期\n---\n" + body,
    }
    result, site = build_into(tmp_path, make_content(tmp_path, articles), search=False)
    index = index_places(result.cases, load_data(tmp_path / "content" / "data"))
    assert sorted(e.name for e in index.estates) == ["梅岭苑", "梅岭苑二期"]
    (unsure,) = index.unsure
    assert unsure.district == "普陀区" and unsure.names == ("梅岭苑", "梅岭苑二期") and "没有合并" in unsure.why
    assert "梅岭苑二期" in soup(site, "/review/").select_one("#unsure-h").find_parent("section").get_text()
