"""make serve's watcher: told of changes by the system (inotify), reading nothing while idle; polling,
and saying so, where it cannot be told; and the detached ``rm`` of old sites reaped, not left a zombie."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import watchfiles

from liftcases import parallel
from liftcases.memo import Memo
from liftcases.pipeline import Paths
from liftcases.serve import serve

from .conftest import GOOD, ROOT, fetch, make_content

EDITED = GOOD.replace("加梯", "加装电梯")
ANNOUNCED = "无法使用系统的文件变动通知"


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@dataclass
class Preview:
    """A ``serve`` running in a thread of this process, and what its watcher was asked."""

    content: Path
    thread: threading.Thread
    base: str
    watching: threading.Event  # set once the watcher has come round with nothing to report: it is running
    asked: list[dict] = field(default_factory=list)  # the keyword arguments of each watchfiles.watch call
    output: list[str] = field(default_factory=list)  # stderr, as printed

    def page(self) -> str:
        return fetch(self.base + "cases/good/")


@contextmanager
def preview(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fail_inotify=False, more=None
):
    content = make_content(tmp_path, {"good.txt": GOOD, **(more or {})})
    templates = shutil.copytree(ROOT / "templates", tmp_path / "templates")  # none edited while a test watches
    watching = threading.Event()
    asked: list[dict] = []
    real_watch = watchfiles.watch

    def spy(*paths, **kwargs) -> Iterator[set]:
        asked.append(kwargs)
        if fail_inotify and not kwargs["force_polling"]:
            raise OSError(28, "inotify watch limit reached")  # as RustNotify raises it, on the first next()
        for changes in real_watch(*paths, **kwargs):
            watching.set()
            yield changes

    monkeypatch.setattr(watchfiles, "watch", spy)
    stop, failed = threading.Event(), []

    def run() -> None:
        try:
            serve(Paths(content, templates, tmp_path / "site"), 0, lambda result, seconds: None, stop, Memo(None))
        except BaseException as exc:  # shown by the test, not lost in the thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="serve")
    thread.start()
    out, err = "", ""
    try:
        while "http://" not in out:
            assert thread.is_alive(), failed
            captured = capsys.readouterr()
            out, err = out + captured.out, err + captured.err
            time.sleep(0.05)
        base = out[out.index("http://") :].split()[0]
        found = Preview(content, thread, base, watching, asked, [err])
        wait_for(watching.is_set, 10, "the watcher did not start")
        yield found
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive() and not failed, failed


def stderr_of(found: Preview, capsys: pytest.CaptureFixture[str]) -> str:
    found.output.append(capsys.readouterr().err)
    return "".join(found.output)


def inotify_watches() -> int:
    """Folders this process watches through inotify: the system tells it of changes there."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == "anon_inode:inotify":
                count += Path(f"/proc/self/fdinfo/{fd}").read_text().count("inotify wd:")
        except OSError:  # the fd of the listing itself, closed since
            continue
    return count


FILESYSTEM_CALLS = ("scandir", "stat", "lstat", "listdir", "walk")


def test_idle_preview_reads_nothing_and_rebuilds_when_told(tmp_path, capsys, monkeypatch):
    watched_before = inotify_watches()
    with preview(tmp_path, capsys, monkeypatch) as found:
        assert found.asked == [found.asked[0]] and found.asked[0]["force_polling"] is False
        assert inotify_watches() - watched_before >= 4  # content/, articles/, data/, templates/ at least
        calls: list[str] = []
        for name in FILESYSTEM_CALLS:
            real = getattr(os, name)

            def counted(*args, real=real, name=name, **kwargs):
                if threading.current_thread() is found.thread:
                    calls.append(name)
                return real(*args, **kwargs)

            monkeypatch.setattr(os, name, counted)
        time.sleep(1.0)  # five rounds of the former polling, twenty of the watcher's own look at its queue
        idle = list(calls)
        monkeypatch.undo()  # os back as it was (and watchfiles.watch: the watcher holds its own already)
        assert idle == []
        assert "普陀区某小区加梯" in found.page()
        (found.content / "articles" / "good.txt").write_text(EDITED, encoding="utf-8")
        wait_for(lambda: "普陀区某小区加装电梯" in found.page(), 30, "the edit was not rebuilt")
        assert ANNOUNCED not in stderr_of(found, capsys)


@pytest.mark.parametrize("why", ["env", "inotify-fails"])
def test_preview_polls_and_says_so_without_notifications(tmp_path, capsys, monkeypatch, why):
    monkeypatch.delenv("WATCHFILES_POLL_DELAY_MS", raising=False)
    if why == "env":
        monkeypatch.setenv("WATCHFILES_FORCE_POLLING", "1")
    else:
        monkeypatch.delenv("WATCHFILES_FORCE_POLLING", raising=False)
    with preview(tmp_path, capsys, monkeypatch, fail_inotify=why == "inotify-fails") as found:
        assert [kwargs["force_polling"] for kwargs in found.asked] == ([True] if why == "env" else [False, True])
        assert found.asked[-1]["poll_delay_ms"] == 500
        (found.content / "articles" / "good.txt").write_text(EDITED, encoding="utf-8")
        wait_for(lambda: "普陀区某小区加装电梯" in found.page(), 30, "the edit was not rebuilt while polling")
        said = stderr_of(found, capsys)
    assert said.count(ANNOUNCED) == 1
    line = next(line for line in said.splitlines() if ANNOUNCED in line)
    reason = "WATCHFILES_FORCE_POLLING" if why == "env" else "inotify watch limit reached"
    assert reason in line and "每 0.5 秒轮询检查 content/ 和 templates/" in line and "CPU" in line


def zombie_children() -> dict[int, str]:
    """This process's children that ended and were not waited for: pid → command."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if state == "Z" and int(ppid) == os.getpid():
            found[int(entry)] = comm
    return found


def test_remove_later_leaves_no_zombie(tmp_path, monkeypatch):
    old = tmp_path / "old-site"
    for n in range(50):
        (old / f"page-{n}").mkdir(parents=True)
        (old / f"page-{n}" / "index.html").write_text("<p>旧页面</p>", encoding="utf-8")
    started: list[int] = []
    real_popen = subprocess.Popen

    class Spy(real_popen):  # keeps only the pid: the object is dropped as remove_later drops it
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            started.append(self.pid)

    monkeypatch.setattr(subprocess, "Popen", Spy)
    parallel.remove_later(old)
    monkeypatch.undo()
    if shutil.which("rm") is None:
        assert not old.exists() and started == []
        return
    (rm,) = started
    wait_for(lambda: not old.exists(), 10, "the folder was not removed")
    # rm has exited by now or soon; once it has, nothing may keep it as a zombie
    wait_for(lambda: not Path(f"/proc/{rm}").exists(), 5, f"rm ({rm}) was not reaped: {zombie_children()}")
    assert rm not in zombie_children()


def test_the_preview_shows_drafts_marked(tmp_path, capsys, monkeypatch):
    """What make build leaves out (tests/test_publishing.py), make serve shows, marked as a draft."""
    draft = GOOD.replace("---\n", "---\ndraft: true\n", 1).replace("普陀区某小区", "静安区草稿小区")
    with preview(tmp_path, capsys, monkeypatch, more={"draft.txt": draft}) as found:
        page = fetch(found.base + "cases/draft/")
        assert "静安区草稿小区" in page and 'class="draft-note"' in page
        assert '<span class="draft">草稿</span>' in fetch(found.base)
        # Told once that site/ holds drafts until make build runs again.
        assert stderr_of(found, capsys).count("预览里有 1 篇草稿") == 1
