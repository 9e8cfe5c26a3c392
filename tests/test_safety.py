"""Never lose, never break, never run hostile content: the bad-input corpus, atomic and
reproducible builds, and fuzzing of the whole per-article path down to the rendered page."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liftcases.contexts import case_context
from liftcases.enrich import enrich
from liftcases.ingest import read_article
from liftcases.inputs import STAMP_FILE
from liftcases.normalise import normalise
from liftcases.render import make_env
from liftcases.settings import Settings

from .conftest import DATA, FIXTURES, GAZ, GOOD, ROOT, build_into, make_content
from .linkcheck import check_links
from .markup import forbidden_markup

BAD = FIXTURES / "bad"
# Each bad file, and the words its problem must contain.
EXPECTED = {
    "empty.txt": "文件是空的",
    "binary.png": "二进制文件",
    "frontmatter_unclosed.md": "没有结束",
    "frontmatter_not_mapping.md": "映射",
    "frontmatter_wrong_types.md": "类型不对",
    "slug_traversal.md": "slug '../../x' 无效",
    "slug_duplicate_b.md": "已被 slug_duplicate_a.md 使用",
    "xss_html_body.txt": "已去除不安全的内容",
    "xss_markdown_body.md": "已去除不安全的内容",
    "xss_frontmatter.md": "已去除不安全的内容",
    "meta_refresh.txt": "meta refresh",
    "saved_page_hostile.html": "meta refresh",
    "css_injection.txt": "style",
    "huge.txt": "文件太大",
    "outside-link.txt": "符号链接",
}


def tree(root: Path) -> dict[str, str]:
    """Every file's digest, but the input stamp's: it records the inputs' modification times, which
    differ when this test writes the same extra article again."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != STAMP_FILE
    }


def bad_content(tmp_path: Path) -> Path:
    content = make_content(tmp_path, {"good.txt": GOOD})
    articles = content / "articles"
    for path in BAD.iterdir():
        shutil.copy(path, articles / path.name)
    with (articles / "huge.txt").open("wb") as f:
        f.write("普陀区某小区加装电梯。\n".encode() * 700_000)  # about 20 MB
    secret = tmp_path / "outside-secret.txt"
    secret.write_text("不该出现在网站上的秘密\n正文", encoding="utf-8")
    (articles / "outside-link.txt").symlink_to(secret)
    return content


def test_bad_input_corpus_gives_clear_problems_and_the_rest_builds(tmp_path: Path):
    content = bad_content(tmp_path)
    before = tree(content)
    result, out = build_into(tmp_path, content)
    assert result.published
    for name, words in EXPECTED.items():
        messages = [p.message for p in result.problems if p.path == name]
        assert any(words in m for m in messages), (name, messages)
    slugs = {c.slug for c in result.cases}
    assert {"good", "name-with-spaces", "zhong-wen-wen-jian-ming", "leading-dot", "same-slug"} <= slugs
    assert "x" not in slugs and not (tmp_path / "x").exists()
    for page in out.rglob("*.html"):
        if "pagefind" not in page.relative_to(out).parts:
            html = page.read_text(encoding="utf-8")
            assert forbidden_markup(html) == [], page
            assert "不该出现在网站上的秘密" not in html and "evil.example" not in html
    assert "最后一段正文仍然要保留" in (out / "cases" / "xss-html-body" / "index.html").read_text(encoding="utf-8")
    saved = (out / "cases" / "saved-page-hostile" / "index.html").read_text(encoding="utf-8")
    assert "保存的网页正文仍然要保留" in saved and "这是最后一段正文" in saved
    assert check_links(out) == []
    assert tree(content) == before  # content is sacred


def test_every_page_carries_a_content_security_policy(seed_site: Path):
    for page in seed_site.rglob("*.html"):
        if "pagefind" in page.relative_to(seed_site).parts:
            continue
        html = page.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in html and "script-src 'self'" in html, page


def test_two_builds_are_byte_identical(tmp_path: Path):
    content = make_content(tmp_path, seeds=True)
    _, first = build_into(tmp_path / "a", content)
    _, second = build_into(tmp_path / "b", content)
    assert tree(first) == tree(second)


def test_source_date_epoch_is_honoured_when_no_article_has_a_date(tmp_path: Path):
    content = make_content(
        tmp_path, {"undated.txt": "普陀区某小区加装电梯\n\n普陀区某小区依托红色议事厅协商加装电梯。"}
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(tmp_path / "site")]
    subprocess.run([*cmd, "--no-search", "--quiet"], env=env, check=True, capture_output=True)
    assert "<updated>2023-11-14T22:13:20Z</updated>" in (tmp_path / "site" / "feed.xml").read_text(encoding="utf-8")


def test_a_killed_build_leaves_the_previous_site_whole(tmp_path: Path):
    content = make_content(tmp_path, seeds=True)
    extra = content / "articles" / "extra.txt"
    out = tmp_path / "site"
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out), "--quiet"]
    subprocess.run(cmd, check=True, capture_output=True)
    old = tree(out)
    extra.write_text(GOOD, encoding="utf-8")
    started = time.monotonic()
    _, reference = build_into(tmp_path / "reference", content)  # what the new site will be (builds are reproducible)
    duration = time.monotonic() - started + 1.0  # plus the interpreter's start
    new = tree(reference)
    assert new != old
    rng = random.Random(8)
    for _ in range(8):
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0, duration))
        os.killpg(process.pid, signal.SIGKILL)  # the build and its workers and Pagefind, at any moment
        process.wait()
        now = tree(out)
        assert now in (old, new)  # whole: the old site or the new one, never a mix
        if now == new:  # the build finished before the kill: go back to the old site for the next round
            extra.unlink()
            subprocess.run(cmd, check=True, capture_output=True)
            assert tree(out) == old
            extra.write_text(GOOD, encoding="utf-8")


HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", '"><svg onload=alert(1)>',
        "<iframe src=//evil>", "<style>*{}</style>", "<a href='javascript:x'>a</a>", "{{ 7*7 }}", "{% raw %}",
        "<meta http-equiv=refresh content=0>", "普陀区", "加装电梯", "红色议事厅", "\\u0000", "&lt;script&gt;",
    ]
)  # fmt: skip
TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=20)), max_size=8).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, source=TEXT, body=TEXT, form=st.sampled_from(["html", "md", "text"]))
def test_fuzzed_articles_never_raise_and_never_render_forbidden_markup(title, source, body, form):
    quote = title.replace("'", "''")
    if form == "text":
        raw = f"{title}\n\n{body}"
    else:
        front = f"---\ntitle: '{quote}'\nsource: '{source.replace(chr(39), chr(39) * 2)}'\nurl: '{quote}'\n---\n"
        raw = front + (f"<div><p>{body}</p></div>" if form == "html" else body)
    source_doc, _ = read_article(Path("fuzz.txt"), "fuzz.txt", raw.encode("utf-8", "surrogatepass"))
    if source_doc is None:
        return
    article, _ = normalise(source_doc, DATA.boilerplate, "Asia/Shanghai")
    case = enrich(article, DATA, GAZ)
    env = make_env(ROOT / "templates", Settings())
    context = case_context(case, _site_of(case), Settings())
    html = env.get_template("case.html").render(context)
    assert forbidden_markup(html) == []


def _site_of(case):
    from liftcases.assemble import assemble

    return assemble([case], {}, DATA.methods, DATA.categories, DATA.cities)
