"""Site settings (content/site.yaml): one schema with defaults, all errors at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from .model import Problem

# libyaml's C parser when PyYAML has it (ten times faster on thousands of front matters); same safe subset.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Settings:
    title: str = "加梯案例库"
    description: str = "上海既有多层住宅加装电梯的社区工作案例与方法"
    base_url: str = "/"  # the path the site is served under, e.g. /jiati/
    site_url: str = ""  # absolute origin for feeds and sitemap, e.g. https://example.org
    language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"  # dates with a time zone are read in this one
    remote_images: bool = True  # False leaves article images (hosted elsewhere) out of the pages
    max_article_bytes: int = 5_000_000


# An absolute origin: feeds and the sitemap put base_url and the page's path after it.
_ORIGIN = re.compile(r"^https?://[^\s/?#]+$")
_TYPES: dict[str, type] = {f.name: type(f.default) for f in fields(Settings)}


def load_settings(path: Path) -> tuple[Settings, list[Problem]]:
    """Read the settings file; unknown keys and wrong types are problems, defaults fill the rest."""
    problems: list[Problem] = []
    if not path.exists():
        return Settings(), problems
    try:
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problems.append(Problem(str(path), f"设置文件不是有效的 YAML：{exc}", line, "error"))
        return Settings(), problems
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), "设置文件应是“键: 值”的映射", None, "error"))
        return Settings(), problems
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _TYPES:
            known = "、".join(_TYPES)
            problems.append(Problem(str(path), f"未知的设置项 '{key}'，已忽略；可用的有：{known}"))
            continue
        expected = _TYPES[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append(
                Problem(
                    str(path),
                    f"设置项 '{key}' 应为 {expected.__name__}，实际是 {type(value).__name__}",
                    None,
                    "error",
                )
            )
            continue
        values[key] = value
    base = values.get("base_url", "/")
    values["base_url"] = "/" + base.strip("/") + "/" if base.strip("/") else "/"
    values["site_url"] = values.get("site_url", "").strip().rstrip("/")
    if values["site_url"] and not _ORIGIN.match(values["site_url"]):
        message = f"site_url '{values['site_url']}' 不是完整的网址：请写成 https://域名 的形式（子路径写在 base_url）"
        problems.append(Problem(str(path), message, None, "error"))
        values["site_url"] = ""
    return Settings(**values), problems
