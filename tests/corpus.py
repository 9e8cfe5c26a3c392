"""A deterministic synthetic corpus of retrofit articles, in every raw form the build reads.

Used by the 1,000-article search suite and by ``make bench``. The same seed and size always
give the same files. Places come from the gazetteer and methods from the taxonomy, so
districts, streets and method pages all fill up; a share of the articles is Traditional
script and many carry boilerplate tails, as scraped pages do.
"""

from __future__ import annotations

import random
import sys
from functools import lru_cache
from pathlib import Path

import opencc
import yaml

ROOT = Path(__file__).resolve().parent.parent
FORMS = ("frontmatter-html", "frontmatter-markdown", "scraped-text", "scraped-traditional")
ESTATE_WORDS = (
    "康乐 幸福 阳光 和平 新华 东风 红旗 曙光 春晖 锦绣 兰溪 桃源 紫藤 梅园 松鹤 金桥 长青 振兴 安居 凤凰".split()
)
ESTATE_SUFFIX = ("小区", "新村", "苑", "居民区", "花园")
OPENINGS = (
    "{place}建于上世纪{decade}十年代，共有{blocks}栋六层住宅，居住着{homes}户居民，老龄化程度较高。",
    "“以前上楼要歇好几次，现在电梯一按就到家门口。”{place}的{surname}阿姨高兴地说。",
    "近日，{place}的{n}台加装电梯正式投入使用，楼里的“悬空老人”终于能方便地下楼了。",
)
METHOD_SENTENCES = (
    "在推进加装电梯的过程中，居民区党总支坚持{phrase}，一户一户做工作。",
    "为了让更多居民支持加梯，居委会采取了{phrase}的办法，效果明显。",
    "{surname}书记介绍，{phrase}是这次加梯能够推进的关键。",
)
WORRIES = (
    "低楼层居民担心电梯会影响采光和通风，楼组长多次上门沟通。",
    "有居民担心施工期间噪音太大，施工单位承诺采取降噪措施。",
    "费用怎么分摊是大家最关心的问题，经过多次协商，最终按楼层确定了分摊比例。",
    "也有居民问起以后的维保费用由谁承担，物业给出了答复。",
    "部分业主不住在小区，居委会通过电话和视频会议与他们沟通。",
)
CLOSINGS = (
    "目前，小区已完成{n}台电梯加装，在建{m}台。",
    "下一步，居委会将继续做好意见征询工作，让更多楼道装上电梯。",
    "居民们纷纷表示，加装电梯真正解决了老年人上下楼难的问题。",
)
TAILS = (
    "\n\n猜你喜欢\n\n{other}\n\n2023-01-01 10:00:00\n\n© 2012-2023 某某资讯网 版权所有\n\n沪ICP备12345678号",
    "\n\n相关阅读\n\n{other}\n\n{other}",
    "",
)
HEADLINES = ("加装电梯跑出加速度", "加梯有了新进展", "第一台加装电梯投用", "破解加梯难题")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高".replace("", " ").split()


def _data() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    gazetteer = yaml.safe_load((ROOT / "content" / "data" / "gazetteer.yaml").read_text(encoding="utf-8"))
    shanghai = next(c for c in gazetteer["cities"] if c["name"] == "上海市")
    streets = [(d["name"], s["name"]) for d in shanghai["districts"] for s in d["streets"]]
    methods = yaml.safe_load((ROOT / "content" / "data" / "methods.yaml").read_text(encoding="utf-8"))["methods"]
    phrases = [(m["id"], p) for m in methods for p in (m.get("match") or {}).get("phrases", [])[:2]]
    return streets, phrases


def article(
    n: int, rng: random.Random, streets: list[tuple[str, str]], phrases: list[tuple[str, str]]
) -> tuple[str, str]:
    """(file name, file text) of article number n."""
    district, street = rng.choice(streets)
    estate = rng.choice(ESTATE_WORDS) + rng.choice(ESTATE_WORDS) + rng.choice(ESTATE_SUFFIX)
    place = f"{district}{street}{estate}"
    year, month, day = rng.randint(2018, 2025), rng.randint(1, 12), rng.randint(1, 28)
    fill = {
        "place": place,
        "decade": rng.choice("六七八九"),
        "blocks": rng.randint(4, 60),
        "homes": rng.randint(100, 3000),
        "n": rng.randint(1, 30),
        "m": rng.randint(0, 9),
        "surname": rng.choice(SURNAMES),
    }
    used = rng.sample(phrases, rng.randint(1, 4))
    paragraphs = [rng.choice(OPENINGS).format(**fill)]
    for _, phrase in used:
        paragraphs.append(rng.choice(METHOD_SENTENCES).format(phrase=phrase, surname=fill["surname"]))
    paragraphs += rng.sample(WORRIES, rng.randint(1, 3))
    paragraphs.append(rng.choice(CLOSINGS).format(**fill))
    title = district + estate + rng.choice(HEADLINES)
    form = FORMS[n % len(FORMS)]
    date = f"{year}-{month:02d}-{day:02d}"
    tail = rng.choice(TAILS).format(other=f"{rng.choice(streets)[1]}举办社区活动")
    slug = f"corpus-{n:05d}"
    if form == "frontmatter-html":
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return f"{slug}.txt", f"---\ntitle: '{title}'\ndate: {date}\nauthor: 趣头条\n---\n<div>{body}</div>\n"
    if form == "frontmatter-markdown":
        body = "\n\n".join(paragraphs)
        return f"{slug}.md", f'---\ntitle: {title}\ndate: "{date}"\nsource: 社区报\n---\n\n{body}\n'
    text = f"{title}\n\n{year}年{month:02d}月{day:02d}日 来源：社区报\n\n" + "\n\n".join(paragraphs) + tail + "\n"
    if form == "scraped-traditional":
        text = _to_traditional(text)
    return f"{slug}.txt", text


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")  # loading the dictionaries is the slow part: once per run


def _to_traditional(text: str) -> str:
    return _s2t().convert(text)


def write_corpus(directory: Path, size: int, seed: int = 2026) -> list[Path]:
    rng = random.Random(seed)
    streets, phrases = _data()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for n in range(size):
        name, text = article(n, rng, streets, phrases)
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    write_corpus(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
