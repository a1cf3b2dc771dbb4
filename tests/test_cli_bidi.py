"""End to end, right-to-left output: auto mode in a real terminal (tmux, a pty), explicit mode, visual tables
when asked, machine output left alone, and text from a store that cannot act on the terminal."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import uuid

import pytest
from conftest import FACTS_BIN, clean_environment, in_pty, write_store
from rich.cells import cell_len

from facts_cli.bidi import display, is_rtl, wrap
from facts_cli.visual import shaped_width

PRESENTATION_FORMS = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFF]")
BIDI_MARKS = re.compile(r"[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]")
TMUX = shutil.which("tmux")


def in_tmux(command: list[str], environ: dict[str, str], width: int = 100) -> list[str]:
    """What a real terminal shows after `command`: tmux runs it in a pane, capture-pane reads the cells."""
    socket = f"facts-test-{uuid.uuid4().hex[:8]}"
    shell = " ".join(f"'{part}'" for part in command) + "; echo __done__; sleep 60"
    base = [TMUX, "-L", socket, "-f", "/dev/null"]
    subprocess.run([*base, "new-session", "-d", "-x", str(width), "-y", "50", shell], env=environ, check=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            screen = subprocess.run([*base, "capture-pane", "-p"], capture_output=True, text=True).stdout
            if "__done__" in screen:
                return screen.split("\n")
            time.sleep(0.1)
        raise AssertionError(f"no output from {command}: {screen!r}")
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_auto_in_a_terminal_that_does_not_reorder_is_visual(bundled_document):
    claim = next(iter(bundled_document["facts"].values()))["claim"]
    screen = in_tmux([str(FACTS_BIN), "list", "--limit", "1", "--fields", "claim"], clean_environment(TERM="xterm"))
    first_logical = wrap(claim, 100, shaped_width)[0]
    assert screen[1].strip() == display(first_logical, True)[0]
    assert PRESENTATION_FORMS.search(screen[1])


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.parametrize("variable", ["VTE_VERSION=7600", "KONSOLE_VERSION=230805", "MLTERM=3.9.3"])
def test_auto_in_a_terminal_that_reorders_is_logical(bundled_document, variable):
    claim = next(iter(bundled_document["facts"].values()))["claim"]
    name, value = variable.split("=")
    screen = in_tmux(
        [str(FACTS_BIN), "list", "--limit", "1", "--fields", "claim"], clean_environment(TERM="xterm", **{name: value})
    )
    assert screen[1].startswith(claim.split(" ")[0] + " " + claim.split(" ")[1])
    assert not PRESENTATION_FORMS.search("\n".join(screen))


def test_explicit_mode_around_visual_output_on_a_terminal_that_takes_it():
    command = [str(FACTS_BIN), "show", "rt-byline", "--bidi", "visual"]
    output = in_pty(command, clean_environment(TERM="xterm", VTE_VERSION="7600", COLUMNS="80"))
    assert output.startswith(b"\x1b[8l")
    assert output.endswith(b"\x1b[8h")
    plain = in_pty(command, clean_environment(TERM="xterm", COLUMNS="80"))
    assert b"\x1b[8" not in plain
    auto_on_vte = in_pty(command[:3], clean_environment(TERM="xterm", VTE_VERSION="7600", COLUMNS="80"))
    assert b"\x1b[8" not in auto_on_vte


def test_a_visual_table_when_asked_even_when_piped(run):
    result = run("list", "--format", "table", "--bidi", "visual", env={"COLUMNS": "64"})
    lines = result.stdout.split("\n")[:-1]
    assert max(cell_len(line) for line in lines) <= 64
    assert PRESENTATION_FORMS.search(result.stdout)
    assert not BIDI_MARKS.search(result.stdout)
    right_aligned = [line for line in lines if PRESENTATION_FORMS.search(line)]
    assert any(cell_len(line) == 64 and not line.endswith(" ") for line in right_aligned)
    assert run("list", "--format", "table", env={"COLUMNS": "64"}).stdout != result.stdout


def test_auto_when_piped_never_reshapes(run):
    for args in (["list", "--format", "table"], ["show", "rt-byline", "--format", "text"], ["source", "-f", "text"]):
        result = run(*args, env={"COLUMNS": "80", "TERM": "xterm"})
        assert not PRESENTATION_FORMS.search(result.stdout), args


def test_english_claims_stay_left_to_right(run):
    result = run(
        "list", "--lang", "en", "--format", "table", "--bidi", "visual", "--limit", "1", env={"COLUMNS": "200"}
    )
    assert "Russian Defence Minister Sergei Shoigu" in result.stdout


def test_every_renderer_follows_the_mode(run):
    for args in (
        ["search", "كازاخستان"],
        ["timeline"],
        ["entities"],
        ["types"],
        ["show", "rt-byline", "--format", "text"],
        ["source", "--format", "text"],
    ):
        logical = run(*args, "--bidi", "logical", *([] if "text" in args else ["--format", "table"]))
        visual = run(*args, "--bidi", "visual", *([] if "text" in args else ["--format", "table"]))
        assert logical.returncode == visual.returncode == 0, args
        assert not PRESENTATION_FORMS.search(logical.stdout), args
        assert PRESENTATION_FORMS.search(visual.stdout), args


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["search", "كازاخستان"],
        ["timeline"],
        ["entities"],
        ["types"],
        ["stats"],
    ],
)
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv", "plain"])
def test_machine_output_is_the_same_bytes_whatever_bidi_says(run, args, fmt):
    plain = run(*args, "--format", fmt)
    for visual in (
        run(*args, "--format", fmt, "--bidi", "visual"),
        run(*args, "--format", fmt, env={"FACTS_BIDI": "visual"}),
    ):
        assert visual.stdout == plain.stdout
    assert not PRESENTATION_FORMS.search(plain.stdout)
    assert not BIDI_MARKS.search(plain.stdout)


def test_show_json_and_source_are_untouched_by_bidi(run, article):
    assert (
        run("show", "rt-byline", "-f", "json", "--bidi", "visual").stdout
        == run("show", "rt-byline", "-f", "json").stdout
    )
    assert run("source", "--bidi", "visual").stdout == article + "\n"


def test_an_unknown_bidi_mode_is_a_usage_error(run):
    result = run("list", env={"FACTS_BIDI": "sideways"})
    assert result.returncode == 2
    assert "'sideways' is not one of" in result.stderr


PAYLOADS = {
    "esc": "روسيا \x1b[2J\x1b[31mتسلم\x1b[0m",
    "osc8": "\x1b]8;;https://evil.example\x1b\\انقر هنا\x1b]8;;\x1b\\",
    "override": "كازاخستان \u202eRT\u202c تسلم",
    "markup": "[bold]روسيا[/bold] [link=https://evil.example]هنا[/link]",
    "c1": "روسيا \x9b31m تسلم \x07",
}


@pytest.fixture
def hostile_store(tmp_path, document):
    facts = list(document["facts"].values())[:6]
    for fact, payload in zip(facts, PAYLOADS.values(), strict=False):
        fact["claim"] = payload
        fact["quote"] = payload
    document["facts"] = {str(i): fact for i, fact in enumerate(facts, 1)}
    return write_store(tmp_path / "hostile.json", document), facts


@pytest.mark.parametrize("bidi", ["visual", "logical"])
def test_text_from_a_store_is_inert_on_the_terminal(run, hostile_store, bidi):
    path, facts = hostile_store
    outputs = [
        run("list", "--db", str(path), "--format", "table", "--bidi", bidi, env={"COLUMNS": "160", "NO_COLOR": "1"}),
        run(
            "search",
            "روسيا",
            "--db",
            str(path),
            "--format",
            "table",
            "--bidi",
            bidi,
            env={"COLUMNS": "160", "NO_COLOR": "1"},
        ),
    ]
    outputs += [
        run(
            "show",
            fact["id"],
            "--db",
            str(path),
            "--format",
            "text",
            "--bidi",
            bidi,
            env={"COLUMNS": "160", "NO_COLOR": "1"},
        )
        for fact in facts[:5]
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x9b" not in result.stdout and "\x07" not in result.stdout
        assert "\u202e" not in result.stdout
    table = outputs[0].stdout
    assert "^[" in table or "[^" in table or "]^" in table
    assert "U+202E" in table and "U+009B" in table and ("^G" in table or "G^" in table)
    assert "[bold]" in table and "[link=https://evil.example]" in table
    ids = [line.split()[0] for line in table.split("\n")[1:] if line[:1].isalpha()]
    assert ids == [fact["id"] for fact in facts]


def test_a_terminal_with_colour_gets_only_rich_styles(run, hostile_store):
    path, _ = hostile_store
    result = run(
        "list", "--db", str(path), "--format", "table", "--bidi", "visual", env={"COLUMNS": "160", "FORCE_COLOR": "1"}
    )
    sequences = set(re.findall(r"\x1b[^m]*m|\x1b.", result.stdout))
    assert sequences
    assert all(sequence.endswith("m") and "]" not in sequence for sequence in sequences)
    assert "\x1b[2J" not in result.stdout and "\x1b]8" not in result.stdout


def test_rtl_detection_of_the_claims(bundled_document):
    assert all(is_rtl(f["claim"]) for f in bundled_document["facts"].values())
    assert not any(is_rtl(f["claim_en"]) for f in bundled_document["facts"].values())
    assert json.dumps(bundled_document, ensure_ascii=False)
