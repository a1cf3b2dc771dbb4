"""Shared fixtures: the repository's store and article, and the installed `facts` run as a shell user would."""

from __future__ import annotations

import copy
import io
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "facts.json"
DATA = Path(__file__).resolve().parent / "data"
ARTICLE = DATA / "article.ar.txt"
FACTS_BIN = Path(sys.executable).parent / "facts"

Run = Callable[..., subprocess.CompletedProcess]
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
FRIBIDI = shutil.which("fribidi")


@pytest.fixture
def callers() -> Any:
    """Handlers of this process's own for SIGTERM, SIGHUP and SIGINT, which note each signal and let it pass, as a
    program running `facts_cli.app.main` may have: what a signal ends then raises SystemExit(128 + it). Yields the
    signals noted."""
    seen: list[int] = []
    numbers = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    previous = {number: signal.signal(number, lambda number, frame: seen.append(number)) for number in numbers}
    yield seen
    for number, handler in previous.items():
        signal.signal(number, handler)


def in_the_foreground() -> None:
    """For `preexec_fn`: a child's signals as a shell sets them for a command in the foreground, SIGINT not ignored
    (a suite run from a background job, as CI may run it, would hand it down ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def fribidi(lines: list[str], rtl: bool = True) -> list[str]:
    """GNU FriBidi's visual order of each logical line (paragraph direction as given), its lam-alef padding out."""
    result = subprocess.run(
        [FRIBIDI, "--nopad", "--nobreak", "--rtl" if rtl else "--ltr"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return [line.replace("\ufeff", "") for line in result.stdout.split("\n")[: len(lines)]]


def offline_loader(url: str, options: Any = None) -> dict[str, Any]:
    """A JSON-LD document loader without a network: the W3C annotation context from tests/data, nothing else."""
    if url == ANNOTATION_CONTEXT:
        document = json.loads((DATA / "anno.jsonld").read_text(encoding="utf-8"))
        return {"contextUrl": None, "documentUrl": url, "document": document}
    raise AssertionError(f"the JSON-LD processor tried to fetch {url}")


@pytest.fixture(scope="session")
def bundled_document() -> dict[str, Any]:
    """The repository's `facts.json`, parsed (tests that change it work on a deep copy)."""
    return json.loads(BUNDLED.read_text(encoding="utf-8"))


@pytest.fixture
def document(bundled_document: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy of the bundled document, to break."""
    return copy.deepcopy(bundled_document)


@pytest.fixture(scope="session")
def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


class TTYStream(io.StringIO):
    """A text stream that says whether it is a terminal, for Terminal.detect."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def write_store(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run the installed `facts` in a subprocess, from an empty directory outside the repository.

    The environment is the test's own minus FACTS_DB (unless given), so the bundled store is the default, and
    caches go to the test's own directory.
    """
    if not FACTS_BIN.exists():
        pytest.fail(f"the `facts` command is not installed beside {sys.executable}: run the README's test command")
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()

    def _run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess:
        environ = {"FACTS_CACHE_DIR": str(tmp_path / "cache"), **(env or {})}
        return run_facts([str(FACTS_BIN), *args], workdir, environ, input)

    return _run


def run_facts(
    command: list[str], cwd: Path, environ: dict[str, str], input: str | None = None
) -> subprocess.CompletedProcess:
    """Run `command` (the installed `facts`, perhaps behind a prefix) in `cwd`, with the test's environment minus
    what says which store, width and cache (FACTS_DB, COLUMNS, FACTS_NO_CACHE), plus `environ`."""
    drop = ("FACTS_DB", "COLUMNS", "FACTS_NO_CACHE")
    environment = {k: v for k, v in os.environ.items() if k not in drop} | environ
    return subprocess.run(
        command, cwd=cwd, env=environment, input=input, capture_output=True, text=True, encoding="utf-8", timeout=60
    )


NEW_FACT = {
    "type": "statement",
    "claim": "قال شويغو إن التعاون العسكري مع كازاخستان مستمر.",
    "claim_en": "Shoigu said military cooperation with Kazakhstan goes on.",
    "participants": [{"entity": "kazakhstan", "role": "party"}],
    "attributed_to": {"entity": "shoigu", "cue": "أشار"},
    "status": "ongoing",
    "time": None,
    "place": None,
    "quote": "أشار شويغو إلى أن الحديث يدور",
    "source": "rt-ar-2015-12-23",
}
"""A fact to add: new, valid in the bundled store's sources and entities."""


@pytest.fixture
def store(run, tmp_path) -> Path:
    """A store of one's own, made by `facts init` (the bundled store's content), to write to."""
    path = tmp_path / "mine.json"
    result = run("init", str(path))
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def writable(monkeypatch, tmp_path) -> Path:
    """A copy of the bundled store, with the cache in tmp_path."""
    monkeypatch.setenv("FACTS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FACTS_NO_CACHE", raising=False)
    path = tmp_path / "s.json"
    path.write_bytes(BUNDLED.read_bytes())
    return path


def clean_environment(**extra: str) -> dict[str, str]:
    """The test's environment without what says which terminal, store or bidi mode; plus `extra`."""
    drop = ("VTE_VERSION", "KONSOLE_VERSION", "MLTERM", "TERM_PROGRAM", "TMUX", "FACTS_BIDI", "FACTS_DB", "COLUMNS")
    environ = {k: v for k, v in os.environ.items() if k not in drop}
    environ.update(extra)
    return environ


def in_pty(command: list[str], environ: dict[str, str]) -> bytes:
    """Every byte `command` writes to a pseudo-terminal."""
    return in_pty_answering(command, environ)[0]


def in_pty_answering(
    command: list[str], environ: dict[str, str], answer: str | None = None, question: bytes = b"[y/N]"
) -> tuple[bytes, int]:
    """Every byte `command` writes to a pseudo-terminal, and its exit code; `answer` typed once it asks `question`."""
    main, child = pty.openpty()
    process = subprocess.Popen(command, stdin=child, stdout=child, stderr=child, env=environ, close_fds=True)
    os.close(child)
    output = b""
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if answer is not None and question in output:
            os.write(main, answer.encode() + b"\n")
            answer = None
    code = process.wait(timeout=30)
    os.close(main)
    return output, code


UNPRIVILEGED_USER = "nobody"


class Unprivileged:
    """The installed `facts`, run by a user whom file modes stop: as root (CI), `nobody` by `setpriv`, in a scratch
    directory it owns; otherwise the user running the tests, in one of theirs. `home` is that directory (the
    working directory, HOME and the cache's parent)."""

    def __init__(self, home: Path, prefix: list[str], owner: tuple[int, int] | None) -> None:
        self.home, self.prefix, self.owner = home, prefix, owner

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        environ = {"HOME": str(self.home), "FACTS_CACHE_DIR": str(self.home / ".cache" / "facts")}
        return run_facts([*self.prefix, str(FACTS_BIN), *args], self.home, environ, input)

    def mkdir(self, name: str) -> Path:
        """A directory of the user's own."""
        path = self.home / name
        path.mkdir()
        if self.owner is not None:
            os.chown(path, *self.owner)
        return path

    def init(self, name: str) -> Path:
        """A store made by the user (`facts init`)."""
        result = self.run("init", name)
        assert result.returncode == 0, result.stderr
        return self.home / name


@pytest.fixture
def unprivileged(tmp_path: Path) -> Any:
    """Run `facts` as a user that file modes apply to (see Unprivileged). Never skips: a permission test that only
    root runs, or that skips as root, tests nothing. Fails when the user cannot be had or cannot run `facts` (its
    virtual environment must be readable by all: .ci/run makes it so)."""
    import tempfile

    if os.geteuid() != 0:
        home = tmp_path / "home"
        home.mkdir()
        yield Unprivileged(home, [], None)
        _reopen(home)
        return
    import pwd

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) runs the permission tests as an unprivileged user: install it (.ci/run does)")
    user = pwd.getpwnam(UNPRIVILEGED_USER)
    home = Path(tempfile.mkdtemp(prefix="facts-unprivileged-"))
    os.chown(home, user.pw_uid, user.pw_gid)
    prefix = [setpriv, f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"]
    runner = Unprivileged(home, prefix, (user.pw_uid, user.pw_gid))
    try:
        check = runner.run("--version")
        if check.returncode != 0:
            pytest.fail(f"{UNPRIVILEGED_USER} cannot run {FACTS_BIN}: {check.stderr.strip()}")
        yield runner
    finally:
        _reopen(home)
        shutil.rmtree(home)


def _reopen(directory: Path) -> None:
    """Give the owner back every permission a test took away under `directory`, so that it can be removed."""
    for root, directories, _ in os.walk(directory):
        for name in directories:
            os.chmod(os.path.join(root, name), 0o700)
    directory.chmod(0o700)
