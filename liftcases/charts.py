"""Charts drawn at build time as plain SVG geometry: a tile map of districts, bar charts, and lines
of lift counts over time.

No chart library reaches the browser; templates draw the shapes computed here.
Colours are chosen so that the label on every shade passes WCAG AA contrast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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


# The lift timeline: one line per series (signed, started, completed), each article's count at its date.
LINE_WIDTH, LINE_HEIGHT, LINE_LEFT, LINE_TOP, LINE_BOTTOM, LINE_RIGHT = 560, 220, 40, 16, 28, 56
# One colour per series, in the timeline's order; each keeps 3:1 against white (WCAG 1.4.11).
LINE_COLOURS = ("#6a51a3", "#b35806", "#2171b5", "#1b7837")
PAD_DAYS = 90  # around a single date, so its point is not on the edge


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    date: str


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    path: str  # the SVG path through the points
    points: tuple[Point, ...]
    label_y: float  # where the series' name is written, right of its last point


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    right: int  # x of the plot's right edge
    bottom: int  # y of the plot's baseline
    lines: tuple[Line, ...]
    x_ticks: tuple[tuple[float, str], ...]  # years
    y_ticks: tuple[tuple[float, str], ...]


def _nice_top(most: float) -> int:
    """The axis top: the smallest of 1, 2, 5 × 10ⁿ at or above the largest value."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= most:
                return m * step
        step *= 10


def line_chart(series: list[tuple[str, list[tuple[str, float]]]]) -> LineChart | None:
    """Counts over time: [(series name, [(YYYY-MM-DD, value), …])], each series in its own colour
    whether or not the others are drawn; None when fewer than two points would be drawn (one
    article's counts are shown as figures, not as a chart)."""
    colour = {name: LINE_COLOURS[n % len(LINE_COLOURS)] for n, (name, _) in enumerate(series)}
    drawn = [(name, sorted(points)) for name, points in series if points]
    if sum(len(points) for _, points in drawn) < 2:
        return None
    days = [date.fromisoformat(d).toordinal() for _, pts in drawn for d, _ in pts]
    first, last = min(days), max(days)
    if last - first < 2 * PAD_DAYS:
        first, last = first - PAD_DAYS, last + PAD_DAYS
    top_value = _nice_top(max(v for _, pts in drawn for _, v in pts))
    right, bottom = LINE_WIDTH - LINE_RIGHT, LINE_HEIGHT - LINE_BOTTOM
    plot_w, plot_h = right - LINE_LEFT, bottom - LINE_TOP

    def x(d: str) -> float:
        return round(LINE_LEFT + plot_w * (date.fromisoformat(d).toordinal() - first) / (last - first), 1)

    def y(v: float) -> float:
        return round(bottom - plot_h * v / top_value, 1)

    lines = []
    for name, pts in drawn:
        points = tuple(Point(x(d), y(v), v, d) for d, v in pts)
        path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
        lines.append(Line(name, colour[name], path, points, points[-1].y))
    # Names at the right edge must not overlap: push each down below the one above it.
    placed: list[Line] = []
    for line in sorted(lines, key=lambda ln: ln.label_y):
        at = max(line.label_y, placed[-1].label_y + 14) if placed else line.label_y
        placed.append(Line(line.name, line.colour, line.path, line.points, at))
    start_year, end_year = date.fromordinal(first).year, date.fromordinal(last).year
    years = [yr for yr in range(start_year, end_year + 1) if date(yr, 1, 1).toordinal() >= first] or [start_year]
    step = max(1, len(years) // 6)
    x_ticks = tuple(
        (x(f"{yr}-01-01") if date(yr, 1, 1).toordinal() >= first else LINE_LEFT, f"{yr}") for yr in years[::step]
    )
    y_ticks = tuple((y(v), f"{v:g}") for v in (0, top_value / 2, top_value))
    order = {line.name: n for n, line in enumerate(lines)}
    return LineChart(LINE_WIDTH, LINE_HEIGHT, LINE_LEFT, LINE_TOP, right, bottom,
                     tuple(sorted(placed, key=lambda ln: order[ln.name])), x_ticks, y_ticks)  # fmt: skip
