"""A file taken for the one the last validated write made (its stamp in the cache) that turns out otherwise as it is
read in chunks: not JSON where the layout says a record is (changed in place within one timestamp tick, when the
stamp cannot tell), or a read error. The chunked read gives up, never raises; the file is then read whole, which
says what is wrong in one line."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from zlib import crc32

import pytest

from facts_cli import jsonfile
from facts_cli.jsonfile import JSONFileStorage, _identity, _read_ours, encoded, write_atomically
from facts_cli.storage import StoreError

STORE = {"facts": {"1": {"id": "a", "claim": "قال"}, "2": {"id": "b", "claim": "said"}}}


@pytest.mark.parametrize(
    ("written", "broken"),
    [(b'"id": "b"', b'"id": :b"'), (b'"2": {', b'"2"  {'), (b'"claim": "said"', b'"claim": "said\\')],
    ids=["a-record", "a-key", "a-string"],
)
def test_a_file_laid_out_as_ours_but_not_json_is_not_read_as_ours(tmp_path, written, broken):
    path = tmp_path / "store.json"
    write_atomically(path, encoded(json.loads(json.dumps(STORE))))
    data = path.read_bytes().replace(written, broken, 1)
    assert len(data) == len(path.read_bytes()) and data != path.read_bytes()
    path.write_bytes(data)
    assert _read_ours(path, _identity(os.stat(path)), crc32(data)) is None


def test_a_read_error_in_the_last_validated_write_is_said_as_the_whole_read_says_it(tmp_path, monkeypatch):
    path = tmp_path / "store.json"
    stamp, checksum = write_atomically(path, encoded(json.loads(json.dumps(STORE))))
    real_fdopen = os.fdopen

    class Failing:
        def __init__(self, handle):
            self.handle = handle

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def read(self, *args):
            raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(jsonfile.os, "fdopen", lambda *args, **kwargs: Failing(real_fdopen(*args, **kwargs)))
    assert _read_ours(path, stamp, checksum) is None
    with pytest.raises(StoreError) as refused:
        JSONFileStorage(path).load()
    assert str(refused.value) == f"{path}: cannot read: {os.strerror(errno.EIO)}"


def changed_source(module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `facts_cli.MODULE` read as if its code had changed: its `__file__` a copy with one byte more."""
    import importlib

    source = importlib.import_module(f"facts_cli.{module}")
    changed = tmp_path / f"{module}.py"
    changed.write_bytes(Path(source.__file__).read_bytes() + b"\n")
    monkeypatch.setattr(source, "__file__", str(changed))


@pytest.mark.parametrize("module", ["model", "validate", "jsonfile"])
def test_a_change_to_the_code_that_validated_a_write_is_a_new_version_of_its_word(tmp_path, monkeypatch, module):
    """No file is trusted that the code now running did not check: the schema, the validator, the writer."""
    version = jsonfile._validation_version()
    changed_source(module, tmp_path, monkeypatch)
    assert jsonfile._validation_version() != version
