"""Method rules read real wording (issue 15): each fixture shows one wording a rule must catch, or one
it must not (tests/fixtures/method_<id>_<what>.txt, invented prose in the scraped-text form)."""

from __future__ import annotations

import pytest

from .conftest import DATA, FIXTURES, case_of

# (fixture, method id, the sentence that must be its evidence)
FOUND = [
    (
        "method_dang-jian-yin-ling_kaoqian_zhidao.txt",
        "dang-jian-yin-ling",
        "松柏居民区党总支靠前指导，和楼里的住户一起把图纸看了三遍。",
    ),
    (
        "method_dang-yuan-dai-tou_dangyuan_xiaozu.txt",
        "dang-yuan-dai-tou",
        "楼里的三名退休党员结成“跑腿小组”，天天在楼道口等邻居下班。",
    ),
    (
        "method_xuan-chuan-fa-dong_bianyin_zhinan.txt",
        "xuan-chuan-fa-dong",
        "镇里编印了一本加梯问答小册子，发到每个楼道。",
    ),
    (
        "method_gua-tu-zuo-zhan_jindu_gongshipai.txt",
        "gua-tu-zuo-zhan",
        "居委会门口竖起一块公示牌，按征询、设计、审批、施工四个阶段列出全部22个门洞的进度。",
    ),
    (
        "method_zhi-hui-bu-zhuan-ban_tuijin_bangongshi.txt",
        "zhi-hui-bu-zhuan-ban",
        "街道成立了加装电梯推进办公室，抽调四名干部专门负责。",
    ),
    ("method_shi-di-can-guan_qujing.txt", "shi-di-can-guan", "楼组长带着几位老邻居坐公交去隔壁街道“取经”。"),
    (
        "method_shi-fan-dai-dong_qinyan_kandao.txt",
        "shi-fan-dai-dong",
        "亲眼看到前排楼用上电梯，后排的老人们也坐不住了。",
    ),
    (
        "method_hong-se-yi-shi-ting_jiati_yishihui.txt",
        "hong-se-yi-shi-ting",
        "楼里的老邻居们在活动室开了一场加梯议事会，把六条意见一条条记下来。",
    ),
    ("method_san-jia-ma-che_sanfang_yiqi.txt", "san-jia-ma-che", "居委会找来业委会，物业公司也一起参与进来。"),
    (
        "method_yi-jian-zheng-xun_tingqu_yijian.txt",
        "yi-jian-zheng-xun",
        "在反复听取住户的意见和建议后，设计方案改了三稿。",
    ),
    (
        "method_xian-shang-yi-shi_jiati_qun.txt",
        "xian-shang-yi-shi",
        "每个单元都建了一个加梯群，图纸一出来就发到群里，在外地的业主也能发表意见。",
    ),
    (
        "method_zi-zhi-guan-li-xiao-zu_sanren_xiaozu.txt",
        "zi-zhi-guan-li-xiao-zu",
        "楼里推选出一个三人小组，一人管联络、一人管账、一人盯工地。",
    ),
    (
        "method_lou-zu-zi-zhi_louzuzhang_lingtou.txt",
        "lou-zu-zi-zhi",
        "年轻的楼组长当起了加梯领头人，下班后一家家敲门。",
    ),
    ("method_yi-xin-huan-xin_la_jiachang.txt", "yi-xin-huan-xin", "社工没有急着递同意书，而是隔三岔五去二楼拉家常。"),
    (
        "method_yin-hu-shi-ce_tiaozheng_fangan.txt",
        "yin-hu-shi-ce",
        "为此，设计师专门为底楼住户调整方案，把候梯厅的窗户开大了一倍。",
    ),
    (
        "method_shang-men-zuo-gong-zuo_yijia_yihu.txt",
        "shang-men-zuo-gong-zuo",
        "居委干部一家一户地上门，把每户的担心都记在小本子上。",
    ),
    (
        "method_di-lou-ceng-bu-chang_xin_chuanghu.txt",
        "di-lou-ceng-bu-chang",
        "楼上住户凑钱为一楼人家更换了新的铝合金窗户。",
    ),
    ("method_fei-yong-fen-tan_qiaoding.txt", "fei-yong-fen-tan", "全楼开了两次会，最后敲定了电费和维保费怎么分摊。"),
    (
        "method_jia-ti-cai-zheng-bu-tie_butie_jine.txt",
        "jia-ti-cai-zheng-bu-tie",
        "这台电梯造价六十多万元，区里补贴了24万元。",
    ),
    ("method_fei-yong-gong-kai_gongbu_zhichu.txt", "fei-yong-gong-kai", "每笔支出都贴在楼道公示栏里，每月公布一次。"),
    (
        "method_pei-ban-shi-fu-wu_liucheng_zhidao.txt",
        "pei-ban-shi-fu-wu",
        "社区在加梯流程上给予指导，选企业时帮居民严格把关。",
    ),
    ("method_xian-yi-hou-nan_shidian.txt", "xian-yi-hou-nan", "街道先挑选了意见最统一的两栋楼作为试点。"),
    (
        "method_jia-ti-zi-xun-dian_shedian_zuoban.txt",
        "jia-ti-zi-xun-dian",
        "两名退休工程师每周四上午在居委会设点，帮居民比方案、算费用。",
    ),
    ("method_xu-qiu-pai-mo_dengji_yiyuan.txt", "xu-qiu-pai-mo", "居民扫码就能在小程序里登记加梯意愿。"),
    (
        "method_zhuan-ye-dan-wei-dui-jie_qinglai_zhuanjia.txt",
        "zhuan-ye-dan-wei-dui-jie",
        "居委会请来结构专家，在楼下给居民讲解地基能不能承重。",
    ),
    (
        "method_bu-men-lian-dong-bao-zhang_huishang.txt",
        "bu-men-lian-dong-bao-zhang",
        "区房管局会同规划、燃气等部门到现场会商，当天就定下了施工办法。",
    ),
    ("method_li-hui-tui-jin_lihui_zhidu.txt", "li-hui-tui-jin", "街道建立了加梯例会制度，每周一下午各居民区碰一次头。"),
    ("method_cheng-pian-jia-ti_zheng_xiaoqu.txt", "cheng-pian-jia-ti", "这是该街道第一个整小区推进加装电梯的老小区。"),
    (
        "method_guan-xian-yi-wei_qianyi.txt",
        "guan-xian-yi-wei",
        "燃气公司先把楼前的管线迁移到绿化带下，电梯基坑才得以开挖。",
    ),
    (
        "method_jia-ti-yu-xiu-shan-tong-chou_tongbu.txt",
        "jia-ti-yu-xiu-shan-tong-chou",
        "小区借旧房修缮的契机同步加装电梯，省去了两次搭脚手架。",
    ),
    (
        "method_cai-guang-you-hao-xuan-xing_touming_jingdao.txt",
        "cai-guang-you-hao-xuan-xing",
        "设计单位选用了玻璃幕墙的井道，二楼的光线几乎没受影响。",
    ),
    (
        "method_ju-min-jian-du-shi-gong_yiwu.txt",
        "ju-min-jian-du-shi-gong",
        "做过土建的老周当起义务监督员，天天到工地把关施工质量。",
    ),
    (
        "method_quan-sheng-ming-zhou-qi-wei-bao_yilanzi.txt",
        "quan-sheng-ming-zhou-qi-wei-bao",
        "街道的维保中心一揽子承担辖区电梯的维修、保养和定期检测。",
    ),
    (
        "method_shi-gong-jiang-zao_wuxiu_tinggong.txt",
        "shi-gong-jiang-zao",
        "施工期间每天中午停止高噪声作业，让老人能睡个午觉。",
    ),
    (
        "method_lou-dao-ban-liang_louddao_fanxin.txt",
        "lou-dao-ban-liang",
        "借着装电梯，楼道里更换了门窗、粉刷了墙面，面貌一新。",
    ),
    (
        "method_hong-se-yi-shi-ting_brand_alias.txt",
        "hong-se-yi-shi-ting",
        "居民区在活动室挂出了“红色议事厅”的牌子，每月请加梯楼栋的居民来议一议。",
    ),
]

# (fixture, method id the wording must not be taken for)
NOT_FOUND = [
    ("method_fei-yong-fen-tan_not_worry.txt", "fei-yong-fen-tan"),
    ("method_fei-yong-fen-tan_not_duochu_li.txt", "fei-yong-fen-tan"),
    ("method_san-jia-ma-che_not_other_trio.txt", "san-jia-ma-che"),
    ("method_yi-jian-zheng-xun_not_gongyue.txt", "yi-jian-zheng-xun"),
    ("method_shang-men-zuo-gong-zuo_not_thanks.txt", "shang-men-zuo-gong-zuo"),
    ("method_jia-ti-zi-xun-dian_not_company.txt", "jia-ti-zi-xun-dian"),
    ("method_xuan-chuan-fa-dong_not_site_answer.txt", "xuan-chuan-fa-dong"),
]


@pytest.mark.parametrize(("name", "method_id", "sentence"), FOUND)
def test_wording_is_found_with_its_sentence(name: str, method_id: str, sentence: str):
    uses = {use.id: use for use in case_of(name).methods}
    assert method_id in uses, f"{method_id} not found in {name}"
    assert sentence in uses[method_id].evidence


@pytest.mark.parametrize(("name", "method_id"), NOT_FOUND)
def test_over_match_is_not_taken(name: str, method_id: str):
    assert method_id not in {use.id for use in case_of(name).methods}


def test_brand_names_stay_aliases_of_a_general_method():
    """A brand (红色议事厅) is an alias; the id, which URLs use, never changes."""
    method = next(m for m in DATA.methods if m.id == "hong-se-yi-shi-ting")
    assert method.name == "居民议事会"
    assert "红色议事厅" in method.aliases


def test_descriptions_name_no_estate():
    """The method page lists every case's own sentence; a description stays general."""
    for method in DATA.methods:
        for word in ("风荷苑", "甘泉苑", "新月福邸", "新桥居民区", "恒信居民区", "庆安四村", "安丰小区"):
            assert word not in method.description, (method.id, word)


def test_every_fixture_of_this_file_exists():
    names = {n for n, *_ in FOUND} | {n for n, _ in NOT_FOUND}
    assert all((FIXTURES / n).is_file() for n in names)
