"""The benchmark: ``make bench N=1000`` (``python -m tests.bench N``).

Generates a deterministic corpus of N articles in every raw form (tests/corpus.py), then in one
run measures a baseline (a minimal markdown-it-py + Jinja2 render of the same files, no
normalising), the baseline plus Pagefind over its pages, and the real build (with its cache in
.bench/.cache): cold, no-op, after editing one article, one method's description, the layout
(base.html) and one page template (case.html); the search indexing time; peak memory of the build and of
Pagefind; the size of site/; the bytes a browser transfers for a first and a later search;
make serve's edit loop (an article saved: its page rewritten, then the search index current); and
make serve run as an editor runs it (build.py --serve in a process of its own): the share of a core
it takes while idle, and the seconds from an article saved to its page, fetched from the preview,
showing the edit. Every time is also printed as a ratio to the baseline. Figures go to
.bench/bench-N.json too.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from jinja2 import Template
from markdown_it import MarkdownIt
from playwright.sync_api import Error as PlaywrightError

from liftcases.memo import Memo
from liftcases.pipeline import Paths, build
from liftcases.search_index import index

from .browser import browser, wait_until
from .conftest import ROOT, serve
from .corpus import write_corpus

OUT = ROOT / ".bench"
BASELINE_PAGE = Template("<!doctype html><html><head><title>{{ title }}</title></head><body>{{ body }}</body></html>")
PRECOMPRESSED = (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind")
ADDED = "编辑又补充了一句。"


def baseline(articles: Path, out: Path) -> float:
    """A minimal static site generator over the same files: front matter split, Markdown render, one template."""
    md = MarkdownIt("commonmark", {"html": True})
    started = time.perf_counter()
    for path in sorted(articles.iterdir()):
        text = path.read_text(encoding="utf-8")
        title, body = path.stem, text
        if text.startswith("---\n"):
            _, front, body = text.split("---\n", 2)
            title = next((line[6:].strip() for line in front.splitlines() if line.startswith("title:")), title)
        page = out / path.stem / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(BASELINE_PAGE.render(title=title, body=md.render(body)), encoding="utf-8")
    return time.perf_counter() - started


def pagefind_on(site: Path) -> float:
    """Pagefind's own run over a folder of pages: with the baseline's, what any site of this size pays
    for search."""
    from liftcases.search_index import _pagefind

    started = time.perf_counter()
    cmd = [_pagefind(), "--site", str(site), "--output-path", str(site.parent / "baseline-pagefind"), "--silent"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def run_build(content: Path, templates: Path, out: Path) -> tuple[float, dict[str, float]]:
    timings = OUT / "timings.json"
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--templates", str(templates)]
    cmd += ["--out", str(out), "--quiet", "--timings", str(timings)]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, json.loads(timings.read_text(encoding="utf-8"))


def transferred(url: str, body: bytes) -> int:
    """Bytes on the wire from a host that gzips text: Pagefind's own files are compressed already."""
    return len(body) if url.split("?")[0].endswith(PRECOMPRESSED) else len(gzip.compress(body, 6))


def search_bytes(site: Path, first: str, later: str) -> tuple[int, int]:
    """Bytes for opening the search page and running a first query, then for a later query. Each URL
    counts for the phase that requested it (a response still arriving when the next query starts is
    not the next query's), so the figures do not depend on timing."""
    for base in serve(site):
        with browser() as b:
            page = b.new_context(bypass_csp=True).new_page()  # CSP would refuse Playwright's wait functions
            phase = ["first"]
            requested: dict[str, str] = {}
            sizes: dict[str, int] = {}

            def record(request, sizes=sizes) -> None:
                try:
                    sizes[request.url] = transferred(request.url, request.response().body())
                except PlaywrightError:
                    pass

            page.on("request", lambda request, at=requested, now=phase: at.setdefault(request.url, now[0]))
            page.on("requestfinished", record)
            page.goto(base + "/search/")
            page.locator("#q").fill(first)
            wait_until(page, "document.getElementById('search-status').textContent.includes('个结果')")
            page.wait_for_load_state("networkidle")
            phase[0] = "later"
            page.locator("#q").fill(later)
            wait_until(page, f"document.getElementById('search-status').textContent.includes('{later}')")
            page.wait_for_load_state("networkidle")
            first_bytes = sum(sizes.get(url, 0) for url, when in requested.items() if when == "first")
            return first_bytes, sum(sizes.get(url, 0) for url, when in requested.items() if when == "later")
    raise RuntimeError("server did not start")


def serve_loop(content: Path, templates: Path, out: Path, article: Path) -> tuple[float, float, float]:
    """make serve's edit loop, in this process: after one article is saved, seconds until its page is
    rewritten in site/ (case pages are written first), until the in-place rebuild is done, and then
    until the search index is current again."""
    paths = Paths(content, templates, out)
    memo = Memo(paths.cache)
    first = build(paths, memo=memo, search=False)  # the preview's first build
    page = out / next(c for c in first.cases if c.article.source.rel == article.name).url.strip("/") / "index.html"
    before = page.stat().st_mtime_ns
    rewritten: list[float] = []
    done = threading.Event()

    def watch(started: float) -> None:
        while not done.is_set() and not rewritten:
            if page.stat().st_mtime_ns != before:
                rewritten.append(time.perf_counter() - started)
            time.sleep(0.002)

    # Into the first sentence: a line appended after an article's related-links tail would be cut.
    article.write_text(article.read_text(encoding="utf-8").replace("。", "。" + ADDED, 1), encoding="utf-8")
    started = time.perf_counter()
    watcher = threading.Thread(target=watch, args=(started,))
    watcher.start()
    result = build(paths, memo=memo, search=False, in_place=True)
    rebuilt = time.perf_counter() - started
    done.set()
    watcher.join()
    if result.site is None or not rewritten:
        raise RuntimeError("the edited article's page was not rewritten")
    started = time.perf_counter()
    index(result.site, out)
    return rewritten[0], rebuilt, time.perf_counter() - started


def http_text(url: str) -> str:
    """The page as served, or "" while there is none (not listening yet, or a file being replaced)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return ""


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of the children it has waited for (Pagefind, rm), from /proc."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def serve_process(content: Path, templates: Path, out: Path, article: Path, idle: float = 20.0) -> tuple[float, float]:
    """make serve as an editor runs it, in a process of its own: the percentage of a core it takes
    while idle for ``idle`` seconds after its first build, then the seconds from ``article`` saved
    until its page, fetched from the preview every 20 ms, shows the edit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}/"
    cmd = [sys.executable, str(ROOT / "build.py"), "--serve", "--port", str(port), "--content", str(content)]
    cmd += ["--templates", str(templates), "--out", str(out)]
    log_path = OUT / "serve.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600  # the first build: about 80 s at 10,000 articles
        while not http_text(base):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"make serve did not come up: see {log_path}")
            time.sleep(0.2)
        time.sleep(2)  # let what the first build left running settle
        cpu, started = cpu_seconds(server.pid), time.perf_counter()
        time.sleep(idle)
        idle_percent = 100 * (cpu_seconds(server.pid) - cpu) / (time.perf_counter() - started)
        cases = json.loads((out / "data" / "cases.json").read_text(encoding="utf-8"))
        page = base + next(c["url"] for c in cases if c["source_file"] == article.name).lstrip("/")
        if ADDED in http_text(page):
            raise RuntimeError(f"{article.name} already holds the benchmark's edit")
        article.write_text(article.read_text(encoding="utf-8").replace("。", "。" + ADDED, 1), encoding="utf-8")
        started = time.perf_counter()
        while ADDED not in http_text(page):
            if time.perf_counter() - started > 600 or server.poll() is not None:
                raise RuntimeError(f"the edited article's page was not reloaded: see {log_path}")
            time.sleep(0.02)
        return idle_percent, time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(n: int) -> dict[str, float]:
    shutil.rmtree(OUT, ignore_errors=True)
    content, templates, site = OUT / "content", OUT / "templates", OUT / "site"
    shutil.copytree(ROOT / "content" / "data", content / "data")
    shutil.copy(ROOT / "content" / "site.yaml", content / "site.yaml")
    shutil.copytree(ROOT / "templates", templates)
    files = write_corpus(content / "articles", n)
    figures: dict[str, float] = {"articles": n}
    figures["baseline s"] = baseline(content / "articles", OUT / "baseline")
    figures["baseline + Pagefind on its pages s"] = figures["baseline s"] + pagefind_on(OUT / "baseline")
    figures["cold build s"], cold = run_build(content, templates, site)
    figures["search indexing s"] = cold.get("search index", 0.0)
    figures["build peak MiB"] = max(cold["build peak KiB"], 0) / 1024
    figures["workers and pagefind peak MiB"] = cold["workers peak KiB"] / 1024
    figures["pagefind peak MiB"] = cold.get("search index peak KiB", 0) / 1024
    figures["no-op rebuild s"], _ = run_build(content, templates, site)
    files[n // 2].write_text(files[n // 2].read_text(encoding="utf-8") + "\n居民们都说好。\n", encoding="utf-8")
    figures["one article edited s"], _ = run_build(content, templates, site)
    methods = content / "data" / "methods.yaml"
    described = methods.read_text(encoding="utf-8")
    edited = described.replace("统筹居委会、业委会、物业和专业单位形成合力", "统筹居委会、业委会、物业和专业单位", 1)
    assert edited != described, "the benchmark's method description edit no longer applies"
    methods.write_text(edited, "utf-8")
    figures["one method description edited s"], _ = run_build(content, templates, site)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("跳到正文", "跳到正文内容"), encoding="utf-8")
    figures["one template edited s"], _ = run_build(content, templates, site)  # the layout: pages re-laid out
    case = templates / "case.html"
    case.write_text(case.read_text(encoding="utf-8").replace("</article>", "</article>\n", 1), encoding="utf-8")
    figures["case.html edited s"], _ = run_build(content, templates, site)  # every case page made again
    figures["site MiB"] = size_of(site) / 2**20
    first, later = search_bytes(site, "加装电梯", "先易后难")
    figures["first search KB"], figures["later search KB"] = first / 1000, later / 1000
    page, rebuilt, indexed = serve_loop(content, templates, OUT / "preview", files[n // 3])
    figures["serve: edited page rewritten s"], figures["serve: in-place rebuild done s"] = page, rebuilt
    figures["serve: search index current after s"] = indexed
    idle, reloaded = serve_process(content, templates, OUT / "serve-site", files[2 * n // 3])
    figures["serve: idle CPU % of a core (20 s)"], figures["serve: edit to page reloaded s"] = idle, reloaded
    figures["bench process peak MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def report(figures: dict[str, float]) -> str:
    base = figures["baseline s"]
    lines = [f"{'figure':36} {'value':>10} {'× baseline':>11}"]
    for name, value in figures.items():
        ratio = f"{value / base:10.1f}×" if name.endswith(" s") and base else ""
        lines.append(f"{name:36} {value:10.2f} {ratio:>11}")
    lines.append(f"machine: {os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}")
    return "\n".join(lines)


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    result = main(size)
    OUT.mkdir(exist_ok=True)
    (OUT / f"bench-{size}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(report(result))
