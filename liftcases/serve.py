"""``make serve``: build, serve site/ on localhost, rebuild when content/ or templates/ change, and
reload the open page by itself.

The live-reload script is added to HTML pages as they are served, never written into site/,
so the published site carries nothing of it. Rebuilds keep what did not change through the same
build cache as ``make build`` (memo.py), held in memory between them. The preview shows drafts, marked.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .datafiles import DataError
from .memo import Memo
from .pipeline import BuildResult, Paths, build
from .search_index import index

RELOAD_PATH = "/__livereload"
RELOAD_SCRIPT = f'new EventSource("{RELOAD_PATH}").addEventListener("reload", function () {{ location.reload(); }});\n'
POLL_SECONDS = 0.2
SETTLE_SECONDS = 0.1


def snapshot(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file under the folders with its modification time and size: what a change changes."""
    state = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                stat = path.stat()
                state[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return state


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

    def rebuild(first: bool = False) -> None:
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
    state = snapshot(paths.content, paths.templates)
    try:
        while not stop.wait(POLL_SECONDS):
            now = snapshot(paths.content, paths.templates)
            if now == state:
                continue
            # Wait until the files stop changing: an editor's save may be caught half-written.
            while not stop.wait(SETTLE_SECONDS) and (settled := snapshot(paths.content, paths.templates)) != now:
                now = settled
            state = now
            rebuild()
    finally:
        server.shutdown()
        server.server_close()
