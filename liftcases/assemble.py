"""Stage 4, assemble: the cross-linked structure of the site, built from all cases at once.

Cases link to their method and district pages; those pages link back. Nothing
here renders or writes: it only decides what each page holds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import Case, City, District, Method

UNKNOWN_STREET = "（街道未注明）"


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


@dataclass(frozen=True)
class DistrictPage:
    district: District
    streets: tuple[tuple[str, tuple[Case, ...]], ...]
    methods: tuple[tuple[Method, int], ...]
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class Site:
    cases: tuple[Case, ...]  # newest first
    methods: tuple[MethodPage, ...]  # taxonomy order
    categories: tuple[str, ...]
    districts: tuple[DistrictPage, ...]  # Shanghai first, in gazetteer order; then other cities
    district_of: dict[str, District]  # district name -> District
    method_of: dict[str, Method]  # method id -> Method


def _sort_key(case: Case) -> tuple[str, str]:
    return (case.article.date or "", case.slug)


def assemble(
    cases: list[Case], methods: tuple[Method, ...], categories: tuple[str, ...], cities: tuple[City, ...]
) -> Site:
    ordered = tuple(sorted(cases, key=_sort_key, reverse=True))
    method_of = {m.id: m for m in methods}
    district_of = {d.name: d for c in cities for d in c.districts}
    method_pages = []
    for method in methods:
        entries = tuple(
            MethodEntry(case, use.evidence) for case in ordered for use in case.methods if use.id == method.id
        )
        together: Counter[str] = Counter()
        where: Counter[str] = Counter()
        for entry in entries:
            together.update(u.id for u in entry.case.methods if u.id != method.id)
            if entry.case.place.district:
                where[entry.case.place.district] += 1
        method_pages.append(
            MethodPage(
                method=method,
                entries=entries,
                companions=tuple((method_of[i], n) for i, n in together.most_common(5)),
                districts=tuple((district_of[d], n) for d, n in sorted(where.items(), key=lambda x: (-x[1], x[0]))),
            )
        )
    district_pages = []
    for city in cities:
        for district in city.districts:
            here = tuple(c for c in ordered if c.place.district == district.name)
            if not here and city.name != "上海市":
                continue
            streets: dict[str, list[Case]] = {}
            for case in here:
                streets.setdefault(case.place.street or UNKNOWN_STREET, []).append(case)
            profile: Counter[str] = Counter(u.id for c in here for u in c.methods)
            district_pages.append(
                DistrictPage(
                    district=district,
                    streets=tuple(
                        sorted(
                            ((s, tuple(cs)) for s, cs in streets.items()), key=lambda x: (x[0] == UNKNOWN_STREET, x[0])
                        )
                    ),
                    methods=tuple((method_of[i], n) for i, n in profile.most_common()),
                    cases=here,
                )
            )
    return Site(
        cases=ordered,
        methods=tuple(method_pages),
        categories=categories,
        districts=tuple(district_pages),
        district_of=district_of,
        method_of=method_of,
    )
