"""Places as pages: each street's and each estate's cases, the estate's story over time.

Cases are grouped, never merged: different stories about one estate (its consultation, its
signing, its first and last lift) stay separate cases and form the estate's timeline. Names of an
estate that differ only by a suffix or script (甘泉苑, 甘泉苑居民区, 甘泉苑小區) are one place within a
district; the same name in two streets the articles name is two places. content/data/places.yaml
joins or splits names where this guesses wrong, and the names the build was unsure about are kept
for the review page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from .datafiles import Data
from .estates import estate_key
from .model import Case, District, StageClaim
from .zh_text import place_slug

# A shorter name inside a longer one (海滨八村, 海滨八村第一居民区) may name the same place, or a part of
# it: listed for editors when the longer one adds at most this many characters, never joined.
UNSURE_EXTRA = 4
_NEAR = "名字相近，可能是同一个小区或其中一部分，没有合并"


@dataclass(frozen=True)
class Lift:
    """A lift count one article reports for its estate: the figure's label and short name."""

    label: str  # 已建成电梯
    name: str  # 建成
    value: float
    unit: str
    evidence: str


@dataclass(frozen=True)
class Step:
    """One article on an estate's timeline."""

    case: Case
    lifts: tuple[Lift, ...]  # in the order of the timeline's series

    @property
    def date(self) -> str | None:
        return self.case.article.date

    @property
    def stage(self) -> StageClaim | None:
        return self.case.stage


@dataclass(frozen=True)
class Latest:
    """The latest figure of one series, and the case that reported it."""

    lift: Lift
    case: Case


@dataclass(frozen=True)
class Estate:
    id: str  # places/<district>/<slug>
    slug: str
    name: str  # the spelling the articles use most, or places.yaml's name
    aliases: tuple[str, ...]  # every other spelling
    district: District
    street: str | None
    steps: tuple[Step, ...]  # oldest first; undated articles last
    stage: tuple[StageClaim, Case] | None  # the furthest stage any article says was reached
    latest: tuple[Latest, ...]  # the latest reported count of each series
    methods: tuple[tuple[str, tuple[tuple[Case, str], ...]], ...]  # method id -> (case, its sentence), most used first

    @property
    def url(self) -> str:
        return f"/{self.id}/"

    @property
    def cases(self) -> tuple[Case, ...]:
        return tuple(s.case for s in self.steps)


@dataclass(frozen=True)
class StreetPlace:
    id: str  # districts/<district>/<slug>
    slug: str
    name: str
    district: District
    estates: tuple[Estate, ...]  # the latest reported first
    cases: tuple[Case, ...]  # newest first, the estates' and the street's own
    methods: tuple[tuple[str, int], ...]  # method id, cases: most used first
    obstacles: tuple[tuple[str, int], ...]  # obstacle id, cases

    @property
    def url(self) -> str:
        return f"/{self.id}/"


@dataclass(frozen=True)
class Unsure:
    """Place names the build did not join, or joined, without being sure: for the review page."""

    district: str
    names: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class PlaceIndex:
    streets: tuple[StreetPlace, ...]  # by district, then name
    estates: tuple[Estate, ...]  # by district, then name
    unsure: tuple[Unsure, ...]
    street_of: dict[str, StreetPlace]  # case slug -> the street page that lists it
    estate_of: dict[str, Estate]  # case slug -> its estate's page
    series: tuple[tuple[str, str], ...] = ()  # the lift counts timelines chart: (figure label, short name)
    # (city, district) -> its estates no article gives a street for
    streetless: dict[tuple[str, str], tuple[Estate, ...]] = field(default_factory=dict)
    street_named: dict[tuple[str, str, str], StreetPlace] = field(default_factory=dict)  # (city, district, name)

    @classmethod
    def empty(cls) -> PlaceIndex:
        return cls((), (), (), {}, {})

    def street_page(self, estate: Estate) -> StreetPlace | None:
        """The page of the street the estate is in, when one is known."""
        return self.street_named.get((estate.district.city, estate.district.name, estate.street or ""))

    def unstreeted(self, district: District) -> tuple[Estate, ...]:
        """The district's estates whose street no article names."""
        return self.streetless.get((district.city, district.name), ())


def newest_first(cases: list[Case]) -> tuple[Case, ...]:
    return tuple(sorted(cases, key=lambda c: (c.article.date or "", c.slug), reverse=True))


def _oldest_first(case: Case) -> tuple[bool, str, str]:
    return (case.article.date is None, case.article.date or "", case.slug)


def _lifts(case: Case, series: tuple[tuple[str, str], ...], scope: str = "estate") -> tuple[Lift, ...]:
    """The case's lift counts of one scope (the estate's own, or a street's total), one per series:
    the largest, since counts are cumulative."""
    out = []
    for label, name in series:
        own = [f for f in case.figures if f.label == label and f.scope == scope]
        if own:
            best = max(own, key=lambda f: f.value)
            out.append(Lift(label, name, best.value, best.unit, best.evidence))
    return tuple(out)


def _unique(slug: str, taken: set[str]) -> str:
    n, out = 1, slug
    while out in taken:
        n += 1
        out = f"{slug}-{n}"
    taken.add(out)
    return out


def _estate(
    eid: str, slug: str, name: str, aliases: tuple[str, ...], district: District, street: str | None,
    cases: list[Case], series: tuple[tuple[str, str], ...], rank: dict[str, int],
) -> Estate:  # fmt: skip
    steps = tuple(Step(c, _lifts(c, series)) for c in sorted(cases, key=_oldest_first))
    staged = [(s.stage, s.case) for s in steps if s.stage]
    stage = max(staged, key=lambda sc: (rank.get(sc[0].id, -1), sc[1].article.date or "")) if staged else None
    uses: dict[str, list[tuple[Case, str]]] = {}
    for step in steps:
        for use in step.case.methods:
            uses.setdefault(use.id, []).append((step.case, use.evidence[0] if use.evidence else ""))
    methods = sorted(uses.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return Estate(
        id=eid, slug=slug, name=name, aliases=aliases, district=district, street=street, steps=steps, stage=stage,
        latest=_latest([(s.case, s.lifts) for s in steps], series),
        methods=tuple((m, tuple(found)) for m, found in methods),
    )  # fmt: skip


def _latest(reports: list[tuple[Case, tuple[Lift, ...]]], series: tuple[tuple[str, str], ...]) -> tuple[Latest, ...]:
    """The latest count of each series, in series order; a dated report wins over an undated one."""
    latest: dict[str, Latest] = {}
    for case, lifts in sorted(reports, key=lambda r: (r[0].article.date is not None, r[0].article.date or "")):
        for lift in lifts:
            latest[lift.label] = Latest(lift, case)
    return tuple(latest[label] for label, _ in series if label in latest)


def latest_totals(cases: tuple[Case, ...], scope: str, series: tuple[tuple[str, str], ...]) -> tuple[Latest, ...]:
    """The latest total of each series that the cases report for a whole street or district."""
    return _latest([(c, _lifts(c, series, scope)) for c in cases], series)


def _spelling(cases: list[Case]) -> tuple[str, tuple[str, ...]]:
    """The spelling most articles use (the shorter on a tie), and the others."""
    written = Counter(c.place.neighbourhood or "" for c in cases)
    ranked = sorted(written, key=lambda n: (-written[n], len(n), n))
    return ranked[0], tuple(sorted(ranked[1:]))


def index_places(cases: list[Case] | tuple[Case, ...], data: Data) -> PlaceIndex:
    """Every street and estate that has a case, each with its cases; the names the build was unsure of."""
    district_of = {(d.city, d.name): d for c in data.cities for d in c.districts}
    rank = {s.id: n for n, s in enumerate(data.stages)}
    joins = {d: [j for j in data.place_joins if j.district == d] for d in {j.district for j in data.place_joins}}
    apart = {(a.district, n) for a in data.place_aparts for n in a.names}

    def key(district: str, name: str) -> str:
        for j in joins.get(district, ()):
            if estate_key(name) in {estate_key(n) for n in (j.name, *j.aliases)}:
                return "join:" + j.name
        return "=" + name if (district, name) in apart else estate_key(name)

    unsure: list[Unsure] = []
    # Keyed by (city, district name): a District hashes all its streets on every lookup.
    groups: dict[tuple[str, str, str], list[Case]] = {}
    streets: dict[tuple[str, str, str], list[Case]] = {}
    unplaced: dict[str, list[Case]] = {}  # estate key -> cases that name the estate but no district
    for case in cases:
        p = case.place
        district = district_of.get((p.city or "", p.district or ""))
        if district is None:
            if p.neighbourhood:
                unplaced.setdefault(estate_key(p.neighbourhood), []).append(case)
            continue
        if p.street:
            streets.setdefault((district.city, district.name, p.street), []).append(case)
        if p.neighbourhood:
            groups.setdefault((district.city, district.name, key(district.name, p.neighbourhood)), []).append(case)

    estates: list[Estate] = []
    estate_of: dict[str, Estate] = {}
    taken: dict[tuple[str, str], set[str]] = {}
    for (city, dname, k), members in sorted(groups.items()):
        district = district_of[(city, dname)]
        join = next((j for j in joins.get(district.name, ()) if k == "join:" + j.name), None)
        named = Counter(c.place.street for c in members if c.place.street)
        parts: dict[str | None, list[Case]] = {}
        if join and join.street:
            parts[join.street] = members
        elif len(named) > 1:
            # The same name in two streets the articles name: two places. Articles that name no
            # street go with the street most articles name.
            most = named.most_common(1)[0][0]
            for c in members:
                parts.setdefault(c.place.street or most, []).append(c)
            names = sorted({c.place.neighbourhood or "" for c in members})
            unsure.append(
                Unsure(district.name, tuple(names), f"同名小区在不同街道（{'、'.join(sorted(named))}），已分开")
            )
        else:
            parts[next(iter(named), None)] = members
        for street, part in sorted(parts.items(), key=lambda kv: kv[0] or ""):
            name, aliases = _spelling(part)
            if join:
                aliases = tuple(sorted({*aliases, *join.aliases, name} - {join.name}))
                name = join.name
            base = join.slug if join and join.slug else place_slug(estate_key(name)) or "place"
            if len(parts) > 1 and street:
                base += "-" + place_slug(street.removesuffix("街道"))
            slug = _unique(base, taken.setdefault((city, dname), set()))
            estate = _estate(f"places/{district.slug}/{slug}", slug, name, aliases, district, street, part,
                             data.timeline_series, rank)  # fmt: skip
            estates.append(estate)
            for c in part:
                estate_of[c.slug] = estate
                if street and not c.place.street:
                    streets.setdefault((city, dname, street), []).append(c)  # listed on its estate's street

    unsure += _near_names(estates)
    known: dict[str, list[Estate]] = {}
    for e in estates:
        known.setdefault(estate_key(e.name), []).append(e)
    for k, members in sorted(unplaced.items()):
        for e in known.get(k, ()):
            titles = "、".join(c.slug for c in members)
            unsure.append(
                Unsure(
                    e.district.name,
                    (e.name,),
                    f"案例 {titles} 提到它，但没写区，没有归入；如是同一个，请在前置信息写 district",
                )
            )

    on_street: dict[tuple[tuple[str, str], str | None], list[Estate]] = {}
    for e in estates:
        on_street.setdefault(((e.district.city, e.district.name), e.street), []).append(e)
    street_pages: list[StreetPlace] = []
    street_of: dict[str, StreetPlace] = {}
    by_district: dict[tuple[str, str], list[tuple[str, list[Case]]]] = {}
    for (city, dname, name), members in streets.items():
        by_district.setdefault((city, dname), []).append((name, members))
    for where in sorted(by_district):
        district = district_of[where]
        taken_streets: set[str] = set()
        # In the gazetteer's order (the curated streets, then the national list's towns), then by name.
        order = {n: i for i, n in enumerate([*(st.name for st in district.streets), *district.towns])}
        for name, members in sorted(by_district[where], key=lambda item: (order.get(item[0], len(order)), item[0])):
            slug = _unique(place_slug(name.removesuffix("街道")) or "street", taken_streets)
            here = list(on_street.get((where, name), ()))
            here.sort(key=lambda e: max((s.date or "" for s in e.steps), default=""), reverse=True)
            page = StreetPlace(
                id=f"districts/{district.slug}/{slug}", slug=slug, name=name, district=district,
                estates=tuple(here), cases=newest_first(members),
                methods=tuple(Counter(u.id for c in members for u in c.methods).most_common()),
                obstacles=tuple(Counter(o.id for c in members for o in c.obstacles).most_common()),
            )  # fmt: skip
            street_pages.append(page)
            for c in members:
                street_of[c.slug] = page
    streetless = {where: tuple(found) for (where, street), found in on_street.items() if street is None}
    named = {(p.district.city, p.district.name, p.name): p for p in street_pages}
    return PlaceIndex(
        tuple(street_pages),
        tuple(estates),
        tuple(unsure),
        street_of,
        estate_of,
        data.timeline_series,
        streetless,
        named,
    )


def _near_names(estates: list[Estate]) -> list[Unsure]:
    """Estates of one district where one name holds the other and adds a little (海滨八村,
    海滨八村第一居民区): perhaps one place, perhaps a part of it. Never joined; listed for editors.
    Names that start with a name follow it in sorted order, so each name looks only at those."""
    found = []
    by_district: dict[tuple[str, str], dict[str, Estate]] = {}
    for e in estates:
        by_district.setdefault((e.district.city, e.district.name), {}).setdefault(estate_key(e.name), e)
    for (_city, district), named in by_district.items():
        keys = sorted(named)
        for i, short in enumerate(keys):
            if len(short) < 2:
                continue
            for longer in keys[bisect_right(keys, short, i) :]:
                if not longer.startswith(short):
                    break
                if len(longer) - len(short) <= UNSURE_EXTRA:
                    found.append(Unsure(district, (named[short].name, named[longer].name), _NEAR))
    return found
