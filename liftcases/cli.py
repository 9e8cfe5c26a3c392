"""Command line: ``python build.py [--strict] [--quiet] [--check] [--serve] [--new NAME] [--add URL [--name NAME]]``."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

# Only light modules at the top: a build with nothing to do answers before the heavy ones load.
from .inputs import Paths, inputs_stamp, last_build

if TYPE_CHECKING:
    from .memo import Memo
    from .pipeline import BuildResult


def _report(problems: list[str], errors: int, cases: object, head: str, tail: str = "", quiet: bool = False) -> None:
    """Every problem on stderr, then (unless quiet) one line: how many cases, errors and warnings."""
    for line in problems:
        print(line, file=sys.stderr)
    if not quiet:
        print(f"{head}{cases} 个案例；错误 {errors} 个，警告 {len(problems) - errors} 个{tail}", flush=True)


def _summary(result: BuildResult, seconds: float, *, verb: str = "已构建", quiet: bool = False) -> None:
    errors = sum(p.severity == "error" for p in result.problems)
    problems = [str(p) for p in result.problems]
    _report(problems, errors, len(result.cases), f"{verb} ", f"；用时 {seconds:.1f} 秒", quiet)


class ProgressBar:
    """A bar on the terminal for builds that take more than a few seconds; nothing otherwise."""

    WIDTH = 30
    AFTER_SECONDS = 2.0

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.started < self.AFTER_SECONDS:
            return
        filled = self.WIDTH * done // max(1, total)
        sys.stderr.write(f"\r整理文章 [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")


def _memo(paths: Paths, cache: bool) -> Memo:
    """The build cache: on disk beside the output folder (.cache/), or in memory only (--no-cache)."""
    from .memo import Memo

    return Memo(paths.cache if cache else None)


def _serve(paths: Paths, port: int, cache: bool) -> int:
    from .serve import serve

    stop = threading.Event()
    try:
        serve(paths, port, _summary, stop, _memo(paths, cache))
    except KeyboardInterrupt:
        stop.set()
    return 0


def _new(articles: Path, name: str) -> int:
    from .ingest import SCAFFOLD
    from .zh_text import slugify

    slug = slugify(name) or "new-article"
    target = articles / f"{slug}.md"
    if target.exists():
        print(f"{target} 已经存在：请换一个名字", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(SCAFFOLD, encoding="utf-8")
    print(f"已新建草稿 {target}：打开它，填好前置信息和正文，运行 make serve 预览；写好后删掉 draft: true 再发布")
    return 0


def _add(articles: Path, url: str, name: str | None) -> int:
    from .fetch import FetchError, add

    try:
        target = add(url, articles, name=name)
    except FetchError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已保存 {target}：运行 make build 构建网站，或 make serve 预览；识别不准的项可在文件开头的前置信息里写明")
    return 0


def _unchanged(paths: Paths, *, search: bool, strict: bool, quiet: bool) -> bool:
    """True when site/ was built from exactly these inputs: the last build's problems are repeated
    and nothing is rebuilt. A strict build after a build with problems runs again (and fails)."""
    last = last_build(paths.out, inputs_stamp(paths, {"search": search, "drafts": False}))
    if last is None or (strict and last.get("problems")):
        return False
    problems = [str(line) for line in last.get("problems") or []]
    _report(problems, int(last.get("errors") or 0), last.get("cases"), f"没有改动，{paths.out} 已是最新：", quiet=quiet)
    return True


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(prog="build.py", description="把 content/ 里的文章构建成 site/ 网站。")
    parser.add_argument("--content", type=Path, default=root / "content", help="内容文件夹（默认 content/）")
    parser.add_argument("--templates", type=Path, default=root / "templates", help="模板文件夹（默认 templates/）")
    parser.add_argument("--out", type=Path, default=root / "site", help="输出文件夹（默认 site/）")
    parser.add_argument("--strict", action="store_true", help="有任何问题（包括警告）都算构建失败，site/ 保持不变")
    parser.add_argument("--check", action="store_true", help="只检查，不写 site/；有错误时以非零状态退出")
    parser.add_argument("--no-search", action="store_true", help="不生成搜索索引（更快）")
    parser.add_argument("--quiet", action="store_true", help="只输出问题，不输出摘要")
    parser.add_argument("--serve", action="store_true", help="构建后在本机预览，文件改动后自动重建并刷新页面")
    parser.add_argument("--port", type=int, default=8000, help="预览端口（默认 8000）")
    parser.add_argument("--new", metavar="NAME", help="在 content/articles/ 新建一篇文章的模板")
    parser.add_argument("--add", metavar="URL", help="下载这个网址的网页，存为 content/articles/ 里的一篇文章")
    parser.add_argument("--name", metavar="NAME", help="和 --add 一起用：文件名（默认由网页标题生成）")
    parser.add_argument("--no-cache", action="store_true", help="不用也不写构建缓存 .cache/，一切从头计算")
    parser.add_argument("--timings", type=Path, help="把各阶段用时和内存写入这个 JSON 文件（基准测试用）")
    args = parser.parse_args(argv)
    if args.name is not None and args.add is None:
        parser.error("--name 只能和 --add 一起用")
    paths = Paths(args.content, args.templates, args.out)
    if args.new is not None:
        return _new(paths.articles, args.new)
    if args.add is not None:
        return _add(paths.articles, args.add, args.name)
    if args.serve:
        return _serve(paths, args.port, not args.no_cache)

    started = time.monotonic()
    if not args.check and _unchanged(paths, search=not args.no_search, strict=args.strict, quiet=args.quiet):
        if args.timings:
            args.timings.write_text(json.dumps({"unchanged": time.monotonic() - started}), encoding="utf-8")
        return 0
    from .datafiles import DataError
    from .pipeline import build

    bar = ProgressBar(enabled=not args.quiet and sys.stderr.isatty())
    try:
        memo = _memo(paths, not args.no_cache)
        options = {"strict": args.strict, "search": not args.no_search, "write": not args.check}
        result = build(paths, **options, memo=memo, progress=bar)
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("数据文件有错误，未构建。请按上面的提示修改 content/data/ 中的文件。", file=sys.stderr)
        return 2
    finally:
        bar.close()
    if args.timings:
        args.timings.write_text(json.dumps(result.timings, ensure_ascii=False, indent=1), encoding="utf-8")
    for note in result.notes:
        print(note, file=sys.stderr)
    verb = "已检查" if args.check else ("已构建" if result.published else "未发布")
    _summary(result, time.monotonic() - started, verb=verb, quiet=args.quiet)
    if result.fixes and not args.quiet:
        print("发布前还要处理：", *(f"- {fix}" for fix in result.fixes), sep="\n")
    if args.strict and result.problems:
        print("--strict：有问题，构建失败，site/ 保持原样。", file=sys.stderr)
        return 1
    # A normal build publishes what it could and reports the rest; a check fails on any error.
    errors = any(p.severity == "error" for p in result.problems)
    return 1 if errors and args.check else 0
