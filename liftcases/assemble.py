"""Stage 4, assemble: the cross-linked structure of the site, built from all cases at once.

Cases link to their method and district pages; those pages link back. Nothing
here renders or writes: it only decides what each page holds.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

from .localities import Estate, PlaceIndex, StreetPlace
from .model import Case, City, District, Method, Obstacle, ObstacleUse


@dataclass(frozen=True)
class MethodEntry:
    case: Case
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class MethodPage:
    method: Method
    entries: tuple[MethodEntry, ...]
    companions: tuple[tuple[Method, int], ...]  # methods most often used with it
    districts: tuple[tuple[District, int], ...]
    obstacles: tuple[tuple[Obstacle, int], ...] = ()  # obstacles the cases tie it to overcoming


@dataclass(frozen=True)
class ObstacleEntry:
    case: Case
    use: ObstacleUse


@dataclass(frozen=True)
class ObstaclePage:
    obstacle: Obstacle
    entries: tuple[ObstacleEntry, ...]
    remedies: tuple[tuple[Method, int], ...]  # the methods most often tied to overcoming it


@dataclass(frozen=True)
class DistrictPage:
    district: District
    streets: tuple[StreetPlace, ...]  # the streets that have cases, by name
    methods: tuple[tuple[Method, int], ...]
    cases: tuple[Case, ...]
    unstreeted: tuple[Case, ...] = ()  # cases no street page lists: their street is not known
    estates: tuple[Estate, ...] = ()  # the district's estates whose street is not known


@dataclass(frozen=True)
class Site:
    cases: tuple[Case, ...]  # newest first
    methods: tuple[MethodPage, ...]  # taxonomy order
    categories: tuple[str, ...]
    districts: tuple[DistrictPage, ...]  # Shanghai first, in gazetteer order; then other cities
    district_of: dict[tuple[str, str], District]  # (city, district name) -> District
    method_of: dict[str, Method]  # method id -> Method
    related: dict[str, tuple[Case, ...]]  # case slug -> related cases, best first
    moved: dict[str, str]  # slug of a near-duplicate merged away -> slug of the case it joined
    obstacles: tuple[ObstaclePage, ...] = ()  # taxonomy order
    places: PlaceIndex = field(default_factory=PlaceIndex.empty)  # streets and estates with their cases
    drafts: tuple[Case, ...] = ()  # by file: out of a published site; in make serve's preview, among the cases

    def district_for(self, case: Case) -> District | None:
        p = case.place
        return self.district_of.get((p.city or "", p.district or ""))


# How much each shared trait adds to two cases' relatedness. Methods are weighed by rarity:
# sharing 掌上签约 says more than sharing 党建引领.
SAME_STREET, SAME_DISTRICT, SHARED_METHOD = 3.0, 1.0, 2.0
MAX_RELATED = 5
# How many cases are scored as possible relatives of each case.
MAX_CANDIDATES = 200


def related_cases(cases: tuple[Case, ...]) -> dict[str, tuple[Case, ...]]:
    """For each case, the cases most like it: shared methods (rarer ones weigh more), same street, same district.

    At most MAX_CANDIDATES candidates per case (same street, then the rarest methods' users, then the
    same district), so the work stays linear in the number of cases even when one method is in every
    case; each candidate is then scored on everything it shares."""
    n = len(cases)
    users: dict[str, list[int]] = {}
    places: dict[tuple[str | None, str | None], list[int]] = {}
    streets: dict[tuple[str | None, str | None, str | None], list[int]] = {}
    for i, case in enumerate(cases):
        for use in case.methods:
            users.setdefault(use.id, []).append(i)
        if case.place.district:
            places.setdefault((case.place.city, case.place.district), []).append(i)
        if case.place.street:
            streets.setdefault((case.place.city, case.place.district, case.place.street), []).append(i)
    # Each case's methods as bits of one integer, and the weight of any set of shared methods read
    # from one table per byte: scoring a pair is a few lookups, not a set intersection.
    ids = sorted(users)
    bit = {m: 1 << k for k, m in enumerate(ids)}
    weights = [SHARED_METHOD * math.log(1 + n / len(users[m])) / math.log(1 + n) for m in ids]
    tables = [
        (shift, [sum(w for k, w in enumerate(weights[shift : shift + 8]) if b >> k & 1) for b in range(256)])
        for shift in range(0, len(ids), 8)
    ]
    shared_weight: dict[int, float] = {0: 0.0}  # the same few sets of shared methods recur
    masks = [sum(bit[m] for m in {u.id for u in c.methods}) for c in cases]
    slugs = [c.slug for c in cases]
    district_ids = [(c.place.city, c.place.district) if c.place.district else None for c in cases]
    street_ids = [(c.place.city, c.place.district, c.place.street) if c.place.street else None for c in cases]
    related: dict[str, tuple[Case, ...]] = {}
    for i, case in enumerate(cases):
        mine = masks[i]
        # Candidates: the same street, then the users of this case's rarest methods, then the same
        # district, up to MAX_CANDIDATES; the work stays linear in the number of cases.
        candidates: set[int] = set()
        pools = [streets.get(street_ids[i], []) if street_ids[i] else []]
        pools += [users[m] for m in sorted({u.id for u in case.methods}, key=lambda m: (len(users[m]), m))]
        pools.append(places.get(district_ids[i], []) if district_ids[i] else [])
        for pool in pools:
            candidates.update(pool[: MAX_CANDIDATES - len(candidates)])
            if len(candidates) >= MAX_CANDIDATES:
                break
        candidates.discard(i)
        scored = []
        district, street = district_ids[i], street_ids[i]
        for j in candidates:
            shared = mine & masks[j]
            score = shared_weight.get(shared)
            if score is None:
                score = shared_weight[shared] = sum(table[shared >> shift & 255] for shift, table in tables)
            if district is not None and district_ids[j] == district:
                score += SAME_DISTRICT + (SAME_STREET if street is not None and street_ids[j] == street else 0)
            if score > 0:
                scored.append((-score, slugs[j], j))
        related[slugs[i]] = tuple(cases[j] for _, _, j in heapq.nsmallest(MAX_RELATED, scored))
    return related


def related_signature(cases: list[Case]) -> tuple[tuple[object, ...], ...]:
    """Everything related_cases() looks at: when this is unchanged, so are the related lists."""
    return tuple(
        sorted(
            (c.slug, tuple(sorted(u.id for u in c.methods)), c.place.city, c.place.district, c.place.street)
            for c in cases
        )
    )


def related_slugs(cases: list[Case]) -> dict[str, tuple[str, ...]]:
    """related_cases() as slugs (slug -> related slugs), for assemble() and for the build cache."""
    ordered = tuple(sorted(cases, key=_sort_key, reverse=True))
    return {slug: tuple(c.slug for c in others) for slug, others in related_cases(ordered).items()}


def _materialise(related: dict[str, tuple[str, ...]], cases: tuple[Case, ...]) -> dict[str, tuple[Case, ...]]:
    by_slug = {c.slug: c for c in cases}
    return {slug: tuple(by_slug[s] for s in others if s in by_slug) for slug, others in related.items()}


def _sort_key(case: Case) -> tuple[str, str]:
    return (case.article.date or "", case.slug)


def assemble(
    cases: list[Case],
    moved: dict[str, str],
    methods: tuple[Method, ...],
    categories: tuple[str, ...],
    cities: tuple[City, ...],
    related: dict[str, tuple[str, ...]] | None = None,
    obstacles: tuple[Obstacle, ...] = (),
    places: PlaceIndex | None = None,
) -> Site:
    """``related`` (slug -> related slugs) may be given when it is known not to have changed."""
    ordered = tuple(sorted(cases, key=_sort_key, reverse=True))
    method_of = {m.id: m for m in methods}
    district_of = {(d.city, d.name): d for c in cities for d in c.districts}
    # One pass over the cases for each kind of page, not one per method, obstacle or district.
    by_method: dict[str, list[MethodEntry]] = {}
    by_obstacle: dict[str, list[ObstacleEntry]] = {}
    by_district: dict[tuple[str | None, str | None], list[Case]] = {}
    for case in ordered:
        for use in case.methods:
            by_method.setdefault(use.id, []).append(MethodEntry(case, use.evidence))
        for ouse in case.obstacles:
            by_obstacle.setdefault(ouse.id, []).append(ObstacleEntry(case, ouse))
        by_district.setdefault((case.place.city, case.place.district), []).append(case)
    method_ids = {c.slug: tuple(u.id for u in c.methods) for c in ordered}
    where_of = {c.slug: (c.place.city or "", c.place.district) if c.place.district else None for c in ordered}
    obstacle_pages = []
    tied: dict[str, Counter[str]] = {}  # method id -> obstacle ids it was tied to
    for obstacle in obstacles:
        entries_ = tuple(by_obstacle.get(obstacle.id, ()))
        remedies: Counter[str] = Counter(m for e in entries_ for m, _ in e.use.methods)
        for m, n in remedies.items():
            tied.setdefault(m, Counter())[obstacle.id] = n
        obstacle_pages.append(
            ObstaclePage(
                obstacle, entries_, tuple((method_of[m], n) for m, n in remedies.most_common() if m in method_of)
            )
        )
    obstacle_of = {o.id: o for o in obstacles}
    method_pages = []
    for method in methods:
        entries = tuple(by_method.get(method.id, ()))
        # Counted in C over each case's method ids and place, computed once per case (see above).
        together = Counter(chain.from_iterable(method_ids[e.case.slug] for e in entries))
        del together[method.id]
        where = Counter(where_of[e.case.slug] for e in entries if where_of[e.case.slug] is not None)
        method_pages.append(
            MethodPage(
                method=method,
                entries=entries,
                companions=tuple((method_of[i], n) for i, n in together.most_common(5)),
                districts=tuple(
                    (district_of[d], n)
                    for d, n in sorted(where.items(), key=lambda x: (-x[1], x[0]))
                    if d in district_of
                ),
                obstacles=tuple((obstacle_of[o], n) for o, n in tied.get(method.id, Counter()).most_common()),
            )
        )
    places = places or PlaceIndex.empty()
    streets_of: dict[tuple[str, str], list[StreetPlace]] = {}
    for street in places.streets:
        streets_of.setdefault((street.district.city, street.district.name), []).append(street)
    district_pages = []
    for city in cities:
        for district in city.districts:
            here = tuple(by_district.get((city.name, district.name), ()))
            if not here and city.name != "上海市":
                continue
            profile: Counter[str] = Counter(u.id for c in here for u in c.methods)
            district_pages.append(
                DistrictPage(
                    district=district,
                    streets=tuple(streets_of.get((city.name, district.name), ())),
                    methods=tuple((method_of[i], n) for i, n in profile.most_common()),
                    cases=here,
                    unstreeted=tuple(c for c in here if c.slug not in places.street_of),
                    estates=places.unstreeted(district),
                )
            )
    return Site(
        cases=ordered,
        methods=tuple(method_pages),
        categories=categories,
        districts=tuple(district_pages),
        district_of=district_of,
        method_of=method_of,
        related=_materialise(related, ordered) if related is not None else related_cases(ordered),
        moved=moved,
        obstacles=tuple(obstacle_pages),
        places=places,
    )
