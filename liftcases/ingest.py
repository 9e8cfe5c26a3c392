"""Stage 1, ingest: find article files, decode them, and tell their raw form from the content.

Readers share one signature, ``read(path, rel, text) -> Source``, and are chosen
by what the file *is* (front matter or not, HTML or Markdown body), never by its
extension: the seed articles are ``.txt`` files holding YAML front matter and HTML.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import charset_normalizer
import yaml

from .model import Problem, RawForm, Source, frozen_mapping
from .settings import SafeLoader
from .webpage import is_document
from .zh_text import slugify

_FENCE = re.compile(r"^---[ \t]*$")
_HTML_BLOCK = re.compile(r"<(p|div|section|article|h[1-6]|img|br|span|ul|ol|li|table|strong)\b[^>]*>", re.I)
_MD_SIGNS = re.compile(r"^(#{1,6}\s|[-*+]\s|\d+\.\s|>\s|!\[|\[[^\]]+\]\()", re.M)
# Signs only Markdown makes: headings, links and images with an address, bold. Lists and "> " are not
# among them: text copied from a web page has bullet lists and breadcrumbs too.
_MD_STRONG = re.compile(r"^#{1,6}\s|!?\[[^\]\n]*\]\(\s*\S+\)|\*\*[^*\n]+\*\*", re.M)
_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy Chinese encodings charset detection may pick; GB18030 is a superset of GB2312 and GBK.
_CHINESE_ENCODINGS = ("gb18030", "big5", "big5hkscs", "utf-16", "utf-8")


@dataclass(frozen=True)
class Ingested:
    sources: tuple[Source, ...]
    problems: tuple[Problem, ...]


def find_articles(articles_dir: Path) -> list[Path]:
    """Every file (and symlink) under the articles folder, in a stable order, whatever its extension.
    Symlinked folders are not entered. One directory read per folder: no stat call per file."""
    found: list[Path] = []
    folders = [articles_dir]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                    found.append(Path(entry.path))
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
    return sorted(found)


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as text: BOM first, then strict UTF-8, then detection among Chinese encodings."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name.replace("-sig", "")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16
    if b"\x00" in data:
        raise UnicodeError(BINARY_MESSAGE)
    results = charset_normalizer.from_bytes(data, cp_isolation=list(_CHINESE_ENCODINGS))
    best = results.best()
    if best is None:
        raise UnicodeError("无法识别文件的文字编码")
    name = best.encoding.replace("_", "-")
    return str(best), name


BINARY_MESSAGE = "这是二进制文件，不是文章：请放入文本、Markdown 或 HTML 文件"
BINARY_CONTROL_SHARE = 0.01


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > BINARY_CONTROL_SHARE * len(text)


_PLAUSIBLE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\x20-\x7e\s“”‘’…—·]")
UTF16_PLAUSIBLE_SHARE = 0.95


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 saved without a BOM: accept it only when nearly every character decoded is plausible text
    (GBK or Big5 bytes read as UTF-16 scatter over Hangul, symbols and rare ideographs)."""
    if len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        share = len(_PLAUSIBLE.findall(text)) / max(1, len(text))
        if share >= UTF16_PLAUSIBLE_SHARE and (best is None or share > best[0]):
            best = (share, text, name)
    return (best[1], best[2]) if best else None


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str, int, str | None, int | None]:
    """(meta, body, body_line, error, error_line). meta is None when there is no front matter."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or not _FENCE.match(lines[start]):
        return None, text, 1, None, None
    end = next((i for i in range(start + 1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        return (
            None,
            "",
            1,
            f"前置信息（front matter）没有结束：请在第 {start + 1} 行的 --- 之后、正文之前加一行 ---",
            start + 1,
        )
    try:
        meta = yaml.load("\n".join(lines[start + 1 : end]), Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = start + 2 + mark.line if mark else start + 1
        return None, "", 1, f"前置信息不是有效的 YAML：{getattr(exc, 'problem', exc)}", line
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return None, "", 1, "前置信息应是“键: 值”的映射（如 title: 标题），现在不是", start + 2
    return {str(k): v for k, v in meta.items()}, "\n".join(lines[end + 1 :]), end + 2, None, None


def detect_form(meta: dict[str, Any] | None, body: str) -> RawForm:
    """Tell the raw form from the content, not the file name."""
    if is_document(body):
        return "html-page"  # a whole saved page, with or without front matter above it
    html_tags = len(_HTML_BLOCK.findall(body[:20000]))
    md_signs = len(_MD_SIGNS.findall(body[:20000])) + body[:20000].count("](")
    # Markdown may carry a few HTML tags; it is HTML when tags are many and Markdown signs few.
    looks_html = (html_tags >= 2 or body.lstrip().startswith("<")) and html_tags > 3 * md_signs
    if meta is not None:
        return "frontmatter-html" if looks_html else "frontmatter-markdown"
    first = next((line for line in body.split("\n") if line.strip()), "")
    if first.startswith("# ") or (len(_MD_STRONG.findall(body[:20000])) >= 3 and not looks_html):
        return "markdown"
    return "scraped-text"


def _slug(path: Path, rel: str, meta: dict[str, Any] | None) -> tuple[str, str | None]:
    """The page slug: an explicit front matter ``slug`` or the file name; never what extraction finds."""
    explicit = meta.get("slug") if meta else None
    if explicit is not None:
        value = str(explicit)
        if not _SLUG_RE.match(value):
            return slugify(Path(rel).stem) or "article", (
                f"slug '{value}' 无效：只能用小写字母、数字和连字符（如 putuo-fenghe），已改用文件名"
            )
        return value, None
    return slugify(Path(rel).stem.lstrip(".")) or slugify(rel) or "article", None


# What ``make new`` writes: a draft, with placeholders an editor replaces. An article that still has
# either placeholder is never published (draft_status).
SCAFFOLD_TITLE = "这里写标题"
SCAFFOLD_BODY = "在这里写正文"
SCAFFOLD = f"""---
# 新文章，先存为草稿：草稿只在 make serve 的预览里出现，不会发布。
# 把下面各项改成这篇文章的内容；不知道的项可以删掉，构建程序会从正文里自动识别。
# 写好后删掉 draft 这一行（或改成 draft: false），再运行 make build 发布。
draft: true
title: {SCAFFOLD_TITLE}
date:                    # 发布日期，写成 YYYY-MM-DD
source:                  # 发布者：公众号、报纸或网站的名称
url:                     # 原文网址（可不填）
# 以下各项填写后会覆盖自动识别的结果：
# city: 市名
# district: 区名
# street: 街道或镇名
# neighbourhood: 小区或居民区名
# methods: [做法 id]      # 做法的 id 见“做法”页面或 content/data/methods.yaml
---

{SCAFFOLD_BODY}，段落之间空一行。可以用 Markdown：## 小标题、**加粗**、![图片说明](图片网址)。
"""


def draft_status(source: Source) -> tuple[bool, list[Problem]]:
    """Whether an article stays out of the published site: front matter ``draft: true``, or what
    ``make new`` wrote still unfilled (an error: it must never be published as a case)."""
    problems = []
    value = source.meta.get("draft", False)
    draft = value is not False and value is not None
    if not isinstance(value, bool) and value is not None:
        # Anything but true or false is read as a draft: a wrong guess must not publish it.
        message = f"draft: {value} 看不懂，先当作草稿不发布：请写 draft: true（草稿）或 draft: false（发布）"
        problems.append(Problem(source.rel, message))
    unfilled = ["标题"] if source.meta.get("title") == SCAFFOLD_TITLE else []
    unfilled += ["正文"] if SCAFFOLD_BODY in source.body else []
    if unfilled:
        message = f"{'和'.join(unfilled)}还是 make new 写下的占位文字，这篇不会发布：请写好后再构建"
        problems.append(Problem(source.rel, message, None, "error"))
    return draft or bool(unfilled), problems


def read_article(path: Path, rel: str, data: bytes) -> tuple[Source | None, list[Problem]]:
    """Decode and split one article file. Returns no Source when it cannot be used."""
    problems: list[Problem] = []
    if not data.strip():
        return None, [Problem(rel, "文件是空的：请写入文章内容，或删除这个文件", None, "error")]
    try:
        text, encoding = decode(data)
    except UnicodeError as exc:
        message = str(exc) if str(exc) == BINARY_MESSAGE else f"{exc}：请另存为 UTF-8 编码"
        return None, [Problem(rel, message, None, "error")]
    if _looks_binary(text):
        return None, [Problem(rel, BINARY_MESSAGE, None, "error")]
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    meta, body, body_line, error, error_line = split_front_matter(text)
    if error:
        return None, [Problem(rel, error, error_line, "error")]
    if not body.strip():
        problems.append(Problem(rel, "正文是空的：请在前置信息之后写正文", body_line, "error"))
        return None, problems
    slug, slug_problem = _slug(path, rel, meta)
    if slug_problem:
        problems.append(Problem(rel, slug_problem, None, "error"))
    form = detect_form(meta, body)
    source = Source(
        path=path,
        rel=rel,
        slug=slug,
        form=form,
        encoding=encoding,
        meta=frozen_mapping(meta),
        body=body,
        body_line=body_line,
    )
    return source, problems


def scan(articles_dir: Path, max_bytes: int) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Every article file to read, as (path, path relative to the articles folder), and the files
    refused before reading: symlinks that leave the folder, files over the size limit."""
    found: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    root = articles_dir.resolve()
    for path in find_articles(articles_dir):
        rel = path.relative_to(articles_dir).as_posix()
        try:
            st = path.stat()
        except OSError:
            st = None  # a dangling symlink: refused below, or read (and reported) like any other file
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            problems.append(
                Problem(rel, "符号链接指向 content/articles/ 之外：已拒绝，请把文件本身放进来", None, "error")
            )
            continue
        if st is None or not stat.S_ISREG(st.st_mode):
            continue
        size = st.st_size
        if size > max_bytes:
            problems.append(
                Problem(
                    rel,
                    f"文件太大（{size // 1_000_000} MB，上限 {max_bytes // 1_000_000} MB）：请只保留文章本身",
                    None,
                    "error",
                )
            )
            continue
        found.append((path, rel))
    return found, problems


def unique_slugs(sources: list[Source]) -> tuple[list[Source], list[Problem]]:
    """The first article (in file order) keeps a slug; a later one claiming it is refused."""
    unique: dict[str, Source] = {}
    problems: list[Problem] = []
    for source in sources:
        first = unique.setdefault(source.slug, source)
        if first is not source:
            problems.append(
                Problem(
                    source.rel,
                    f"网址 /cases/{source.slug}/ 已被 {first.rel} 使用：请改文件名或在前置信息里设不同的 slug",
                    None,
                    "error",
                )
            )
    return list(unique.values()), problems


def ingest(articles_dir: Path, max_bytes: int) -> Ingested:
    """Read every article; a bad file becomes a problem and the others go on."""
    found, problems = scan(articles_dir, max_bytes)
    sources: list[Source] = []
    for path, rel in found:
        source, read_problems = read_article(path, rel, path.read_bytes())
        problems.extend(read_problems)
        if source is not None:
            sources.append(source)
    unique, slug_problems = unique_slugs(sources)
    return Ingested(tuple(unique), tuple(problems + slug_problems))
