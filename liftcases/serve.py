"""``make serve``: build, serve site/ on localhost, rebuild when content/ or templates/ change, and
reload the open page by itself.

The live-reload script is added to HTML pages as they are served, never written into site/,
so the published site carries nothing of it. Rebuilds keep what did not change through the same
build cache as ``make build`` (memo.py), held in memory between them. The preview shows drafts, marked.

Changes are learnt from the system (inotify on Linux, through watchfiles), so an idle preview reads
nothing: walking and stating 10,000 articles five times a second cost 40% of a core. Where the
system's notifications cannot be had (the inotify limits reached, WSL, or WATCHFILES_FORCE_POLLING
set), watchfiles polls instead, every half second, and the preview says so once.
"""

from __future__ import annotations

import functools
import http.server
import os
import platform
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import watchfiles

from .datafiles import DataError
from .memo import Memo
from .pipeline import BuildResult, Paths, build
from .search_index import index

RELOAD_PATH = "/__livereload"
RELOAD_SCRIPT = f'new EventSource("{RELOAD_PATH}").addEventListener("reload", function () {{ location.reload(); }});\n'
# A rebuild starts once the files have been left alone this long: an editor's save may come in parts.
# (watchfiles' own debounce ends a batch when no *new* file changed, not when writing stopped.)
SETTLE_MS = 100
STEP_MS = 50  # how often the watcher looks at what the system reported
POLL_MS = 500  # when the system cannot report changes: how often every file is looked at instead


def polling_reason() -> str | None:
    """Why the watcher must poll from the start, or None: watchfiles' own rules (its environment
    variable, and WSL, whose notifications miss edits made from Windows)."""
    wanted = os.environ.get("WATCHFILES_FORCE_POLLING", "")
    if wanted:
        return None if wanted.lower() in {"false", "disable", "disabled"} else "设置了环境变量 WATCHFILES_FORCE_POLLING"
    uname = platform.uname()
    if uname.system == "Linux" and "microsoft-standard" in uname.release.lower():
        return "在 WSL 上收不到 Windows 一侧的改动通知"
    return None


def settled_changes(folders: tuple[Path, ...], stop: threading.Event) -> Iterator[None]:
    """Yield once each time files under ``folders`` changed and then stopped changing, until ``stop``
    is set. Told by the system; polls where it cannot be, and says so once on stderr."""
    reason = polling_reason()
    asked = os.environ.get("WATCHFILES_POLL_DELAY_MS", "")  # watchfiles would read it anyway
    delay = int(asked) if asked.isdecimal() else POLL_MS
    if reason:
        _announce_polling(reason, folders, delay)
    while True:
        watching = False
        try:
            for due in _settled(folders, stop, polling=reason is not None, delay=delay):
                watching = True
                if due:
                    yield
            return
        except (OSError, RuntimeError) as exc:  # the system's refusals (watchfiles' own error is a RuntimeError)
            if reason:  # polling failed too: nothing left to fall back on
                raise
            reason = f"{type(exc).__name__}: {exc}"
            _announce_polling(reason, folders, delay)
        if watching:
            yield  # the watcher failed while running: what changed since its last report is not known


def _settled(folders: tuple[Path, ...], stop: threading.Event, polling: bool, delay: int) -> Iterator[bool]:
    """True after changes followed by a quiet spell; False after a quiet spell with nothing changed."""
    # Polled changes arrive only every ``delay`` ms, so there a spell counts only when it covers a poll.
    quiet = delay + SETTLE_MS if polling else SETTLE_MS
    pending = False
    for changes in watchfiles.watch(
        *folders,
        stop_event=stop,
        step=STEP_MS,
        rust_timeout=quiet,
        yield_on_timeout=True,
        force_polling=polling,
        poll_delay_ms=delay,
    ):
        if changes:
            pending = True
        else:
            yield pending
            pending = False


def _announce_polling(reason: str, folders: tuple[Path, ...], delay: int) -> None:
    names = " 和 ".join(f"{folder.name}/" for folder in folders)
    print(
        f"无法使用系统的文件变动通知（{reason}），改为每 {delay / 1000:g} 秒轮询检查 {names}；"
        "文章很多时会多占 CPU，改动也要多等一会儿才重建",
        file=sys.stderr,
        flush=True,
    )


class Reloader:
    """Counts builds; live-reload connections wait for the count to move."""

    def __init__(self) -> None:
        self.generation = 0
        self.changed = threading.Condition()

    def bump(self) -> None:
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen, timeout)
            return self.generation


class Handler(http.server.SimpleHTTPRequestHandler):
    reloader: Reloader

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == RELOAD_PATH:
            return self._events()
        if self.path == RELOAD_PATH + ".js":
            return self._send(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            html = path.read_bytes().replace(b"</body>", f'<script src="{RELOAD_PATH}.js"></script></body>'.encode())
            return self._send(html, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.reloader.generation
        try:
            while True:
                now = self.reloader.wait(seen, timeout=15)
                message = b"event: reload\ndata: reload\n\n" if now != seen else b": keep-alive\n\n"
                seen = now
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def serve(
    paths: Paths, port: int, report: Callable[[BuildResult, float], None], stop: threading.Event, memo: Memo
) -> None:
    """Serve until ``stop`` is set; rebuild and signal a reload after every change. ``memo`` keeps the
    stages' results between builds (in memory, and on disk unless the build cache is off)."""
    reloader = Reloader()
    drafts_told = 0  # how many drafts the editor was last told of

    def rebuild(first: bool = False) -> None:
        nonlocal drafts_told
        started = time.monotonic()
        try:
            # The first build publishes a whole site; later ones rewrite it in place, pages first, so the
            # open page reloads at once, and the search index follows.
            result = build(paths, memo=memo, search=first, in_place=not first, drafts=True)
        except DataError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return
        report(result, time.monotonic() - started)
        drafts = len(result.site.drafts) if result.site is not None else drafts_told
        if drafts != drafts_told and drafts:
            # site/ is the preview's folder too: until make build runs again, it holds the drafts.
            told = f"预览里有 {drafts} 篇草稿（标着“草稿”）；{paths.out} 现在含草稿，发布前请运行 make build"
            print(told, file=sys.stderr)
        drafts_told = drafts
        reloader.bump()
        if not first and result.site is not None:
            for problem in index(result.site, paths.out):
                print(problem, file=sys.stderr)

    rebuild(first=True)
    handler = functools.partial(type("BoundHandler", (Handler,), {"reloader": reloader}), directory=str(paths.out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"预览：http://127.0.0.1:{server.server_address[1]}/ （按 Ctrl+C 停止）", flush=True)
    try:
        for _ in settled_changes((paths.content, paths.templates), stop):
            rebuild()
    finally:
        server.shutdown()
        server.server_close()
