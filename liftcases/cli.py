"""Command line: ``python build.py [--strict] [--quiet] [--check]``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .datafiles import DataError
from .pipeline import Paths, build


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(prog="build.py", description="把 content/ 里的文章构建成 site/ 网站。")
    parser.add_argument("--content", type=Path, default=root / "content", help="内容文件夹（默认 content/）")
    parser.add_argument("--templates", type=Path, default=root / "templates", help="模板文件夹（默认 templates/）")
    parser.add_argument("--out", type=Path, default=root / "site", help="输出文件夹（默认 site/）")
    parser.add_argument("--strict", action="store_true", help="有任何问题（包括警告）都算构建失败，site/ 保持不变")
    parser.add_argument("--check", action="store_true", help="只检查，不写 site/")
    parser.add_argument("--no-search", action="store_true", help="不生成搜索索引（更快）")
    parser.add_argument("--quiet", action="store_true", help="只输出问题，不输出摘要")
    parser.add_argument("--timings", type=Path, help="把各阶段用时和内存写入这个 JSON 文件（基准测试用）")
    args = parser.parse_args(argv)

    started = time.monotonic()
    try:
        result = build(
            Paths(args.content, args.templates, args.out),
            strict=args.strict,
            search=not args.no_search,
            write=not args.check,
        )
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("数据文件有错误，未构建。请按上面的提示修改 content/data/ 中的文件。", file=sys.stderr)
        return 2
    if args.timings:
        args.timings.write_text(json.dumps(result.timings, ensure_ascii=False, indent=1), encoding="utf-8")
    for problem in result.problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in result.problems)
    warnings = len(result.problems) - errors
    if not args.quiet:
        action = "已检查" if args.check else ("已构建" if result.published else "未发布")
        print(
            f"{action} {len(result.cases)} 个案例；错误 {errors} 个，警告 {warnings} 个；"
            f"用时 {time.monotonic() - started:.1f} 秒"
        )
    if args.strict and result.problems:
        print("--strict：有问题，构建失败，site/ 保持原样。", file=sys.stderr)
        return 1
    # A normal build publishes what it could and reports the rest; a check fails on any error.
    return 1 if errors and args.check else 0
