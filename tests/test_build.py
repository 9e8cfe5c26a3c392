"""The build as editors meet it: bad input, --strict, atomic publish, content left untouched."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from .conftest import GOOD, ROOT, build_into, make_content
from .markup import forbidden_markup


def tree_hash(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_one_bad_article_never_stops_the_others(tmp_path: Path):
    content = make_content(
        tmp_path,
        {
            "good.txt": GOOD,
            "empty.txt": "",
            "unclosed.md": "---\ntitle: 没有结束\n\n正文",
            "binary.bin": bytes(range(256)) * 4,
            "not-mapping.md": "---\n- a\n- b\n---\n正文",
        },
    )
    result, out = build_into(tmp_path, content, search=False)
    assert result.published
    assert [c.slug for c in result.cases] == ["good"]
    messages = {p.path: p for p in result.problems if p.severity == "error"}
    assert set(messages) == {"empty.txt", "unclosed.md", "binary.bin", "not-mapping.md"}
    assert messages["unclosed.md"].line == 1 and "---" in messages["unclosed.md"].message
    assert (out / "cases" / "good" / "index.html").is_file()


def test_strict_build_fails_and_leaves_the_previous_site_whole(tmp_path: Path):
    content = make_content(tmp_path, {"good.txt": GOOD})
    first, out = build_into(tmp_path, content, search=False)
    assert first.published
    before = tree_hash(out)
    (content / "articles" / "empty.txt").write_text("")
    second, _ = build_into(tmp_path, content, search=False, strict=True)
    assert not second.published
    assert tree_hash(out) == before
    assert not list(tmp_path.glob(".staging-*"))


def test_rebuild_replaces_the_site_and_leaves_only_the_previous_one_as_the_next_staging_folder(tmp_path: Path):
    content = make_content(tmp_path, {"good.txt": GOOD})
    build_into(tmp_path, content, search=False)
    (content / "articles" / "good.txt").rename(content / "articles" / "renamed.txt")
    result, out = build_into(tmp_path, content, search=False)
    assert result.published
    assert (out / "cases" / "renamed" / "index.html").is_file()
    assert not (out / "cases" / "good").exists()
    # The previous site is kept for the next build to reuse its folders; anything else a build set aside
    # is deleted by a detached process: gone within moments.
    expected = [".staging-site-base", "content", "site"]
    for _ in range(100):
        if sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache") == expected:
            break
        time.sleep(0.1)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache") == expected
    assert (tmp_path / ".staging-site-base" / "cases" / "good" / "index.html").is_file()
    (content / "articles" / "renamed.txt").rename(content / "articles" / "again.txt")
    result, out = build_into(tmp_path, content, search=False)
    assert sorted(p.relative_to(out / "cases").as_posix() for p in (out / "cases").rglob("*")) == [
        "again",
        "again/index.html",
    ]


def test_build_never_modifies_content(tmp_path: Path):
    content = make_content(tmp_path, {"good.txt": GOOD}, seeds=True)
    before = tree_hash(content)
    build_into(tmp_path, content, search=False)
    assert tree_hash(content) == before


def test_front_matter_values_are_escaped(tmp_path: Path):
    hostile = (
        "---\ntitle: '<script>alert(1)</script>普陀区加梯'\nsource: '<img src=x onerror=alert(1)>'\n"
        "url: 'javascript:alert(5)'\n---\n"
        "<p>普陀区某小区<script>alert(2)</script>加装电梯。<img src=x onerror=alert(3)></p>"
        '<p><a href="javascript:alert(4)">点我</a></p>'
    )
    content = make_content(tmp_path, {"hostile.txt": hostile})
    _, out = build_into(tmp_path, content, search=False)
    pages = list(out.rglob("*.html"))
    assert pages
    for page in pages:
        assert forbidden_markup(page.read_text(encoding="utf-8")) == [], page
    case = (out / "cases" / "hostile" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;普陀区加梯" in case  # shown as text, not run


def test_forbidden_markup_checker_finds_hostile_markup():
    html = (
        '<script>alert(1)</script><script src="/assets/search.js"></script><img src=x onerror="a()">'
        '<a href="javascript:x">x</a><iframe></iframe><p style="x"></p><meta http-equiv="refresh" content="0">'
    )
    assert len(forbidden_markup(html)) == 6


def test_unknown_method_override_lists_the_nearest_ids(tmp_path: Path):
    article = "---\ntitle: 普陀区某小区\nmethods: [xianyi-hou-nan]\n---\n<p>普陀区某小区加装电梯。</p>"
    content = make_content(tmp_path, {"override.txt": article})
    result, _ = build_into(tmp_path, content, search=False)
    problem = next(p for p in result.problems if "xianyi-hou-nan" in p.message)
    assert problem.path == "override.txt" and "xian-yi-hou-nan" in problem.message


def test_command_line_reports_problems_and_strict_exit_code(tmp_path: Path):
    content = make_content(tmp_path, {"good.txt": GOOD, "empty.txt": ""})
    out = tmp_path / "site"
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out), "--no-search"]
    normal = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert normal.returncode == 0
    assert "empty.txt" in normal.stderr and "文件是空的" in normal.stderr
    assert "已构建 1 个案例" in normal.stdout
    strict = subprocess.run([*cmd, "--strict"], capture_output=True, text=True, check=False)
    assert strict.returncode == 1
    check = subprocess.run([*cmd, "--check"], capture_output=True, text=True, check=False)
    assert check.returncode == 1 and "已检查" in check.stdout
