"""``make add URL=…``: fetch one web page and save it as an article (a "saved web page").

The file is YAML front matter holding the address, then the page's HTML as the server sent it,
decoded and saved as UTF-8. A ``<meta charset="gbk">`` inside is left as it was: the build reads the
file as UTF-8 (strict UTF-8 comes before any other guess) and never asks the markup.

Which address is ``url:``: the one the editor gave. It is the address they chose to credit and the
one they would paste again, so a second ``make add`` of it is refused before anything is downloaded.
When redirects ended elsewhere (a short link, http → https, a moved page), the final address is kept
too, as ``fetched_from:`` (the build keeps it in the article's ``extra``); an article already holding
either address, as ``url``, ``source_url``, ``link`` or ``fetched_from``, stops the fetch.

Everything is bounded, as the address comes from anywhere: http(s) only, at every redirect too; at
most MAX_REDIRECTS redirects and MAX_BYTES (read in chunks, decompressed too); no read after
TIMEOUT_SECONDS. Nothing is written until the page is fetched, decoded and named; then atomically.
"""

from __future__ import annotations

import codecs
import http.client
import os
import re
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import yaml

from .ingest import decode, find_articles, split_front_matter
from .webpage import is_document, page_title
from .zh_text import slugify

USER_AGENT = "Mozilla/5.0 (compatible; liftcases/1.0)"
_HEADERS = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
TIMEOUT_SECONDS = 20.0
MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
NAME_MAX = 60  # characters of a file name made from a headline (pinyin runs long)
CHUNK_BYTES = 64 * 1024
CHARSET_SNIFF_BYTES = 4096  # where <meta charset> is looked for; Chinese portals put a lot before it
HEAD_BYTES = 8192  # read from each article when looking for its address…
HEAD_MAX_BYTES = 65536  # …and up to this when its front matter runs on
ADDRESS_KEYS = ("url", "source_url", "link", "fetched_from")
HTML_TYPES = ("text/html", "application/xhtml+xml")
SCHEMES = ("http", "https")
_REDIRECT_CODES = (301, 302, 303, 307, 308)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_.:-]+)", re.I)
# Pages labelled GB2312 or GBK hold characters only GB18030, their superset, has. ISO-8859-1 is what
# many servers (Tomcat's default) send whatever the page holds, so Western labels count for nothing
# here and detection decides; UTF-16 without a BOM is left to detection too.
_READ_AS = {"gb2312": "gb18030", "gbk": "gb18030"} | dict.fromkeys(("iso8859-1", "cp1252", "ascii"), "")
_PAGE_SUFFIX = re.compile(r"\.(s?html?|php|aspx?|jsp)$", re.I)
_SAVE_BY_HAND = "请在浏览器里打开它，另存网页后放进 content/articles/"
_STATUS_HINTS = {404: "页面不存在或已被删除：请在浏览器里打开这个网址确认", 401: _SAVE_BY_HAND, 403: _SAVE_BY_HAND}


class FetchError(Exception):
    """A page that could not be added. The message names the address and says what to do."""


@dataclass(frozen=True)
class Page:
    url: str  # where the page was fetched from in the end, after redirects
    data: bytes
    charset: str | None  # from the Content-Type header


def add(url: str, articles_dir: Path, name: str | None = None) -> Path:
    """Fetch ``url`` and save it in ``articles_dir`` as ``<name or headline slug>.html``; the path saved."""
    url = url.strip()
    check_address(url)
    addresses, slugs = existing(articles_dir)
    _refuse_known(url, url, addresses)
    slug = _named(url, name) if name is not None else None
    if slug:
        _refuse_taken(url, articles_dir, slug, slugs)  # before downloading anything
    page = fetch(url)
    if page.url != url:
        _refuse_known(url, page.url, addresses)
    html = page_text(url, page)
    if not slug:
        slug = headline_slug(html) or _shorten(url_slug(page.url))
        _refuse_taken(url, articles_dir, slug, slugs)
    meta = {"url": url} if page.url == url else {"url": url, "fetched_from": page.url}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1_000_000)
    target = articles_dir / f"{slug}.html"
    _write(url, target, f"---\n{front}---\n{html}")
    return target


def check_address(url: str) -> None:
    if not url:
        raise FetchError("网址是空的：请写成 make add URL=https://…（从浏览器地址栏复制完整的网址）")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise FetchError(f"{url}：不是有效的网址：请从浏览器地址栏复制完整的网址") from None
    if parts.scheme.lower() not in SCHEMES:
        raise FetchError(f"{url}：只能添加 http:// 或 https:// 开头的网址：请从浏览器地址栏复制完整的网址")
    if not parts.hostname:
        raise FetchError(f"{url}：网址里没有网站名：请从浏览器地址栏复制完整的网址，如 https://www.example.com/a.html")


def normal_address(url: str) -> str:
    """An address reduced to what tells two pages apart: no scheme (http and https serve the same
    article), lower-case host, no default port, no trailing slash, no fragment, no percent-escapes."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip().lower()
    host = parts.hostname or ""
    netloc = f"{host}:{port}" if port not in (None, 80, 443) else host
    path = unquote(parts.path).rstrip("/")
    return f"{netloc}{path}?{unquote(parts.query)}" if parts.query else f"{netloc}{path}"


def existing(articles_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The addresses the articles already have ({normal address: file path}) and the page slugs they
    take ({slug: file path}), read from the head of each file only."""
    addresses: dict[str, str] = {}
    slugs: dict[str, str] = {}
    if not articles_dir.is_dir():
        return addresses, slugs
    for path in find_articles(articles_dir):
        meta = _front_matter(path) or {}
        # The build's rule (ingest.py): an explicit slug, else the file name.
        explicit = meta.get("slug")
        slugs.setdefault(str(explicit) if explicit is not None else slugify(path.stem.lstrip(".")), str(path))
        for key in ADDRESS_KEYS:
            value = meta.get(key)
            if isinstance(value, str) and value.strip():
                addresses.setdefault(normal_address(value), str(path))
    return addresses, slugs


def _front_matter(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as file:
            data = file.read(HEAD_BYTES)
            meta, _, _, error, _ = split_front_matter(_head_text(data))
            if error and len(data) == HEAD_BYTES:
                data += file.read(HEAD_MAX_BYTES - HEAD_BYTES)
                meta = split_front_matter(_head_text(data))[0]
    except OSError:
        return None
    return meta


def _head_text(data: bytes) -> str:
    """The start of a file as text, cheaply: addresses and keys are ASCII, which UTF-8, GB18030 and
    Big5 all keep, so only UTF-16 and UTF-32 need decoding properly."""
    wide = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = decode(data[: len(data) - len(data) % 4])[0] if wide else data.decode("utf-8", "replace")
    except UnicodeError:
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def _refuse_known(url: str, address: str, addresses: dict[str, str]) -> None:
    known = addresses.get(normal_address(address))
    if known:
        via = "" if address == url else f"（它跳转到 {address}）"
        raise FetchError(f"{url}{via}：已有这篇文章 {known}：不必再添加；要重新抓取，请先删除它")


def _refuse_taken(url: str, articles_dir: Path, slug: str, slugs: dict[str, str]) -> None:
    target = articles_dir / f"{slug}.html"
    if target.exists() or target.is_symlink():
        raise FetchError(f"{url}：{target} 已经存在：请用 NAME=… 换一个名字（make add URL=… NAME=…）")
    if slug in slugs:
        raise FetchError(f"{url}：网址 /cases/{slug}/ 已被 {slugs[slug]} 使用：请用 NAME=… 换一个名字")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects come back as HTTPError; fetch() follows them itself, counting and checking each."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def fetch(url: str) -> Page:
    """The page at ``url``, after at most MAX_REDIRECTS redirects, within the time and size limits."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    opener = urllib.request.build_opener(_NoRedirects)
    current = url
    seen = {urldefrag(url).url}
    try:
        for _ in range(MAX_REDIRECTS + 1):
            request = urllib.request.Request(_ascii_url(url, current), headers=_HEADERS)
            try:
                response = opener.open(request, timeout=_left(deadline))
            except urllib.error.HTTPError as exc:
                location = exc.headers.get("Location") if exc.code in _REDIRECT_CODES else None
                exc.close()
                if not location:
                    raise FetchError(_status_message(url, exc.code, exc.reason)) from None
                current = _redirect(url, current, location, seen)
                continue
            with response:
                return Page(current, _body(url, response, deadline), response.headers.get_content_charset())
    except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise FetchError(_connection_message(url, exc)) from None
    raise FetchError(f"{url}：跳转（重定向）超过 {MAX_REDIRECTS} 次：{_SAVE_BY_HAND}，或复制最终的网址再添加")


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _ascii_url(url: str, address: str) -> str:
    """The address as a request may carry it: IDNA host, percent-escaped path and query, no fragment."""
    parts = urlsplit(address)
    host = parts.hostname or ""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise FetchError(f"{url}：网站名 {host} 无效：请从浏览器地址栏复制完整的网址") from None
    if ":" in host:
        host = f"[{host}]"  # IPv6
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return f"{parts.scheme.lower()}://{netloc}{path}" + (f"?{query}" if query else "")


def _redirect(url: str, current: str, location: str, seen: set[str]) -> str:
    target = urljoin(current, location.strip())
    parts = urlsplit(target)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise FetchError(f"{url}：网站把它跳转到 {target}，不是 http(s) 网页，已拒绝：{_SAVE_BY_HAND}")
    key = urldefrag(target).url
    if key in seen:
        raise FetchError(f"{url}：跳转（重定向）绕回了 {target}，成了循环：{_SAVE_BY_HAND}")
    seen.add(key)
    return target


def _body(url: str, response: http.client.HTTPResponse, deadline: float) -> bytes:
    headers: Message = response.headers
    declared = headers.get("Content-Type")
    if declared and headers.get_content_type() not in HTML_TYPES:
        raise FetchError(f"{url}：不是网页（网站说它是 {declared}）：只能添加 HTML 网页；PDF、图片等请另行保存")
    length = headers.get("Content-Length", "")
    if length.strip().isdigit() and int(length) > MAX_BYTES:
        raise FetchError(_too_large(url))
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(CHUNK_BYTES):
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(_too_large(url))
        chunks.append(chunk)
        _left(deadline)
    data = _decompress(url, b"".join(chunks), headers.get("Content-Encoding", ""))
    if not data.strip():
        raise FetchError(f"{url}：网站返回了空白页面：请在浏览器里打开这个网址确认")
    if not declared and not _looks_html(data):
        raise FetchError(f"{url}：不是网页（网站没说是什么，内容也不像 HTML）：只能添加 HTML 网页")
    return data


def _decompress(url: str, data: bytes, encoding: str) -> bytes:
    """Undo gzip or deflate, which some servers send though they were not asked to, within the limit."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return data
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"{url}：网站用 {encoding} 压缩了网页，无法解开：{_SAVE_BY_HAND}")
    try:
        out = zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(data, MAX_BYTES + 1)  # gzip or zlib
    except zlib.error:
        raise FetchError(f"{url}：网站发来的压缩数据已损坏：请稍后再试，或{_SAVE_BY_HAND}") from None
    if len(out) > MAX_BYTES:
        raise FetchError(_too_large(url))
    return out


def _looks_html(data: bytes) -> bool:
    head = data[:CHARSET_SNIFF_BYTES].removeprefix(codecs.BOM_UTF8).decode("latin-1")
    return is_document(head) or bool(re.search(r"<(html|body)\b", head, re.I))


def _too_large(url: str) -> str:
    return f"{url}：网页超过 {MAX_BYTES // 1_000_000} MB，不像一篇文章：{_SAVE_BY_HAND}（只存文章部分）"


def _status_message(url: str, code: int, reason: str) -> str:
    hint = _STATUS_HINTS.get(code) or ("网站出错了：请稍后再试" if code >= 500 else "请在浏览器里打开这个网址确认")
    return f"{url}：网站返回 HTTP {code}（{reason}）：{hint}"


def _connection_message(url: str, exc: BaseException) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    host = urlsplit(url).hostname
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return f"{url}：{TIMEOUT_SECONDS:g} 秒内没有下载完，网站太慢或连不上：请稍后再试，或{_SAVE_BY_HAND}"
    if isinstance(reason, ConnectionRefusedError):
        return f"{url}：连接被拒绝：请检查网址（特别是端口号），或稍后再试"
    if isinstance(reason, socket.gaierror):
        return f"{url}：找不到网站 {host}：请检查网址的拼写，以及这台电脑能否上网"
    if isinstance(reason, ssl.SSLError):
        return f"{url}：网站的安全证书有问题（{reason}）：请确认网址无误，或{_SAVE_BY_HAND}"
    return f"{url}：连接失败（{reason}）：请检查网址和网络，稍后再试"


def page_text(url: str, page: Page) -> str:
    """The page as text: a BOM, else the header's charset, else <meta charset>, else detection; a
    label the bytes deny (or that names no text encoding: rot13, base64) is passed over."""
    data = page.data
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        for label in (page.charset, _meta_charset(data)):
            codec = _codec(label)
            if codec:
                try:
                    return data.decode(codec)
                except (UnicodeDecodeError, LookupError):
                    continue
    try:
        return decode(data)[0].lstrip("\ufeff")
    except UnicodeError:
        raise FetchError(f"{url}：认不出网页的文字编码：{_SAVE_BY_HAND}") from None


def _meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:CHARSET_SNIFF_BYTES])
    return m.group(1).decode("ascii") if m else None


def _codec(label: str | None) -> str | None:
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name if label else ""
    except (LookupError, ValueError):
        return None
    return None if name.startswith(("utf-16", "utf-32")) else _READ_AS.get(name, name) or None


def _named(url: str, name: str) -> str:
    slug = slugify(re.sub(r"\.html?$", "", name.strip(), flags=re.I))
    if not slug:
        raise FetchError(f"{url}：名字“{name}”里没有能用作文件名的字母、数字或汉字：请换一个名字")
    return slug


def headline_slug(html: str) -> str:
    """The file name the page's headline gives (pinyin for Chinese), or "" when it gives none."""
    title = page_title(html)
    return _shorten(slugify(title)) if title else ""


def url_slug(url: str) -> str:
    """A file name from the address: host and path, without ``www.`` and a page suffix."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = _PAGE_SUFFIX.sub("", parts.path)
    return slugify(f"{host}{path} {parts.query}") or "article"


def _shorten(slug: str) -> str:
    """At most NAME_MAX characters, cut between words (syllables) where there is a hyphen."""
    whole_words = re.match(rf"(.{{1,{NAME_MAX}}})(-|$)", slug)
    return whole_words.group(1) if whole_words else slug[:NAME_MAX]


def _write(url: str, target: Path, text: str) -> None:
    """All or nothing: a temporary file beside the target, then one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".add-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise FetchError(
                f"{url}：无法写入 {target}（{exc.strerror or exc}）：请检查文件夹的权限和磁盘空间"
            ) from None
        raise
