"""Stage 6, index: the client-side Pagefind search index over the rendered pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .model import Problem


def pagefind_executable() -> Path:
    # The extended build is the one that segments Chinese (see README, "Search").
    from pagefind_bin_extended import get_executable

    return Path(get_executable())


def index(site_dir: Path) -> list[Problem]:
    """Write site_dir/pagefind/; a failure is a problem, and the site is still published without search."""
    cmd = [str(pagefind_executable()), "--site", str(site_dir), "--output-subdir", "pagefind", "--quiet"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-500:]
        return [Problem("pagefind", f"搜索索引生成失败：{detail}", None, "error")]
    return []
