"""The storage interface: a store as read (Store), one change applied as one transaction (Storage, Draft), their
errors, and data derived from a store kept beside it between runs (the cache)."""

from __future__ import annotations

import io
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, TypeVar

from .errors import ExitCode, FactsError, UsageProblem
from .model import Record

CACHE_DIR_VAR = "FACTS_CACHE_DIR"
NO_CACHE_VAR = "FACTS_NO_CACHE"
LOCK_TIMEOUT_VAR = "FACTS_LOCK_TIMEOUT"
# What the cache may hold in all, in bytes: past it, the entries used least recently are removed (never the one
# being written). An index of 100,000 facts takes about 40 MB.
CACHE_LIMIT = 512 * 1024 * 1024
# A temporary file of a cache writer that was killed is removed once it is this old (a live writer is quicker).
STALE_TEMPORARY_NS = 3600 * 1_000_000_000

T = TypeVar("T")

Stamp = tuple[int, ...]
"""Which version of a store was read: for a file, its device, inode, size, mtime and ctime."""


class StoreError(FactsError):
    """The store cannot be opened, read or written: missing, unreadable, not JSON, not shaped as a store, read-only."""

    exit_code = ExitCode.STORE


class InvalidWrite(FactsError):
    """A write refused because the store would not validate; nothing was written."""

    exit_code = ExitCode.INVALID

    def __init__(self, problems: list[Any]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems

    def lines(self) -> list[str]:
        count = len(self.problems)
        return [*map(str, self.problems), f"nothing written: {count} problem{'s' if count != 1 else ''}"]


class InputError(FactsError):
    """The input to a write is not what it should be (not JSON, not an object, not a known shape)."""

    exit_code = ExitCode.INVALID

    def lines(self) -> list[str]:
        return [f"nothing written: {self}"]


class UnknownRecord(FactsError):
    """A record to remove does not exist."""

    exit_code = ExitCode.NOT_FOUND

    def lines(self) -> list[str]:
        return [f"nothing written: {self}"]


class Store(NamedTuple):
    """The records of one store, as read; `document` is the whole store as JSON: each table an object of records
    under their keys (TinyDB's document ids in a file)."""

    path: Path
    document: dict[str, Any]
    sources: list[Record]
    entities: list[Record]
    facts: list[Record]
    stamp: Stamp | None = None
    """Which version of the store was read, or None when it was changing while it was read."""
    settled: bool = False
    """Whether that version had been still for long enough that a change within the same clock tick is ruled out."""
    checksum: int | None = None
    """The CRC-32 of what was read: with the stamp, what tells this version of the store from any other, even one
    made within the same clock tick."""
    duplicates: tuple[tuple[dict[str, Any], str], ...] = ()
    """When the store was read whole (`load(whole=True)`): each object of the file that holds a key twice, as
    parsed (it keeps the last value), and that key. Empty otherwise."""

    def find(self, table: str, record_id: str) -> Record | None:
        """The record of `table` whose `id` is `record_id`, or None."""
        return next((r for r in getattr(self, table) if r.get("id") == record_id), None)

    def entity_names(self) -> dict[str, Record]:
        """Entities by id, for turning references into names."""
        return {e["id"]: e for e in self.entities if isinstance(e.get("id"), str)}


class Changes(NamedTuple):
    """What one change did to each table: the keys of the records it added, in order, and the records it removed,
    by key."""

    inserted: dict[str, list[str]]
    removed: dict[str, dict[str, Record]]


class Draft(ABC):
    """One change to a store in the making, inside a transaction: the records as they now are, and what to do.

    Records are named by the key each is stored under (TinyDB's document id in a file). Nothing is stored until
    the change is over and the store validates; then all of it is, or none."""

    @abstractmethod
    def records(self, table: str) -> dict[str, Record]:
        """The records of a table as they now are, by key, in store order (read only: change them through `insert`
        and `remove`)."""

    @abstractmethod
    def insert(self, table: str, records: Iterable[Record]) -> list[str]:
        """Add records at the end of a table; returns their keys."""

    @abstractmethod
    def remove(self, table: str, keys: Iterable[str]) -> None:
        """Remove the records of a table stored under these keys."""


class Storage(ABC):
    """Where a store is kept. `load` reads it and never writes; `apply` makes one change, validated, all or nothing."""

    path: Path

    @abstractmethod
    def load(self, *, whole: bool = False) -> Store:
        """The store as it is now, read only; `whole` also finds what the document read cannot show (a key held
        twice in one object), as `facts validate` needs, at some cost."""

    @abstractmethod
    def apply(self, change: Callable[[Draft], T], *, dry_run: bool = False) -> T:
        """Apply `change` as one transaction: with writers queued, on the store as it is, validated (InvalidWrite
        and nothing written when it would not be), durably. Returns what `change` returns. A `dry_run` does all
        of it but storing the result, and queues behind no writer, as it writes nothing."""


def lock_timeout() -> float | None:
    """How many seconds a writer waits for another to finish: `$FACTS_LOCK_TIMEOUT`, or None (for as long as it
    takes) when it is not set; UsageProblem when it is not a number of seconds."""
    import math

    value = os.environ.get(LOCK_TIMEOUT_VAR, "").strip()
    if not value:
        return None
    seconds = float(value) if re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", value) else math.nan  # not 1_0, 1e3, ٣
    if not math.isfinite(seconds):
        raise UsageProblem(f"{LOCK_TIMEOUT_VAR}: {value!r} is not a number of seconds (0 or more)")
    return seconds


def cache_directory() -> Path | None:
    """Where derived data is kept: `$FACTS_CACHE_DIR`, else `$XDG_CACHE_HOME/facts`, else `~/.cache/facts`;
    None when `$FACTS_NO_CACHE` is set."""
    if os.environ.get(NO_CACHE_VAR):
        return None
    if os.environ.get(CACHE_DIR_VAR):
        return Path(os.environ[CACHE_DIR_VAR])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "facts"


def _entry(directory: Path, name: str, path: Path) -> Path:
    """The one cache entry of `name` for the store at `path`."""
    import hashlib

    key = hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()[:24]
    return directory / f"{name}-{key}.marshal"


def entry(
    path: Path, name: str, version: str, wanted: Callable[[Stamp, int | None], bool] | None = None
) -> tuple[Stamp, int | None, Any] | None:
    """The one entry the cache keeps under `name` for the store at `path`, made by this `version` of the code (and,
    when `wanted` is given, for a version of the store it accepts): the stamp and CRC-32 of the version of the
    store it was made from, and its data; None when there is none, or when it is damaged (its bytes are not those
    its own CRC-32 was made from: a damaged entry is rebuilt, never read)."""
    directory = cache_directory()
    if directory is None:
        return None
    import marshal

    try:
        with _open_entry(_entry(directory, name, path)) as handle, _Checked.reading(handle) as reader:
            kept_version, _, kept_stamp, kept_checksum, parts = marshal.load(reader)
            stamp = tuple(kept_stamp)
            if kept_version != version or (wanted is not None and not wanted(stamp, kept_checksum)):
                return None
            data = marshal.load(reader) if parts is None else dict(marshal.load(reader) for _ in range(parts))
            return (stamp, kept_checksum, data) if reader.raw.whole(reader) else None
    except (OSError, EOFError, ValueError, TypeError):
        return None


class _Checked(io.RawIOBase):
    """A cache entry read through a CRC-32 of all its bytes but the last four, which are that CRC-32 as `keep`
    wrote it (little-endian)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.body = os.fstat(handle.fileno()).st_size - 4
        self.at, self.checksum, self.tail = 0, 0, b""

    @classmethod
    def reading(cls, handle: BinaryIO) -> io.BufferedReader:
        return io.BufferedReader(cls(handle), 1 << 20)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        import zlib

        count = self.handle.readinto(buffer)  # type: ignore[attr-defined]
        chunk = memoryview(buffer)[:count]
        body = max(0, min(count, self.body - self.at))
        self.checksum = zlib.crc32(chunk[:body], self.checksum)
        self.tail = (self.tail + bytes(chunk[body:]))[-4:]
        self.at += count
        return count

    def whole(self, reader: io.BufferedReader) -> bool:
        """Whether, once what is left is read, the bytes were those the entry's own CRC-32 was made from."""
        reader.read()
        return self.body >= 0 and self.tail == self.checksum.to_bytes(4, "little")


def kept(path: Path, name: str, version: str, stamp: Stamp | None, checksum: int | None) -> Any | None:
    """What the cache keeps under `name` for this version of the store at `path` (its stamp and CRC-32) and this
    `version` of the code that made it, or None."""
    if stamp is None:
        return None
    found = entry(
        path, name, version, lambda kept_stamp, kept_checksum: (kept_stamp, kept_checksum) == (stamp, checksum)
    )
    return None if found is None else found[2]


def keep(path: Path, name: str, version: str, stamp: Stamp, checksum: int | None, data: Any) -> None:
    """Keep `data` (plain data: marshal, never code; a dict is written an item at a time) as the one entry of `name`
    for the store at `path`, made from the version of it with this stamp and CRC-32. Written atomically;
    entries of stores that are gone and the least recently made past CACHE_LIMIT are removed. A cache that
    cannot be written is skipped, never an error."""
    directory = cache_directory()
    if directory is None:
        return
    import marshal
    import tempfile
    import zlib

    entry = _entry(directory, name, path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{entry.name}.", suffix=".tmp", dir=directory)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            parts = len(data) if isinstance(data, dict) else None
            header = (version, os.path.abspath(path), stamp, checksum, parts)
            crc = 0
            for part in [header, *(data.items() if isinstance(data, dict) else [data])]:
                written = marshal.dumps(part)  # a part at a time: marshal makes the bytes of what it writes first
                crc = zlib.crc32(written, crc)
                out.write(written)
                del written
            out.write(crc.to_bytes(4, "little"))  # what tells a whole entry from a damaged one (`entry`)
        os.replace(temporary, entry)
    except BaseException as error:  # a signal that ends a write (SIGTERM, Ctrl-C) takes the temporary file too
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, (OSError, ValueError)):
            return
        raise
    prune(directory, keep=entry)


def _open_entry(entry: Path) -> BinaryIO:
    """A cache entry opened for reading: a regular file, not through a symlink, never blocking (a FIFO named like an
    entry would hang a reader); OSError otherwise."""
    import stat

    handle = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise OSError(f"{entry}: not a regular file")
    return os.fdopen(handle, "rb")


_ENTRY = re.compile(r"[a-z][a-z-]*-[0-9a-f]{24}\.marshal")
_TEMPORARY = re.compile(r"\.[a-z][a-z-]*-[0-9a-f]{24}\.marshal\..+\.tmp")


def prune(directory: Path, keep: Path) -> None:
    """Remove the entries of stores that no longer exist, temporary files of killed writers, and, past
    CACHE_LIMIT bytes in all, the entries made longest ago (never `keep`). Only regular files named as this module
    names them are touched: the directory may be shared."""
    import marshal
    import stat
    import time

    entries = []
    now = time.time_ns()
    try:
        candidates = list(directory.iterdir())
    except OSError:
        return
    for candidate in candidates:
        try:
            info = candidate.lstat()
        except OSError:
            continue
        if candidate == keep or not stat.S_ISREG(info.st_mode):
            continue
        if _TEMPORARY.fullmatch(candidate.name):
            if now - info.st_mtime_ns > STALE_TEMPORARY_NS:
                candidate.unlink(missing_ok=True)
            continue
        if not _ENTRY.fullmatch(candidate.name):
            continue
        try:
            with _open_entry(candidate) as handle:
                store_path = marshal.load(handle)[1]
        except (OSError, EOFError, ValueError, TypeError, IndexError):
            store_path = None
        if not isinstance(store_path, str) or not os.path.exists(store_path):
            candidate.unlink(missing_ok=True)
        else:
            entries.append((info.st_mtime_ns, info.st_size, candidate))
    try:
        total = keep.stat().st_size + sum(size for _, size, _ in entries)
    except OSError:
        return
    for _, size, candidate in sorted(entries):
        if total <= CACHE_LIMIT:
            break
        candidate.unlink(missing_ok=True)
        total -= size


def cached(store: Store, name: str, version: str, build: Callable[[], T]) -> T:
    """`build()`, or what it returned for this very version of the store, kept in the cache directory.

    The store stays the one source of truth: an entry is used only when the file's device, inode, size, mtime,
    ctime and CRC-32 are all those it was made from (every write, in place or by rename, changes the ctime; the
    CRC-32 tells apart two versions made within one tick of a coarse clock), and `version` (what the builder's
    code is) is the same. A reader keeps nothing for a file that was changing while it was read or changed in the
    last two seconds (a write keeps what it changed itself). The data must be plain (marshal): a cache entry is
    never code. A cache that cannot be read or written is rebuilt or skipped, never an error.
    """
    data = kept(store.path, name, version, store.stamp, store.checksum)
    if data is not None:
        return data
    data = build()
    if store.stamp is not None and store.settled:
        keep(store.path, name, version, store.stamp, store.checksum, data)
    return data
