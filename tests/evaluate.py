"""Score extraction against an annotated corpus: ``make eval CORPUS=dir``
(``python -m tests.evaluate [CORPUS ...] [--json OUT] [--misses]``).

A corpus is a folder with ``articles/<file>`` and one or more ``expected*.json`` at its top, each a
JSON list of objects, one per annotated file. Keys (a missing key means "not annotated": that field
is skipped for that file; a null value means "the page does not say"):

- ``file``: the file under ``articles/`` (required).
- ``title``: the headline, or null when the page has none.
- ``date``: ``YYYY-MM-DD`` the page was published, or null.
- ``source``: the publisher, or null.
- ``city``, ``district``, ``street``, ``neighbourhood``: full official names in Simplified, or null.
- ``body_first``, ``body_last``: the first and last sentence of the body, exact substrings of the file.
- ``boilerplate_markers``: exact substrings that are not article content.
- ``methods``: ``[{tag, evidence}]``; ``tag`` is a method name of content/data/methods.yaml, or null
  (with ``method`` naming one the taxonomy lacks: not scored).
- ``obstacles``: ``[{name, evidence}]`` with names of content/data/obstacles.yaml.
- ``figures``: ``[{label, value, unit, evidence}]``; the label is read by people, not scored.
- ``script``, ``on_topic``, ``truncated``, ``notes``, ``as_written``: read by people, not scored.

Every file is run through the build's own per-article stages (read_article → normalise → enrich,
as liftcases/pipeline.py does); one that cannot be read is a miss on every field it annotates.
Strings are compared after ``norm``: converter pinyin removed (區(qū), as the build does), Traditional →
Simplified, the build's punctuation repair, then
full-width forms folded to ASCII (NFKC), curly quotes made straight and whitespace removed; so
ASCII against full-width punctuation and spaces do not matter, anything else does. Per field:

- title: expected not null, ``norm(title) == norm(expected)``. "title readable": expected null, and
  the build's title is non-empty and at most 60 characters (it cannot tell a menu from a headline).
- date: expected not null, equal. "date invented": expected null but the build gave one (a count,
  lower is better; not part of the date share).
- source: expected not null, one contains the other (the build's publisher or its channel).
- city, district, street: expected not null, equal. neighbourhood: one contains the other once a
  trailing 小区, 居民区 or 社区 is stripped from both (so 海滨八村 matches 海滨八村第一居民区).
- body_first kept, body_last kept: ``norm(expected)`` occurs in the body (the text blocks joined,
  title excluded). "body starts right": the first text block starts with the first 10 characters of
  ``norm(body_first)``.
- boilerplate absent: files with at least one marker, right when no marker occurs in title + body;
  "boilerplate markers absent" counts markers instead of files.
- methods found, obstacles found: each distinct tag/name of a file (null tags skipped) is found when
  a method (obstacle) the build gave has it as its name or one of its aliases; a miss lists what the
  build gave, and says when the tag is in no name or alias of the taxonomy. ``--misses`` also lists what
  the build gave beyond the annotation, with its evidence, for a precision review.
- figures found: each annotated figure is found when the case has a figure with the same value and unit
  and grounded in the same words. Value and unit: a leading 万 of the unit is multiplied out (75 万元
  is 750000 元, 6.4 万户 is 64000 户), then units are compared by kind: 台 = 部 (lifts), 栋 = 幢 = 楼栋
  (buildings), 门栋 = 单元 = 楼道 = 门洞 = 楼门 (entrances), 人 = 名 = 位 (people), each with or without a
  leading 个; an annotated bare 个 (the noun is in the label) matches any unit. Values are equal as
  numbers; an annotated string value is read as its number once 余, 多, 以上, 超, 近, 约 are dropped
  (2400余 is 2400, 3万7千余 is 37000) and is a miss when it is not one number (六七十万, 4栋 / 6个楼道).
  Words: ``norm(evidence)`` of one contains the other's, or the two share a run of at least 8
  characters (annotators quote a clause, the build a whole sentence). The label is not compared.
  ``--misses`` lists the build's figures that match no annotated one as "extra figure", with scope.
- evidence grounded: cases all of whose method, obstacle and figure evidence is a substring of the
  build's normalised text (``Article.text``).

Output: a Markdown table per corpus; ``--misses`` adds every miss, by file; ``--json OUT`` writes
the numbers and misses. Exit 0 whatever the scores (this is a measure, not a test); 2 when a corpus
is missing or invalid.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liftcases.datafiles import Data, load_data
from liftcases.enrich import enrich
from liftcases.ingest import read_article
from liftcases.model import Case, Figure, Method, MethodUse, Obstacle, ObstacleUse
from liftcases.normalise import normalise
from liftcases.places import Gazetteer, build_gazetteer
from liftcases.zh_text import normalise_punctuation, parse_number, strip_pinyin, to_simplified

ROOT = Path(__file__).resolve().parent.parent
TZ = "Asia/Shanghai"
Uses = tuple[MethodUse, ...] | tuple[ObstacleUse, ...]
Taxonomy = tuple[Method, ...] | tuple[Obstacle, ...]
PLACES = ("city", "district", "street")
ESTATE_SUFFIXES = ("居民区", "小区", "社区")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
# Units of one kind, each written with or without a leading 个 (个楼栋, 个门栋).
UNIT_KINDS = {"部": "台", "幢": "栋", "楼栋": "栋", "楼幢": "栋", "单元": "门栋", "楼道": "门栋", "门洞": "门栋",
              "楼门": "门栋", "单元门": "门栋", "名": "人", "位": "人"}  # fmt: skip
HEDGES = ("余", "多", "以上", "超过", "超", "近", "约", "逾")
SHARED_RUN = 8  # characters two evidence sentences must share to be the same words
FIELDS = (
    "title",
    "title readable",
    "date",
    "date invented (lower is better)",
    "source",
    "city",
    "district",
    "street",
    "neighbourhood",
    "body_first kept",
    "body_last kept",
    "body starts right",
    "boilerplate absent",
    "boilerplate markers absent",
    "methods found",
    "obstacles found",
    "figures found",
    "evidence grounded",
)


class CorpusError(Exception):
    """A corpus that cannot be scored: no such folder, no articles/, no or bad expected*.json."""


def norm(text: str | None) -> str:
    """Tolerant of script, ASCII against full-width punctuation, whitespace and the pinyin a converter
    wrote after characters (區(qū)), which the build removes by design; of nothing else."""
    text = normalise_punctuation(to_simplified(strip_pinyin(text or "")))
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return "".join(text.split())


def _estate(name: str | None) -> str:
    name = norm(name)
    for suffix in ESTATE_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def _clip(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:79] + "…"


@dataclass
class Score:
    """Right answers and attempts per field, and every miss (and extra) with what was expected."""

    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    of: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[dict[str, str]] = field(default_factory=list)

    def count(self, name: str, ok: bool) -> None:
        self.of[name] += 1
        self.right[name] += ok

    def add(self, file: str, name: str, ok: bool, expected: object = "", got: object = "") -> None:
        self.count(name, ok)
        if not ok:
            self.misses.append({"file": file, "field": name, "expected": _clip(expected), "got": _clip(got)})

    def extra(self, file: str, name: str, got: str) -> None:
        self.misses.append({"file": file, "field": name, "expected": "", "got": _clip(got)})


def _unit_kind(unit: str) -> str:
    unit = norm(unit).removeprefix("个") or "个"
    return UNIT_KINDS.get(unit, unit)


def _amount(value: object, unit: object) -> tuple[float, str] | None:
    """(value, unit kind) with a leading 万 of the unit multiplied out; None when not one number."""
    unit = norm(str(unit or ""))
    if isinstance(value, str):
        text = norm(value)
        for hedge in HEDGES:
            text = text.replace(hedge, "")
        if not unit and (m := re.fullmatch(r"([\d.]+|[一二两三四五六七八九十百千万]+)([^\d.]+)", text)):
            text, unit = m.groups()  # the unit written into the value: 80%以上, 1个多月
        text = text.removesuffix(unit)
        # Two digits in a row are a range (六七十万), not one number.
        number = None if re.search("[一二两三四五六七八九]{2}", text) else parse_number(text)
        if number is None and (m := re.fullmatch(r"(\d+(?:\.\d+)?)万(?:(\d)千)?", text)):
            number = float(m.group(1)) * 10000 + (int(m.group(2)) * 1000 if m.group(2) else 0)
        value = number
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if unit.startswith("万") and len(unit) > 1:
        value, unit = value * 10000, unit[1:]
    return float(value), _unit_kind(unit)


def _same_words(a: str, b: str) -> bool:
    a, b = norm(a), norm(b)
    if not a or not b:
        return False
    return a in b or b in a or any(a[i : i + SHARED_RUN] in b for i in range(len(a) - SHARED_RUN + 1))


def figure_matches(expected: dict[str, Any], got: Figure) -> bool:
    """The build's figure states the annotated one: same amount, same kind of unit, the same words."""
    want, have = _amount(expected.get("value"), expected.get("unit")), _amount(got.value, got.unit)
    if want is None or have is None or abs(want[0] - have[0]) > 1e-6 * max(1.0, abs(want[0])):
        return False
    return (want[1] == have[1] or want[1] == "个") and _same_words(str(expected.get("evidence") or ""), got.evidence)


def _score_figures(score: Score, file: str, entry: dict[str, Any], figures: tuple[Figure, ...]) -> None:
    """Annotated figures found among the build's, then the build's extras (with their scope)."""
    wanted = [item for item in entry["figures"] if isinstance(item, dict)]
    listed = "、".join(f"{f.label} {f.value:g}{f.unit}" for f in figures)
    for item in wanted:
        note = "" if _amount(item.get("value"), item.get("unit")) else " (the annotated value is not one number)"
        expected = f"{item.get('label')} {item.get('value')}{item.get('unit') or ''}: {item.get('evidence')}"
        score.add(file, "figures found", any(figure_matches(item, f) for f in figures), expected, listed + note)
    for f in figures:
        if not any(figure_matches(item, f) for item in wanted):
            scope = getattr(f, "scope", "")
            score.extra(file, "extra figure", f"{f.label} {f.value:g}{f.unit} [{scope}]: {f.evidence}")


def load_corpus(corpus: Path) -> list[dict[str, Any]]:
    """Every annotation of the corpus, from all its expected*.json files, in file order."""
    if not (corpus / "articles").is_dir():
        raise CorpusError(f"{corpus}: no such corpus (a folder with articles/ and expected*.json)")
    files = sorted(corpus.glob("expected*.json"))
    if not files:
        raise CorpusError(f"{corpus}: no expected*.json at the top of the folder")
    entries: list[dict[str, Any]] = []
    for path in files:
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CorpusError(f"{path}: not readable JSON: {exc}") from exc
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("file"), str) for i in items
        ):
            raise CorpusError(f"{path}: should be a JSON list of objects, each with a 'file' string")
        entries += items
    return entries


def build_case(path: Path, rel: str, data: Data, gazetteer: Gazetteer) -> tuple[Case | None, str]:
    """The case the build makes of one file (as pipeline._one_article), or None and why not."""
    if not path.is_file():
        return None, "file not found"
    source, problems = read_article(path, rel, path.read_bytes())
    if source is None:
        return None, "; ".join(p.message for p in problems)
    article, _ = normalise(source, data.boilerplate, TZ)
    return enrich(article, data, gazetteer), ""


def _score_uses(score: Score, file: str, entry: dict[str, Any], kind: str, uses: Uses, taxonomy: Taxonomy) -> None:
    """Annotated methods (or obstacles) found among those the build gave, then the build's extras."""
    key = "tag" if kind == "methods" else "name"
    names = {t.id: {to_simplified(n) for n in (t.name, *t.aliases)} for t in taxonomy}
    known = set().union(*names.values())
    gave = {use.id: names.get(use.id, set()) | {to_simplified(use.name)} for use in uses}
    wanted = {to_simplified(item[key]) for item in entry[kind] if isinstance(item, dict) and item.get(key)}
    listed = "、".join(use.name for use in uses)
    for tag in sorted(wanted):
        note = "" if tag in known else " (the tag is not a name or alias in the taxonomy)"
        score.add(file, f"{kind} found", any(tag in gave[use.id] for use in uses), tag, listed + note)
    for use in uses:
        if not gave[use.id] & wanted:
            score.extra(file, f"extra {kind[:-1]}", f"{use.name}: {use.evidence[0] if use.evidence else ''}")


def score_file(score: Score, entry: dict[str, Any], case: Case | None, why: str, data: Data) -> None:
    """Add one annotated file's answers to the score (every annotated field a miss when no case)."""
    file = entry["file"]
    article = case.article if case else None

    def got(value: object) -> object:
        return value if case else f"(not read: {why})"

    if "title" in entry:
        title = article.title if article else ""
        if entry["title"] is not None:
            score.add(file, "title", norm(title) == norm(entry["title"]), entry["title"], got(title))
        else:
            score.add(file, "title readable", 0 < len(title) <= 60, None, got(title))
    if "date" in entry:
        date = article.date if article else None
        if entry["date"] is not None:
            score.add(file, "date", date == entry["date"], entry["date"], got(date))
        elif article:
            score.count("date invented (lower is better)", date is not None)
            if date is not None:
                score.extra(file, "date invented", date)
    if entry.get("source") is not None:
        want = norm(entry["source"])
        sources = [norm(s) for s in (article.publisher, article.channel) if s] if article else []
        ok = any(want in s or s in want for s in sources)
        score.add(file, "source", ok, entry["source"], got(" / ".join(sources)))
    for name in (*PLACES, "neighbourhood"):
        if entry.get(name) is not None:
            value = getattr(case.place, name) if case else None
            if name == "neighbourhood":
                a, b = _estate(value), _estate(entry[name])
                ok = bool(a and b) and (a in b or b in a)
            else:
                ok = norm(value) == norm(entry[name]) != ""
            score.add(file, name, ok, entry[name], got(value))
    texts = [b.text for b in article.blocks if b.kind != "img"] if article else []
    body = norm("\n".join(texts))
    for name in ("body_first", "body_last"):
        if entry.get(name):
            score.add(file, f"{name} kept", norm(entry[name]) in body, entry[name], got(body[:80]))
    if entry.get("body_first"):
        first = norm(texts[0]) if texts else ""
        score.add(
            file, "body starts right", first.startswith(norm(entry["body_first"])[:10]), entry["body_first"], got(first)
        )
    markers = [m for m in entry.get("boilerplate_markers") or () if norm(m)]
    if markers:
        page = norm(article.title) + body if article else ""
        present = [m for m in markers if not article or norm(m) in page]
        score.add(file, "boilerplate absent", not present, "absent", got(" | ".join(present)))
        for marker in markers:
            score.add(file, "boilerplate markers absent", marker not in present, "absent", got(marker))
    if "methods" in entry:
        _score_uses(score, file, entry, "methods", case.methods if case else (), data.methods)
    if "obstacles" in entry:
        _score_uses(score, file, entry, "obstacles", case.obstacles if case else (), data.obstacles)
    if "figures" in entry:
        _score_figures(score, file, entry, case.figures if case else ())
    if case:
        evidence = [e for use in (*case.methods, *case.obstacles) for e in use.evidence]
        loose = [e for e in evidence + [f.evidence for f in case.figures if f.evidence] if e not in case.article.text]
        score.add(file, "evidence grounded", not loose, "every evidence in the text", " | ".join(loose))
    else:
        score.add(file, "evidence grounded", False, "every evidence in the text", got(""))


def evaluate(corpus: Path, entries: list[dict[str, Any]], data: Data, gazetteer: Gazetteer) -> tuple[Score, int]:
    """Score every annotated file of the corpus: (the score, files that could not be read)."""
    score, unread = Score(), 0
    for entry in entries:
        case, why = build_case(corpus / "articles" / entry["file"], entry["file"], data, gazetteer)
        unread += case is None
        score_file(score, entry, case, why, data)
    return score, unread


def _ratio(score: Score, name: str) -> float | None:
    return round(score.right[name] / score.of[name], 4) if score.of[name] else None


def report(corpus: Path, score: Score, files: int, unread: int, misses: bool) -> str:
    """The Markdown table of one corpus, then (with ``misses``) every miss grouped by file."""
    lines = [f"**{corpus}**: {files} annotated files, {unread} not read.", ""]
    lines += ["| field | right | of | share |", "| --- | --- | --- | --- |"]
    for name in FIELDS:
        share = _ratio(score, name)
        lines.append(
            f"| {name} | {score.right[name]} | {score.of[name]} | {'–' if share is None else f'{share:.1%}'} |"
        )
    if misses:
        by_file: dict[str, list[dict[str, str]]] = {}
        for miss in score.misses:
            by_file.setdefault(miss["file"], []).append(miss)
        for file, items in by_file.items():
            lines += ["", f"### {file}", "", "| field | expected | got |", "| --- | --- | --- |"]
            for m in items:
                expected, got = (m[k].replace("|", "\\|") for k in ("expected", "got"))
                lines.append(f"| {m['field']} | {expected} | {got} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=[ROOT.parent / "shared" / "realworld"])
    parser.add_argument("--json", type=Path, help="write the numbers and misses to this file")
    parser.add_argument("--misses", action="store_true", help="list every miss, grouped by file")
    args = parser.parse_args(argv)
    try:
        corpora = {corpus: load_corpus(corpus) for corpus in args.corpora}
    except CorpusError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    data = load_data(ROOT / "content" / "data")
    gazetteer = build_gazetteer(data.cities)
    results: dict[str, Any] = {}
    for n, (corpus, entries) in enumerate(corpora.items()):
        score, unread = evaluate(corpus, entries, data, gazetteer)
        print(("\n" if n else "") + report(corpus, score, len(entries), unread, args.misses), end="")
        fields = {f: {"right": score.right[f], "of": score.of[f], "share": _ratio(score, f)} for f in FIELDS}
        results[str(corpus)] = {"files": len(entries), "unread": unread, "fields": fields, "misses": score.misses}
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
