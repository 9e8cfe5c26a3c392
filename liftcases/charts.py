"""Charts drawn at build time as plain SVG geometry: a tile map of districts and bar charts.

No chart library reaches the browser; templates draw the shapes computed here.
Colours are chosen so that the label on every shade passes WCAG AA contrast.
"""

from __future__ import annotations

from dataclasses import dataclass

from .assemble import DistrictPage

TILE, GAP = 64, 4
# Light to dark; the label colour on each shade keeps a contrast of at least 4.5:1.
SHADES = (("#eef2f6", "#1d2327"), ("#c6dbef", "#1d2327"), ("#6baed6", "#1d2327"), ("#2171b5", "#ffffff"),
          ("#08306b", "#ffffff"))  # fmt: skip
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, BAR_WIDTH = 22, 6, 96, 240


@dataclass(frozen=True)
class Tile:
    label: str  # short name: 普陀
    name: str
    slug: str
    count: int
    x: int
    y: int
    fill: str
    ink: str


@dataclass(frozen=True)
class TileMap:
    width: int
    height: int
    size: int
    tiles: tuple[Tile, ...]


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: int
    href: str | None


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]


def shade(count: int, most: int) -> tuple[str, str]:
    if count <= 0 or most <= 0:
        return SHADES[0]
    step = 1 + min(len(SHADES) - 2, (count * (len(SHADES) - 1) - 1) // most)
    return SHADES[step]


def tile_map(pages: tuple[DistrictPage, ...]) -> TileMap:
    """Districts that have a tile position, shaded by their number of cases."""
    placed = [p for p in pages if p.district.tile is not None]
    most = max((len(p.cases) for p in placed), default=0)
    tiles = []
    for p in placed:
        col, row = p.district.tile or (0, 0)
        fill, ink = shade(len(p.cases), most)
        label = p.district.name.removesuffix("新区").removesuffix("区")
        tiles.append(
            Tile(
                label, p.district.name, p.district.slug, len(p.cases), col * (TILE + GAP), row * (TILE + GAP), fill, ink
            )
        )
    cols = max((t.x for t in tiles), default=0) + TILE
    rows = max((t.y for t in tiles), default=0) + TILE
    return TileMap(cols, rows, TILE, tuple(tiles))


def bar_chart(items: list[tuple[str, int, str | None]]) -> BarChart:
    """Horizontal bars, one per (label, count, link)."""
    most = max((n for _, n, _ in items), default=0)
    bars = tuple(
        Bar(label, n, i * (BAR_HEIGHT + BAR_GAP), max(2, round(BAR_WIDTH * n / most)) if most else 0, href)
        for i, (label, n, href) in enumerate(items)
    )
    height = len(bars) * (BAR_HEIGHT + BAR_GAP)
    return BarChart(LABEL_WIDTH + BAR_WIDTH + 40, height, LABEL_WIDTH, BAR_HEIGHT, bars)
