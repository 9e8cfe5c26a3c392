"""Measure pagefind-bin against pagefind-bin-extended on Chinese queries over the seed site.

    .venv/bin/python -m tests.search_compare

Builds the seed site once, indexes a copy with each binary, runs every query through the real
pagefind.js in headless Chromium, and scores the results against the case pages' own text:
a case page is relevant when its text (after conversion to Simplified) contains the query.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bs4 import BeautifulSoup

from liftcases.pipeline import Paths, build
from liftcases.zh_text import to_simplified

from .browser import browser, search_urls
from .conftest import ROOT, QuietHandler

QUERIES = [
    "加装电梯", "电梯", "党建引领", "先易后难", "掌上签约", "红色议事厅", "三驾马车", "意见征询", "以心换心",
    "长风", "甘泉苑", "新月福邸", "天目西路", "恒信", "普陀", "静安区", "宝山", "金山工业区", "悬空老人",
    "采光", "维保", "停车", "噪音", "楼组长", "业委会", "居委会", "装", "梯", "加梯", "费用分摊",
    "黨建引領", "紅色議事廳", "加裝電梯", "火箭", "加装火箭",
]  # fmt: skip


def binaries() -> dict[str, Path]:
    import pagefind_bin
    import pagefind_bin_extended

    return {
        "pagefind-bin": Path(pagefind_bin.get_executable()),
        "pagefind-bin-extended": Path(pagefind_bin_extended.get_executable()),
    }


def page_texts(site: Path) -> dict[str, str]:
    texts = {}
    for path in (site / "cases").glob("*/index.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        body = soup.select_one("[data-pagefind-body]")
        texts[f"/cases/{path.parent.name}/"] = body.get_text(" ") if body else ""
    return texts


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="search-compare-"))
    plain = tmp / "plain"
    build(Paths(ROOT / "content", ROOT / "templates", plain), search=False)
    texts = page_texts(plain)
    print(f"{'build':24} {'recall':>7} {'precision':>9} {'queries fully found':>20}")
    for name, exe in binaries().items():
        site = tmp / name
        shutil.copytree(plain, site)
        subprocess.run([str(exe), "--site", str(site), "--silent"], check=True)
        server, base = serve(site)
        hits = relevant_total = returned_cases = correct = full = 0
        with browser() as b:
            page = b.new_page()
            page.goto(base + "/search/")
            for q in QUERIES:
                want = {u for u, t in texts.items() if to_simplified(q) in t}
                got = {u for u in search_urls(page, q) if u.startswith("/cases/")}
                hits += len(want & got)
                relevant_total += len(want)
                returned_cases += len(got)
                correct += len(got & want)
                full += want == got
        server.shutdown()
        recall = hits / relevant_total if relevant_total else 1.0
        precision = correct / returned_cases if returned_cases else 1.0
        print(f"{name:24} {recall:7.1%} {precision:9.1%} {full:>13}/{len(QUERIES)}")
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
