"""Rebuilds at scale: nothing to do means nothing done, any input change builds again, a template
edit keeps the search index, and parallel rendering writes the same bytes as one process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liftcases import pipeline
from liftcases.inputs import STAMP_FILE, Paths
from liftcases.pipeline import build
from liftcases.search_records import compact_for_search, search_units

from .conftest import GOOD, ROOT, build_into, make_content
from .test_build import tree_hash

NO_DATE = "静安区某小区加装电梯\n\n静安区某小区依托红色议事厅协商加装电梯。"
UNCHANGED = "没有改动"


def run(content: Path, out: Path, *options: str, templates: Path = ROOT / "templates") -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--templates", str(templates)]
    return subprocess.run([*cmd, "--out", str(out), *options], capture_output=True, text=True, check=False)


def test_a_build_with_nothing_changed_leaves_site_as_it_is(tmp_path: Path):
    content = make_content(tmp_path, {"good.txt": GOOD, "no-date.txt": NO_DATE})
    out = tmp_path / "site"
    first = run(content, out, "--no-search")
    assert first.returncode == 0 and UNCHANGED not in first.stdout
    before = (out.stat().st_ino, tree_hash(out))
    second = run(content, out, "--no-search")
    assert second.returncode == 0
    assert UNCHANGED in second.stdout and "2 个案例" in second.stdout
    # The last build's problems are told again, so a warning is not forgotten by running twice.
    assert any(line.startswith("no-date.txt: 警告") for line in second.stderr.splitlines())
    assert (out.stat().st_ino, tree_hash(out)) == before  # not even swapped
    assert json.loads((out / STAMP_FILE).read_text(encoding="utf-8"))["cases"] == 2


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("article", "静安区另一小区"),
        ("new article", "长宁区某小区"),
        ("data file", "比着推进加梯（改过）"),
        ("settings", "加梯案例库（测试）"),
        ("template", "跳到正文内容"),
    ],
)
def test_any_change_to_an_input_builds_again(tmp_path: Path, change: str, expected: str):
    content = make_content(tmp_path, {"good.txt": GOOD})
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "site"
    assert run(content, out, "--no-search", templates=templates).returncode == 0
    if change == "article":
        (content / "articles" / "good.txt").write_text(GOOD.replace("普陀区某小区", "静安区另一小区"), "utf-8")
    elif change == "new article":
        (content / "articles" / "new.txt").write_text(GOOD.replace("普陀区", "长宁区"), "utf-8")
    elif change == "data file":
        methods = content / "data" / "methods.yaml"
        methods.write_text(methods.read_text("utf-8").replace("比着推进加梯。", "比着推进加梯（改过）。", 1), "utf-8")
    elif change == "settings":
        site_yaml = content / "site.yaml"
        site_yaml.write_text(site_yaml.read_text("utf-8").replace("加梯案例库", "加梯案例库（测试）", 1), "utf-8")
    else:
        base = templates / "base.html"
        base.write_text(base.read_text("utf-8").replace("跳到正文", "跳到正文内容"), "utf-8")
    again = run(content, out, "--no-search", templates=templates)
    assert again.returncode == 0 and UNCHANGED not in again.stdout
    assert any(expected in p.read_text("utf-8") for p in out.rglob("*.html"))


def test_options_and_strictness_are_part_of_the_stamp(tmp_path: Path):
    content = make_content(tmp_path, {"good.txt": GOOD, "no-date.txt": NO_DATE})
    out = tmp_path / "site"
    assert run(content, out, "--no-search").returncode == 0
    with_search = run(content, out)
    assert UNCHANGED not in with_search.stdout and (out / "pagefind").is_dir()
    # The last build had a warning: --strict must build again and fail, not repeat an earlier success.
    strict = run(content, out, "--strict")
    assert strict.returncode == 1 and "--strict" in strict.stderr


def test_a_template_edit_keeps_the_search_index_and_an_article_edit_renews_it(tmp_path: Path):
    content = make_content(tmp_path, {"good.txt": GOOD})
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "site"
    timings = tmp_path / "timings.json"
    assert run(content, out, "--timings", str(timings), templates=templates).returncode == 0
    index_files = {p.relative_to(out): p.stat().st_ino for p in (out / "pagefind").rglob("*") if p.is_file()}
    base = templates / "base.html"
    base.write_text(base.read_text("utf-8").replace("跳到正文", "跳到正文内容"), "utf-8")
    assert run(content, out, "--timings", str(timings), templates=templates).returncode == 0
    assert json.loads(timings.read_text("utf-8"))["search index reused"] == 1
    assert {p: (out / p).stat().st_ino for p in index_files} == index_files  # the very same files
    assert "跳到正文内容" in (out / "index.html").read_text("utf-8")
    (content / "articles" / "good.txt").write_text(GOOD.replace("红色议事厅", "红色议事厅和党建引领"), "utf-8")
    assert run(content, out, "--timings", str(timings), templates=templates).returncode == 0
    assert json.loads(timings.read_text("utf-8"))["search index reused"] == 0
    assert {p.relative_to(out) for p in (out / "pagefind").rglob("*.pf_fragment")} != {
        p for p in index_files if p.suffix == ".pf_fragment"
    }
    assert not (out / ".search-records").exists()
    # What the builds set aside is deleted by detached processes: gone within moments. The site before the
    # current one stays, as the next build's staging folder.
    expected = [".cache", ".staging-site-base", "content", "site", "templates", "timings.json"]
    for _ in range(100):
        if sorted(p.name for p in tmp_path.iterdir()) == expected:
            break
        time.sleep(0.1)
    assert sorted(p.name for p in tmp_path.iterdir()) == expected


def test_parallel_workers_write_the_same_bytes_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    content = make_content(tmp_path, seeds=True)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 10**9)
    one, one_out = build_into(tmp_path / "one", content, search=False)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)  # two workers even for five articles
    two, two_out = build_into(tmp_path / "two", content, search=False)
    assert one.published and two.published
    assert tree_hash(one_out) == tree_hash(two_out)


@given(st.text(alphabet="加装电梯梯子楼ab1，。 \n", max_size=40))
def test_every_character_and_pair_of_a_text_can_be_found(text: str):
    """Pagefind matches query words as prefixes: a character must begin some unit of every text that
    has it, and every pair of neighbouring characters must be a unit."""
    units = search_units(text)
    chars = compact_for_search(text)
    assert len(units) == len(set(units))
    assert all(any(u.startswith(ch) for u in units) for ch in chars)
    assert {chars[i : i + 2] for i in range(len(chars) - 1)} <= set(units)
    assert all(u in chars for u in units)  # nothing a text does not have


def test_the_seed_site_built_in_two_folders_is_byte_identical(tmp_path: Path):
    """A site depends on its inputs only: two copies of the project's content and templates, built in two
    folders (search included), give the same bytes in every published file, and no file holds either
    folder's path. The one exception is STAMP_FILE, the build's record of its inputs (their sizes,
    modification times and folders, hashed) beside the site it describes."""
    sites = []
    for root in (tmp_path / "a", tmp_path / "somewhere" / "else" / "b"):
        content = make_content(root, seeds=True)
        shutil.copytree(ROOT / "templates", root / "templates")
        result = build(Paths(content, root / "templates", root / "site"))
        assert result.published
        sites.append(root / "site")
    files = [sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) for site in sites]
    assert files[0] == files[1]
    for rel in files[0]:
        first, second = ((site / rel).read_bytes() for site in sites)
        if rel != STAMP_FILE:
            assert first == second, rel
        for site in sites:
            assert str(site.parent).encode() not in first, rel
    assert STAMP_FILE in files[0] and not any(rel.endswith("index-digest.txt") for rel in files[0])
