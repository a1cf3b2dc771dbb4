"""The store as one TinyDB JSON file: read without writing, changed through TinyDB under a lock, validated (what
changed, or all when the file is not the one the last validated write made), and written atomically."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from .model import TABLES, Record, json_kind, json_text
from .signals import Ending, ending_on_signals
from .storage import (
    LOCK_TIMEOUT_VAR,
    Changes,
    Draft,
    InvalidWrite,
    Stamp,
    Storage,
    Store,
    StoreError,
    entry,
    keep,
    lock_timeout,
)

_KEY = re.compile(rb'("(?:[^"\\]|\\.)*"): ')
"""A JSON string, then `: `: a key as `encoded` writes it."""

# Reading needs only json (and zlib): TinyDB, orjson, tempfile and fcntl are imported by the writes that use them,
# so that a query does not pay for them at start-up.

# A file changed this recently may change again within the same timestamp tick (the kernel's clock is coarse):
# a reader keeps nothing in the cache for it until it has been still for longer.
SETTLED_NS = 2_000_000_000
# How many records are encoded in one call: fewer calls are faster, and each holds no more than a megabyte or two.
RECORDS_AT_ONCE = 1000
# The cache entry that says which version of a store file the last validated write made.
VALIDATED = "validated"

T = TypeVar("T")


class _Read(NamedTuple):
    """A store file's bytes as read, with which version of the file they are."""

    data: bytes
    stamp: Stamp | None
    settled: bool
    checksum: int


def _open(path: Path) -> int:
    """A store file opened for reading: a regular file (never waited on, as a FIFO would be), or StoreError saying
    why not, in one line."""
    import stat

    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise StoreError(f"{path}: no such store file") from None
    except OSError as error:
        raise StoreError(f"{path}: cannot open: {error.strerror}") from None
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        what = "a directory, not a file" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, device or socket)"
        raise StoreError(f"{path}: {what}")
    return handle


# What is read of a store file before the rest: enough to refuse at once what cannot be a store (a binary), which
# would otherwise be read whole first.
HEAD = 1 << 16
# The largest store file read or written: about 870,000 facts (1.2 KB each), whose read would take some 10 s and
# nearly 5 GB of memory (5.4 KB a fact). Past it, a file is refused from its size, before a byte is read.
STORE_LIMIT = 1 << 30


def _check_size_and_holes(path: Path, handle: int, size: int) -> None:
    """Refuse, before reading it, a store file larger than STORE_LIMIT, or one with a hole (a sparse file, made by
    truncating past its end): a hole reads as NUL bytes, which no JSON text holds. Holes are found with
    SEEK_HOLE, which costs nothing, and one is taken for a hole only if a byte read there is NUL (a file system
    that cannot tell says there is none)."""
    if size > STORE_LIMIT:
        raise StoreError(f"{path}: not a facts store: {size / (1 << 30):.1f} GiB, more than a store may be (1 GiB)")
    try:
        hole = os.lseek(handle, 0, os.SEEK_HOLE)
        if hole < size and os.pread(handle, 1, hole) == b"\0":
            where = f"a NUL byte at byte {hole} (a hole of a sparse file)"
            raise StoreError(f"{path}: not a facts store: {where}, which no JSON text holds")
    except (OSError, AttributeError):  # no SEEK_HOLE here: the NUL bytes will be found as the file is parsed
        pass
    finally:
        os.lseek(handle, 0, os.SEEK_SET)


def _check_head(path: Path, head: bytes, whole: bool) -> None:
    """Refuse, from its first bytes, a file that cannot be a store: not UTF-8, holding a NUL byte (which no JSON
    text holds), or, when there is more of it (`whole` false), not starting with a JSON object."""
    import codecs

    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not UTF-8 text") from None
    nul = head.find(b"\0")
    if nul >= 0:
        raise StoreError(f"{path}: not a facts store: a NUL byte at byte {nul}, which no JSON text holds")
    first = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")[:1]  # a byte order mark is taken (`_text`)
    if not whole and first and first != b"{":
        raise StoreError(f"{path}: not a facts store: it does not begin with a JSON object")


def _read(path: Path) -> _Read:
    """The bytes of the store file at `path`, never creating or touching it."""
    import zlib

    handle = _open(path)
    try:
        with os.fdopen(handle, "rb") as file:
            before = os.fstat(file.fileno())
            _check_size_and_holes(path, file.fileno(), before.st_size)
            head = file.read(HEAD + 1)
            _check_head(path, head[:HEAD], whole=len(head) <= HEAD)
            if len(head) > HEAD:
                file.seek(0)
                data = file.read()  # whole, at once: one copy of the file in memory, as before
            else:
                data = head
            after = os.fstat(file.fileno())
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


def _parse(
    path: Path, content: bytes | str, duplicates: list[tuple[dict[str, Any], str]] | None = None
) -> dict[str, Any]:
    """The JSON document of a store file, checked to be shaped as a store (with the collector off).

    Text is parsed by json, which names the line and column of what is wrong; bytes by orjson, for a file the last
    validated write made (orjson reads what it wrote exactly, a third faster). With `duplicates`, each object of
    the text that holds a key twice is added to it with that key (json keeps the last value): the parse is slower
    by about a third, so only a store read whole (`validate`, a write to a file no validated write made) pays it."""
    with _collector_off():
        if isinstance(content, bytes):
            import orjson

            document = orjson.loads(content)
        else:
            document = _parse_text(path, content, duplicates)
    problem = _check_shape(document)
    if problem:
        raise StoreError(f"{path}: not a facts store: {problem}")
    return document


@contextmanager
def _collector_off() -> Iterator[None]:
    """The garbage collector off while a document is parsed, and what was parsed frozen afterwards.

    The collector would walk the growing document again and again (a fifth of the time of a parse at 100,000 facts,
    and two thirds of one parsed a few thousand records at a time); what was parsed holds no cycles to collect."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _text(path: Path, data: bytes) -> str:
    """A store file's bytes as text, as a text file reads them (UTF-8, universal newlines)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not UTF-8 text") from None
    text = text.removeprefix("\ufeff")  # a byte order mark, which RFC 8259 lets a parser ignore; a write drops it
    if b"\r" in data:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():
        raise StoreError(f"{path}: the file is empty, not a facts store")
    return text


def _parse_text(path: Path, text: str, duplicates: list[tuple[dict[str, Any], str]] | None = None) -> Any:
    hook = None
    if duplicates is not None:

        def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            found = dict(pairs)
            if len(found) != len(pairs):
                seen: set[str] = set()
                twice = []
                for key, _ in pairs:
                    if key in seen and key not in twice:
                        twice.append(key)
                    seen.add(key)
                duplicates.extend((found, key) for key in twice)
            return found

    try:
        return json_text(text, object_pairs_hook=hook)
    except json.JSONDecodeError as error:
        raise StoreError(f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise StoreError(f"{path}: not a facts store: JSON nested too deeply") from None
    except ValueError as error:
        if "digits" in str(error):  # int_max_str_digits: "Exceeds the limit (4300 digits) for integer string ..."
            raise StoreError(f"{path}: not a facts store: a number of over 4,300 digits") from None
        raise StoreError(f"{path}: not valid JSON: {error}") from None


def _check_shape(document: Any) -> str | None:
    """Why `document` is not shaped as a store, or None when it is: an object of one or more of the tables (and
    nothing else), each an object of records under TinyDB document ids. Any other JSON (a package.json) is not an
    empty store."""
    if not isinstance(document, dict):
        return f"the top level is {json_kind(document)}, not an object of tables"
    tables = ", ".join(TABLES)
    other = next((key for key in document if key not in TABLES), None)
    if other is not None:
        return f"{other!r} is not one of its tables ({tables})"
    if not document:
        return f"an empty object, without its tables ({tables})"
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


def _store(
    path: Path, read: _Read, document: dict[str, Any], duplicates: list[tuple[dict[str, Any], str]] | None
) -> Store:
    tables = {name: list(document.get(name, {}).values()) for name in TABLES}
    twice = tuple(duplicates or ())
    return Store(
        path, document, stamp=read.stamp, settled=read.settled, checksum=read.checksum, duplicates=twice, **tables
    )


def _encode(value: Any) -> bytes:
    """One value as `json.dumps(value, ensure_ascii=False, indent=2)` encodes it in UTF-8: by orjson (30 times
    faster) for every value a valid store holds, as the two write strings, integers and whole-number floats alike
    (they differ on exponents, NaN and infinities, which no valid store holds); by the standard encoder for what
    orjson refuses: integers past 64 bits, nesting past 254 levels, and lone surrogates, which then have no UTF-8
    (UnicodeEncodeError: the surrogate check of a write is this encoding)."""
    import orjson

    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def encoded(document: Any, *, consume: bool = False) -> Iterator[bytes]:
    """A store document as the file holds it, a thousand records at a time: the bytes of `json.dumps(document,
    ensure_ascii=False, indent=2) + "\\n"` in UTF-8 (Arabic unescaped, indented by two, newline-terminated),
    without ever holding them all (at 100,000 facts, 123 MB).

    With `consume`, each record leaves the document once it is encoded: encoding gives each non-ASCII string
    its UTF-8 besides (40 MB more at 100,000 facts), which goes with the record."""
    if not isinstance(document, dict) or not document:
        yield _encode(document) + b"\n"
        return
    yield b"{"
    for table_number, (name, table) in enumerate(document.items()):
        yield b"%s\n  %s: " % (b"," if table_number else b"", _encode(name))
        if not isinstance(table, dict) or not table:
            yield _encode(table).replace(b"\n", b"\n  ")
            continue
        keys, take = list(table), table.pop if consume else table.__getitem__
        for start in range(0, len(keys), RECORDS_AT_ONCE):
            batch = {key: take(key) for key in keys[start : start + RECORDS_AT_ONCE]}
            # {"1": {...}, ...} at the top level, its lines moved in by two: the records as the table holds them
            yield (b"," if start else b"{") + _encode(batch)[1:-2].replace(b"\n", b"\n  ")
        yield b"\n  }"
    yield b"\n}\n"


def encode_document(document: Any) -> bytes:
    """A store document as the file holds it (see `encoded`), all at once."""
    return b"".join(encoded(document))


def _temporary_name(path: Path) -> str:
    """A name for a temporary file of a write of `path`: `.NAME.` and 16 random hex digits, then `.tmp`."""
    import secrets

    return f".{path.name}.{secrets.token_hex(8)}.tmp"


def _is_temporary_of(path: Path, name: str) -> bool:
    """Whether `name` is one `_temporary_name(path)` makes: exactly, so that no other file (another store's, or
    one that only looks alike) is ever taken for it."""
    prefix = f".{path.name}."
    middle = name[len(prefix) : -len(".tmp")]
    return (
        len(name) == len(prefix) + 16 + len(".tmp")
        and name.startswith(prefix)
        and name.endswith(".tmp")
        and all(digit in "0123456789abcdef" for digit in middle)
    )


def _remove_temporaries(path: Path) -> None:
    """Remove the temporary files that writers of `path` killed mid-write left (under the lock, no other writer of
    it is at work): regular files named exactly as a writer of `path` names them, nothing else."""
    try:
        with os.scandir(path.parent) as entries:
            stale = [e.path for e in entries if _is_temporary_of(path, e.name) and e.is_file(follow_symlinks=False)]
    except OSError:
        return
    for name in stale:
        with suppress(OSError):
            os.unlink(name)


def write_atomically(path: Path, chunks: Iterable[bytes]) -> tuple[Stamp, int]:
    """Replace `path` with the bytes of `chunks` so that a reader, or a crash at any moment, sees the old file or
    the new one; return the new file's stamp and CRC-32.

    The bytes go to a temporary file in the same directory (made new, never through a link), are flushed and
    fsynced, take the old file's mode, and the file is renamed over `path`; then the directory is fsynced, so
    that the rename itself is durable. An error while the chunks are made (a lone surrogate) leaves nothing behind
    either.
    """
    import zlib

    directory = path.parent
    if not directory.is_dir():
        raise StoreError(f"{path}: no such directory {directory}")
    owner: tuple[int, int] | None = None
    try:
        status = path.stat()
        mode, owner = status.st_mode & 0o777, (status.st_uid, status.st_gid)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        temporary = directory / _temporary_name(path)
        try:
            handle = os.open(temporary, flags, 0o600)
            break
        except FileExistsError:
            continue
        except OSError as error:
            raise StoreError(f"{path}: cannot write in {directory}: {error.strerror}") from None
        except BaseException:  # a signal, as the call that made it returned: the file is this writer's (O_EXCL)
            with suppress(FileNotFoundError):  # or as the call was interrupted, before it made the file
                temporary.unlink()
            raise
    checksum = 0
    try:
        with os.fdopen(handle, "wb") as out:
            size = 0
            for chunk in chunks:
                size += len(chunk)
                if size > STORE_LIMIT:  # a file no read would take: refused, and the temporary removed
                    raise StoreError(f"{path}: the store would be larger than 1 GiB, more than a store may be")
                out.write(chunk)
                checksum = zlib.crc32(chunk, checksum)
            out.flush()
            os.fsync(out.fileno())
            if owner is not None:
                _keep_owner(out.fileno(), *owner)
            os.fchmod(out.fileno(), mode)
            os.replace(temporary, path)
            stamp = _identity(os.fstat(out.fileno()))  # of what was written, whatever is at `path` by now
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot write: {error.strerror or error}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    with suppress(OSError):  # a directory its user may write but not read cannot be opened to be synced
        directory_handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_handle)
        finally:
            os.close(directory_handle)
    return stamp, checksum


def _keep_owner(handle: int, uid: int, gid: int) -> None:
    """Give the new file the old one's owner and group, as far as the writer may: root gives both; another user,
    the group when they are a member of it (a store shared by a group stays the group's); else the file is the
    writer's, as any file they make."""
    status = os.fstat(handle)
    if (status.st_uid, status.st_gid) == (uid, gid):
        return
    try:
        os.fchown(handle, uid, gid)
    except OSError:
        with suppress(OSError):
            os.fchown(handle, -1, gid)


class _NotOurs(Exception):
    """The file is not laid out as `encoded` lays a store out."""


class _Chunks:
    """A file read a chunk at a time, with its CRC-32, for `_read_ours`."""

    SIZE = 1 << 22

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.buffer = b""
        self.at = 0
        self.checksum = 0
        self.done = False

    def _more(self) -> None:
        import zlib

        if self.done:
            raise _NotOurs
        chunk = self.handle.read(self.SIZE)
        if not chunk:
            self.done = True
            return
        self.checksum = zlib.crc32(chunk, self.checksum)
        self.buffer = self.buffer[self.at :] + chunk
        self.at = 0

    def take(self, expected: bytes) -> bool:
        """Move past `expected` if it comes next."""
        if self.ahead(expected):
            self.at += len(expected)
            return True
        return False

    def ahead(self, expected: bytes) -> bool:
        """Whether `expected` comes next (nothing is moved past)."""
        while len(self.buffer) - self.at < len(expected) and not self.done:
            self._more()
        return self.buffer.startswith(expected, self.at)

    def records(self, table: dict[str, Any]) -> None:
        """The records of a table, up to the line that closes it, moved past: parsed a few thousand at a time (a
        record of its own is a line of four spaces and a key; the table ends at a line of two and a brace)."""
        import orjson

        while True:
            end = self.buffer.find(b"\n  }", self.at)
            cut = end if end >= 0 else self.buffer.rfind(b',\n    "', self.at)
            if cut >= 0:
                table.update(orjson.loads(b"{%s}" % self.buffer[self.at : cut]))
                self.at = cut + (4 if end >= 0 else 2)
                if end >= 0:
                    return
            self._more()

    def value(self) -> Any:
        """A value on its line (in a store, an empty table: `{}`), before the comma that may end it, moved past. A
        table with records is `records`'s to read; a validated store has nothing else."""
        import orjson

        line = self.until(b"\n")[:-1]
        self.at -= 1
        if line.endswith(b","):
            line, self.at = line[:-1], self.at - 1
        return orjson.loads(line)

    def until(self, marker: bytes) -> bytes:
        """The bytes up to and including the next `marker`, moved past."""
        searched = self.at
        while (end := self.buffer.find(marker, searched)) < 0:
            searched = max(len(self.buffer) - len(marker) + 1, self.at) - self.at
            self._more()  # the buffer now starts where `at` was
        found = self.buffer[self.at : end + len(marker)]
        self.at = end + len(marker)
        return found

    def key(self) -> str:
        """A JSON string followed by `: `, moved past."""
        import orjson

        while (match := _KEY.match(self.buffer, self.at)) is None:
            if len(self.buffer) - self.at > 1 << 16:
                raise _NotOurs
            self._more()
        self.at = match.end()
        return orjson.loads(match[1])

    def finished(self) -> bool:
        if self.at == len(self.buffer) and not self.done:
            self._more()
        return self.at == len(self.buffer) and self.done


def _read_ours(path: Path, stamp: Stamp, checksum: int | None) -> dict[str, Any] | None:
    """The document of the store file at `path` when it is the very one a validated write made (`stamp` and
    `checksum`), read a few megabytes at a time as `encoded` laid it out; None when it is any other file.

    One parse of the whole file would hold its bytes and orjson's own tree of them besides the document: at
    100,000 facts, 670 MB at the peak, where the document alone takes 345 MB."""

    try:
        with os.fdopen(_open(path), "rb") as handle, _collector_off():
            if _identity(os.fstat(handle.fileno())) != stamp:
                return None
            chunks = _Chunks(handle)
            document: dict[str, Any] = {}
            tables = not chunks.take(b"{}\n")
            if tables and not chunks.take(b"{\n"):
                return None
            while tables:
                if not chunks.take(b"  "):
                    return None
                name = chunks.key()
                if not chunks.take(b"{\n"):
                    document[name] = chunks.value()
                elif chunks.ahead(b'    "'):
                    document[name] = table = {}
                    chunks.records(table)
                else:
                    return None
                if chunks.take(b"\n}\n"):
                    break
                if not chunks.take(b",\n"):
                    return None
            if not chunks.finished() or chunks.checksum != checksum:
                return None
            if _identity(os.fstat(handle.fileno())) != stamp:
                return None
    except (OSError, ValueError, _NotOurs, StoreError):
        return None
    return document


# How often a writer waiting for the lock tries it again, and after how long it says that it waits.
LOCK_POLL = 0.02
LOCK_NOTICE = 1.0


@contextmanager
def locked(path: Path, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the store's write lock (an exclusive `flock` on `PATH.lock`, beside it) for the block.

    Writers wait for each other, so that every read-modify-write sees the one before it; one that waits says so
    through `notify` after a second, and gives up after `$FACTS_LOCK_TIMEOUT` seconds (StoreError). Readers take
    no lock: a rename is atomic. Temporary files left by a writer of this store that was killed are removed once
    the lock is held. The lock file is there only while a write is made: the holder removes it before it lets go,
    and a writer that got the lock of a file that is no longer there tries again with the new one.
    """
    lock_path = path.with_name(path.name + ".lock")
    with ending_on_signals() as ending, _holding_lock(path, lock_path, notify, ending):
        _remove_temporaries(path)
        yield


@contextmanager
def _holding_lock(path: Path, lock_path: Path, notify: Callable[[str], None] | None, ending: Ending) -> Iterator[None]:
    """The lock file of `path` opened and locked for the block: the one that is at `lock_path` once it is locked.
    Whatever ends the block, or the wait for the lock, it is let go of, and removed when this writer may (`_let_go`):
    a signal that comes as the file is opened, which CPython would raise before the descriptor is kept, or as the
    file is let go of, waits until that is done (`Ending`)."""
    import fcntl
    import stat

    timeout = lock_timeout()
    started = time.monotonic()
    told = False
    while True:
        handle = None
        try:
            with ending.held():
                handle = _open_lock(path, lock_path)
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise StoreError(f"{path}: cannot take the write lock: {lock_path} is not a regular file")
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    waited = time.monotonic() - started
                    if timeout is not None and waited >= timeout:
                        raise StoreError(
                            f"{path}: another writer has held the lock for {waited:.1f} s "
                            f"({LOCK_TIMEOUT_VAR}={timeout:g}); nothing written"
                        ) from None
                    if waited >= LOCK_NOTICE and not told and notify is not None:
                        notify(f"{path}: waiting for another writer to finish ({LOCK_TIMEOUT_VAR}=SECONDS gives up)")
                        told = True
                    time.sleep(LOCK_POLL if timeout is None else min(LOCK_POLL, max(timeout - waited, 0)))
            if _is_at(handle, lock_path):
                yield
                return
        finally:  # else the writer before removed this lock file as it finished: the new one is taken
            ending.holding = True
            if handle is not None:
                _let_go(handle, lock_path)
            ending.release()


def _open_lock(path: Path, lock_path: Path) -> int:
    """The lock file of `path`, opened (made when it is not there), never through a link nor waiting on a FIFO."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        return os.open(lock_path, flags, 0o666)
    except OSError as error:
        import errno

        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS) and not os.path.lexists(lock_path):
            raise StoreError(
                f"{path}: cannot write: the directory {lock_path.parent} is not writable ({error.strerror}), "
                "and a write makes its lock and its new file there"
            ) from None
        raise StoreError(f"{path}: cannot take the write lock {lock_path}: {error.strerror}") from None


def _is_at(handle: int, lock_path: Path) -> bool:
    """Whether the open lock file is the one at `lock_path`."""
    try:
        return os.stat(lock_path, follow_symlinks=False).st_ino == os.fstat(handle).st_ino
    except OSError:
        return False


def _let_go(handle: int, lock_path: Path) -> None:
    """Close a lock file, removing it first when it is still the one at `lock_path` and this writer holds its lock,
    or may take it now (a signal came as `flock` returned, or before it was tried): as a holder does before it lets
    go. One that another writer holds is theirs; what is no lock file a writer made (a FIFO, a file that holds
    something or has other names, which `flock` works on as well) is left where it is."""
    import fcntl
    import stat

    with suppress(OSError):  # BlockingIOError: another writer holds it
        status = os.fstat(handle)
        if stat.S_ISREG(status.st_mode) and status.st_size == 0 and status.st_nlink == 1:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _is_at(handle, lock_path):
                os.unlink(lock_path)
    os.close(handle)


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


def _merged_keys(document: dict[str, Any]) -> bool:
    """Whether a table holds a key that TinyDB takes for another (`03` for `3`: it reads keys as integers), merging
    two records into one before a write could validate them. (The keys are digits: the store has its shape.)"""
    return any(key[0] == "0" for table in TABLES for key in document.get(table, {}))


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

    def __init__(self, path: Path, notify: Callable[[str], None] | None = None) -> None:
        """The store at `path`; through a symlink, the file it names (which is read, locked and replaced: the link
        stays). `notify` is told what the user should know while a write waits (for another writer)."""
        self.named = path
        self.path = Path(os.path.realpath(path)) if os.path.islink(path) else path
        self.notify = notify

    def _check_target(self, *, new: bool, replace: bool = True) -> None:
        """Refuse, before any lock is taken or file made, a store that cannot be written: a directory, a FIFO or
        device (never replaced by a file), one missing (unless `new`, in a directory that exists), one that a
        symlink names but that is not there (as `cp` refuses to write through a dangling link); and, when an
        existing file is to be replaced (`replace`), one that is not ours to replace (`_check_replaceable`)."""
        import stat

        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            if not new:
                raise StoreError(f"{self.path}: no such store file") from None
            if self.path != self.named:
                raise StoreError(f"{self.named}: a symlink to {self.path}, which does not exist") from None
            try:
                parent = os.stat(self.path.parent).st_mode
            except FileNotFoundError:
                parent = 0
            except OSError as error:
                raise StoreError(f"{self.path}: cannot open: {error.strerror}") from None
            if not stat.S_ISDIR(parent):
                raise StoreError(f"{self.path}: no such directory {self.path.parent}") from None
            return
        except OSError as error:
            raise StoreError(f"{self.path}: cannot open: {error.strerror}") from None
        if stat.S_ISDIR(status.st_mode):
            raise StoreError(f"{self.path}: a directory, not a file")
        if not stat.S_ISREG(status.st_mode):
            raise StoreError(f"{self.path}: not a regular file (a FIFO, device or socket)")
        if replace:
            self._check_replaceable(status)

    def _check_replaceable(self, status: os.stat_result) -> None:
        """Refuse to replace a file its user may not write (as `open(path, "w")` would refuse it: a write replaces
        the file, which only the directory's permission would otherwise stop), or one with other names (hard
        links), which would keep the old store while this name got the new one."""
        if not os.access(self.path, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
            import errno

            read_only = os.statvfs(self.path).f_flag & os.ST_RDONLY
            raise StoreError(f"{self.path}: cannot write: {os.strerror(errno.EROFS if read_only else errno.EACCES)}")
        if status.st_nlink > 1:
            raise StoreError(
                f"{self.path}: has {status.st_nlink - 1} other name{'s' if status.st_nlink > 2 else ''} (hard links), "
                "which a write would leave with the old store: write a copy (cp), or remove the other names"
            )

    def load(self, *, whole: bool = False) -> Store:
        """Read the store (read-only: the file is never created, touched or written); `whole` finds the keys an
        object holds twice besides.

        This is what TinyDB's JSONStorage does to read (one `json.load`), without the rest of TinyDB's read path
        (its documents, copied per record): at 100,000 facts that path took twice as long as `json.load` alone.
        """
        read = _read(self.path)
        text = _text(self.path, read.data)
        read = read._replace(data=b"")  # the bytes go: the file is held once while it is parsed, as text
        duplicates: list[tuple[dict[str, Any], str]] | None = [] if whole else None
        return _store(self.path, read, _parse(self.path, text, duplicates), duplicates)

    def create(self, document: dict[str, Any], *, replace: bool, dry_run: bool = False) -> None:
        """Write a new store file holding `document` (`replace`: over an existing file); a `dry_run` checks that it
        could, and writes nothing."""
        self._check_target(new=True, replace=replace)
        lock_timeout()  # checked in a dry run too, which takes no lock: it follows the rules of the write
        exists = f"{self.path}: exists already; --force replaces it"
        if not replace and os.path.lexists(self.path):
            raise StoreError(exists)
        with nullcontext() if dry_run else locked(self.path, self.notify):
            if not replace and os.path.lexists(self.path):
                raise StoreError(exists)
            if not dry_run:
                write_atomically(self.path, encoded(document))

    def apply(self, change: Callable[[Draft], T], *, dry_run: bool = False) -> T:
        """Change the store through TinyDB, all or nothing: under the lock, read it, apply `change`, validate, and
        write it atomically, once; or raise InvalidWrite and leave the file byte for byte as it was.

        What is validated: when the file is the very one the last validated write made (its stamp and CRC-32, kept
        in the cache), the records the change added and the facts that refer to what it removed; otherwise the
        whole store. The search index kept for the old file is brought up to date for the new one.

        A `dry_run` does all of it but the write (and takes no lock, as it writes nothing); so does a change that
        adds and removes nothing, which leaves the file as it is (its inode, its mtime)."""
        from .validate import ordered, surrogate_problems, validate_document

        duplicates: list[tuple[dict[str, Any], str]] = []
        self._check_target(new=False)
        lock_timeout()  # checked in a dry run too, which takes no lock: it follows the rules of the write
        with nullcontext() if dry_run else locked(self.path, self.notify):
            version = _validation_version()
            made = entry(self.path, VALIDATED, version)
            document = None if made is None else _read_ours(self.path, made[0], made[1])
            trusted = document is not None
            if made is not None and document is not None:
                stamp, checksum = made[:2]
            else:
                read = _read(self.path)
                stamp, checksum, text = read.stamp, read.checksum, _text(self.path, read.data)
                del read  # the bytes go: the file is held once while it is parsed, as text
                document = _parse(self.path, text, duplicates)
                del text
                if duplicates or _merged_keys(document):  # TinyDB would lose records: refused before it sees them
                    raise InvalidWrite(validate_document(document, duplicates=tuple(duplicates)))
            keys_before = list(document.get("facts", {}))
            draft = _TinyDBDraft(document)
            result = change(draft)
            changes = draft.changes if trusted else None
            # A store the last validated write made holds no lone surrogate: what changed is checked for them here
            # (a few records), and the store can go as it is encoded. Any other is checked as it is encoded.
            problems = validate_document(document, changes, surrogates=trusted)
            unchanged = not any(draft.changes.inserted.values()) and not any(draft.changes.removed.values())
            if dry_run or unchanged:  # nothing to write (an import of what is stored): the file is left as it is
                problems += [] if trusted else surrogate_problems(document)
                if problems:
                    raise InvalidWrite(ordered(problems))
                return result
            facts = document.get("facts", {})
            added = {key: facts[key] for key in draft.changes.inserted["facts"]}
            removed = draft.changes.removed["facts"]
            keys_after, entities = list(facts), list(document.get("entities", {}).values())
            written = None
            if not problems:
                with suppress(UnicodeEncodeError):  # a lone surrogate: nothing was written
                    written = write_atomically(self.path, encoded(document, consume=trusted))
            if written is None:
                raise InvalidWrite(ordered([*problems, *surrogate_problems(document, changes)]))
            keep(self.path, VALIDATED, version, *written, True)
            del document, draft, facts  # what is derived from the store is made in the memory the store took
            from .query import carry_search_index

            carry_search_index(self.path, (stamp, checksum), written, keys_before, keys_after, removed, added, entities)
            return result
