"""Load the editable data files under content/data/ into typed, frozen objects.

Every problem in a data file is collected and reported together; a data file
that cannot be read at all stops the build (there is nothing sensible to build
without a taxonomy or gazetteer).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from .model import City, District, Method, Obstacle, Problem, Street
from .settings import SafeLoader
from .zh_text import CN_NUMBER, slugify

# What {n} stands for in a figure pattern: an Arabic number (3,250, 38.2) or a Chinese one (六, 十二).
NUMBER = rf"(?:\d[\d,]*(?:\.\d+)?|{CN_NUMBER})"
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    what: str


@dataclass(frozen=True)
class Boilerplate:
    cut_tail: tuple[Rule, ...]
    drop_line: tuple[Rule, ...]
    title_noise: tuple[Rule, ...]
    aggregators: tuple[str, ...]
    chrome_words: tuple[str, ...] = ()  # words of menus, buttons and prompts (首页, 分享, 下载APP)
    notice_words: tuple[str, ...] = ()  # words of a site's notices (版权声明, 免责声明, 未经授权)


@dataclass(frozen=True)
class FigureRule:
    label: str
    unit: str  # the unit when the pattern has no group named unit
    pattern: re.Pattern[str]
    planned: str = ""  # the label when the clause says it is a plan (计划, 预计, 争取 …)


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    cues: tuple[str, ...]
    none_of: tuple[str, ...]


def _obstacles(raw: Any, path: Path, method_ids: set[str], problems: list[Problem]) -> tuple[Obstacle, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not isinstance(raw.get("obstacles"), list):
        problems.append(Problem(str(path), "应有 obstacles 列表", None, "error"))
        return ()
    obstacles: list[Obstacle] = []
    for n, item in enumerate(raw["obstacles"], 1):
        if not isinstance(item, dict) or not ID_RE.match(str(item.get("id", ""))):
            problems.append(Problem(str(path), f"第 {n} 个难题缺少有效的 id（小写拼音加连字符）", None, "error"))
            continue
        match = item.get("match") or {}
        methods = _strs(item.get("methods"))
        for unknown in [m for m in methods if m not in method_ids]:
            problems.append(Problem(str(path), f"难题 '{item['id']}' 的做法 '{unknown}' 不在方法库中", None, "error"))
        obstacles.append(
            Obstacle(
                id=str(item["id"]),
                name=str(item.get("name", "")),
                aliases=_strs(item.get("aliases")),
                questions=_strs(item.get("questions")),
                summary=str(item.get("summary", "")).strip(),
                description=str(item.get("description", "")).strip(),
                phrases=_strs(match.get("phrases")),
                all_of=tuple(tuple(_strs(group) for group in rule) for rule in match.get("all_of") or ()),
                none_of=_strs(match.get("none_of")),
                methods=methods,
            )
        )
    return tuple(obstacles)


@dataclass(frozen=True)
class PlaceJoin:
    """places.yaml: names the build would keep apart that are one place, shown as ``name``."""

    district: str
    name: str
    aliases: tuple[str, ...]
    street: str | None = None  # where the estate is when its articles do not say
    slug: str | None = None


@dataclass(frozen=True)
class PlaceApart:
    """places.yaml: names the build would join (they differ only by a suffix) that are different places."""

    district: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Data:
    methods: tuple[Method, ...]
    categories: tuple[str, ...]
    obstacles: tuple[Obstacle, ...]
    cities: tuple[City, ...]
    boilerplate: Boilerplate
    figures: tuple[FigureRule, ...]
    figure_scope_exclude: tuple[str, ...]
    stages: tuple[Stage, ...]  # earliest first
    stage_future: tuple[str, ...]
    files: tuple[Path, ...]  # every file read, for cache keys and messages
    figure_scopes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # scope -> words that mark it (figures.yaml)
    figure_plan_words: tuple[str, ...] = ()  # words that make a figure's clause a plan
    # The lift counts an estate's timeline charts, in stage order: (figure label, short name).
    timeline_series: tuple[tuple[str, str], ...] = ()
    place_joins: tuple[PlaceJoin, ...] = ()
    place_aparts: tuple[PlaceApart, ...] = ()


class DataError(Exception):
    """A data file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except FileNotFoundError:
        problems.append(Problem(str(path), "缺少数据文件：请从仓库恢复它", None, "error"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(str(path), f"不是有效的 YAML：{exc}", mark.line + 1 if mark else None, "error"))
    return None


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _methods(raw: Any, path: Path, problems: list[Problem]) -> tuple[tuple[Method, ...], tuple[str, ...]]:
    if not isinstance(raw, dict) or not isinstance(raw.get("methods"), list):
        problems.append(Problem(str(path), "应有 categories 和 methods 两个列表", None, "error"))
        return (), ()
    categories = _strs(raw.get("categories"))
    methods: list[Method] = []
    seen: set[str] = set()
    for n, item in enumerate(raw["methods"], 1):
        where = f"第 {n} 条做法"
        if not isinstance(item, dict):
            problems.append(Problem(str(path), f"{where}应是映射", None, "error"))
            continue
        mid, name = str(item.get("id", "")), str(item.get("name", ""))
        if not ID_RE.match(mid):
            problems.append(Problem(str(path), f"{where}的 id '{mid}' 应为小写拼音加连字符", None, "error"))
        if mid in seen:
            problems.append(Problem(str(path), f"{where}的 id '{mid}' 重复", None, "error"))
        seen.add(mid)
        category = str(item.get("category", ""))
        if category not in categories:
            problems.append(Problem(str(path), f"做法 '{mid}' 的类别 '{category}' 不在 categories 中", None, "error"))
        match = item.get("match") or {}
        all_of = tuple(tuple(_strs(group) for group in rule) for rule in match.get("all_of") or ())
        methods.append(
            Method(
                id=mid,
                name=name,
                category=category,
                aliases=_strs(item.get("aliases")),
                summary=str(item.get("summary", "")).strip(),
                description=str(item.get("description", "")).strip(),
                phrases=_strs(match.get("phrases")),
                all_of=all_of,
                none_of=_strs(match.get("none_of")),
            )
        )
    return tuple(methods), categories


def _district(raw: dict[str, Any], city: str) -> District:
    name = str(raw["name"])
    streets = tuple(
        Street(name=str(s["name"]), kind=str(s.get("kind", "街道")), aliases=_strs(s.get("aliases")))
        for s in raw.get("streets") or ()
    )
    # An explicit slug wins: pinyin of place names is not always right (长宁 is chang-ning, not zhang-ning).
    base = str(raw.get("slug") or slugify(re.sub(r"(新区|区)$", "", name), sep=""))
    slug = base if city == "上海市" else f"{slugify(re.sub(r'市$', '', city), sep='')}-{base}"
    return District(
        name=name,
        slug=slug,
        city=city,
        aliases=_strs(raw.get("aliases")),
        former=_strs(raw.get("former")),
        streets=streets,
        tile=(int(raw["tile"][0]), int(raw["tile"][1])) if raw.get("tile") else None,
    )


def _cities(raw: Any, path: Path, problems: list[Problem]) -> tuple[City, ...]:
    if not isinstance(raw, dict) or not isinstance(raw.get("cities"), list):
        problems.append(Problem(str(path), "应有 cities 列表", None, "error"))
        return ()
    cities: list[City] = []
    for item in raw["cities"]:
        try:
            name = str(item["name"])
            districts = tuple(_district(d, name) for d in item.get("districts") or ())
        except (KeyError, TypeError) as exc:
            problems.append(Problem(str(path), f"城市条目缺少字段或格式不对：{exc}", None, "error"))
            continue
        cities.append(City(name=name, aliases=_strs(item.get("aliases")), districts=districts))
    return tuple(cities)


def _with_towns(cities: tuple[City, ...], path: Path, problems: list[Problem]) -> tuple[City, ...]:
    """The curated cities with every town of the generated national list (towns.json) merged under them.

    A curated district keeps its names, aliases and streets, and takes the national towns only when it
    lists no streets of its own: Shanghai stays exactly as curated. Districts and cities the curated
    file lacks follow it, in division-code order; their slugs carry the division code, because pinyin
    for 3,000 names would cost every build a seventh of a second."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))["cities"]
    except FileNotFoundError:
        return cities  # the national list is optional: without it only the curated places are known
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(Problem(str(path), f"不是有效的地名数据：{exc}；请运行 make gazetteer 重新生成", None, "error"))
        return cities
    national = {c["name"]: c["districts"] for c in raw}
    curated = {c.name for c in cities}
    merged = []
    for city in (*cities, *(City(name, (), ()) for name in national if name not in curated)):
        rows = {d["name"]: d for d in national.get(city.name, ())}
        districts = [
            replace(d, towns=tuple(rows[d.name]["towns"])) if not d.streets and d.name in rows else d
            for d in city.districts
        ]
        known = {d.name for d in city.districts}
        prefix = slugify(re.sub(r"市$", "", city.name), sep="")
        districts += [
            District(row["name"], f"{prefix}-{row['code']}", city.name, (), (), (), towns=tuple(row["towns"]))
            for row in rows.values()
            if row["name"] not in known
        ]
        merged.append(replace(city, districts=tuple(districts)))
    return tuple(merged)


Places = tuple[tuple[PlaceJoin, ...], tuple[PlaceApart, ...]]


def _places(raw: Any, path: Path, cities: tuple[City, ...], problems: list[Problem]) -> Places:
    """places.yaml: joins and splits of place names, each in a district the gazetteer knows."""
    districts = {(d.city, d.name): d for c in cities for d in c.districts}
    joins, aparts = [], []
    for key in ("join", "apart"):
        for n, item in enumerate(_mapping(raw).get(key) or (), 1):
            item = _mapping(item)

            def bad(message: str, n: int = n, key: str = key) -> None:
                problems.append(Problem(str(path), f"{key} 第 {n} 条：{message}", None, "error"))

            # 普陀区 is Shanghai's unless the entry names another city (舟山市).
            district = districts.get((str(item.get("city") or "上海市"), str(item.get("district", ""))))
            name, street, slug = str(item.get("name") or ""), item.get("street"), item.get("slug")
            if district is None:
                bad(f"区“{item.get('district')}”不在地名表里；请写区的全称，如 普陀区（上海以外的区另写 city）")
            elif key == "apart":
                names = _strs(item.get("names"))
                if len(names) < 2:
                    bad("names 至少要有两个名字")
                else:
                    aparts.append(PlaceApart(district.name, names))
            elif not name:
                bad("缺少 name（页面上显示的名字）")
            elif street and str(street) not in {*(s.name for s in district.streets), *district.towns}:
                bad(f"{district.name}没有“{street}”；请写该区街道或镇的全称")
            elif slug and not ID_RE.match(str(slug)):
                bad("slug 只能用小写字母、数字和连字符")
            else:
                aliases = _strs(item.get("aliases"))
                joins.append(
                    PlaceJoin(district.name, name, aliases, str(street) if street else None, slug and str(slug))
                )
    return tuple(joins), tuple(aparts)


def _rules(raw: Any, key: str, path: Path, problems: list[Problem]) -> tuple[Rule, ...]:
    rules = []
    for n, item in enumerate(raw.get(key) or (), 1):
        try:
            rules.append(Rule(re.compile(str(item["pattern"])), str(item.get("what", ""))))
        except (KeyError, TypeError, re.error) as exc:
            problems.append(Problem(str(path), f"{key} 第 {n} 条规则无效：{exc}", None, "error"))
    return tuple(rules)


def load_data(data_dir: Path) -> Data:
    """Read every data file; raise DataError listing all problems if any is unusable."""
    problems: list[Problem] = []
    paths = {
        name: data_dir / f"{name}.yaml"
        for name in ("methods", "gazetteer", "boilerplate", "figures", "stages", "obstacles", "places")
    }
    raw = {name: _read_yaml(path, problems) for name, path in paths.items()}
    methods, categories = _methods(raw["methods"], paths["methods"], problems)
    towns = data_dir / "towns.json"  # generated by scripts/gazetteer.py
    cities = _with_towns(_cities(raw["gazetteer"], paths["gazetteer"], problems), towns, problems)
    obstacles = _obstacles(raw["obstacles"], paths["obstacles"], {m.id for m in methods}, problems)
    bp = raw["boilerplate"] if isinstance(raw["boilerplate"], dict) else {}
    boilerplate = Boilerplate(
        cut_tail=_rules(bp, "cut_tail", paths["boilerplate"], problems),
        drop_line=_rules(bp, "drop_line", paths["boilerplate"], problems),
        title_noise=_rules(bp, "title_noise", paths["boilerplate"], problems),
        aggregators=_strs(bp.get("aggregators")),
        chrome_words=_strs(bp.get("chrome_words")),
        notice_words=_strs(bp.get("notice_words")),
    )
    fig_raw = raw["figures"] if isinstance(raw["figures"], dict) else {}
    figures = []
    for n, item in enumerate(fig_raw.get("figures") or (), 1):
        try:
            pattern = str(item["pattern"]).replace("{n}", NUMBER)
            planned = str(item.get("planned") or "")
            figures.append(FigureRule(str(item["label"]), str(item["unit"]), re.compile(pattern), planned))
        except (KeyError, TypeError, re.error) as exc:
            problems.append(Problem(str(paths["figures"]), f"第 {n} 条数字规则无效：{exc}", None, "error"))
    stage_raw = raw["stages"] if isinstance(raw["stages"], dict) else {}
    stages = []
    for n, item in enumerate(stage_raw.get("stages") or (), 1):
        try:
            stages.append(Stage(str(item["id"]), str(item["name"]), _strs(item["cues"]), _strs(item.get("none_of"))))
        except (KeyError, TypeError) as exc:
            problems.append(Problem(str(paths["stages"]), f"第 {n} 个阶段缺少字段：{exc}", None, "error"))
    joins, aparts = _places(raw["places"], paths["places"], cities, problems)
    series = [_mapping(item) for item in fig_raw.get("timeline") or ()]
    if any(not (item.get("label") and item.get("name")) for item in series):
        problems.append(Problem(str(paths["figures"]), "timeline 的每一条都要有 label 和 name", None, "error"))
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    return Data(
        methods=methods,
        categories=categories,
        obstacles=obstacles,
        cities=cities,
        boilerplate=boilerplate,
        figures=tuple(figures),
        figure_scope_exclude=_strs(fig_raw.get("scope_exclude")),
        figure_scopes=tuple((str(k), _strs(v)) for k, v in _mapping(fig_raw.get("scopes")).items()),
        figure_plan_words=_strs(fig_raw.get("plan_words")),
        timeline_series=tuple((str(item["label"]), str(item["name"])) for item in series),
        place_joins=joins,
        place_aparts=aparts,
        stages=tuple(stages),
        stage_future=_strs(stage_raw.get("future")),
        files=tuple(sorted([*paths.values(), towns])),
    )
