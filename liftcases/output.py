"""Incremental output: the files a build writes, and what each was made from, so that the next build
makes again only what changed.

Every file is made from a key (render.py says which): a page from its template and what it shows,
a feed or an export from what it lists. ``Pages`` turns a key into a digest (memo.Fingerprints, with
the code, data files and settings, and the page's templates) and compares it with what the build that
made the current site recorded (``made_before``): an unchanged file is hard-linked from the current
site into the new one (or left where it is, rewriting a preview in place), not made again.

Pages are laid out in two parts (``Layout``): what the page's own template puts into base.html's
blocks, and the layout around them. An edit to base.html outside its blocks (the header, the
navigation, the footer) lays each page out again around the blocks of the file the last build
wrote, without making the page again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, DictLoader, Environment, FileSystemLoader, meta
from markupsafe import Markup

from .inputs import built_record, write_whole
from .memo import Fingerprints, Memo, digest


class Output:
    """Writes files under one root folder and refuses any path that would leave it.

    ``keep`` takes a file unchanged from ``reuse``, the folder an earlier build wrote: hard-linked
    into a new site (which is then swapped in), or left where it is when rewriting a site in place
    (``make serve``)."""

    def __init__(self, root: Path, reuse: Path | None = None):
        self.root = root.resolve()
        self.reuse = reuse.resolve() if reuse is not None else None
        self.files: list[str] = []  # every file of the output, written or kept
        self.written: list[str] = []  # those whose bytes were written
        self.kept: list[str] = []  # those taken from ``reuse``
        self._folders: set[Path] = set()

    def _target(self, rel: str) -> Path:
        parts = PurePosixPath(rel).parts
        # Checked on the path's words, not by resolving it: resolving every file costs seconds.
        if not parts or any(part in ("..", ".") or "\\" in part for part in parts):
            raise ValueError(f"refusing to write outside the output folder: {rel}")
        target = self.root.joinpath(*parts)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def write(self, rel: str, content: str | bytes) -> None:
        rel = rel.lstrip("/")
        target = self._target(rel)
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.files.append(rel)
        if self.reuse != self.root:
            # The staging folder may hold a file of an older site, maybe the very file (a hard link) the
            # current site shows: it is replaced, never written into.
            target.unlink(missing_ok=True)
            target.write_bytes(data)
        elif target.is_file() and target.read_bytes() == data:
            return  # in place, and already so: a preview reloads only what changed
        else:  # in place: the file is replaced whole, never truncated under a reader
            write_whole(target, data)
        self.written.append(rel)

    def earlier(self, rel: str) -> bytes | None:
        """The bytes the earlier build wrote at ``rel``, if they are there."""
        try:
            return self.reuse.joinpath(*PurePosixPath(rel.lstrip("/")).parts).read_bytes() if self.reuse else None
        except OSError:
            return None

    def keep(self, rel: str) -> bool:
        """Take ``rel`` as the earlier build wrote it; False when it is not there to take."""
        if self.reuse is None:
            return False
        rel = rel.lstrip("/")
        if self.reuse == self.root:
            found = self.root.joinpath(*PurePosixPath(rel).parts).is_file()
        else:
            target = self._target(rel)
            target.unlink(missing_ok=True)
            try:
                os.link(self.reuse.joinpath(*PurePosixPath(rel).parts), target)
                found = True
            except OSError:  # gone, or a folder that cannot hold links: made again
                found = False
        if found:
            self.kept.append(rel)
            self.files.append(rel)
        return found

    def sweep(self, spare: tuple[str, ...]) -> None:
        """Remove every file of the output folder this build did not write or keep (what an older site
        left in a reused staging folder), and the folders left empty; ``spare`` are top-level names
        other stages write."""
        now = set(self.files)
        for root, _, names in os.walk(self.root, topdown=False):
            here = Path(root)
            rel = here.relative_to(self.root).as_posix()
            if rel.split("/")[0] in spare:
                continue
            for name in names:
                path = f"{name}" if rel == "." else f"{rel}/{name}"
                if path not in now and path.split("/")[0] not in spare:
                    (here / name).unlink()
            if here != self.root and not any(here.iterdir()):
                here.rmdir()

    def remove_stale(self, previous: Made | None) -> None:
        """Delete files an earlier build wrote that this one did not (pages of removed articles)."""
        now = set(self.files)
        for rel in sorted(set(previous or ()) - now):
            self.root.joinpath(*PurePosixPath(rel).parts).unlink(missing_ok=True)


# What a build made: output path -> the digest of what the file was made from; for a page, then its
# blocks' digest and where its blocks stand in its bytes ("made blocks 120,480,…"); "" for files
# written without a key.
Made = dict[str, str]

MARK = "\x00\x1fblock\x1f\x00"  # where a block stands, while a page is laid out
_BLOCK = re.compile(r"\{%-?\s*block\s+(\w+)\s*-?%\}(.*?)\{%-?\s*endblock(?:\s+\w+)?\s*-?%\}", re.S)
LAYOUT = "base.html"


def _stub(layout: str) -> str:
    """The layout's blocks alone, with their default bodies, a mark between each: what a page's blocks
    are rendered against."""
    return MARK.join(m.group(0) for m in _BLOCK.finditer(layout))


class Layout:
    """base.html apart from its blocks. A page is rendered as its blocks (its template, extending a stub
    of base.html that has only the blocks), then put into the layout (base.html with a mark in each
    block): the same bytes as rendering it whole (tested). When base.html has no blocks, or nested
    ones, pages are rendered whole."""

    def __init__(self, env: Environment, make_env: Callable[[BaseLoader], Environment]) -> None:
        self.env = env
        try:
            source = env.loader.get_source(env, LAYOUT)[0] if env.loader else ""
        except Exception:  # no base.html: nothing to lay out
            source = ""
        spans = list(_BLOCK.finditer(source))
        self.blocks = len(spans)
        self.stub = _stub(source)
        nested = any(re.search(r"\{%-?\s*block\b", m.group(2)) for m in spans)
        self.ok = bool(spans) and MARK not in source and not nested
        if self.ok:
            marked = _BLOCK.sub(lambda m: "{% block " + m.group(1) + " %}" + MARK + "{% endblock %}", source)
            self.layout = env.from_string(marked)
            self.parts = make_env(ChoiceLoader([DictLoader({LAYOUT: self.stub}), env.loader]))  # type: ignore[list-item]

    def warm(self, template: str) -> None:
        """Compile a template before the render workers fork, so that they share it."""
        (self.parts if self.ok else self.env).get_template(template)

    def render(self, template: str, context: dict[str, Any]) -> tuple[bytes, list[int]]:
        """The page, and where each of its blocks starts and ends in its bytes (none when rendered whole)."""
        if self.ok:
            parts = self.parts.get_template(template).render(context).split(MARK)
            if len(parts) == self.blocks:
                return self.wrap([p.encode() for p in parts], context)
        return self.env.get_template(template).render(context).encode(), []

    def wrap(self, parts: list[bytes], context: dict[str, Any]) -> tuple[bytes, list[int]]:
        """The layout, for this context, around the blocks ``parts``."""
        pieces = self.layout.render(context).split(MARK)
        out, offsets = bytearray(pieces[0].encode()), []
        for part, piece in zip(parts, pieces[1:], strict=True):
            offsets += [len(out), len(out) + len(part)]
            out += part + piece.encode()
        return bytes(out), offsets


class Pages:
    """Incremental output: a file is made again only when what it is made from changed (see the
    module's notes). ``previous`` is what the build that made the current site made (made_before),
    ``made`` what this build makes; fragments of pages (the review page's sections) are kept in the
    memo."""

    def __init__(
        self, previous: Made | None, prints: Fingerprints, memo: Memo, version: str, templates: dict[str, str]
    ) -> None:
        self.previous = previous or {}
        self.prints, self.memo, self.version, self.templates = prints, memo, version, templates
        self.made: Made = {}

    def key(self, obj: object, template: str | None = None) -> str:
        """What a file is made from: ``obj``, the code, data files and settings (``version``), and the
        template with every template it extends, includes or imports (none for files made by code)."""
        return self.of(self.prints(obj), template)

    def of(self, printed: str, template: str | None) -> str:
        """``key`` from the object's fingerprint: one fingerprint serves every template of a page."""
        return digest(self.version, self.templates.get(template, "") if template else "", printed)

    def save(self, out: Output) -> str:
        """Keep what this build made (and every other file it wrote, with no key) in the memo; its id,
        which the site's stamp records (see made_before)."""
        made = dict(sorted(({rel: "" for rel in out.files} | self.made).items()))
        name = digest(*(f"{rel}\0{key}" for rel, key in made.items()))
        self.memo.put("output", name, made, Made)
        return name


def template_versions(templates: Path) -> dict[str, str]:
    """Each template's digest together with every template it extends, includes or imports, so that an
    edit to one template makes again only the pages that use it; and under "<name>#blocks", the same
    with base.html's blocks only (what the page's blocks are made from)."""
    env = Environment(loader=FileSystemLoader(str(templates)))
    names = [name for name in env.list_templates() if name.endswith((".html", ".xml"))]
    sources = {name: env.loader.get_source(env, name)[0] for name in names}  # type: ignore[union-attr]
    uses = {name: {n for n in meta.find_referenced_templates(env.parse(src)) if n} for name, src in sources.items()}
    stub = _stub(sources.get(LAYOUT, ""))
    versions = {}
    for name in sources:
        closure, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in closure and current in sources:
                closure.add(current)
                todo += uses[current]
        versions[name] = digest(*(f"{n}\0{sources[n]}" for n in sorted(closure)))
        versions[name + "#blocks"] = digest(*(f"{n}\0{stub if n == LAYOUT else sources[n]}" for n in sorted(closure)))
    return versions


def made_before(site: Path, memo: Memo) -> Made | None:
    """What the build that made ``site`` made, if the memo has it (the site's stamp names it)."""
    record = built_record(site)
    name = record.get("output") if record is not None else None
    return memo.get("output", name, Made) if isinstance(name, str) else None


def fragment(pages: Pages | None, template: str, key: object, produce: Callable[[], str]) -> Markup:
    """A piece of a page made from ``template``, kept in the memo: made again only when ``key`` or the
    template changed."""
    if pages is None:
        return Markup(produce())
    return Markup(pages.memo.one("fragments", pages.key(key, template), str, produce))


def make(out: Output, pages: Pages | None, rel: str, key: object, produce: Callable[[], str | bytes]) -> None:
    """Write ``rel``, a file made by code alone, from ``produce()``, unless the build before made it from
    the same ``key``."""
    if pages is None:
        out.write(rel, produce())
        return
    made = pages.made[rel] = pages.key(key)
    if pages.previous.get(rel) != made or not out.keep(rel):
        out.write(rel, produce())


def make_page(
    out: Output, pages: Pages | None, layout: Layout, rel: str, key: object, template: str, context: Callable[[], dict]
) -> None:
    """Write the page ``rel`` from ``template`` and ``context()``, unless the build before made it from the
    same ``key`` and templates; when only the layout changed, lay the earlier page's blocks out again."""
    if pages is None:
        out.write(rel, layout.render(template, context())[0])
        return
    printed = pages.prints(key)
    made = pages.of(printed, template)
    before = pages.previous.get(rel, "").split(" ")
    if before[0] == made and out.keep(rel):
        pages.made[rel] = pages.previous[rel]
        return
    blocks = pages.of(printed, template + "#blocks")
    page, offsets = b"", []
    if len(before) == 3 and before[1] == blocks and before[2] and (earlier := out.earlier(rel)) is not None:
        at = [int(n) for n in before[2].split(",")]
        if len(at) == 2 * layout.blocks and layout.ok:
            page, offsets = layout.wrap([earlier[at[i] : at[i + 1]] for i in range(0, len(at), 2)], context())
    if not page:
        page, offsets = layout.render(template, context())
    pages.made[rel] = f"{made} {blocks} {','.join(map(str, offsets))}"
    out.write(rel, page)
