"""Golden expectations for the seed articles.

Regenerate after an intended change with ``make golden`` (``python -m tests.golden``), then read the
diff of tests/golden/seeds.json before committing it: the file is the reviewed truth.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from liftcases.pipeline import Paths, build

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "seeds.json"


def summary(case: Any) -> dict[str, Any]:
    a, p = case.article, case.place
    return {
        "source_file": a.source.rel,
        "form": a.source.form,
        "title": a.title,
        "date": a.date,
        "source": a.publisher,
        "channel": a.channel,
        "credits": [[c.role, c.names] for c in a.credits],
        "converted_from_traditional": a.converted_from_traditional,
        "city": p.city,
        "district": p.district,
        "street": p.street,
        "neighbourhood": p.neighbourhood,
        "methods": sorted(u.id for u in case.methods),
        "method_evidence": {u.id: u.evidence[0] for u in sorted(case.methods, key=lambda u: u.id)},
        "figures": sorted([f.label, f.value, f.unit] for f in case.figures),
        "obstacles": {o.id: sorted(m for m, _ in o.methods) for o in case.obstacles},
        "buildings": list(p.buildings),
        "stage": case.stage.name if case.stage else None,
        "images": sum(b.kind == "img" for b in a.blocks),
        "headings": [b.text for b in a.blocks if b.kind in ("h2", "h3")],
    }


def current() -> dict[str, dict[str, Any]]:
    result = build(Paths(ROOT / "content", ROOT / "templates", ROOT / "site"), write=False)
    return {c.article.source.rel: summary(c) for c in sorted(result.cases, key=lambda c: c.article.source.rel)}


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(current(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}; review the diff before committing", file=sys.stderr)
