"""Reading a store file, in process: what cannot be a store is refused from its first 64 KiB (docs/STORE.md), to
the byte, and what is refused leaves no descriptor open."""

from __future__ import annotations

import json
import os

import pytest

from facts_cli.jsonfile import JSONFileStorage, _Chunks, _identity, _read_ours, encoded, write_atomically
from facts_cli.storage import StoreError

HEAD = 64 * 1024


def refusal(tmp_path, data: bytes) -> str:
    """What reading a store file of `data` is refused with (after the path)."""
    path = tmp_path / "store.json"
    path.write_bytes(data)
    with pytest.raises(StoreError) as refused:
        JSONFileStorage(path).load()
    return str(refused.value).split(": ", 1)[1]


def with_nul_at(offset: int) -> bytes:
    start = b'{"facts": {"1": {"claim": "'
    return start + b"x" * (offset - len(start)) + b"\0" + b'"}}}'


def test_a_nul_byte_in_the_first_64_kib_is_refused_from_them_and_one_after_by_the_parser(tmp_path):
    assert refusal(tmp_path, b"\0" * 10) == "not a facts store: a NUL byte at byte 0, which no JSON text holds"
    assert refusal(tmp_path, b"{\0}") == "not a facts store: a NUL byte at byte 1, which no JSON text holds"
    assert refusal(tmp_path, with_nul_at(HEAD - 1)) == (
        "not a facts store: a NUL byte at byte 65535, which no JSON text holds"
    )
    assert refusal(tmp_path, with_nul_at(HEAD)).startswith("not valid JSON at line 1, column 65537")


def test_a_file_of_more_than_64_kib_that_does_not_begin_with_an_object_is_refused_unparsed(tmp_path):
    def array(size: int) -> bytes:
        return b'["' + b"x" * (size - 4) + b'"]'

    assert refusal(tmp_path, array(HEAD)) == "not a facts store: the top level is an array, not an object of tables"
    assert refusal(tmp_path, array(HEAD + 1)) == "not a facts store: it does not begin with a JSON object"


@pytest.mark.parametrize("size", [HEAD - 1, HEAD, HEAD + 1, HEAD + 2, 2 * HEAD])
def test_a_store_of_any_size_around_64_kib_is_read_whole(tmp_path, size):
    start, end = b'{"facts": {"1": {"claim": "', b'"}}}\n'
    path = tmp_path / "store.json"
    path.write_bytes(start + b"x" * (size - len(start) - len(end)) + end)
    assert path.stat().st_size == size
    assert JSONFileStorage(path).load().facts == [{"claim": "x" * (size - len(start) - len(end))}]


class _Changed:
    """A file's status with one field moved on, as another process's change would move it."""

    def __init__(self, status: os.stat_result, field: str) -> None:
        self.status, self.field = status, field

    def __getattr__(self, name: str):
        value = getattr(self.status, name)
        return value + 1 if name == self.field else value


@pytest.mark.parametrize("field", ["st_dev", "st_ino", "st_size", "st_mtime_ns", "st_ctime_ns"])
def test_a_file_whose_device_inode_size_mtime_or_ctime_changed_while_it_was_read_has_no_version(
    tmp_path, monkeypatch, field
):
    """Any one of the five moved between the look before the read and the look after: the bytes read may be of
    neither version, and nothing is cached of them."""
    path = tmp_path / "store.json"
    path.write_text('{"facts": {"1": {"claim": "x"}}}', encoding="utf-8")
    assert JSONFileStorage(path).load().stamp is not None
    real_fstat, looks = os.fstat, []

    def changing_fstat(fd):
        looks.append(fd)
        status = real_fstat(fd)
        return _Changed(status, field) if len(looks) == 3 else status  # _open's look, before the read, after it

    monkeypatch.setattr(os, "fstat", changing_fstat)
    store = JSONFileStorage(path).load()
    assert (store.stamp, store.settled) == (None, False)
    assert len(looks) == 3


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_store_that_is_not_a_regular_file_is_refused_and_leaves_no_descriptor_open(tmp_path, kind):
    path = tmp_path / "store.json"
    path.mkdir() if kind == "directory" else os.mkfifo(path)
    before = open_descriptors()
    for _ in range(3):
        with pytest.raises(StoreError, match="a directory, not a file" if kind == "directory" else "FIFO"):
            JSONFileStorage(path).load()
    assert open_descriptors() == before


# The file the last validated write made is read a few megabytes at a time, as `encoded` laid it out: whatever the
# chunks' size, every record, table and value comes back, and any other file is not read as one.

STORE = {
    "sources": {"1": {"id": "s", "title": "عنوان", "nested": {"a": [1, 2, {"b": None}]}, "empty": {}, "list": []}},
    "entities": {},
    "facts": {str(n): {"id": f"f{n}", "claim": "قال " * n, "n": n, "ok": n % 2 == 0} for n in range(1, 40)},
}


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 64, 1000, 1 << 22])
def test_the_last_validated_write_is_read_back_whole_in_chunks_of_any_size(tmp_path, monkeypatch, size):
    path = tmp_path / "store.json"
    stamp, checksum = write_atomically(path, encoded(json.loads(json.dumps(STORE))))
    monkeypatch.setattr(_Chunks, "SIZE", size)
    assert _read_ours(path, stamp, checksum) == STORE
    assert _read_ours(path, stamp, checksum ^ 1) is None  # not the file the write made


@pytest.mark.parametrize(
    "text",
    [
        "[]\n",
        '{"facts": {}}\n',
        json.dumps(STORE, ensure_ascii=False, indent=2) + "\n\n",
        json.dumps(STORE, ensure_ascii=False, indent=1) + "\n",
        json.dumps(STORE, ensure_ascii=False) + "\n",
    ],
)
def test_a_file_laid_out_otherwise_is_not_read_as_the_last_validated_write(tmp_path, monkeypatch, text):
    """Its own stamp and checksum, as if the cache said a validated write made it: still not read in chunks."""
    from zlib import crc32

    path = tmp_path / "store.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(_Chunks, "SIZE", 7)
    stamp = _identity(os.stat(path))
    document = _read_ours(path, stamp, crc32(path.read_bytes()))
    assert document is None or document == json.loads(text)


def test_where_the_system_cannot_find_holes_a_store_is_read_and_a_nul_byte_is_found_by_the_parser(
    tmp_path, monkeypatch, bundled_document
):
    """os.SEEK_HOLE is missing on some systems (Windows): the NUL bytes of a hole are then met as the file is read."""
    monkeypatch.delattr(os, "SEEK_HOLE")
    path = tmp_path / "store.json"
    path.write_text(json.dumps(bundled_document), encoding="utf-8")
    assert JSONFileStorage(path).load().facts == list(bundled_document["facts"].values())
    assert refusal(tmp_path, with_nul_at(HEAD + 10)).startswith("not valid JSON at line 1, column 65547")


@pytest.mark.parametrize("size", [16, 64, 256])
def test_the_last_validated_write_is_read_holding_a_few_records_at_a_time(tmp_path, monkeypatch, size):
    """What is held at once is the record being read and a chunk or two, never the table whole: at 100,000 facts
    the file's bytes and orjson's tree of them would otherwise be held beside the document."""
    store = {
        "sources": {},
        "entities": {},
        "facts": {str(n): {"id": f"f{n}", "claim": "قال " * (n % 7)} for n in range(400)},
    }
    path = tmp_path / "store.json"
    stamp, checksum = write_atomically(path, encoded(store))
    longest = max(len(line) for line in path.read_bytes().split(b"\n"))
    held = []
    more = _Chunks._more

    def noted(chunks: _Chunks) -> None:
        more(chunks)
        held.append(len(chunks.buffer))

    monkeypatch.setattr(_Chunks, "SIZE", size)
    monkeypatch.setattr(_Chunks, "_more", noted)
    assert _read_ours(path, stamp, checksum) == store
    assert max(held) <= 2 * (longest + size)
