"""The editors' workflow: make serve with live reload, make new, make check, the review page."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup

from liftcases.memo import Memo
from liftcases.pipeline import Paths, build

from .conftest import GOOD, ROOT, fetch, make_content


def test_serve_rebuilds_and_signals_a_reload(tmp_path: Path):
    content = make_content(tmp_path, {"good.txt": GOOD})
    cmd = [sys.executable, str(ROOT / "build.py"), "--serve", "--port", "0", "--content", str(content)]
    cmd += ["--out", str(tmp_path / "site")]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = None
        for line in server.stdout:
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if found:
                base = found.group(0)
                break
        assert base, "the server did not say where it listens"
        page = fetch(base + "cases/good/")
        assert "普陀区某小区加梯" in page and "/__livereload.js" in page
        assert "__livereload" not in (tmp_path / "site" / "cases" / "good" / "index.html").read_text(encoding="utf-8")
        events: list[str] = []
        stream = urllib.request.urlopen(base + "__livereload", timeout=30)

        def listen() -> None:
            for raw in stream:
                if raw.startswith(b"event: reload"):
                    events.append("reload")
                    return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(0.5)
        started = time.monotonic()
        (content / "articles" / "good.txt").write_text(GOOD.replace("加梯", "加装电梯"), encoding="utf-8")
        listener.join(timeout=30)
        assert events == ["reload"]
        assert "普陀区某小区加装电梯" in fetch(base + "cases/good/")
        assert time.monotonic() - started < 20
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=20) == 0


def test_new_scaffolds_an_article_that_builds(tmp_path: Path):
    content = make_content(tmp_path)
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(tmp_path / "site")]
    made = subprocess.run([*cmd, "--new", "长风 新村"], capture_output=True, text=True, check=True)
    path = content / "articles" / "zhang-feng-xin-cun.md"
    assert path.is_file() and str(path) in made.stdout
    text = path.read_text(encoding="utf-8")
    assert "draft: true" in text and "title:" in text and "# district: 区名" in text and "methods:" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # a format, not a date an editor could leave in
    again = subprocess.run([*cmd, "--new", "长风 新村"], capture_output=True, text=True, check=False)
    assert again.returncode == 1 and "已经存在" in again.stderr
    checked = subprocess.run([*cmd, "--check"], capture_output=True, text=True, check=False)
    assert checked.returncode == 1 and "已检查 0 个案例" in checked.stdout and "占位文字" in checked.stderr
    filled = text.replace("这里写标题", "长风新村某小区加装电梯").replace(
        "在这里写正文", "普陀区长风新村街道某小区居民先易后难推进加装电梯"
    )
    path.write_text(filled.replace("draft: true\n", ""), encoding="utf-8")
    checked = subprocess.run([*cmd, "--check"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0 and "已检查 1 个案例" in checked.stdout, checked.stderr


def test_check_reports_every_broken_file_and_writes_nothing(tmp_path: Path):
    broken = {
        "empty.txt": "",
        "unclosed.md": "---\ntitle: 没有结束\n\n正文",
        "bad-method.md": "---\ntitle: 普陀区某小区\nmethods: [xianyi]\n---\n普陀区某小区加装电梯。",
        "no-date.txt": "静安区某小区加装电梯\n\n静安区某小区依托红色议事厅协商加装电梯。",
        "good.txt": GOOD,
    }
    content = make_content(tmp_path, broken)
    out = tmp_path / "site"
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out), "--check"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    for name in ("empty.txt", "unclosed.md", "bad-method.md", "no-date.txt"):
        assert any(line.startswith(name) for line in lines), name
    assert any("未知的做法 'xianyi'；可用的有" in line and "xian-yi-hou-nan" in line for line in lines)
    assert any(line.startswith("unclosed.md:1: 错误") for line in lines)
    assert any(line.startswith("no-date.txt: 警告") and "date" in line for line in lines)
    assert not out.exists()
    good_only = make_content(tmp_path / "ok", {"good.txt": GOOD})
    ok_cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(good_only), "--out", str(out), "--check"]
    ok = subprocess.run(ok_cmd, capture_output=True, text=True, check=False)
    assert ok.returncode == 0


def test_review_page_lists_doubtful_cases_first(seed_site: Path):
    page = BeautifulSoup((seed_site / "review" / "index.html").read_text(encoding="utf-8"), "html.parser")
    scores = [int(s.get_text().rstrip("%")) for s in page.select(".review .meta strong")]
    assert len(scores) == 5 and scores == sorted(scores)
    assert page.find("meta", attrs={"name": "robots", "content": "noindex"})
    fenghe = next(s for s in page.select(".review") if "风荷" in s.h2.get_text())
    assert "猜你喜欢" in " ".join(ul.get_text() for ul in fenghe.select(".removed"))
    # Nor in the sitemap: tests/test_publishing.py, where site_url is set and there is one.


def test_rebuilds_write_only_what_a_change_affects(tmp_path: Path):
    second = GOOD.replace("普陀区某小区加梯", "静安区另一小区加梯").replace("普陀区某小区", "静安区另一小区")
    content = make_content(tmp_path, {"good.txt": GOOD, "other.txt": second})
    site = tmp_path / "site"
    paths = Paths(content, ROOT / "templates", site)
    memo = Memo()
    first = build(paths, memo=memo, search=False)
    assert first.published and (site / "cases" / "other" / "index.html").is_file()
    assert build(paths, memo=memo, search=False, in_place=True).written == ()  # a second build writes nothing
    (content / "articles" / "good.txt").write_text(GOOD.replace("加梯", "加装电梯"), encoding="utf-8")
    edited = build(paths, memo=memo, search=False, in_place=True).written
    assert "cases/good/index.html" in edited
    # The other case lists this one as related, with its title: its page must follow the new title.
    assert "普陀区某小区加装电梯" in (site / "cases" / "other" / "index.html").read_text(encoding="utf-8")
    assert "methods/hong-se-yi-shi-ting/index.html" in edited
    assert "methods/xian-yi-hou-nan/index.html" not in edited
    methods = content / "data" / "methods.yaml"
    text = methods.read_text(encoding="utf-8")
    methods.write_text(text.replace("比着推进加梯。", "比着推进加梯（改过）。", 1), encoding="utf-8")
    changed = build(paths, memo=memo, search=False, in_place=True).written
    assert "methods/bao-gan-jing-sai/index.html" in changed  # a method description reaches its page
    assert "比着推进加梯（改过）" in (site / "methods" / "bao-gan-jing-sai" / "index.html").read_text(encoding="utf-8")
    (content / "articles" / "other.txt").unlink()
    assert build(paths, memo=memo, search=False, in_place=True).published
    assert not (site / "cases" / "other" / "index.html").exists()
