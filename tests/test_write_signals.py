"""Signals that end a write: what it made is removed, whenever the signal comes."""

from __future__ import annotations

import os

import pytest
from conftest import BUNDLED

from facts_cli import jsonfile


@pytest.mark.parametrize("made", [True, False], ids=["made", "interrupted-before-it-was-made"])
def test_a_signal_as_the_temporary_file_is_made_takes_it_too(tmp_path, monkeypatch, made):
    """CPython runs a signal's handler as soon as a call returns, before what it returned is kept: Ctrl-C (or a
    SIGTERM, which a write turns into an exception) can come just after `open` made the temporary file, and before
    its descriptor is held; or in an `open` interrupted before it made it (EINTR, on NFS or FUSE). Raised here where
    CPython would raise it: the file goes all the same, and the signal's exception is the one that ends the write."""
    store = tmp_path / "s.json"
    store.write_bytes(BUNDLED.read_bytes())
    real_open = os.open

    def interrupted(name, flags, *args, **kwargs):
        if not str(name).endswith(".tmp"):
            return real_open(name, flags, *args, **kwargs)
        if made:
            os.close(real_open(name, flags, *args, **kwargs))  # the descriptor is lost with the interrupted call
        raise KeyboardInterrupt

    monkeypatch.setattr(jsonfile.os, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        jsonfile.write_atomically(store, [b"{}\n"])
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
    assert store.read_bytes() == BUNDLED.read_bytes()
