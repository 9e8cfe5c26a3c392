"""Typed, frozen documents that move between the build's stages.

Each stage makes new objects (``dataclasses.replace``) instead of filling in
placeholders, and every document remembers the file it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning"]
RawForm = Literal["html-page", "frontmatter-html", "frontmatter-markdown", "markdown", "scraped-text"]


class FrozenMap(dict[str, Any]):
    """A read-only dict: frozen documents stay frozen, and unlike a MappingProxyType it can be pickled
    (documents cross process boundaries in parallel builds) and kept in the build cache (memo.py)."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("FrozenMap is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict[str, Any]]]:
        return (FrozenMap, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda kv: kv[0])))


def frozen_mapping(data: Mapping[str, Any] | None = None) -> FrozenMap:
    """A read-only copy of ``data``, so frozen documents stay frozen."""
    return FrozenMap(data or {})


@dataclass(frozen=True)
class Problem:
    """Something an editor should fix, worded as the fix."""

    path: str
    message: str
    line: int | None = None
    severity: Severity = "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "错误" if self.severity == "error" else "警告"
        return f"{where}: {label}: {self.message}"


@dataclass(frozen=True)
class Source:
    """One article file as read from disk: decoded text, split into its parts."""

    path: Path  # absolute path on disk
    rel: str  # path relative to content/articles/, with forward slashes
    slug: str
    form: RawForm
    encoding: str
    meta: FrozenMap  # front matter (empty for scraped text)
    body: str  # the body text in its raw form (HTML, Markdown or plain text)
    body_line: int  # line number in the file where the body starts (1-based)


@dataclass(frozen=True)
class Image:
    src: str
    alt: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Block:
    """One block of the clean body: a paragraph, a sub-heading or an image."""

    kind: Literal["p", "h2", "h3", "img"]
    text: str = ""
    image: Image | None = None
    original: str = ""  # the wording before conversion to Simplified, when the source was Traditional


@dataclass(frozen=True)
class Credit:
    role: str  # 记者, 通讯员, 编辑, 校对, 摄影, 责编 …
    names: str


@dataclass(frozen=True)
class Article:
    """A normalised article: clean Simplified text, no boilerplate."""

    source: Source
    title: str
    date: str | None  # YYYY-MM-DD
    publisher: str | None  # who published it (an account, a newspaper, a site)
    channel: str | None  # an aggregator that carried it, if any
    url: str | None
    blocks: tuple[Block, ...]
    credits: tuple[Credit, ...]
    converted_from_traditional: bool
    original_title: str  # the title as the file had it, before any repair
    removed: tuple[str, ...]  # lines cut as boilerplate, for editors to audit
    extra: FrozenMap = field(default_factory=frozen_mapping)
    title_why: str = ""  # which line of a page was taken as the title, and why
    cut_above: tuple[str, ...] = ()  # page lines cut above the article (menus, breadcrumbs, account names)
    cut_below: tuple[str, ...] = ()  # page lines cut after its end (share bars, related lists, footers)

    @property
    def text(self) -> str:
        """The normalised text that evidence is quoted from: title, then each text block."""
        parts = [self.title] + [b.text for b in self.blocks if b.kind != "img"]
        return "\n".join(parts)


@dataclass(frozen=True)
class Place:
    city: str | None
    district: str | None
    street: str | None
    neighbourhood: str | None
    buildings: tuple[str, ...] = ()  # numbered buildings the case is about: 37号, 3号楼
    other_neighbourhoods: tuple[str, ...] = ()  # other estates the text names, in order (estates.estates)
    evidence: FrozenMap = field(default_factory=frozen_mapping)  # field -> sentence of the text


@dataclass(frozen=True)
class MethodUse:
    id: str
    name: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ObstacleUse:
    """An obstacle a case met: the sentences that show it, and the case's methods tied to overcoming
    it, each with the sentence of the case that shows the method near the obstacle."""

    id: str
    name: str
    evidence: tuple[str, ...]
    methods: tuple[tuple[str, str], ...]  # (method id, the method's sentence)


@dataclass(frozen=True)
class Figure:
    label: str
    value: float
    unit: str
    evidence: str
    # Whose figure it is, from the words before it: the case's own (estate), or a street's, district's or
    # city's total (全街道, 全区, 全市, or the place's name) that must not be read as the case's.
    scope: str = "estate"


@dataclass(frozen=True)
class NearMiss:
    """A sentence that nearly showed a method: for editors tuning the taxonomy."""

    method: str
    sentence: str
    why: str


@dataclass(frozen=True)
class StageClaim:
    id: str  # consultation | signing | construction | completed (content/data/stages.yaml)
    name: str
    evidence: str


@dataclass(frozen=True)
class SourceRef:
    """Another copy of the same story, merged into a case (a near-duplicate from another site)."""

    rel: str
    slug: str
    title: str
    date: str | None
    publisher: str | None
    channel: str | None
    url: str | None
    why: str = ""  # what showed it is the same story (the body, and the headline or the lead)


@dataclass(frozen=True)
class Case:
    """An article enriched with what the knowledge base knows about it."""

    article: Article
    place: Place
    methods: tuple[MethodUse, ...]
    figures: tuple[Figure, ...]
    stage: StageClaim | None
    near_misses: tuple[NearMiss, ...]
    problems: tuple[Problem, ...]
    obstacles: tuple[ObstacleUse, ...] = ()
    other_sources: tuple[SourceRef, ...] = ()  # near-duplicates merged into this case
    draft: bool = False  # draft: true in front matter, or make new's scaffold left unfilled: not published

    @property
    def slug(self) -> str:
        return self.article.source.slug

    @property
    def url(self) -> str:
        return f"/cases/{self.slug}/"


@dataclass(frozen=True)
class Method:
    """One entry of the method taxonomy (content/data/methods.yaml)."""

    id: str
    name: str
    category: str
    aliases: tuple[str, ...]
    summary: str
    description: str
    phrases: tuple[str, ...]
    all_of: tuple[tuple[tuple[str, ...], ...], ...]
    none_of: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"/methods/{self.id}/"


@dataclass(frozen=True)
class Street:
    name: str
    kind: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class District:
    name: str
    slug: str
    city: str
    aliases: tuple[str, ...]
    former: tuple[str, ...]
    streets: tuple[Street, ...]
    tile: tuple[int, int] | None = None  # (column, row) on the district tile map
    # Names of the national list's towns (towns.json) when the curated file lists no streets; plain
    # strings, not Street objects: 40,000 objects would cost every build and worker a third of a second.
    towns: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"/districts/{self.slug}/"


@dataclass(frozen=True)
class City:
    name: str
    aliases: tuple[str, ...]
    districts: tuple[District, ...]


@dataclass(frozen=True)
class Obstacle:
    """One entry of the obstacle taxonomy (content/data/obstacles.yaml): what blocks a retrofit."""

    id: str
    name: str
    aliases: tuple[str, ...]
    questions: tuple[str, ...]  # how residents ask: 一楼不同意怎么办？
    summary: str
    description: str
    phrases: tuple[str, ...]
    all_of: tuple[tuple[tuple[str, ...], ...], ...]
    none_of: tuple[str, ...]
    methods: tuple[str, ...]  # method ids that typically resolve it

    @property
    def url(self) -> str:
        return f"/obstacles/{self.id}/"
