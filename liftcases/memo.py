"""Stage results kept between builds: one mechanism for ``make build`` (on disk, under .cache/) and
``make serve`` (in memory, and on disk).

A result is kept under a key, a digest of everything it is made from: an article's outcome under
its bytes and the version of the code, data files and settings that read it; the related cases under
what relating looks at; a page under the fingerprint of its template context. A changed input is a
different key, so a kept result is never stale, and a stage never needs to know whether its result
was kept or made.

On disk each stage is one pack file, ``.cache/<stage>.msgpack``: a checksum, then a msgpack map from
key to the result, encoded by msgspec against the type the stage declares. Decoding only builds
those types from plain data: nothing in the cache can run code, and a pack that is unreadable,
fails its checksum, comes from another format or holds a value of the wrong shape is ignored with
a note in the build's summary (its results are made again; the site is right either way, so it is
not a problem of the content and does not fail --strict). A pack is written to a temporary file and renamed over the
old one: a build killed while writing leaves the old pack whole. Only the entries a build used are
written back, so the cache holds one build's worth.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any, TypeVar

import msgspec

from .inputs import write_whole
from .model import Case, FrozenMap

T = TypeVar("T")
FORMAT = 1  # bump when a pack's layout or a stage's types change in a way keys do not show
CACHE_DIR = ".cache"


def _enc_hook(obj: object) -> object:
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, str):  # markupsafe.Markup and other str subclasses
        return str(obj)
    raise NotImplementedError(f"cannot keep a {type(obj).__name__} in the cache")


def _dec_hook(kind: type, obj: object) -> object:
    if kind is Path and isinstance(obj, str):
        return Path(obj)
    if kind is FrozenMap and isinstance(obj, dict):
        return FrozenMap(obj)
    raise NotImplementedError(f"{kind} from {type(obj).__name__}")


_ENCODER = msgspec.msgpack.Encoder(enc_hook=_enc_hook)
_DECODERS: dict[object, msgspec.msgpack.Decoder[Any]] = {}


def encode(value: object) -> bytes:
    return _ENCODER.encode(value)


def decode(data: bytes, kind: Any) -> Any:
    """``data`` as a ``kind``, or msgspec.DecodeError / ValidationError when it is not one."""
    decoder = _DECODERS.get(kind)
    if decoder is None:
        decoder = _DECODERS[kind] = msgspec.msgpack.Decoder(kind, dec_hook=_dec_hook)
    return decoder.decode(data)


def files_version(root: Path, paths: Iterable[Path]) -> str:
    """A digest of files' bytes and their names relative to ``root`` (never where the project is)."""
    h = hashlib.sha256()
    for path in sorted(paths):
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


_PACKAGE = Path(__file__).resolve().parent
CODE_VERSION = files_version(_PACKAGE.parent, [*_PACKAGE.glob("*.py"), _PACKAGE.parent / "requirements.txt"])


def code_version() -> str:
    """What every result the build keeps depends on: the code and its pinned libraries."""
    return CODE_VERSION


def digest(*parts: str | bytes) -> str:
    """A key made of several parts (each kept apart from the next)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


class _Pack:
    """One stage's results: as stored (``raw``), as decoded or made this session (``live``), and which
    were used since the last save."""

    def __init__(self, raw: dict[str, bytes]) -> None:
        self.raw = raw
        self.live: dict[str, object] = {}
        self.used: set[str] = set()
        self.added = False


class Memo:
    """Stage results by key, in memory and, with a ``folder``, on disk (see the module's notes).

    ``kind`` is the type a result is kept as on disk; None keeps it in memory only (the loaded data
    files, which are quicker to read again than to decode)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.packs: dict[str, _Pack] = {}
        self.notes: list[str] = []  # unreadable packs and entries, ignored: for the build's summary

    def _pack(self, stage: str) -> _Pack:
        pack = self.packs.get(stage)
        if pack is None:
            pack = self.packs[stage] = _Pack(self._read(stage))
        return pack

    def _path(self, stage: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{stage}.msgpack"

    def _read(self, stage: str) -> dict[str, bytes]:
        if self.folder is None:
            return {}
        path = self._path(stage)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self._warn(path, f"无法读取（{exc.strerror}）")
            return {}
        try:
            version, check, body = decode(data, tuple[int, str, bytes])
            if version != FORMAT:
                return {}  # another version of the build wrote it: quietly made again
            if hashlib.blake2b(body, digest_size=20).hexdigest() != check:
                raise ValueError("checksum")
            entries: dict[str, bytes] = decode(body, dict[str, bytes])
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError):
            self._warn(path, "已损坏或不是本程序写的")
            return {}
        return entries

    def _warn(self, path: Path, why: str) -> None:
        self.notes.append(f"{path}: 构建缓存{why}，已忽略，这次的结果重新计算（删除 {CACHE_DIR}/ 也可以）")

    def get(self, stage: str, key: str, kind: Any) -> Any | None:
        pack = self._pack(stage)
        if key in pack.live:
            pack.used.add(key)
            return pack.live[key]
        raw = pack.raw.get(key)
        if raw is None or kind is None:
            return None
        try:
            value = decode(raw, kind)
        except (msgspec.DecodeError, msgspec.ValidationError):
            del pack.raw[key]
            self._warn(self._path(stage), f"中的一项（{stage}）已损坏")
            return None
        pack.live[key] = value
        pack.used.add(key)
        return value

    def put(self, stage: str, key: str, value: T, kind: Any) -> T:
        pack = self._pack(stage)
        pack.live[key] = value
        pack.used.add(key)
        if kind is not None and self.folder is not None:
            pack.raw[key] = encode(value)
            pack.added = True
        return value

    def one(self, stage: str, key: str, kind: Any, make: Callable[[], T]) -> T:
        """The result kept under ``key``, or ``make()``'s, kept from now on."""
        found = self.get(stage, key, kind)
        return found if found is not None else self.put(stage, key, make(), kind)

    def many(self, stage: str, keys: Sequence[str], kind: Any, make: Callable[[list[int]], list[T]]) -> list[T]:
        """The results for ``keys``; those not kept are made in one call, ``make(indexes of the missing)``."""
        found = [self.get(stage, key, kind) for key in keys]
        missing = [i for i, value in enumerate(found) if value is None]
        for i, value in zip(missing, make(missing) if missing else [], strict=True):
            found[i] = self.put(stage, keys[i], value, kind)
        return found  # type: ignore[return-value]

    def save(self) -> None:
        """Write back every stage this build used, keeping only the entries it used; forget the rest
        from memory too. Stages a build did not touch are left as they are."""
        for stage, pack in self.packs.items():
            if not pack.used:
                continue
            stale = [key for key in pack.live if key not in pack.used]
            for key in stale:
                del pack.live[key]
            unused = [key for key in pack.raw if key not in pack.used]
            for key in unused:
                del pack.raw[key]
            if self.folder is not None and (pack.added or unused):
                self._write(stage, pack.raw)
            pack.used, pack.added = set(), False

    def _write(self, stage: str, entries: dict[str, bytes]) -> None:
        assert self.folder is not None
        body = encode(entries)
        data = encode((FORMAT, hashlib.blake2b(body, digest_size=20).hexdigest(), body))
        self.folder.mkdir(parents=True, exist_ok=True)
        write_whole(self._path(stage), data)


class Fingerprints:
    """A digest of any value made of dataclasses, tuples, lists, dicts, sets and plain values: what a
    page or a search record is made from.

    The value is written out as one self-delimiting byte string (each plain value with its type and
    length, each container with its length), then hashed once. A dataclass instance is written as its
    own digest, remembered by identity for the fingerprints' life (the documents are frozen, and each
    is kept alive here so that its identity is not reused). A case's digest can be given: the key of
    the article it was read from, of which it is a pure function."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[object, bytes]] = {}
        self._fields: dict[type, tuple[str, ...] | None] = {}

    def seed_case(self, case: Case, key: str) -> None:
        """Know a case, and the parts of it that pages hold on their own (its place, stage, each
        method, obstacle and figure), by the key of its article."""
        known, own = self._known, b"k" + bytes.fromhex(key)
        parts: list[tuple[object, bytes]] = [(case, b""), (case.article, b"a"), (case.place, b"p")]
        parts += [(case.stage, b"s")] if case.stage is not None else []
        parts += [(case.methods, b"m"), (case.obstacles, b"o"), (case.figures, b"f")]
        for label, group in ((b"m", case.methods), (b"o", case.obstacles), (b"f", case.figures)):
            parts += [(item, label + b"%d" % i) for i, item in enumerate(group)]
        parts += [(use.evidence, b"e%d" % i) for i, use in enumerate(case.methods)]
        for obj, label in parts:
            if obj != ():  # the empty tuple is one object, shared by every value that has one
                known[id(obj)] = (obj, own + label + b";")

    def __call__(self, obj: object) -> str:
        out = bytearray()
        self._put(obj, out)
        return hashlib.blake2b(out, digest_size=20).hexdigest()

    def _put(self, obj: Any, out: bytearray) -> None:
        kind = type(obj)
        if kind is str:
            data = obj.encode()
            out += b"s%d:" % len(data)
            out += data
            return
        if obj is None or kind is int or kind is float or kind is bool:
            out += b"v%r;" % obj
            return
        known = self._known.get(id(obj))
        if known is not None:
            out += known[1]
            return
        if kind not in self._fields:
            self._fields[kind] = (
                tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None
            )
        names = self._fields[kind]
        if names is not None:
            inner = bytearray(kind.__name__.encode())
            self._items([getattr(obj, name) for name in names], inner)
            value = b"h" + hashlib.blake2b(inner, digest_size=16).digest()
            self._known[id(obj)] = (obj, value)
            out += value
        elif isinstance(obj, (tuple, list)):
            out += b"(%d" % len(obj)
            self._items(obj, out)
        elif isinstance(obj, dict):
            out += b"{%d" % len(obj)
            self._items([x for kv in obj.items() for x in kv], out)
        elif isinstance(obj, (set, frozenset)):
            parts = []
            for item in obj:
                part = bytearray()
                self._put(item, part)
                parts.append(bytes(part))
            out += b"<%d" % len(parts) + b"".join(sorted(parts))
        elif isinstance(obj, (str, bytes, PurePath, datetime.date, datetime.time)):  # Markup, front matter dates…
            data = obj if isinstance(obj, bytes) else str(obj).encode()
            out += b"%s%d:" % (kind.__name__.encode(), len(data))
            out += data
        else:
            raise TypeError(f"cannot fingerprint a {kind.__name__}")

    def _items(self, items: Sequence[Any], out: bytearray) -> None:
        """Each item as _put writes it; strings and known values without a call (most items are)."""
        known = self._known
        for item in items:
            if type(item) is str:
                data = item.encode()
                out += b"s%d:" % len(data)
                out += data
                continue
            seen = known.get(id(item))
            if seen is not None:
                out += seen[1]
            else:
                self._put(item, out)
