"""Estates as articles name them: each rule on the fixture it catches and the one it must not (estate_*.txt)."""

from __future__ import annotations

import re

import pytest

from liftcases.estates import candidates, estates

from .conftest import article_of, case_of

# The place names resolve_place would hand over for these fixtures (it passes those the text holds).
PLACES = re.compile(
    "长风新村街道|枫林街道|翠苑街道|潘家园街道|古美路街道|盈浦街道|梅陇镇|虹桥镇|七宝镇|南翔镇|"
    "普陀区|西湖区|朝阳区|虹口区|闵行区|宝山"
)


def text_of(name: str) -> str:
    article = article_of(name)
    return "\n".join([article.title, *(b.text for b in article.blocks if b.kind != "img")])


def found(name: str) -> tuple[str | None, tuple[str, ...]]:
    return estates(text_of(name), PLACES)


@pytest.mark.parametrize(
    ("name", "main"),
    [
        ("estate_committee_secretary.txt", "梅陇三村居民区"),  # 居民区党总支书记介绍
        ("estate_committee_area.txt", "瑞丰福邸"),  # 庆华四村党总支 is the area the estate is in
        ("estate_numbered_village.txt", "东安九村"),
        ("estate_village_not_estate.txt", None),  # 农村, 乡村, 村委会, 村民
        ("estate_lane.txt", "古猗园路355弄小区"),
        ("estate_lane_address.txt", "古北虹苑"),  # 姚虹路259弄 is its address
        ("estate_spellings_fold.txt", "甘泉苑"),
        ("estate_street_not_xincun.txt", "风荷苑"),  # 长风新村街道 and 长风新村 are the street
        ("estate_generic_words.txt", None),  # 老旧小区, 多层住宅小区, 该小区, 全市小区…
        ("estate_company_not_estate.txt", None),  # 金桂花园物业管理有限公司, 美丽家园, 口袋花园, 人才公寓
        ("estate_li_in.txt", None),  # 议事厅里, 群里, 王阿姨家里
        ("estate_li_named.txt", "武圣东里"),
        ("estate_round_up.txt", None),  # five estates alike: no main one
        ("estate_round_up_community.txt", "盈中社区"),  # …unless the community they are in is named
        ("estate_title_and_lead.txt", "沙申新村"),  # the title's estate, though 沪江小区 is named as often
        ("estate_road_name.txt", "梧州路小区"),  # a road's estate; 中山北路金牛花苑 is 金牛花苑
        ("estate_numbered_quarter.txt", "翠苑二区"),  # not 西湖区翠苑, nor the street 翠苑街道
    ],
)
def test_main_estate(name: str, main: str | None):
    assert found(name)[0] == main
    assert case_of(name).place.neighbourhood == main


@pytest.mark.parametrize(
    ("name", "others", "not_others"),
    [
        ("estate_committee_area.txt", {"庆华四村"}, set()),
        ("estate_lane_address.txt", set(), {"姚虹路259弄"}),
        ("estate_spellings_fold.txt", set(), {"甘泉苑居民区", "甘泉苑小区"}),
        ("estate_street_not_xincun.txt", set(), {"长风新村"}),
        ("estate_round_up.txt", {"顺安公寓", "普乐二村", "莲花新苑", "南国花园", "春意苑"}, {"罗阳路339弄"}),
        ("estate_round_up_community.txt", {"盈盈公寓", "新海公寓", "佳丽花园"}, set()),
        ("estate_title_and_lead.txt", {"沪江小区"}, set()),
        ("estate_road_name.txt", {"金牛花苑"}, {"中山北路金牛花苑"}),
        ("estate_li_named.txt", set(), {"区潘家园", "潘家园"}),
        ("estate_numbered_village.txt", set(), {"记者一进东安九村"}),
    ],
)
def test_other_estates(name: str, others: set[str], not_others: set[str]):
    got = set(found(name)[1])
    assert others <= got
    assert not got & not_others


def test_none_of_the_generic_words_is_a_candidate():
    for name in ("estate_generic_words.txt", "estate_village_not_estate.txt", "estate_li_in.txt"):
        assert candidates(text_of(name), PLACES) == []


def test_the_main_estate_is_spelt_as_the_text_spells_it():
    for name in ("estate_spellings_fold.txt", "estate_committee_secretary.txt", "estate_lane.txt"):
        main = found(name)[0]
        assert main and main in text_of(name)
