"""``make add URL=…``: a web page fetched into content/articles/, from a local server only (never the internet)."""

from __future__ import annotations

import gzip
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from liftcases import fetch
from liftcases.cli import main
from liftcases.ingest import read_article
from liftcases.zh_text import slugify

from .conftest import make_content

HEADLINE = "普陀加装电梯"
HEADLINE_FILE = "pu-tuo-jia-zhuang-dian-ti.html"
PARAGRAPH = "居民区党总支牵头召开议事会，楼组长挨家挨户征询意见，六楼的老人终于坐上了电梯。"


def page(title: str | None = HEADLINE, head: str = '<meta charset="utf-8">', body: str = PARAGRAPH) -> str:
    named = f'<title>{title}</title><meta property="og:title" content="{title}">' if title else ""
    heading = f"<h1>{title}</h1>" if title else ""
    return f"<!doctype html>\n<html><head>{head}{named}</head>\n<body>{heading}<p>{body}</p></body></html>\n"


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    body: bytes = b""
    wait: float = 0.0  # before the status line
    wait_in_body: float = 0.0  # after the headers


def html(text: str, encoding: str = "utf-8", content_type: str | None = "text/html; charset=utf-8") -> Reply:
    return Reply(headers={"Content-Type": content_type} if content_type else {}, body=text.encode(encoding))


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status, {"Location": location}, b"")


@dataclass
class Site:
    base: str
    routes: dict[str, Reply] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        site: Site = self.server.site  # type: ignore[attr-defined]
        site.requests.append((self.path, self.headers.get("User-Agent")))
        reply = site.routes.get(self.path, Reply(404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"))
        try:
            time.sleep(reply.wait)
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.flush()
            time.sleep(reply.wait_in_body)
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as the timeout tests mean it to

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served = Site(f"http://127.0.0.1:{server.server_address[1]}")
    server.site = served  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    return folder


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def refused(url: str, articles: Path, name: str | None = None) -> str:
    """The message of a refused add, after checking that nothing was written and the URL is named."""
    before = listing(articles)
    with pytest.raises(fetch.FetchError) as info:
        fetch.add(url, articles, name=name)
    assert listing(articles) == before
    message = str(info.value)
    assert url in message
    return message


def saved(target: Path) -> tuple[dict, str]:
    """The front matter and body of a saved page, read the way the build reads it."""
    source, problems = read_article(target, target.name, target.read_bytes())
    assert source is not None and not problems
    return dict(source.meta), source.body


# Saving


def test_saves_the_page_unchanged_named_by_its_chinese_headline(site: Site, articles: Path) -> None:
    text = page()
    site.routes["/news/a.html"] = html(text)
    url = f"{site.base}/news/a.html"
    target = fetch.add(url, articles)
    assert target == articles / HEADLINE_FILE
    assert listing(articles) == [HEADLINE_FILE]
    meta, body = saved(target)
    assert meta == {"url": url}
    assert body == text
    assert site.requests == [("/news/a.html", fetch.USER_AGENT)]


@pytest.mark.parametrize(
    ("name", "file"),
    [("putuo-fenghe", "putuo-fenghe.html"), ("风荷 Lift", "feng-he-lift.html"), ("fenghe.html", "fenghe.html")],
)
def test_name_given_wins_over_the_headline(site: Site, articles: Path, name: str, file: str) -> None:
    site.routes["/a"] = html(page())
    assert fetch.add(f"{site.base}/a", articles, name=name) == articles / file


def test_a_long_headline_is_cut_between_syllables(site: Site, articles: Path) -> None:
    headline = "长风新村街道风荷苑探索加装电梯十法让居民一键无忧幸福回家"
    site.routes["/a"] = html(page(headline))
    stem = fetch.add(f"{site.base}/a", articles).stem
    whole = slugify(headline)
    assert len(stem) <= fetch.NAME_MAX < len(whole)
    assert whole.startswith(stem) and whole[len(stem)] == "-"


def test_a_page_without_a_headline_is_named_from_its_address(site: Site, articles: Path) -> None:
    site.routes["/news/2023/a.html"] = html(page(title=None))
    assert fetch.add(f"{site.base}/news/2023/a.html", articles).name == "127-0-0-1-news-2023-a.html"


def test_a_page_served_without_content_type_is_taken_when_it_is_html(site: Site, articles: Path) -> None:
    site.routes["/a"] = html(page(), content_type=None)
    assert fetch.add(f"{site.base}/a", articles).name == HEADLINE_FILE


def test_a_gzipped_page_is_unpacked(site: Site, articles: Path) -> None:
    text = page()
    site.routes["/a"] = Reply(
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}, body=gzip.compress(text.encode())
    )
    assert saved(fetch.add(f"{site.base}/a", articles))[1] == text


# Encodings


def _no_detection(data: bytes) -> tuple[str, str]:
    raise AssertionError("the declared charset should have been used")


@pytest.mark.parametrize(
    "head",
    ['<meta charset="gb2312">', '<meta http-equiv="Content-Type" content="text/html; charset=GBK">'],
)
def test_gbk_page_with_charset_only_in_meta(site: Site, articles: Path, monkeypatch, head: str) -> None:
    # 喆 is in GBK and GB18030 but not GB2312: a page labelled gb2312 is read as GB18030.
    text = page(body=PARAGRAPH + "王喆说。", head=head)
    site.routes["/a"] = html(text, "gb18030", content_type="text/html")
    monkeypatch.setattr(fetch, "decode", _no_detection)
    target = fetch.add(f"{site.base}/a", articles)
    assert target.name == HEADLINE_FILE
    assert target.read_text(encoding="utf-8").endswith(text)


def test_charset_in_header_wins_over_meta(site: Site, articles: Path, monkeypatch) -> None:
    text = page(head='<meta charset="utf-8">')
    site.routes["/a"] = html(text, "gbk", content_type="text/html; charset=GBK")
    monkeypatch.setattr(fetch, "decode", _no_detection)
    assert saved(fetch.add(f"{site.base}/a", articles))[1] == text


@pytest.mark.parametrize("label", ["utf-8", "base64", "no-such-charset"])
def test_a_charset_the_bytes_deny_is_passed_over_for_detection(site: Site, articles: Path, label: str) -> None:
    text = page(head="", body=PARAGRAPH * 5)
    site.routes["/a"] = html(text, "gb18030", content_type=f"text/html; charset={label}")
    assert saved(fetch.add(f"{site.base}/a", articles))[1] == text


def test_a_western_label_counts_for_nothing(site: Site, articles: Path) -> None:
    # ISO-8859-1 is many servers' default whatever the page holds; a Chinese page is told by detection.
    text = page(head="", body=PARAGRAPH * 5)
    site.routes["/a"] = html(text, "gbk", content_type="text/html;charset=ISO-8859-1")
    assert saved(fetch.add(f"{site.base}/a", articles))[1] == text


def test_undecodable_page_is_refused(site: Site, articles: Path) -> None:
    site.routes["/a"] = Reply(headers={"Content-Type": "text/html"}, body=b"<html>\x00\x01\x02\xff\xfe\xfd\x00\x9f")
    assert "编码" in refused(f"{site.base}/a", articles)


# Redirects


def test_redirect_is_followed_and_the_given_address_kept(site: Site, articles: Path) -> None:
    site.routes["/short"] = redirect("/mid", 302)
    site.routes["/mid"] = redirect(f"{site.base}/news/a.html")
    site.routes["/news/a.html"] = html(page())
    target = fetch.add(f"{site.base}/short", articles)
    assert saved(target)[0] == {"url": f"{site.base}/short", "fetched_from": f"{site.base}/news/a.html"}


def test_redirect_loop_is_refused(site: Site, articles: Path) -> None:
    site.routes["/a"] = redirect("/b")
    site.routes["/b"] = redirect("/a")
    assert "循环" in refused(f"{site.base}/a", articles)


def test_too_many_redirects_are_refused(site: Site, articles: Path) -> None:
    for n in range(20):
        site.routes[f"/r/{n}"] = redirect(f"/r/{n + 1}")
    message = refused(f"{site.base}/r/0", articles)
    assert f"超过 {fetch.MAX_REDIRECTS} 次" in message
    assert len(site.requests) == fetch.MAX_REDIRECTS + 1


@pytest.mark.parametrize("location", ["ftp://127.0.0.1/a.html", "file:///etc/passwd"])
def test_redirect_to_another_scheme_is_refused(site: Site, articles: Path, location: str) -> None:
    site.routes["/a"] = redirect(location)
    assert "不是 http(s)" in refused(f"{site.base}/a", articles)


# What is refused


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_status_is_refused(site: Site, articles: Path, status: int) -> None:
    site.routes["/a"] = Reply(status, {"Content-Type": "text/html"}, b"<h1>error</h1>")
    assert f"HTTP {status}" in refused(f"{site.base}/a", articles)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/pdf", b"%PDF-1.4 ..."), ("image/png", b"\x89PNG\r\n"), (None, "第一行是标题\n正文".encode())],
)
def test_what_is_not_a_web_page_is_refused(site: Site, articles: Path, content_type: str | None, body: bytes) -> None:
    site.routes["/a"] = Reply(headers={"Content-Type": content_type} if content_type else {}, body=body)
    assert "不是网页" in refused(f"{site.base}/a", articles)


@pytest.mark.parametrize("declared", [False, True])
def test_a_page_over_the_size_limit_is_refused(site: Site, articles: Path, monkeypatch, declared: bool) -> None:
    monkeypatch.setattr(fetch, "MAX_BYTES", 1000)
    monkeypatch.setattr(fetch, "CHUNK_BYTES", 256)
    body = page(body=PARAGRAPH * 100).encode()
    headers = {"Content-Type": "text/html", **({"Content-Length": str(len(body))} if declared else {})}
    site.routes["/a"] = Reply(headers=headers, body=body)
    site.routes["/gz"] = Reply(
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}, body=gzip.compress(body)
    )
    assert "超过" in refused(f"{site.base}/a", articles)
    assert "超过" in refused(f"{site.base}/gz", articles)


@pytest.mark.parametrize("where", ["wait", "wait_in_body"])
def test_a_slow_site_times_out(site: Site, articles: Path, monkeypatch, where: str) -> None:
    monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 0.3)
    site.routes["/a"] = Reply(body=page().encode(), **{where: 1.5})
    started = time.monotonic()
    assert "秒内没有下载完" in refused(f"{site.base}/a", articles)
    assert time.monotonic() - started < 1.2


def test_connection_refused(articles: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert "连接被拒绝" in refused(f"http://127.0.0.1:{port}/a.html", articles)


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/a.html", "file:///etc/passwd", "javascript:alert(1)", "example.org/a.html", "http:///a"]
)
def test_only_http_and_https_addresses(articles: Path, url: str) -> None:
    assert "http" in refused(url, articles)


@pytest.mark.parametrize("written", ["HTTP://127.0.0.1:{port}/news/a.html/", "https://127.0.0.1:{port}/news/%61.html"])
def test_an_address_that_already_has_an_article(site: Site, articles: Path, written: str) -> None:
    port = site.base.rsplit(":", 1)[1]
    (articles / "old.txt").write_text(f"---\ntitle: 旧文章\nsource_url: {written.format(port=port)}\n---\n正文\n")
    message = refused(f"{site.base}/news/a.html#top", articles)
    assert "old.txt" in message
    assert site.requests == []  # refused before downloading anything


def test_a_redirect_to_an_address_that_already_has_an_article(site: Site, articles: Path) -> None:
    (articles / "old.md").write_text(f"---\nurl: {site.base}/news/a.html\n---\n# 旧文章\n")
    site.routes["/short"] = redirect("/news/a.html")
    site.routes["/news/a.html"] = html(page())
    assert "old.md" in refused(f"{site.base}/short", articles)


def test_an_existing_file_name_is_refused(site: Site, articles: Path) -> None:
    (articles / HEADLINE_FILE).write_text("---\nurl: https://example.org/other\n---\n<p>旧</p>\n")
    site.routes["/a"] = html(page())
    assert "已经存在" in refused(f"{site.base}/a", articles)


def test_a_name_whose_page_address_is_taken_is_refused_before_downloading(site: Site, articles: Path) -> None:
    (articles / "fenghe.txt").write_text("风荷苑加装电梯\n正文\n")
    site.routes["/a"] = html(page())
    assert "fenghe.txt" in refused(f"{site.base}/a", articles, name="fenghe")
    assert site.requests == []


def test_a_failed_write_leaves_nothing_behind(site: Site, articles: Path, monkeypatch) -> None:
    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fetch.os, "replace", full_disk)
    site.routes["/a"] = html(page())
    assert "无法写入" in refused(f"{site.base}/a", articles)


# The command line


def test_build_py_add(site: Site, tmp_path: Path, capsys) -> None:
    content = make_content(tmp_path)
    site.routes["/a"] = html(page())
    url = f"{site.base}/a"
    assert main(["--add", url, "--content", str(content)]) == 0
    out = capsys.readouterr().out
    assert str(content / "articles" / HEADLINE_FILE) in out and "make build" in out
    assert main(["--add", url, "--content", str(content), "--name", "again"]) == 1
    err = capsys.readouterr().err
    assert url in err and HEADLINE_FILE in err
    assert listing(content / "articles") == [HEADLINE_FILE]
