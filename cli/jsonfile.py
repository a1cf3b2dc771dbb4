"""The store as one TinyDB JSON file: read without writing, changed through TinyDB under a lock, validated (what
changed, or all when the file is not the one the last validated write made), and written atomically."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from .model import TABLES, Record
from .storage import Changes, Draft, InvalidWrite, Stamp, Storage, Store, StoreError, keep, kept

# Reading needs only json (and zlib): TinyDB, orjson, tempfile and fcntl are imported by the writes that use them,
# so that a query does not pay for them at start-up.

# A file changed this recently may change again within the same timestamp tick (the kernel's clock is coarse):
# a reader keeps nothing in the cache for it until it has been still for longer.
SETTLED_NS = 2_000_000_000
# The cache entry that says which version of a store file the last validated write made.
VALIDATED = "validated"

T = TypeVar("T")


class _Read(NamedTuple):
    """A store file's bytes as read, with which version of the file they are."""

    data: bytes
    stamp: Stamp | None
    settled: bool
    checksum: int


def _read(path: Path) -> _Read:
    """The bytes of the store file at `path`, never creating or touching it."""
    import zlib

    if not path.is_file():
        raise StoreError(f"{path}: no such store file" if not path.exists() else f"{path}: not a file")
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below, after the read)
    except OSError as error:
        raise StoreError(f"{path}: cannot open: {error.strerror}") from None
    try:
        with handle:
            before = os.fstat(handle.fileno())
            data = handle.read()
            after = os.fstat(handle.fileno())
    except OSError as error:
        raise StoreError(f"{path}: cannot read: {error.strerror}") from None
    stamp = _identity(before)
    if stamp != _identity(after):
        return _Read(data, None, False, zlib.crc32(data))
    return _Read(data, stamp, time.time_ns() - before.st_ctime_ns > SETTLED_NS, zlib.crc32(data))


def _identity(status: os.stat_result) -> Stamp:
    """Which version of a file this is: device, inode, size, mtime and ctime. Settled is judged by the ctime, which
    the kernel sets to its clock on every change (the mtime can be set to anything, and setting it changes the
    ctime)."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def _parse(path: Path, data: bytes, *, ours: bool = False) -> dict[str, Any]:
    """The JSON document of a store file, checked to be shaped as a store.

    A file the last validated write made (`ours`) is parsed by orjson, which reads what it wrote exactly; any
    other by json, as a text file (universal newlines), which names the line and column of what is wrong."""
    import gc

    # The collector would walk the growing document again and again while it is parsed (a fifth of the time
    # at 100,000 facts): parse without it, then freeze what was parsed, which holds no cycles to collect.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if ours:
            import orjson

            document = orjson.loads(data)
        else:
            document = _parse_text(path, data)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    problem = _check_shape(document)
    if problem:
        raise StoreError(f"{path}: not a facts store: {problem}")
    return document


def _parse_text(path: Path, data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not UTF-8 text") from None
    if b"\r" in data:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():
        raise StoreError(f"{path}: the file is empty, not a facts store")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise StoreError(f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except ValueError as error:
        raise StoreError(f"{path}: not valid JSON: {error}") from None
    except RecursionError:
        raise StoreError(f"{path}: not a facts store: JSON nested too deeply") from None


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


def _store(path: Path, read: _Read, document: dict[str, Any]) -> Store:
    tables = {name: list(document.get(name, {}).values()) for name in TABLES}
    return Store(path, document, stamp=read.stamp, settled=read.settled, checksum=read.checksum, **tables)


def encode_document(document: dict[str, Any]) -> bytes:
    """A store document as the file holds it: UTF-8 JSON, Arabic unescaped, indented by two, newline-terminated.

    The bytes of `json.dumps(document, ensure_ascii=False, indent=2) + "\\n"`, made by orjson (30 times faster, a
    third of the memory) for every document that validates: the two write strings, integers and whole-number floats
    alike (they differ on exponents, NaN and infinities, which no valid store holds). The standard encoder writes
    what orjson refuses: integers past 64 bits, nesting past 254 levels, and lone surrogates, which then have no
    UTF-8 (UnicodeEncodeError: the surrogate check of a write is this encoding)."""
    import orjson

    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_atomically(path: Path, data: bytes) -> Stamp:
    """Replace `path` with `data` so that a reader, or a crash at any moment, sees the old file or the new one;
    return the new file's stamp.

    The data goes to a temporary file in the same directory, is flushed and fsynced, takes the old file's mode,
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
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, path)
            stamp = _identity(os.fstat(out.fileno()))  # of what was written, whatever is at `path` by now
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
    return stamp


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


def _validation_version() -> str:
    """What a validated write's word is worth: the code and schema that validated it (a change to either, and no
    file is trusted that they did not check)."""
    import hashlib

    from . import model, validate

    digest = hashlib.sha256(model.schema_digest().encode())
    for source in (model.__file__, validate.__file__, __file__):
        with open(source, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


class _TinyDBDraft(Draft):
    """A change made through TinyDB (the store's engine) to the document in memory, noting what it adds and
    removes. Reads go to the document itself, not through TinyDB's per-record copies."""

    def __init__(self, document: dict[str, Any]) -> None:
        from tinydb import TinyDB
        from tinydb.storages import Storage as TinyDBStorage

        class InMemory(TinyDBStorage):
            def read(self) -> dict[str, Any]:
                return document

            def write(self, data: dict[str, Any]) -> None:
                pass  # TinyDB changed `document` itself; it is written once, when it validates

        self.document = document
        self.db = TinyDB(storage=InMemory)
        self.changes = Changes({table: [] for table in TABLES}, {table: {} for table in TABLES})

    def records(self, table: str) -> dict[str, Record]:
        return self.document.get(table, {})

    def insert(self, table: str, records: Iterable[Record]) -> list[str]:
        keys = [str(doc_id) for doc_id in self.db.table(table).insert_multiple(records)]
        self.changes.inserted[table].extend(keys)
        return keys

    def remove(self, table: str, keys: Iterable[str]) -> None:
        keys = [key for key in dict.fromkeys(keys) if key in self.records(table)]
        for key in keys:
            if key in self.changes.inserted[table]:
                self.changes.inserted[table].remove(key)
            else:
                self.changes.removed[table][key] = self.records(table)[key]
        self.db.table(table).remove(doc_ids=[int(key) for key in keys])


class JSONFileStorage(Storage):
    """A store kept in one JSON file, as TinyDB's JSONStorage writes it (indented UTF-8 here)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Store:
        """Read the store (read-only: the file is never created, touched or written).

        This is what TinyDB's JSONStorage does to read (one `json.load`), without the rest of TinyDB's read path
        (its documents, copied per record): at 100,000 facts that path took twice as long as `json.load` alone.
        """
        read = _read(self.path)
        return _store(self.path, read, _parse(self.path, read.data))

    def create(self, document: dict[str, Any], *, replace: bool) -> None:
        """Write a new store file holding `document` (`replace`: over an existing file)."""
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory")
        if not self.path.parent.is_dir():
            raise StoreError(f"{self.path}: no such directory {self.path.parent}")
        with locked(self.path):
            if self.path.exists() and not replace:
                raise StoreError(f"{self.path}: exists already; --force replaces it")
            write_atomically(self.path, encode_document(document))

    def apply(self, change: Callable[[Draft], T]) -> T:
        """Change the store through TinyDB, all or nothing: under the lock, read it, apply `change`, validate, and
        write it atomically, once; or raise InvalidWrite and leave the file byte for byte as it was.

        What is validated: when the file is the very one the last validated write made (its stamp and CRC-32, kept
        in the cache), the records the change added and the facts that refer to what it removed; otherwise the
        whole store. The search index kept for the old file is brought up to date for the new one."""
        from .validate import ordered, surrogate_problems, validate_document

        with locked(self.path):
            read = _read(self.path)
            version = _validation_version()
            trusted = kept(self.path, VALIDATED, version, read.stamp, read.checksum) is True
            document = _parse(self.path, read.data, ours=trusted)
            before = _store(self.path, read, document)
            facts_before = list(document.get("facts", {}))
            draft = _TinyDBDraft(document)
            result = change(draft)
            changes = draft.changes if trusted else None
            problems = validate_document(document, changes, surrogates=False)
            try:
                data = None if problems else encode_document(document)
            except UnicodeEncodeError:
                data = None
            if data is None:
                raise InvalidWrite(ordered([*problems, *surrogate_problems(document, changes)]))
            stamp = write_atomically(self.path, data)
            import zlib

            checksum = zlib.crc32(data)
            keep(self.path, VALIDATED, version, stamp, checksum, True)
            from .query import carry_search_index

            after = Store(self.path, document, stamp=stamp, checksum=checksum, **_tables(document))
            carry_search_index(before, facts_before, after, draft.changes)
            return result


def _tables(document: dict[str, Any]) -> dict[str, list[Record]]:
    return {name: list(document.get(name, {}).values()) for name in TABLES}
