"""Obstacle rules read reporters' real wording: each widened rule has a fixture it must catch and one
for the over-match it must not (tests/fixtures/obstacle_<id>_<what>.txt, invented scraped-text pages).

An obstacle needs the text to say residents or the project met it (or overcame it); a plan, a promise
of speed, a count of buildings that passed or a cost breakdown is not one."""

from __future__ import annotations

import pytest

from .conftest import DATA, FIXTURES, case_of

# fixture → (obstacle id, whether the case must show it)
EXPECTED = {
    "obstacle_di-lou-ceng-fan-dui_ground_floor_shops.txt": ("di-lou-ceng-fan-dui", True),
    "obstacle_di-lou-ceng-fan-dui_shops_thriving.txt": ("di-lou-ceng-fan-dui", False),
    "obstacle_shi-gong-rao-min_digger_grating.txt": ("shi-gong-rao-min", True),
    "obstacle_shi-gong-rao-min_lift_noise_design.txt": ("shi-gong-rao-min", False),
    "obstacle_dian-ti-zao-yin_low_floor_sleep.txt": ("dian-ti-zao-yin", True),
    "obstacle_dian-ti-zao-yin_construction_noise.txt": ("dian-ti-zao-yin", False),
    "obstacle_fei-yong-fen-tan-nan_split_haggled.txt": ("fei-yong-fen-tan-nan", True),
    "obstacle_fei-yong-fen-tan-nan_split_accepted.txt": ("fei-yong-fen-tan-nan", False),
    "obstacle_zi-jin-chou-cuo_residents_pay_big_sum.txt": ("zi-jin-chou-cuo", True),
    "obstacle_zi-jin-chou-cuo_subsidy_listed.txt": ("zi-jin-chou-cuo", False),
    "obstacle_guan-xian-qian-yi_aged_pipes.txt": ("guan-xian-qian-yi", True),
    "obstacle_guan-xian-qian-yi_sewer_works_no_lift.txt": ("guan-xian-qian-yi", False),
    "obstacle_shen-pi-shou-xu_residents_unsure_of_procedure.txt": ("shen-pi-shou-xu", True),
    "obstacle_shen-pi-shou-xu_vendor_promises_speed.txt": ("shen-pi-shou-xu", False),
    "obstacle_wei-bao-yun-wei_running_cost_worry.txt": ("wei-bao-yun-wei", True),
    "obstacle_wei-bao-yun-wei_cost_breakdown.txt": ("wei-bao-yun-wei", False),
    "obstacle_fang-jia-ying-xiang_rent_discount.txt": ("fang-jia-ying-xiang", True),
    "obstacle_fang-jia-ying-xiang_rent_pays_power.txt": ("fang-jia-ying-xiang", False),
    "obstacle_zheng-xun-tong-guo_unanimity_required.txt": ("zheng-xun-tong-guo", True),
    "obstacle_zheng-xun-tong-guo_progress_count.txt": ("zheng-xun-tong-guo", False),
    "obstacle_yi-jian-nan-tong-yi_interests_clash.txt": ("yi-jian-nan-tong-yi", True),
    "obstacle_yi-jian-nan-tong-yi_interests_protected.txt": ("yi-jian-nan-tong-yi", False),
    "obstacle_fang-an-xuan-xing_shaft_position_argued.txt": ("fang-an-xuan-xing", True),
    "obstacle_fang-an-xuan-xing_work_plan.txt": ("fang-an-xuan-xing", False),
    "obstacle_shi-gong-kong-jian_neighbour_left_no_room.txt": ("shi-gong-kong-jian", True),
    "obstacle_shi-gong-kong-jian_site_is_fine.txt": ("shi-gong-kong-jian", False),
    "obstacle_zhan-yong-gong-gong-kong-jian_squeezes_common_area.txt": ("zhan-yong-gong-gong-kong-jian", True),
    "obstacle_zhan-yong-gong-gong-kong-jian_clutter_cleared.txt": ("zhan-yong-gong-gong-kong-jian", False),
    "obstacle_jie-gou-an-quan_worried_about_settling.txt": ("jie-gou-an-quan", True),
    "obstacle_jie-gou-an-quan_steel_frame_praised.txt": ("jie-gou-an-quan", False),
    "obstacle_que-shao-qian-tou-ren_nobody_leads.txt": ("que-shao-qian-tou-ren", True),
    "obstacle_que-shao-qian-tou-ren_volunteer_leads.txt": ("que-shao-qian-tou-ren", False),
    "obstacle_gao-lou-ceng-fan-dui_upper_floor_holds_out.txt": ("gao-lou-ceng-fan-dui", True),
    "obstacle_gao-lou-ceng-fan-dui_upper_floor_eager.txt": ("gao-lou-ceng-fan-dui", False),
    "obstacle_que-fa-xian-li_first_without_precedent.txt": ("que-fa-xian-li", True),
    "obstacle_que-fa-xian-li_precedent_followed.txt": ("que-fa-xian-li", False),
}


def test_every_obstacle_fixture_is_listed():
    assert sorted(p.name for p in FIXTURES.glob("obstacle_*.txt")) == sorted(EXPECTED)
    ids = {o.id for o in DATA.obstacles}
    assert {obstacle for obstacle, _ in EXPECTED.values()} <= ids


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_obstacle_wording(name: str):
    obstacle, shown = EXPECTED[name]
    found = {o.id: o.evidence for o in case_of(name).obstacles}
    assert (obstacle in found) == shown, found.get(obstacle)


def test_new_obstacles_cover_the_annotators_names():
    """The evaluation matches an annotated name against an obstacle's name or aliases."""
    names = {n for o in DATA.obstacles for n in (o.name, *o.aliases)}
    for annotated in ("电梯噪音顾虑", "管线老化", "底楼商铺受影响", "缺乏可借鉴的成功经验", "担心房屋结构安全",
                      "缺少牵头人", "高层居民反对", "小区地形复杂、楼龄久"):  # fmt: skip
        assert annotated in names


def test_remedies_exist_in_the_method_taxonomy():
    methods = {m.id for m in DATA.methods}
    for o in DATA.obstacles:
        assert set(o.methods) <= methods, o.id
