"""Knowing each case: place, methods, figures, stage, overrides, related and duplicate cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from liftcases.assemble import related_cases
from liftcases.duplicates import merge_duplicates
from liftcases.enrich import enrich
from liftcases.ingest import read_article
from liftcases.normalise import normalise

from .conftest import DATA, GAZ, TZ, case_of


def place_of(name: str) -> tuple:
    p = case_of(name).place
    return (p.city, p.district, p.street)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("place_street_implies_district.txt", ("上海市", "普陀区", "曹杨新村街道")),
        ("place_historic_name.txt", ("上海市", "静安区", None)),
        ("place_outside_shanghai.txt", ("杭州市", "西湖区", None)),
        ("place_nothing_says.txt", (None, None, None)),
        ("place_vendor_footer.txt", ("上海市", "普陀区", None)),
        # Not Shanghai's 普陀区: 舟山 is known from the national list (towns.json).
        ("place_other_city_same_district_name.txt", ("舟山市", "普陀区", None)),
    ],
)
def test_place_resolution(name: str, expected: tuple):
    assert place_of(name) == expected


def test_two_strong_districts_are_a_problem_an_editor_sees():
    case = case_of("place_conflict.txt")
    assert case.place.district in ("徐汇区", "长宁区")
    assert any("区不确定" in p.message and "徐汇区" in p.message and "长宁区" in p.message for p in case.problems)


def test_no_district_asks_the_editor():
    case = case_of("place_nothing_says.txt")
    assert any("district:" in p.message for p in case.problems)


def test_main_neighbourhood_and_buildings():
    place = case_of("place_neighbourhood_buildings.txt").place
    assert place.neighbourhood == "阳光苑"
    assert place.buildings == ("5号楼",)
    assert "阳光苑" in place.evidence["neighbourhood"]


def test_place_evidence_is_a_sentence_of_the_text():
    case = case_of("place_street_implies_district.txt")
    for sentence in case.place.evidence.values():
        assert sentence in case.article.text
    assert "曹杨新村街道" in case.place.evidence["street"]


def test_district_totals_and_generations_are_not_case_figures():
    found = case_of("figures_district_total_and_generations.txt").figures
    figures = {f.label: f.value for f in found if f.scope == "estate"}
    assert figures["已建成电梯"] == 6
    assert figures["在建电梯"] == 2
    assert 320 not in figures.values() and 40 not in figures.values() and 50 not in figures.values()
    # The district's totals are kept, as the district's.
    assert {(f.label, f.value) for f in found if f.scope == "district"} == {("已建成电梯", 320), ("在建电梯", 150)}


def test_figures_in_chinese_numerals_costs_and_duration():
    case = case_of("figures_chinese_numerals.txt")
    figures = {f.label: (f.value, f.unit) for f in case.figures}
    assert figures["已建成电梯"] == (3, "台")
    assert figures["楼栋数"] == (12, "栋")
    assert figures["居民户数"] == (840, "户")
    assert figures["每台造价"] == (60, "万元")
    assert figures["政府补贴"] == (24.8, "万元")
    assert figures["工期"] == (45, "天")
    for f in case.figures:
        assert f.evidence in case.article.text


@pytest.mark.parametrize(
    ("name", "stage"),
    [
        ("stage_planned_only.txt", "consultation"),
        ("stage_worry_is_not_work.txt", "signing"),
        ("figures_chinese_numerals.txt", "completed"),
        ("duplicate_story_site_a.txt", "construction"),
    ],
)
def test_stage_is_the_latest_that_happened(name: str, stage: str):
    case = case_of(name)
    assert case.stage is not None and case.stage.id == stage
    assert case.stage.evidence in case.article.text


def test_methods_carry_evidence_and_slogans_are_not_uses():
    case = case_of("place_street_implies_district.txt")
    use = next(u for u in case.methods if u.id == "hong-se-yi-shi-ting")
    assert use.evidence == ("居委会通过红色议事厅组织居民反复协商，最终全体业主签字同意。",)
    slogan = case_of("place_nothing_says.txt")
    assert {u.id for u in slogan.methods} >= {"xian-yi-hou-nan"}


def test_front_matter_overrides_win():
    case = case_of("override_all_fields.md")
    a, p = case.article, case.place
    assert (a.title, a.date, a.publisher) == ("编辑改过的标题", "2020-02-02", "编辑指定的来源")
    assert (p.city, p.district, p.street, p.neighbourhood) == ("上海市", "虹口区", "欧阳路街道", "编辑小区")
    assert [u.id for u in case.methods] == ["xian-yi-hou-nan", "zhang-shang-qian-yue"]
    assert [(f.label, f.value, f.unit, f.evidence) for f in case.figures] == [("已建成电梯", 4, "台", "")]
    assert not [p for p in case.problems if p.severity == "error"]


def test_bad_overrides_are_errors_that_name_the_fix():
    case = case_of("override_bad_values.md")
    messages = [p.message for p in case.problems if p.severity == "error"]
    assert any("未知的区 '火星区'" in m for m in messages)
    assert any("未知的做法 'xianyi'" in m and "xian-yi-hou-nan" in m for m in messages)
    assert any("figures 第 1 项" in m for m in messages)
    assert [u.id for u in case.methods] == ["hong-se-yi-shi-ting"]
    assert case.place.district == "普陀区"  # the unknown override is dropped, extraction stands


def test_near_duplicates_become_one_case_with_several_sources():
    cases = [case_of(n) for n in ("duplicate_story_site_a.txt", "duplicate_story_site_b.txt")]
    cases.append(case_of("duplicate_different_story_same_place.txt"))
    merged, moved, problems = merge_duplicates(cases)
    assert len(merged) == 2
    lead = next(c for c in merged if c.other_sources)
    assert lead.slug == "duplicate-story-site-a"  # it names its publisher
    assert [o.slug for o in lead.other_sources] == ["duplicate-story-site-b"]
    assert lead.other_sources[0].channel == "趣头条"
    assert moved == {"duplicate-story-site-b": "duplicate-story-site-a"}
    assert problems[0].path == "duplicate_story_site_b.txt"


def test_related_cases_prefer_shared_rare_methods_and_place():
    names = ["duplicate_story_site_a.txt", "duplicate_different_story_same_place.txt", "place_outside_shanghai.txt"]
    cases = tuple(case_of(n) for n in names)
    related = related_cases(cases)
    assert related["duplicate-story-site-a"][0].slug == "duplicate-different-story-same-place"
    assert "duplicate-story-site-a" not in [c.slug for c in related["duplicate-story-site-a"]]


def test_every_seed_district_is_supported_by_its_text(seed_build):
    result, _ = seed_build
    # By city and name: 普陀区 is also a district of 舟山 (towns.json).
    by_name = {(d.city, d.name): d for c in DATA.cities for d in c.districts}
    for case in result.cases:
        district = by_name[case.place.city, case.place.district]
        forms = (district.name, *district.aliases, *district.former, *(s.name for s in district.streets))
        assert any(f in case.article.text or f in (case.article.publisher or "") for f in forms)


def test_the_taxonomy_has_the_ten_fenghe_methods_and_more():
    ids = [m.id for m in DATA.methods]
    assert len(ids) == len(set(ids)) >= 25
    assert all(m.description and m.summary and m.category in DATA.categories for m in DATA.methods)
    for name in (
        "党建引领",
        "包干竞赛",
        "精准服务",
        "宣传发动",
        "挂图作战",
        "先易后难",
        "以心换心",
        "因户施策",
        "掌上签约",
        "锦囊妙计",
    ):
        method = next(m for m in DATA.methods if m.name == name)
        assert name + "法" in method.aliases or name + "法" in method.phrases or any(name in p for p in method.phrases)


def test_front_matter_may_name_a_method_by_an_alias():
    """A method renamed (红色议事厅 → 居民议事会) keeps its old name as an alias, and front matter may use it."""
    text = "---\ntitle: 某小区加梯\nmethods: [红色议事厅]\n---\n某小区居民反复协商加装电梯。\n"
    source, _ = read_article(Path("alias.md"), "alias.md", text.encode())
    case = enrich(normalise(source, DATA.boilerplate, TZ)[0], DATA, GAZ)
    assert [u.id for u in case.methods] == ["hong-se-yi-shi-ting"]
    assert not [p for p in case.problems if p.severity == "error"]
