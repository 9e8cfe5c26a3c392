"""Shared fixtures: the seed site built once per test session, and a local web server for it."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from liftcases.datafiles import load_data
from liftcases.enrich import enrich
from liftcases.ingest import read_article
from liftcases.model import Article, Case, Source
from liftcases.normalise import normalise
from liftcases.pipeline import BuildResult, Paths, build
from liftcases.places import build_gazetteer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = load_data(ROOT / "content" / "data")
GAZ = build_gazetteer(DATA.cities)
TZ = "Asia/Shanghai"


# A small article every test that needs "one good article" uses.
GOOD = "---\ntitle: 普陀区某小区加梯\ndate: 2023-01-02\n---\n<p>普陀区某小区依托红色议事厅协商加装电梯。</p>"
ORIGIN = "https://example.org"  # the site_url tests set


def source_of(name: str) -> Source:
    """A fixture article, read as the build reads it."""
    path = FIXTURES / name
    source, problems = read_article(path, name, path.read_bytes())
    assert source is not None, problems
    return source


def article_of(name: str) -> Article:
    return normalise(source_of(name), DATA.boilerplate, TZ)[0]


def case_of(name: str) -> Case:
    return enrich(article_of(name), DATA, GAZ)


def make_content(tmp: Path, articles: dict[str, bytes | str] | None = None, seeds: bool = False) -> Path:
    """A content/ folder in ``tmp`` with the real data files and the given articles."""
    content = tmp / "content"
    (content / "articles").mkdir(parents=True)
    shutil.copytree(ROOT / "content" / "data", content / "data")
    shutil.copy(ROOT / "content" / "site.yaml", content / "site.yaml")
    if seeds:
        for path in (ROOT / "content" / "articles").iterdir():
            shutil.copy(path, content / "articles" / path.name)
    for name, data in (articles or {}).items():
        target = content / "articles" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return content


def soup(site: Path, rel: str) -> BeautifulSoup:
    """A page of a built site, parsed."""
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def with_site_url(content: Path, origin: str = ORIGIN) -> Path:
    """The content folder, its site.yaml given ``site_url`` (so that a sitemap is made)."""
    settings = content / "site.yaml"
    text = settings.read_text(encoding="utf-8")
    assert 'site_url: ""' in text
    settings.write_text(text.replace('site_url: ""', f"site_url: {origin}"), encoding="utf-8")
    return content


def fetch(url: str) -> str:
    """A page as a server serves it."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def build_into(tmp: Path, content: Path, **kwargs) -> tuple[BuildResult, Path]:
    out = tmp / "site"
    result = build(Paths(content, ROOT / "templates", out), **kwargs)
    return result, out


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    """The five seed articles built once, search index included."""
    tmp = tmp_path_factory.mktemp("seed-site")
    return build_into(tmp, make_content(tmp, seeds=True))


@pytest.fixture(scope="session")
def seed_site(seed_build: tuple[BuildResult, Path]) -> Path:
    return seed_build[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(directory: Path) -> Iterator[str]:
    """A folder served on a free localhost port while the generator is open; yields its base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def seed_server(seed_site: Path) -> Iterator[str]:
    """The built seed site served on a free localhost port; yields its base URL."""
    yield from serve(seed_site)
