"""Two processes pruning the cache at once: an entry past the limit that the other removed first is gone already,
not an error (the write that pruned still succeeds, and keeps its own entry)."""

from __future__ import annotations

import os
from pathlib import Path

from facts_cli.storage import CACHE_DIR_VAR, CACHE_LIMIT, NO_CACHE_VAR, entry, keep


def test_an_entry_past_the_limit_removed_by_another_prune_first_is_not_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_DIR_VAR, str(tmp_path / "cache"))
    monkeypatch.delenv(NO_CACHE_VAR, raising=False)
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    for path in (old, new):
        path.write_text("{}", encoding="utf-8")
    keep(old, "x", "v", (1,), 0, "old")
    (old_entry,) = (tmp_path / "cache").glob("x-*.marshal")
    os.truncate(old_entry, CACHE_LIMIT)  # a sparse file: the next entry takes the cache past its limit
    os.utime(old_entry, ns=(0, 0))
    real_stat = Path.stat

    def another_prune_first(self, *, follow_symlinks=True):
        """The other process removes the old entry once this one has listed it (by lstat), as this one sums the
        sizes (by stat of its own entry), before it removes it."""
        if follow_symlinks and self.suffix == ".marshal":
            old_entry.unlink(missing_ok=True)
        return real_stat(self, follow_symlinks=follow_symlinks)

    monkeypatch.setattr(Path, "stat", another_prune_first)
    keep(new, "x", "v", (2,), 0, "new")
    monkeypatch.undo()
    assert not old_entry.exists()
    monkeypatch.setenv(CACHE_DIR_VAR, str(tmp_path / "cache"))
    assert entry(new, "x", "v") == ((2,), 0, "new")
