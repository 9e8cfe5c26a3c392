"""From obstacle to remedy: each obstacle is recognised from how reporters phrase it, methods are
tied to it only near it, and obstacle pages are reachable by the questions residents ask."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from liftcases.evidence import find_obstacles, method_evidence
from liftcases.model import MethodUse
from liftcases.zh_text import split_sentences

from .conftest import DATA

# One sentence per obstacle, written from how news reports phrase it (not copied from the seeds).
SENTENCES = {
    "di-lou-ceng-fan-dui": "起初，一楼的两户居民坚决反对，担心电梯影响出行。",
    "cai-guang-tong-feng": "二楼住户担心电梯井会挡住窗户，影响采光和通风。",
    "shi-gong-rao-min": "有居民担心施工噪音影响老人休息。",
    "fei-yong-fen-tan-nan": "各楼层的费用分摊比例迟迟谈不拢。",
    "zi-jin-chou-cuo": "部分老人退休金不高，加梯资金筹措成了难题。",
    "ye-zhu-bu-zai-di": "楼里有三户业主常年不在小区居住，房子出租给了租户。",
    "guan-xian-qian-yi": "电梯井位置下方有燃气和雨污水管线，需要先进行管线迁移才能加装电梯。",
    "shen-pi-shou-xu": "加装电梯的审批手续繁琐，居民不知道流程怎么走。",
    "wei-bao-yun-wei": "大家最担心的是电梯装好以后的维保费用由谁承担。",
    "fang-jia-ying-xiang": "一楼住户担心加装电梯后房价会受影响。",
    "zheng-xun-tong-guo": "按规定需要本单元三分之二以上业主签字同意才能加装电梯。",
    "yi-jian-nan-tong-yi": "楼里居民对加梯意见不统一，讨论了很多次。",
    "fang-an-xuan-xing": "电梯品牌选择和设计方案一直定不下来。",
    "shi-gong-kong-jian": "楼栋旁边的空间狭窄，不具备加装电梯的条件。",
    "zhan-yong-gong-gong-kong-jian": "加装电梯要占用楼前的部分绿地和车位，引起了争议。",
    "dian-ti-zao-yin": "三楼住户担心电梯运行的噪声太大，影响休息。",
    "jie-gou-an-quan": "居民担心在外墙开洞会影响房屋结构，楼会不会沉降。",
    "que-shao-qian-tou-ren": "这栋楼的老人都想装电梯，可就是没人牵头。",
    "gao-lou-ceng-fan-dui": "没想到六楼的高层住户反对加梯，嫌出钱太多。",
    "que-fa-xian-li": "当时本市还没有加梯的先例，什么都要自己摸索。",
}


def test_every_obstacle_has_a_sentence_and_a_question():
    assert {o.id for o in DATA.obstacles} == set(SENTENCES)
    assert len(DATA.obstacles) >= 12
    for o in DATA.obstacles:
        assert o.questions and o.description and o.methods


@pytest.mark.parametrize("obstacle_id", sorted(SENTENCES))
def test_obstacle_is_recognised(obstacle_id: str):
    obstacle = next(o for o in DATA.obstacles if o.id == obstacle_id)
    found, _ = method_evidence(obstacle, [SENTENCES[obstacle_id]])
    assert found == (SENTENCES[obstacle_id],)


def test_a_plain_sentence_is_no_obstacle():
    text = "小区的绿化环境越来越好，居民们常在健身步道上散步。今年社区举办了文艺演出。"
    assert find_obstacles(DATA.obstacles, split_sentences(text), ()) == ()


def test_a_method_is_tied_only_when_it_stands_near_the_obstacle():
    text = (
        "一楼住户担心加装电梯后房价会受影响。居委会提出让低楼层居民享有优先停车权。"
        "此后大家又讨论了很多事情。还有很多别的话题。再说一件事。最后一件事。"
        "另外，社区还开展了宣传发动，通过海报宣传加梯政策。"
    )
    sentences = split_sentences(text)
    uses = (
        MethodUse("di-lou-ceng-bu-chang", "低楼层补偿", (sentences[1],)),
        MethodUse("xuan-chuan-fa-dong", "宣传发动", (sentences[-1],)),
    )
    found = {o.id: dict(o.methods) for o in find_obstacles(DATA.obstacles, sentences, uses)}
    assert found["fang-jia-ying-xiang"] == {"di-lou-ceng-bu-chang": sentences[1]}


def test_obstacle_pages_link_cases_and_remedies(seed_site: Path):
    index = BeautifulSoup((seed_site / "obstacles" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert index.find("a", href="/obstacles/di-lou-ceng-fan-dui/")
    page = BeautifulSoup(
        (seed_site / "obstacles" / "di-lou-ceng-fan-dui" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    links = {a["href"] for a in page.find_all("a", href=True)}
    assert "/cases/putuo-changfeng-fenghe-ten-methods/" in links and "/methods/di-lou-ceng-bu-chang/" in links
    case = (seed_site / "cases" / "jingan-tianmuxilu-five-dimensions" / "index.html").read_text(encoding="utf-8")
    assert 'href="/obstacles/di-lou-ceng-fan-dui/"' in case
    method = (seed_site / "methods" / "di-lou-ceng-bu-chang" / "index.html").read_text(encoding="utf-8")
    assert 'href="/obstacles/di-lou-ceng-fan-dui/"' in method
    home = (seed_site / "index.html").read_text(encoding="utf-8")
    assert "一楼不同意怎么办？" in home


def test_cases_json_carries_obstacles(seed_site: Path):
    import json

    records = json.loads((seed_site / "data" / "cases.json").read_text(encoding="utf-8"))
    fenghe = next(r for r in records if r["slug"] == "putuo-changfeng-fenghe-ten-methods")
    lower = next(o for o in fenghe["obstacles"] if o["id"] == "di-lou-ceng-fan-dui")
    assert set(lower) == {"id", "name", "evidence", "methods"} and "di-lou-ceng-bu-chang" in lower["methods"]
