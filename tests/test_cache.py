"""The build cache (memo.py): whatever changes between two builds, a build that keeps results in
.cache/ gives exactly the site a cold build gives, and a cache that is damaged, tampered with or
written by other code is ignored (with a warning), never trusted."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import msgspec
import pytest

from liftcases import memo as memo_module
from liftcases import pipeline
from liftcases.inputs import STAMP_FILE, Paths
from liftcases.memo import Fingerprints, Memo, decode, encode
from liftcases.model import Case

from .conftest import GOOD, ROOT, make_content
from .test_build import tree_hash

OTHER = GOOD.replace("普陀区某小区加梯", "静安区另一小区加梯").replace("普陀区某小区", "静安区另一小区")
THIRD = "# 长宁区第三小区加装电梯\n\n2024年3月5日，长宁区第三小区通过掌上签约完成加装电梯意见征询。\n"


def published(site: Path) -> dict[str, str]:
    """Every published file's digest; STAMP_FILE, the build's own record of its inputs (their folders
    and times), is left out."""
    return {rel: h for rel, h in tree_hash(site).items() if rel != STAMP_FILE}


def cold(paths: Paths, tmp: Path, search: bool) -> dict[str, str]:
    """The site a build with no cache at all makes from the same inputs, in another folder."""
    out = tmp / "cold-site"
    shutil.rmtree(out, ignore_errors=True)
    result = pipeline.build(Paths(paths.content, paths.templates, out), search=search)
    assert result.published
    return published(out)


@pytest.fixture
def project(tmp_path: Path) -> Paths:
    content = make_content(tmp_path, {"good.txt": GOOD, "other.txt": OTHER}, seeds=True)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return Paths(content, tmp_path / "templates", tmp_path / "site")


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


CHANGES: dict[str, Callable[[Paths], None]] = {
    "an article edited": lambda p: edit(p.articles / "good.txt", "红色议事厅", "红色议事厅和党建引领"),
    "an article added": lambda p: (p.articles / "third.md").write_text(THIRD, encoding="utf-8"),
    "an article removed": lambda p: (p.articles / "other.txt").unlink(),
    "a data file edited": lambda p: edit(p.content / "data" / "methods.yaml", "比着推进加梯。", "比着推进加梯（改）。"),
    "a template edited": lambda p: edit(p.templates / "base.html", "跳到正文", "跳到正文内容"),
    "a page's template edited": lambda p: edit(p.templates / "street.html", "全街道的数字", "全街道的总数"),
    "the settings edited": lambda p: (p.content / "site.yaml").write_text("title: 另一个标题\n", encoding="utf-8"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_cached_build_after_a_change_is_the_cold_build(project: Paths, tmp_path: Path, change: str):
    first = pipeline.build(project, search=False, memo=Memo(project.cache))
    assert first.published and (project.cache / "articles.msgpack").is_file()
    CHANGES[change](project)
    again = pipeline.build(project, search=False, memo=Memo(project.cache))  # a new process's memo
    assert again.published and not again.notes
    assert published(project.out) == cold(project, tmp_path, search=False)


def test_the_search_index_after_an_edit_is_the_cold_builds(project: Paths, tmp_path: Path):
    """The search records are kept in .cache/search-records/ and only those whose case changed are
    written again; a record edited by hand there is noticed and written again too."""
    assert pipeline.build(project, memo=Memo(project.cache)).published
    records = project.cache / "search-records"
    untouched = records / "cases" / "putuo-ganquanyuan-traditional" / "index.html"
    assert untouched.is_file()
    before = untouched.stat().st_mtime_ns
    CHANGES["an article edited"](project)
    (records / "cases" / "other" / "index.html").write_text("<html><body>篡改</body></html>", encoding="utf-8")
    again = pipeline.build(project, memo=Memo(project.cache))
    assert again.published and again.timings["search index reused"] == 0
    assert untouched.stat().st_mtime_ns == before  # not written again
    assert published(project.out) == cold(project, tmp_path, search=True)


def test_pages_whose_inputs_did_not_change_are_kept_not_rendered(project: Paths, monkeypatch: pytest.MonkeyPatch):
    pipeline.build(project, search=False, memo=Memo(project.cache))
    inode = {p: p.stat().st_ino for p in project.out.rglob("*.html")}
    made: list[str] = []
    real = pipeline.render.__globals__["make_page"]

    def counting(out, pages, layout, rel, key, template, context):  # type: ignore[no-untyped-def]
        return real(out, pages, layout, rel, key, template, lambda: made.append(rel) or context())

    monkeypatch.setitem(pipeline.render.__globals__, "make_page", counting)
    CHANGES["an article edited"](project)
    assert pipeline.build(project, search=False, memo=Memo(project.cache)).published
    assert "cases/good/index.html" in made
    assert "methods/dang-jian-yin-ling/index.html" in made  # its new method's page lists it
    assert "cases/other/index.html" in made  # it lists the edited case as related, with its title
    # The seed cases that do not list the edited case among their related cases are kept: the very same
    # files, linked into the new site.
    pages = {p: p.relative_to(project.out).as_posix() for p in inode}
    seeds = [p for p, rel in pages.items() if rel.startswith(("cases/", "places/")) and "/good/" not in rel]
    seeds = [p for p in seeds if "/cases/good/" not in p.read_text("utf-8")]
    assert len(seeds) >= 3 and not any(p.relative_to(project.out).as_posix() in made for p in seeds)
    assert all(p.stat().st_ino == inode[p] for p in seeds)
    assert len(made) < len(inode) / 3


def test_a_template_edit_makes_again_only_the_pages_that_use_it(project: Paths):
    pipeline.build(project, search=False, memo=Memo(project.cache))
    inode = {p.relative_to(project.out).as_posix(): p.stat().st_ino for p in project.out.rglob("*") if p.is_file()}
    CHANGES["a page's template edited"](project)
    assert pipeline.build(project, search=False, memo=Memo(project.cache)).published
    now = {p.relative_to(project.out).as_posix(): p.stat().st_ino for p in project.out.rglob("*") if p.is_file()}
    remade = {rel for rel, ino in now.items() if inode.get(rel) != ino}
    streets = {
        rel for rel in now if rel.count("/") == 3 and rel.startswith("districts/") and rel.endswith("index.html")
    }
    assert streets and streets <= remade
    assert not {rel for rel in remade if rel.startswith(("cases/", "places/", "methods/", "data/"))}
    # Made by code, not templates: the feeds and exports stay as they are.
    assert "feed.xml" not in remade and "data/cases.json" not in remade


def test_a_code_change_drops_every_kept_result(project: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Results made by other code are never used: here the "old code" titled every case differently."""
    real = pipeline.enrich

    def old_code(*args):  # type: ignore[no-untyped-def]
        case = real(*args)
        return Case(**{**case.__dict__, "methods": ()})

    with monkeypatch.context() as m:
        m.setattr(pipeline, "enrich", old_code)
        m.setattr(memo_module, "CODE_VERSION", "the old code")
        assert pipeline.build(project, search=False, memo=Memo(project.cache)).published
    assert not (project.out / "methods" / "hong-se-yi-shi-ting" / "index.html").read_text("utf-8").count("/cases/good/")
    assert pipeline.build(project, search=False, memo=Memo(project.cache)).published
    assert published(project.out) == cold(project, tmp_path, search=False)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "wrong shape", "another format", "a killed write"])
def test_a_damaged_cache_is_ignored_with_a_warning(project: Paths, tmp_path: Path, damage: str):
    pipeline.build(project, search=False, memo=Memo(project.cache))
    pack = project.cache / "articles.msgpack"
    data = pack.read_bytes()
    if damage == "truncated":
        pack.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        pack.write_bytes(data[:100] + bytes(b ^ 0x5A for b in data[100:200]) + data[200:])
    elif damage == "wrong shape":  # a valid pack whose entries are not outcomes: each is ignored
        _, _, body = decode(data, tuple[int, str, bytes])
        entries = {key: encode({"title": "<script>alert(1)</script>"}) for key in decode(body, dict[str, bytes])}
        Memo(project.cache)._write("articles", entries)
    elif damage == "another format":
        pack.write_bytes(encode((memo_module.FORMAT + 1, "", b"")))
    else:  # a build killed while writing leaves its temporary file, never a half-written pack
        (project.cache / f".articles.msgpack.{12345}.tmp").write_bytes(data[:10])
    CHANGES["an article edited"](project)
    result = pipeline.build(project, search=False, memo=Memo(project.cache))
    warned = list(result.notes)
    assert result.published
    assert bool(warned) == (damage in ("truncated", "garbage", "wrong shape")), warned
    assert all(".cache/articles.msgpack" in w and "已忽略" in w for w in warned)
    assert published(project.out) == cold(project, tmp_path, search=False)
    # The damaged pack was replaced by a good one: the next build reads it without a warning.
    assert not [
        p for p in pipeline.build(project, search=False, memo=Memo(project.cache)).problems if "构建缓存" in p.message
    ]


def test_the_cache_holds_data_only():
    """What the cache stores decodes to the build's own types or fails: nothing in it names code to run."""
    path = ROOT / "content" / "articles" / "putuo-changfeng-fenghe-ten-methods.txt"
    case = pipeline._one_article(path, path.name, *_reader())[1]
    assert case is not None
    outcome = ([], case, (1, 2))
    assert decode(encode(outcome), pipeline.Outcome) == outcome
    with pytest.raises(msgspec.ValidationError):
        decode(encode({"__reduce__": "os.system"}), pipeline.Outcome)


def _reader():  # type: ignore[no-untyped-def]
    from .conftest import DATA, GAZ, TZ

    return DATA, GAZ, TZ


def test_fingerprints_tell_values_apart_and_know_a_case_by_its_key():
    prints = Fingerprints()
    assert prints(("ab", "c")) != prints(("a", "bc"))
    assert prints([1, "1"]) != prints(["1", 1])
    assert prints({"a": (1,)}) == Fingerprints()({"a": (1,)})
    path = ROOT / "content" / "articles" / "putuo-changfeng-fenghe-ten-methods.txt"
    case = pipeline._one_article(path, path.name, *_reader())[1]
    assert case is not None and case.methods
    prints.seed_case(case, "00" * 20)
    other = Fingerprints()
    other.seed_case(case, "11" * 20)
    # Known by its key, not by walking it: another key is another fingerprint, and each part is its own.
    assert prints((case,)) == prints((case,)) != other((case,))
    assert prints((case.methods[0],)) != prints((case,)) != prints((case.place,))
    with pytest.raises(TypeError):
        prints(object())
    # Front matter holds what YAML reads, dates too (a draft's source is fingerprinted whole).
    assert prints({"date": date(2024, 5, 6)}) == Fingerprints()({"date": date(2024, 5, 6)})
    assert prints(date(2024, 5, 6)) not in (prints(date(2024, 5, 7)), prints("2024-05-06"))


def test_no_cache_writes_none_and_the_cache_is_never_published(project: Paths):
    from liftcases.cli import main

    assert main(["--content", str(project.content), "--templates", str(project.templates), "--out",
                 str(project.out), "--no-cache", "--no-search", "--quiet"]) == 0  # fmt: skip
    assert not project.cache.exists()
    CHANGES["an article edited"](project)
    assert main(["--content", str(project.content), "--templates", str(project.templates), "--out",
                 str(project.out), "--no-search", "--quiet"]) == 0  # fmt: skip
    assert (project.cache / "articles.msgpack").is_file() and not (project.out / ".cache").exists()
    stamp = json.loads((project.out / STAMP_FILE).read_text(encoding="utf-8"))
    assert set(stamp) == {"stamp", "cases", "errors", "problems", "search", "output"}


def test_a_damaged_cache_is_a_note_that_does_not_fail_a_strict_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    from liftcases.cli import main

    content = make_content(tmp_path, {"good.txt": GOOD})
    options = ["--content", str(content), "--out", str(tmp_path / "site"), "--no-search", "--quiet", "--strict"]
    assert main(options) == 0
    (tmp_path / ".cache" / "articles.msgpack").write_bytes(b"\x93\x01")
    edit(content / "articles" / "good.txt", "协商", "反复协商")
    capsys.readouterr()
    assert main(options) == 0  # the site is right either way: a note, not a problem
    assert ".cache/articles.msgpack: 构建缓存已损坏或不是本程序写的，已忽略" in capsys.readouterr().err


def test_pages_laid_out_in_two_parts_are_the_pages_rendered_whole(project: Paths, tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    """Every page rendered as its blocks put into the layout has the bytes of the page rendered whole."""
    from liftcases import output

    assert pipeline.build(project, search=False).published
    laid_out = published(project.out)
    real = output.Layout.__init__

    def whole(self, *args):  # type: ignore[no-untyped-def]
        real(self, *args)
        self.ok = False

    monkeypatch.setattr(output.Layout, "__init__", whole)
    assert cold(project, tmp_path, search=False) == laid_out


def test_a_layout_edit_lays_pages_out_again_without_rendering_them(project: Paths, tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    from liftcases import output

    pipeline.build(project, search=False, memo=Memo(project.cache))
    rendered: list[str] = []
    real = output.Layout.render

    def counting(self, template, context):  # type: ignore[no-untyped-def]
        rendered.append(template)
        return real(self, template, context)

    monkeypatch.setattr(output.Layout, "render", counting)
    CHANGES["a template edited"](project)  # base.html, outside its blocks
    assert pipeline.build(project, search=False, memo=Memo(project.cache)).published
    assert rendered == []
    assert "跳到正文内容" in (project.out / "cases" / "good" / "index.html").read_text(encoding="utf-8")
    monkeypatch.undo()
    assert published(project.out) == cold(project, tmp_path, search=False)


def test_the_staging_folder_reused_from_an_older_site_never_touches_the_live_one(project: Paths, tmp_path: Path):
    """A build reuses the site before the current one as its staging folder, whose unchanged pages are the
    very files (hard links) of the current site: they are replaced there, never written into."""
    pipeline.build(project, memo=Memo(project.cache))
    CHANGES["an article edited"](project)
    pipeline.build(project, memo=Memo(project.cache))
    live = tree_hash(project.out)
    base = project.out.parent / ".staging-site-base"
    assert base.is_dir()
    CHANGES["a template edited"](project)
    edit(project.articles / "other.txt", "协商", "反复协商")
    assert pipeline.build(project, memo=Memo(project.cache)).published
    assert tree_hash(base) == live  # the site that was live is now the base, byte for byte as it was
    assert published(project.out) == cold(project, tmp_path, search=True)
