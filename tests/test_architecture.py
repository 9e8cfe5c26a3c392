"""The package's imports point one way: a stage imports only the stages and helpers below it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "liftcases"
# Lowest first. A module may import only modules that stand before it.
LAYERS = [
    "inputs", "model", "memo", "zh_text", "parallel", "settings", "datafiles", "dates", "titles", "blocks", "textpage",
    "pagemeta", "webpage", "ingest", "bodylines", "normalise", "estates", "places", "evidence", "enrich",
    "duplicates", "localities", "assemble", "charts", "exports", "contexts", "ready", "output", "render",
    "search_records", "search_index", "publish", "pipeline", "serve", "fetch", "cli",
]  # fmt: skip


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("liftcases."):
            found.add(node.module.split(".")[1])
    return found


def test_every_module_has_a_layer():
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == set(LAYERS)


def test_imports_point_one_way():
    for name in LAYERS:
        allowed = set(LAYERS[: LAYERS.index(name)])
        assert imports_of(PACKAGE / f"{name}.py") <= allowed, name


def test_modules_stay_small():
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name
