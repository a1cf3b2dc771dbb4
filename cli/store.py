"""The fact store: which file, reading it without ever writing, and writing it validated, atomically, locked."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from .errors import ExitCode, FactsError

if TYPE_CHECKING:
    from tinydb import TinyDB

# Reading needs only json: TinyDB (and tempfile, fcntl) are imported by the writes that use them, so that a query
# does not pay for them at start-up.

ENV_VAR = "FACTS_DB"
CACHE_DIR_VAR = "FACTS_CACHE_DIR"
NO_CACHE_VAR = "FACTS_NO_CACHE"
# A file changed this recently may change again within the same timestamp tick (the kernel's clock is coarse):
# nothing is cached for it until it has been still for longer.
SETTLED_NS = 2_000_000_000
TABLES = ("sources", "entities", "facts")
SINGULAR = {"sources": "source", "entities": "entity", "facts": "fact"}

Record = dict[str, Any]


T = TypeVar("T")


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


def bundled_store_path() -> Path:
    """The store shipped with the package: `facts_cli/facts.json` installed, `facts.json` by `cli/` in a checkout."""
    package_dir = Path(__file__).resolve().parent
    shipped = package_dir / "facts.json"
    return shipped if shipped.is_file() else package_dir.parent / "facts.json"


def resolve_store_path(db: Path | None) -> Path:
    """`--db PATH`, else `$FACTS_DB`, else the bundled store."""
    if db is not None:
        return db
    from_env = os.environ.get(ENV_VAR)
    return Path(from_env) if from_env else bundled_store_path()


def writable_store_path(db: Path | None) -> Path:
    """The store a write goes to: `--db PATH` or `$FACTS_DB`, never the bundled store."""
    explicit = db is not None or bool(os.environ.get(ENV_VAR))
    path = resolve_store_path(db)
    if not explicit or path.resolve() == bundled_store_path().resolve():
        raise StoreError(
            "the bundled store is read-only: make a store of your own with `facts init PATH`, "
            f"then name it with --db PATH or {ENV_VAR}=PATH"
        )
    return path


class Store(NamedTuple):
    """The records of one store file, as read; `document` is the file's whole JSON, TinyDB document ids included."""

    path: Path
    document: dict[str, Any]
    sources: list[Record]
    entities: list[Record]
    facts: list[Record]
    stamp: tuple[int, ...] | None = None
    """Which version of the file was read (device, inode, size, mtime, ctime), or None when it was changing."""

    def find(self, table: str, record_id: str) -> Record | None:
        """The record of `table` whose `id` is `record_id`, or None."""
        return next((r for r in getattr(self, table) if r.get("id") == record_id), None)

    def entity_names(self) -> dict[str, Record]:
        """Entities by id, for turning references into names."""
        return {e["id"]: e for e in self.entities if isinstance(e.get("id"), str)}


def _check_shape(document: Any) -> str | None:
    """Why `document` is not shaped as a store, or None when it is."""
    if not isinstance(document, dict):
        return f"the top level is a JSON {type(document).__name__}, not an object of tables"
    for name in TABLES:
        table = document.get(name, {})
        if not isinstance(table, dict):
            return f"table {name!r} is not an object of records"
        keys = "".join(table)
        if table and (not (keys.isascii() and keys.isdigit()) or not all(table)):  # the common case at C speed
            doc_id = next(k for k in table if not (k.isascii() and k.isdigit()))
            return f"table {name!r} has a record under {doc_id!r}, not a TinyDB document id"
        if not set(map(type, table.values())) <= {dict}:
            doc_id = next(k for k, record in table.items() if not isinstance(record, dict))
            return f"record {doc_id} of table {name!r} is not an object"
    return None


def open_store(path: Path) -> Store:
    """Read the store at `path` (read-only: the file is never created, touched or written).

    This is what TinyDB's JSONStorage does to read (one `json.load`), without the rest of TinyDB's read path
    (its documents, copied per record): at 100,000 facts that path took twice as long as `json.load` alone.
    """
    if not path.is_file():
        raise StoreError(f"{path}: no such store file" if not path.exists() else f"{path}: not a file")
    try:
        with open(path, encoding="utf-8") as handle:
            before = os.fstat(handle.fileno())
            text = handle.read()
            stamp = _stamp(before, os.fstat(handle.fileno()))
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise StoreError(f"{path}: cannot read: {error.strerror}") from None
    if not text or text.isspace():
        raise StoreError(f"{path}: the file is empty, not a facts store")
    import gc

    # The collector would walk the growing document again and again while it is parsed (a fifth of the time
    # at 100,000 facts): parse without it, then freeze what was parsed, which holds no cycles to collect.
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise StoreError(f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except ValueError as error:
        raise StoreError(f"{path}: not valid JSON: {error}") from None
    except RecursionError:
        raise StoreError(f"{path}: not a facts store: JSON nested too deeply") from None
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    del text
    problem = _check_shape(document)
    if problem:
        raise StoreError(f"{path}: not a facts store: {problem}")
    tables = {name: list(document.get(name, {}).values()) for name in TABLES}
    return Store(path=path, document=document, stamp=stamp, **tables)


def _stamp(before: os.stat_result, after: os.stat_result) -> tuple[int, ...] | None:
    """The identity of a file read between two fstat calls: None if it changed meanwhile or is not settled.

    Settled is judged by the ctime, which the kernel sets to its clock on every change (the mtime can be set
    to anything, and setting it changes the ctime)."""
    identity = (before.st_dev, before.st_ino, before.st_size, before.st_mtime_ns, before.st_ctime_ns)
    if identity != (after.st_dev, after.st_ino, after.st_size, after.st_mtime_ns, after.st_ctime_ns):
        return None
    return identity if time.time_ns() - before.st_ctime_ns > SETTLED_NS else None


def cache_directory() -> Path | None:
    """Where derived data is kept: `$FACTS_CACHE_DIR`, else `$XDG_CACHE_HOME/facts`, else `~/.cache/facts`;
    None when `$FACTS_NO_CACHE` is set."""
    if os.environ.get(NO_CACHE_VAR):
        return None
    if os.environ.get(CACHE_DIR_VAR):
        return Path(os.environ[CACHE_DIR_VAR])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "facts"


def cached(store: Store, name: str, version: str, build: Callable[[], T]) -> T:
    """`build()`, or what it returned for this very version of the store's file, kept in the cache directory.

    The store file stays the one source of truth: an entry is used only when the file's device, inode, size,
    mtime and ctime are all those it was built from (every write, in place or by rename, changes the ctime), and
    `version` (what the builder's code is) is the same. Nothing is cached for a file that was changing while it
    was read or changed in the last two seconds. The data must be plain (marshal): a cache entry is never
    code. A cache that cannot be read or written is rebuilt or skipped, never an error.
    """
    directory = cache_directory()
    if directory is None or store.stamp is None:
        return build()
    import hashlib
    import marshal

    key = hashlib.sha256(os.fsencode(os.path.abspath(store.path))).hexdigest()[:24]
    entry = directory / f"{name}-{key}.marshal"
    try:
        with open(entry, "rb") as handle:
            kept_version, kept_stamp, data = marshal.load(handle)
        if kept_version == version and kept_stamp == store.stamp:
            return data
    except (OSError, EOFError, ValueError, TypeError):
        pass
    data = build()
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{entry.name}.", suffix=".tmp", dir=directory)
    except OSError:
        return data
    try:
        with os.fdopen(handle, "wb") as out:
            marshal.dump((version, store.stamp, data), out)
        os.replace(temporary, entry)
    except (OSError, ValueError):
        Path(temporary).unlink(missing_ok=True)
    return data


def serialize(document: dict[str, Any]) -> str:
    """A store document as the file holds it: UTF-8 JSON, Arabic unescaped, indented, newline-terminated."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a reader, or a crash at any moment, sees the old file or the new one.

    The text goes to a temporary file in the same directory, is flushed and fsynced, takes the old file's mode,
    and is renamed over `path`; then the directory is fsynced, so that the rename itself is durable.
    """
    directory = path.parent
    if not directory.is_dir():
        raise StoreError(f"{path}: no such directory {directory}")
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile

    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise StoreError(f"{path}: cannot write in {directory}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot write: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory_handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_handle)
    finally:
        os.close(directory_handle)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the store's write lock (an exclusive `flock` on `PATH.lock`, beside it) for the block.

    Writers wait for each other, so that every read-modify-write sees the one before it. Readers take no lock:
    a rename is atomic. Temporary files left by a writer that was killed are removed once the lock is held.
    """
    import fcntl

    lock_path = path.with_name(path.name + ".lock")
    try:
        handle = open(lock_path, "a")  # noqa: SIM115 (held for the block)
    except OSError as error:
        raise StoreError(f"{path}: cannot take the write lock {lock_path}: {error.strerror}") from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for stale in path.parent.glob(f".{path.name}.*.tmp"):
                stale.unlink(missing_ok=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class AtomicJSONStorage:
    """A TinyDB storage (the Storage interface: read, write, close) that writes through `write_atomically`."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def read(self) -> dict[str, Any] | None:
        return open_store(self._path).document

    def write(self, data: dict[str, Any]) -> None:
        write_atomically(self._path, serialize(data))

    def close(self) -> None:
        pass


def transaction(path: Path, change: Callable[[TinyDB], T], *, dry_run: bool = False) -> T:
    """Change a store through TinyDB, all or nothing: under the lock, read it, apply `change`, validate the whole
    result, and write it atomically, once; or raise InvalidWrite and leave the file byte for byte as it was.

    A `dry_run` does all of it but the write, and takes no lock, as it writes nothing."""
    from contextlib import nullcontext

    from tinydb import TinyDB
    from tinydb.middlewares import CachingMiddleware

    from .validate import validate_document

    with nullcontext() if dry_run else locked(path):
        storage = CachingMiddleware(AtomicJSONStorage)
        storage.WRITE_CACHE_SIZE = sys.maxsize
        db = TinyDB(path, storage=storage)
        result = change(db)
        problems = validate_document(db.storage.read())
        if problems:
            raise InvalidWrite(problems)
        if not dry_run:
            db.storage.flush()
        return result
