"""Measure search approaches on Chinese queries over the seed site (``make search-compare``).

1. ``pagefind-bin`` indexing the rendered pages as they are;
2. ``pagefind-bin-extended`` (jieba segmentation) indexing the same pages;
3. the site's own search: character pairs as Pagefind words, queried through search.js.

Every query runs through the real pagefind.js in headless Chromium; a case page is relevant
when its text contains the query after conversion to Simplified (tests/test_search.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .browser import browser, search_urls
from .conftest import ROOT, serve
from .test_search import QUERIES, expected_pages

PLAIN_JS = """
async (q) => {
  if (!window.__pf) { window.__pf = await import('/pagefind/pagefind.js'); await window.__pf.init(); }
  const r = await window.__pf.search(q);
  return (await Promise.all(r.results.map((x) => x.data()))).map((d) => d.url);
}
"""


def binaries() -> dict[str, Path]:
    import pagefind_bin
    import pagefind_bin_extended

    return {
        "pagefind-bin": Path(pagefind_bin.get_executable()),
        "pagefind-bin-extended": Path(pagefind_bin_extended.get_executable()),
    }


def score(run, cases) -> tuple[float, float, int]:
    hits = relevant = returned = exact = 0
    for q in QUERIES:
        want = expected_pages(cases, q)
        got = {u for u in run(q) if u.startswith("/cases/")}
        hits += len(want & got)
        relevant += len(want)
        returned += len(got)
        exact += want == got
    return hits / max(1, relevant), (hits / returned if returned else 1.0), exact


def main() -> int:
    from liftcases.pipeline import Paths, build

    tmp = Path(tempfile.mkdtemp(prefix="search-compare-"))
    ours = tmp / "ours"
    result = build(Paths(ROOT / "content", ROOT / "templates", ours))
    rows = []
    with browser() as b:
        for name, exe in binaries().items():
            site = tmp / name
            shutil.copytree(ours, site)
            shutil.rmtree(site / "pagefind")
            subprocess.run([str(exe), "--site", str(site), "--root-selector", "main", "--silent"], check=True)
            for base in serve(site):
                page = b.new_page()
                page.goto(base + "/search/")
                rows.append((f"{name} on the pages", *score(lambda q, p=page: p.evaluate(PLAIN_JS, q), result.cases)))
        for base in serve(ours):
            page = b.new_page()
            page.goto(base + "/search/")
            rows.append(("character pairs (this site)", *score(lambda q, p=page: search_urls(p, q), result.cases)))
    print(f"{len(QUERIES)} queries over {len(result.cases)} seed cases")
    print(f"{'approach':32} {'recall':>7} {'precision':>9} {'exact':>7}")
    for name, recall, precision, exact in rows:
        print(f"{name:32} {recall:7.1%} {precision:9.1%} {exact:>4}/{len(QUERIES)}")
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
