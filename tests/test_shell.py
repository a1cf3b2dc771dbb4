"""What shell users expect of `facts`, end to end: the pager, completion, help that teaches, global options, ids
by prefix, the paragraph of a fact, dry runs, a question before a cascading removal, option values checked before
the store is opened."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time

import pytest
from conftest import BUNDLED, FACTS_BIN, clean_environment, in_pty, in_pty_answering

TMUX = shutil.which("tmux")
SHAPED = re.compile(r"[\ufb50-\ufdff\ufe70-\ufeff]")
FACTS = list(json.loads(BUNDLED.read_text(encoding="utf-8"))["facts"].values())
COMMANDS = ["list", "search", "timeline", "stats", "graph", "entities", "types", "show", "source", "validate", "init"]
COMMANDS += ["add", "import", "export", "remove", "help"]
COMMANDS += ["cite"]


# the pager


class Pane:
    """A tmux pane of a given size running one shell command; the screen read as a person sees it."""

    def __init__(self, command: str, width: int = 80, height: int = 24, **environ: str) -> None:
        self.base = [TMUX, "-L", f"facts-pager-{os.getpid()}-{time.monotonic_ns()}", "-f", "/dev/null"]
        env = clean_environment(TERM="xterm", **environ)
        env.pop("PAGER", None)
        env.pop("LESS", None)
        script = f"{command}; echo __rc=$?; sleep 60"
        subprocess.run(
            [*self.base, "new-session", "-d", "-x", str(width), "-y", str(height), script], env=env, check=True
        )

    def screen(self) -> list[str]:
        return subprocess.run([*self.base, "capture-pane", "-p"], capture_output=True, text=True).stdout.split("\n")

    def wait_for(self, marker: str) -> list[str]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = self.screen()
            if any(marker in line for line in lines):
                return lines
            time.sleep(0.1)
        raise AssertionError(f"{marker!r} never showed: {self.screen()}")

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", *keys], check=True)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


@pytest.mark.skipif(TMUX is None or shutil.which("less") is None, reason="tmux and less are needed")
def test_a_long_listing_is_paged_from_its_first_line_and_q_keeps_the_exit_code():
    pane = Pane(f"{FACTS_BIN} list", width=80, height=24)
    try:
        lines = pane.wait_for("ru-am-caucasus-air-defence")
        assert lines[0].split() == ["ID", "TYPE", "STATUS", "TIME"]
        assert lines[3].startswith("ru-am-caucasus-air-defence ")
        assert SHAPED.search(lines[4]), "the pager shows the visual rendering"
        assert not any("__rc=" in line for line in lines), "still in the pager"
        pane.keys("q")
        assert any(line == "__rc=0" for line in pane.wait_for("__rc="))
    finally:
        pane.close()


@pytest.mark.skipif(TMUX is None or shutil.which("less") is None, reason="tmux and less are needed")
def test_the_pager_keeps_a_failing_commands_exit_code(tmp_path):
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    for fact in document["facts"].values():
        fact["type"] = "rumour"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    pane = Pane(f"{FACTS_BIN} validate --db {broken}", width=80, height=24)
    try:
        pane.wait_for("is not one of")
        pane.keys("q")
        assert any(line.startswith("__rc=4") for line in pane.wait_for("__rc="))
    finally:
        pane.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is needed")
@pytest.mark.parametrize("how", [["--no-pager"], ["--no-pager", "first"]])
def test_no_pager_prints_everything(how):
    args = "list --no-pager" if how == ["--no-pager"] else "--no-pager list"
    pane = Pane(f"{FACTS_BIN} {args} | tail -3; {FACTS_BIN} {args} >/dev/tty", width=80, height=24)
    try:
        lines = pane.wait_for("__rc=")
        assert any(line.startswith("rt-byline") for line in lines)
        assert any(line == "≈ date inferred" for line in lines)
    finally:
        pane.close()


def pty_output(args: list[str], **environ: str) -> str:
    env = clean_environment(TERM="xterm", COLUMNS="80", LINES="24", NO_COLOR="1")
    for name in ("PAGER", "FACTS_PAGER", "LESS", "LV"):
        env.pop(name, None)
    return in_pty([str(FACTS_BIN), *args], {**env, **environ}).decode("utf-8").replace("\r\n", "\n")


def test_facts_pager_then_pager_then_less_with_less_set_to_frx():
    marked = pty_output(["list"], FACTS_PAGER="sed s/^/PAGED:/", PAGER="sed s/^/OTHER:/")
    assert marked.startswith("PAGED:ID ") and "OTHER:" not in marked
    assert "PAGED:rt-byline" in marked
    assert "OTHER:ID" in pty_output(["list"], PAGER="sed s/^/OTHER:/")
    environment = pty_output(["list"], FACTS_PAGER="sh -c 'cat >/dev/null; echo LESS=$LESS LV=$LV'")
    assert environment.strip() == "LESS=FRX LV=-c"
    kept = pty_output(["list"], FACTS_PAGER="sh -c 'cat >/dev/null; echo LESS=$LESS'", LESS="S")
    assert kept.strip() == "LESS=S"


def test_no_pager_when_it_is_off_fits_or_cannot_start(run):
    whole = pty_output(["list", "--no-pager"])
    assert "rt-byline" in whole and "PAGED" not in whole
    for environ in ({"FACTS_PAGER": ""}, {"FACTS_PAGER": "cat"}, {"FACTS_PAGER": "/no/such/pager"}):
        assert pty_output(["list"], **environ) == whole, environ
    assert "PAGED" not in pty_output(["show", "rt-byline"], FACTS_PAGER="sed s/^/PAGED:/")
    piped = run("list", env={"FACTS_PAGER": "sed s/^/PAGED:/"})
    assert piped.returncode == 0 and "PAGED" not in piped.stdout


# completion


def complete(shell: str, line: str, **environ: str) -> list[str]:
    """What `facts` answers a shell's completion request for `line` (the word being completed is its last)."""
    env = {k: v for k, v in os.environ.items() if k != "FACTS_DB"}
    env.update(environ, _FACTS_COMPLETE=f"complete_{shell}")
    if shell == "bash":
        words = line.split(" ")
        env.update(COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    else:
        env.update(_TYPER_COMPLETE_ARGS=line)
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = subprocess.run([str(FACTS_BIN)], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_completion_of_fact_ids_for_show_and_remove():
    ids = [f["id"] for f in FACTS if f["id"].startswith("ru-kz")]
    assert complete("bash", "facts show ru-kz")[: len(ids)] == ids
    assert complete("bash", "facts show ru-kz-s300-free ru-kz-s")[:2] == ["ru-kz-s300-free", "ru-kz-s300-delivered"]
    assert "balkhash-agreement-2015" in complete("bash", "facts remove balk")
    assert complete("bash", "facts cite ru-kz")[: len(ids)] == ids
    assert "csl-json" in complete("bash", "facts cite -f c") and "jsonld" in complete("bash", "facts export -f j")
    assert "ru-kz-s300-free" in " ".join(complete("zsh", "facts show ru-kz-s300-f"))
    assert any(line.startswith("ru-kz-s300-free") for line in complete("fish", "facts show ru-kz-s300-f"))


def test_completion_of_entities_types_statuses_sources_and_commands():
    assert {"Kazakhstan", "Kazakstan"} <= set(complete("bash", "facts list --entity Kaz"))
    assert "shoigu" in complete("bash", "facts list --by sho")
    assert "article" in complete("bash", "facts list --by art")
    assert "كازاخستان" in complete("bash", "facts list --entity كاز")
    assert complete("bash", "facts list --type a")[:4] == ["agreement", "agenda", "adoption", "assessment"]
    assert complete("bash", "facts list --status p")[0] == "planned"
    assert complete("bash", "facts list --source rt")[0] == "rt-ar-2015-12-23"
    assert "search" in complete("bash", "facts se")
    assert "--entity" in complete("bash", "facts list --ent")


def test_completion_reads_the_store_named_on_the_line(run, tmp_path):
    path = tmp_path / "other.json"
    assert run("init", "--empty", str(path)).returncode == 0
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    document["facts"] = {"1": {**document["facts"]["1"], "id": "zz-only-here"}}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert complete("bash", f"facts show --db {path} zz") == ["zz-only-here"]
    assert complete("bash", f"facts --db {path} show zz") == ["zz-only-here"]
    assert complete("bash", "facts show zz", FACTS_DB=str(path)) == ["zz-only-here"]
    assert complete("bash", "facts show zz") == []
    assert complete("bash", "facts show --db /no/such/store.json ru") == []


def test_completion_scripts_for_bash_zsh_and_fish(run):
    markers = {"bash": "complete -o default -F", "zsh": "#compdef facts", "fish": "complete --command facts"}
    for shell, marker in markers.items():
        shown = run("--show-completion", shell, env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
        assert shown.returncode == 0 and marker in shown.stdout, shell
        assert "_FACTS_COMPLETE" in shown.stdout
        sourced = run(env={"_FACTS_COMPLETE": f"source_{shell}"})
        assert sourced.returncode == 0 and marker in sourced.stdout, shell


# help


def test_every_command_teaches_by_example(run):
    for command in COMMANDS:
        help_text = run(command, "--help").stdout
        assert run("help", command).stdout == help_text, command
        examples = help_text.split("Examples:\n", 1)[1].strip().split("\n")
        assert 1 <= len(examples) <= 4 and all(line.strip().startswith("facts ") for line in examples), command
        assert "x>=1" not in help_text and "<agreement|" not in help_text and "[default: " not in help_text, command


def test_summaries_are_whole_sentences(run):
    listing = run("--help").stdout.split("Commands:\n", 1)[1].strip().split("\n")
    assert len(listing) == len(COMMANDS)
    for line in listing:
        name, summary = line.split(None, 1)
        assert name in COMMANDS and summary.endswith(".") and "..." not in summary, line


@pytest.mark.parametrize(
    ("command", "option", "said"),
    [
        ("list", "--limit", "At most N facts."),
        ("stats", "--limit", "At most N rows a group."),
        ("list", "--sort", "(store: as stored; time: earliest first, undated last)."),
        ("search", "--sort", "instead of best first"),
        ("list", "--lang", "of the claim in tables and plain lines."),
        ("stats", "--lang", "The language of the labels"),
        ("graph", "--lang", "The language of the names and labels"),
    ],
)
def test_a_shared_option_is_worded_for_its_command(run, command, option, said):
    """Not `--limit N  At most N facts (stats: N rows a group)` in the help of every command that has it."""
    options = " ".join(run(command, "--help").stdout.split("Options:", 1)[1].split())
    worded = options.split(f"{option} ", 1)[1].split(" --", 1)[0]
    assert said in worded and "stats" not in worded, worded


@pytest.mark.parametrize(
    ("command", "nested"), [("list", True), ("entities", True), ("stats", False), ("types", False)]
)
def test_the_help_of_fields_names_nested_fields_where_a_command_has_them(run, command, nested):
    """`facts stats --fields time.value` is refused: its help does not offer it."""
    options = " ".join(run(command, "--help").stdout.split("Options:", 1)[1].split())
    worded = options.split("--fields ", 1)[1].split(" --", 1)[0]
    assert ("nested ones dotted" in worded) == nested, worded


def test_help_of_an_unknown_command_suggests_one(run):
    result = run("help", "serch")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "facts: no command 'serch'; did you mean 'search'?\n"


def test_a_bad_value_of_a_vocabulary_suggests_the_nearest(run):
    result = run("list", "--type", "agrement")
    assert result.returncode == 2
    assert "'agrement' is not one of the types; did you mean 'agreement'? (try 'facts list -h')" in result.stderr
    far = run("list", "--type", "zzz").stderr
    assert "'zzz' is not one of: agreement, meeting" in far
    assert "did you mean 'visual'" in run("list", "--bidi", "visul").stderr


# options before the command, and options checked before the store is read


def test_db_bidi_and_no_pager_before_the_command(run, store):
    assert (
        run("--db", str(store), "list", "--format", "json").stdout
        == run("list", "--db", str(store), "-f", "json").stdout
    )
    missing = run("--db", "/no/such/store.json", "list")
    assert missing.returncode == 3 and "/no/such/store.json" in missing.stderr
    assert run("--db", "/no/such.json", "list", "--db", str(store)).returncode == 0
    visual = run("--bidi", "visual", "list", "--format", "table")
    assert SHAPED.search(visual.stdout)
    assert not SHAPED.search(run("--bidi", "visual", "list", "--format", "table", "--bidi", "logical").stdout)
    assert run("--no-pager", "list").returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--since", "2015-13"],
        ["list", "--fields", "nope"],
        ["list", "--type", "agrement"],
        ["timeline", "--until", "yesterday"],
        ["search", "x", "--limit", "0"],
        ["show", "x", "--format", "csvv"],
        ["cite", "x", "--format", "json"],
        ["export", "--format", "annotations", "--base", "example.org/x"],
        ["export", "--base", "https://example.org/x"],
    ],
)
def test_option_values_are_checked_before_the_store_is_opened(run, args):
    result = run(*args, "--db", "/no/such/store.json")
    assert result.returncode == 2, result.stderr
    assert "/no/such/store.json" not in result.stderr


@pytest.mark.parametrize("args", [["timeline", "--sort", "id"], ["stats", "--sort", "id"]])
def test_options_that_would_do_nothing_are_not_taken(run, args):
    assert run(*args).returncode == 2


# show and source


def test_show_takes_several_ids_and_unique_prefixes(run):
    result = run("show", "ru-kz-s300-fr", "rt-by", "rt-byline", "--format", "json")
    assert result.returncode == 0
    assert [fact["id"] for fact in json.loads(result.stdout)] == ["ru-kz-s300-free", "rt-byline"]
    single = json.loads(run("show", "rt-by", "--format", "json").stdout)
    assert single["id"] == "rt-byline"
    lines = run("show", "ru-kz-s300-free", "rt-byline", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["ru-kz-s300-free", "rt-byline"]


def test_an_ambiguous_prefix_is_a_usage_error_listing_the_candidates(run):
    result = run("show", "ru-kz-s300", "rt-byline")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "facts: 'ru-kz-s300' is the start of 2 fact ids: ru-kz-s300-free, ru-kz-s300-delivered\n"


def paragraph_of(fact: dict, article: str) -> str:
    start = article.rfind("\n", 0, fact["span"]["start"]) + 1
    end = article.find("\n", fact["span"]["end"])
    return article[start : end if end >= 0 else len(article)]


def test_source_of_a_fact_is_its_paragraph_with_the_quote_marked(run, article):
    fact = next(f for f in FACTS if f["id"] == "kz-near-daily-threats")
    paragraph = paragraph_of(fact, article)
    assert fact["quote"] in paragraph and "\n" not in paragraph and len(paragraph) < len(article) / 4
    assert run("source", "kz-near").stdout == paragraph + "\n"
    record = json.loads(run("source", "kz-near-daily-threats", "--format", "json").stdout)
    assert record["fact"] == fact["id"] and record["span"] == fact["span"]
    assert (
        record["paragraph"]["text"] == paragraph == article[record["paragraph"]["start"] : record["paragraph"]["end"]]
    )
    shown = run("source", fact["id"], "-f", "text", "--bidi", "logical", env={"FORCE_COLOR": "1", "COLUMNS": "2000"})
    marked = re.findall(r"\x1b\[([0-9;]+)m([^\x1b]+)\x1b\[0m", shown.stdout)
    assert ("1;4;36", fact["quote"]) in marked
    assert f"line {article.count(chr(10), 0, fact['span']['start']) + 1}" in shown.stdout


def test_source_marks_spans_only_when_asked(run):
    environ = {"FORCE_COLOR": "1", "COLUMNS": "120"}
    plain = run("source", "-f", "text", "--bidi", "logical", env=environ).stdout
    assert "\x1b[4" not in plain
    spans = run("source", "-f", "text", "--bidi", "logical", "--spans", env=environ).stdout
    assert "\x1b[4;36m" in spans


# writes: dry runs and the question before a cascade


def test_every_write_has_a_dry_run_that_changes_nothing(run, store, tmp_path):
    before = store.read_bytes()
    fact = {k: v for k, v in FACTS[0].items() if k != "id"}
    added = run("add", "--db", str(store), "--dry-run", input=json.dumps(fact))
    assert added.returncode == 0 and added.stdout == "russian-defence-minister-sergei-shoigu-and\n"
    assert "dry run" in added.stderr and "nothing written" in added.stderr
    imported = run("import", "--db", str(store), "-n", input=json.dumps([{**fact, "id": "new-one"}]))
    assert imported.returncode == 0 and "would add 0 sources, 0 entities, 1 fact" in imported.stderr
    removed = run("remove", "--db", str(store), "--kind", "entity", "kazakhstan", "--cascade", "--dry-run")
    assert removed.returncode == 0 and removed.stdout.startswith("entity\tkazakhstan\nfact\t")
    refused = run("add", "--db", str(store), "--dry-run", input=json.dumps({**fact, "type": "rumour"}))
    assert refused.returncode == 4
    assert store.read_bytes() == before
    assert not (tmp_path / "mine.json.lock").exists()
    made = run("init", str(tmp_path / "new.json"), "--dry-run")
    assert made.returncode == 0 and not (tmp_path / "new.json").exists()
    assert run("init", str(store), "--dry-run").returncode == 3


def test_a_cascade_without_a_terminal_needs_yes(run, store):
    before = store.read_bytes()
    refused = run("remove", "--db", str(store), "--kind", "entity", "kazakhstan", "--cascade")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert store.read_bytes() == before
    done = run("remove", "--db", str(store), "--kind", "entity", "kazakhstan", "--cascade", "--yes")
    assert done.returncode == 0 and done.stdout.count("fact\t") == 13


def answer_in_a_terminal(args: list[str], answer: str) -> tuple[str, int]:
    """Run `facts ARGS` in a pseudo-terminal, type `answer` at its question, and return all it wrote and its code."""
    environ = clean_environment(TERM="xterm", COLUMNS="80", NO_COLOR="1")
    output, code = in_pty_answering([str(FACTS_BIN), *args], environ, answer)
    return output.decode("utf-8").replace("\r\n", "\n"), code


@pytest.mark.parametrize(("answer", "removed"), [("n", False), ("", False), ("y", True), ("yes", True)])
def test_a_cascade_on_a_terminal_shows_what_goes_and_asks(store, answer, removed):
    before = store.read_bytes()
    output, code = answer_in_a_terminal(
        ["remove", "--db", str(store), "--kind", "entity", "belarus", "--cascade"], answer
    )
    assert code == 0
    assert "--cascade removes 1 entity and 2 facts:" in output
    assert "  fact ru-by-air-defence" in output and "Remove them? [y/N]" in output
    assert (store.read_bytes() != before) == removed
    assert ("nothing removed" in output) != removed


# what a first review found


def test_show_puts_each_label_above_its_value_where_an_id_would_not_fit(run):
    narrow = run("show", "ru-am-caucasus-air-defence", "-f", "text", env={"COLUMNS": "40"}).stdout.split("\n")
    assert narrow[:2] == ["id", "  ru-am-caucasus-air-defence"]
    assert "  (caucasus-air-defence-system)  as subject · موضوع" in "\n".join(narrow) or any(
        "(caucasus-air-defence-system)" in line for line in narrow
    )
    assert all(len(line) <= 40 for line in narrow) and "…" not in "\n".join(narrow)
    wide = run("show", "ru-am-caucasus-air-defence", "-f", "text", env={"COLUMNS": "80"}).stdout.split("\n")
    assert wide[0].split() == ["id", "ru-am-caucasus-air-defence"]


def test_the_pager_counts_screen_rows_not_lines(tmp_path):
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    for fact in list(document["facts"].values())[:8]:
        fact["type"] = "rumour-" + "x" * 150
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    paged = pty_output(["validate", "--db", str(broken)], FACTS_PAGER="sed s/^/PAGED:/")
    assert paged.count("PAGED:") == 8, "8 lines of 200 columns take 24 rows of 80"


def test_a_long_listing_goes_through_the_pager_whole(run):
    direct = pty_output(["list", "--no-pager"])
    paged = pty_output(["list"], FACTS_PAGER="sed s/^//")
    assert paged == direct


def test_a_pager_the_shell_cannot_run_leaves_the_output_direct():
    direct = pty_output(["list", "--no-pager"])
    unclosed = pty_output(["list"], FACTS_PAGER='"unclosed')
    assert unclosed.endswith(direct) and "Syntax error" in unclosed[: -len(direct)]
    assert pty_output(["list"], FACTS_PAGER="no-such-pager-anywhere --flag") == direct


def test_no_pager_by_default_on_a_dumb_terminal():
    dumb = pty_output(["list"], TERM="dumb")
    assert "rt-byline" in dumb
    assert "PAGED" in pty_output(["list"], TERM="dumb", FACTS_PAGER="sed s/^/PAGED:/")


def test_help_is_paged_as_facts_help_is():
    assert pty_output(["list", "--help"], FACTS_PAGER="sed s/^/PAGED:/").startswith("PAGED:Usage: facts list")
    assert pty_output(["help", "list"], FACTS_PAGER="sed s/^/PAGED:/").startswith("PAGED:Usage: facts list")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["source", "--spans"], "--spans marks the article for people: it takes --format text"),
        (["source", "--spans", "-f", "json"], "--spans marks the article for people"),
        (["source", "rt-by", "--spans", "-f", "text"], "--spans marks the whole article"),
        (["remove", "--yes", "rt-byline", "--db", "x.json"], "--yes answers the question --cascade asks"),
        (["remove", "--cascade", "rt-byline", "--db", "x.json"], "--cascade removes the facts that refer to"),
        (["--db", "x.json", "init", "y.json"], "--db names a store to read, and init reads none"),
    ],
)
def test_options_that_would_do_nothing_here_are_refused(run, args, message):
    result = run(*args)
    assert result.returncode == 2 and message in result.stderr, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--bidi", "visual"],
        ["validate", "--bidi", "visual"],
        ["init", "x.json", "--db", "y.json"],
        ["cite", "--lang", "en"],
        ["export", "--sort", "id"],
        ["export", "--fields", "id"],
    ],
)
def test_commands_take_only_the_options_that_do_something(run, args):
    assert "No such option" in run(*args).stderr


def test_errors_name_the_command_and_the_variable(run):
    assert run("list", "--type").stderr == "facts list: Option '--type' requires an argument (try 'facts list -h')\n"
    bogus = run("list", env={"FACTS_BIDI": "bogus"})
    assert (bogus.returncode, bogus.stderr) == (2, "facts: FACTS_BIDI: 'bogus' is not one of: auto, visual, logical\n")
    assert SHAPED.search(run("list", "-f", "table", "--bidi", "VISUAL").stdout)
    assert SHAPED.search(run("list", "-f", "table", env={"FACTS_BIDI": "Visual"}).stdout)
    assert "did you mean 'agreement'" in run("list", "--type", "AGREMENT").stderr


def test_an_ambiguous_prefix_names_ten_candidates_at_most(run):
    result = run("show", "r")
    assert result.returncode == 2
    assert result.stderr.count(",") == 9 and result.stderr.rstrip().endswith("more")


def test_an_unknown_source_is_named(run):
    result = run("list", "--source", "rt-ar-2015-12-24")
    assert result.returncode == 1
    assert result.stderr == "facts: no source with id 'rt-ar-2015-12-24'; did you mean rt-ar-2015-12-23?\n"
    assert run("list", "--source", "tass").stderr.endswith("`facts source --format json` shows them\n")


def test_the_legend_of_marks_only_when_a_mark_is_shown(run):
    assert "≈ date inferred" in run("list", "-f", "table").stdout
    assert "≈ date inferred" not in run("list", "-f", "table", "--type", "threat").stdout
    assert "≈ date inferred" not in run("timeline", "-f", "table", "--until", "2013").stdout


def test_stats_limit_is_rows_a_group(run):
    lines = run("stats", "--limit", "2", "-f", "tsv").stdout.splitlines()[1:]
    assert [line.split("\t")[0] for line in lines] == ["type"] * 2 + ["entity"] * 2 + ["speaker"] * 2 + ["year"] * 2


def test_completion_of_what_a_first_review_found_missing():
    assert "facts 0.1.0" not in complete("bash", "facts --version ")
    assert complete("bash", "facts remove --kind source rt") == ["rt-ar-2015-12-23"]
    assert "kazakhstan" in complete("bash", "facts remove --kind entity kaz")
    assert complete("bash", "facts help se") == ["search"]
    assert complete("bash", "facts list --fields id,ty") == ["id,type"]
    env = {k: v for k, v in os.environ.items() if k != "FACTS_DB"}
    env.update(_FACTS_COMPLETE="complete_bash", COMP_WORDS="facts show x", COMP_CWORD="x")
    result = subprocess.run([str(FACTS_BIN)], env=env, capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout) == (2, "") and "internal error" not in result.stderr


def test_completion_leaves_out_what_a_shell_would_run(run, tmp_path):
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    document["facts"]["1"]["id"] = "zz\x1b]52;c;cm0gLXJmIH4=\x07"
    document["facts"]["2"]["id"] = "zz-fine"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert complete("bash", f"facts show --db {path} zz") == ["zz-fine"]


@pytest.mark.skipif(TMUX is None, reason="tmux is needed")
def test_reasons_of_a_match_read_left_to_right_in_visual_order():
    from facts_cli.bidi import display

    pane = Pane(f"{FACTS_BIN} search كازاخستان تسليم --no-pager --lang en", width=80, height=60)
    try:
        lines = pane.wait_for("__rc=")
    finally:
        pane.close()
    hits = subprocess.run(
        [str(FACTS_BIN), "search", "كازاخستان", "تسليم", "--format", "json"], capture_output=True, text=True, check=True
    )
    reasons = {hit["matched"] for hit in json.loads(hits.stdout)}
    shown = {display(reason, rtl=False)[0] for reason in reasons if len(reason) < 76}
    assert shown and shown <= {line.strip() for line in lines}, lines
