"""Which store: `--db PATH`, else `$FACTS_DB`, else the bundled file (read-only); and the storage that holds it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .jsonfile import JSONFileStorage
from .storage import Store, StoreError

ENV_VAR = "FACTS_DB"


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


def is_bundled_store(path: Path) -> bool:
    """Whether `path` names the bundled store, by any name: a symlink, a hard link, a relative path."""
    bundled = bundled_store_path()
    try:
        return os.path.samefile(path, bundled)
    except OSError:  # no such file (then it is not the bundled one), or none that can be looked at
        return os.path.realpath(path) == os.path.realpath(bundled)


def writable_store_path(db: Path | None) -> Path:
    """The store a write goes to: `--db PATH` or `$FACTS_DB`, never the bundled store."""
    explicit = db is not None or bool(os.environ.get(ENV_VAR))
    path = resolve_store_path(db)
    if not explicit or is_bundled_store(path):
        raise StoreError(
            "the bundled store is read-only: make a store of your own with `facts init PATH`, "
            f"then name it with --db PATH or {ENV_VAR}=PATH"
        )
    return path


def new_store_path(path: Path) -> Path:
    """Where `init` may write a store: anywhere but over the bundled store (by any name), which is read-only."""
    if is_bundled_store(path):
        raise StoreError(f"{path}: the bundled store, which is read-only: init makes a store of your own elsewhere")
    return path


def storage_for(path: Path, notify: Callable[[str], None] | None = None) -> JSONFileStorage:
    """The storage of the store at `path`: a TinyDB JSON file (the one backend there is). `notify` is told what a
    user should know while a write waits."""
    return JSONFileStorage(path, notify)


def open_store(path: Path, *, whole: bool = False) -> Store:
    """Read the store at `path` (read-only: nothing is created, touched or written); `whole`, as `validate` reads
    it (keys held twice found)."""
    return storage_for(path).load(whole=whole)
