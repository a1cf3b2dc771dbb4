"""End to end: the installed `facts`, run in a subprocess from a directory outside the repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import BUNDLED, FACTS_BIN, write_store

from facts_cli import __version__
from facts_cli.app import app_for
from facts_cli.errors import ExitCode


def bundled_facts() -> list[dict]:
    return list(json.loads(BUNDLED.read_text(encoding="utf-8"))["facts"].values())


def test_version(run):
    result = run("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"facts {__version__}\n", "")


def test_no_arguments_is_a_usage_error_that_shows_help(run):
    result = run()
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("Usage: facts")
    for command in ("list", "show", "source", "validate"):
        assert f"  {command} " in result.stderr


def test_help_and_guide_give_every_exit_code():
    guide = (BUNDLED.parent / "docs" / "GUIDE.md").read_text(encoding="utf-8")
    help_text = subprocess.run([str(FACTS_BIN), "--help"], capture_output=True, text=True, check=True).stdout
    for code in ExitCode:
        assert f" {code.value} " in " ".join(help_text.split()), code
        assert f"| {code.value} |" in guide, code


def test_a_command_runs_alone_with_the_same_options_help_and_errors(run):
    assert [c.name for c in app_for(["list", "--limit", "1"]).registered_commands] == ["list"]
    assert app_for(["--help", "list"]) is app_for([]) is app_for(["lst"]) is app_for(["help", "list"])
    assert [c.name for c in app_for(["--db", "x.json", "--no-pager", "show", "x"]).registered_commands] == ["show"]
    assert "Usage: facts list [OPTIONS]" in run("list", "--help").stdout
    assert "--version" in run("--help").stdout and "  remove " in run("--help").stdout
    typo = run("lst")
    assert typo.returncode == 2 and "list" in typo.stderr
    assert run("list", "--no-such-option").returncode == 2


HEAVY = (
    "rich",
    "jsonschema",
    "fastjsonschema",
    "orjson",
    "tinydb",
    "arabic_reshaper",
    "bidi",
    "csv",
    "facts_cli.curate",
    "facts_cli.validate",
)
PROBE = f"""
import sys
sys.argv = ["facts", *sys.argv[1:]]
from facts_cli import main
try:
    main()
except SystemExit:
    pass
print(" ".join(sorted(name for name in {HEAVY!r} if name in sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("args", "needed"),
    [
        (["list", "--format", "json"], ""),
        (["list"], ""),
        (["search", "روسيا", "--format", "jsonl"], ""),
        (["show", "rt-byline", "--format", "json"], ""),
        (["list", "--format", "csv"], "csv"),
        (["list", "--format", "table", "--bidi", "logical"], "rich"),
        (["list", "--format", "table", "--bidi", "visual"], "arabic_reshaper bidi rich"),
        (["validate"], "facts_cli.validate fastjsonschema orjson"),
        (["cite", "rt-byline"], ""),
        (["cite", "rt-byline", "--format", "csl-json"], ""),
        (["export", "--format", "annotations"], ""),
        (["export", "--format", "jsonld"], ""),
        (["graph"], ""),
        (["graph", "--format", "json"], ""),
        (["graph", "--format", "dot"], ""),
        (["graph", "--format", "mermaid", "--entity", "Kazakhstan"], ""),
        (["graph", "--format", "text", "--bidi", "logical"], "rich"),
    ],
)
def test_a_command_imports_only_what_it_uses(args, needed, tmp_path):
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=tmp_path)
    assert result.stderr.splitlines()[-1] == needed


def test_jsonschema_is_imported_to_word_a_refusal_only(run, tmp_path):
    """A write that validates is checked by the compiled schema alone; jsonschema comes in to word what it refuses."""
    store = tmp_path / "mine.json"
    assert run("init", str(store)).returncode == 0
    cache = {"FACTS_CACHE_DIR": str(tmp_path / "cache")}
    fact = json.loads(run("show", "rt-byline", "--format", "json").stdout)
    (tmp_path / "good.json").write_text(json.dumps({**fact, "id": "rt-byline-2"}), encoding="utf-8")
    (tmp_path / "bad.json").write_text(json.dumps({**fact, "id": "rt-byline-3", "type": "rumour"}), encoding="utf-8")
    probe = [sys.executable, "-c", PROBE, "add"]
    options = {"capture_output": True, "text": True, "cwd": tmp_path, "env": {**os.environ, **cache}}
    good = subprocess.run([*probe, "good.json", "--db", str(store)], **options)
    assert good.stdout == "rt-byline-2\n"
    assert good.stderr.splitlines()[-1] == "facts_cli.curate facts_cli.validate fastjsonschema orjson tinydb"
    bad = subprocess.run([*probe, "bad.json", "--db", str(store)], **options)
    assert "type: 'rumour' is not one of" in bad.stderr
    assert "jsonschema" in bad.stderr.splitlines()[-1].split()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--nope"], "facts: No such option: --nope (Possible options: --no-pager) (try 'facts -h')"),
        (["lsit"], "facts: No such command 'lsit'. Did you mean 'list'? (try 'facts -h')"),
        (["list", "--nope"], "facts list: No such option: --nope (Possible options: --no-pager, --since, --type)"),
        (["show"], "facts show: Missing argument 'ID...' (try 'facts show -h')"),
        (["list", "--limit", "0"], "facts list: Invalid value for '--limit': 0 is not a count of facts: use 1 or more"),
        (["list", "--since", "2015-13"], "facts list: Invalid value for '--since': '2015-13' is not a calendar date"),
        (["search", "..."], "facts search: Invalid value for QUERY: the query has no words (try 'facts search -h')"),
        (["list", "--format", "\x1b[2J"], "facts list: Invalid value for '--format' / '-f': '\\x1b[2J' is not one"),
    ],
)
def test_a_usage_error_is_one_line_saying_where_to_get_help(run, args, line):
    result = run(*args)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr
    assert result.stderr.startswith(line)


def test_list_finds_the_bundled_store_from_anywhere(run):
    result = run("list", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout) == bundled_facts()


def test_list_json_carries_the_model_fields_unescaped(run):
    result = run("list", "--format", "json")
    for record in json.loads(result.stdout):
        assert {"id", "type", "claim", "claim_en", "quote", "span", "source"} <= record.keys()
    assert "شويغو" in result.stdout
    assert "\\u06" not in result.stdout


def test_list_piped_is_plain_tab_separated_lines(run):
    result = run("list")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    facts = bundled_facts()
    assert len(lines) == len(facts)
    for line, fact in zip(lines, facts, strict=True):
        assert line.split("\t") == [
            fact["id"],
            fact["type"],
            fact["status"],
            fact["time"]["value"] if fact["time"] else "",
            fact["claim"],
        ]
    assert "\x1b" not in result.stdout


def test_list_table_when_asked(run):
    result = run("list", "--format", "table", env={"COLUMNS": "200"})
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].split() == ["ID", "TYPE", "STATUS", "TIME", "CLAIM"]
    assert "≈2015-12-23" in result.stdout
    assert "\x1b" not in result.stdout


def test_show_json_is_the_record(run):
    fact = next(f for f in bundled_facts() if f["id"] == "balkhash-agreement-2015")
    result = run("show", "balkhash-agreement-2015", "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == fact


def test_show_piped_is_field_value_lines(run):
    result = run("show", "rt-byline")
    assert result.returncode == 0
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert lines["id"] == "rt-byline"
    assert lines["quote"] == "RT"
    assert lines["participants.0.entity"] == "rt"
    assert lines["time.inferred"] == "true"
    assert lines["attributed_to"] == ""


def test_show_text_names_the_references(run):
    result = run("show", "ru-kz-s300-delivered", "--format", "text", env={"COLUMNS": "160"})
    assert result.returncode == 0
    assert "Sergei Shoigu · سيرغي شويغو" in result.stdout
    assert "cue: أفاد" in result.stdout
    assert "not given by the text" in result.stdout


def test_show_text_marks_an_inferred_place_as_dates_are_marked(run):
    inferred = run("show", "ru-am-caucasus-air-defence", "--format", "text", env={"COLUMNS": "160"})
    assert inferred.returncode == 0
    (place,) = [line for line in inferred.stdout.splitlines() if line.startswith("place")]
    assert place.split(None, 1)[1].rstrip() == "≈Moscow · موسكو  (moscow)  inferred"
    stated = run("show", "ru-am-moscow-meeting", "--format", "text", env={"COLUMNS": "160"})
    (place,) = [line for line in stated.stdout.splitlines() if line.startswith("place")]
    assert place.split(None, 1)[1].rstrip() == "Moscow · موسكو  (moscow)"
    piped = dict(line.split("\t", 1) for line in run("show", "ru-am-caucasus-air-defence").stdout.splitlines())
    assert (piped["place.entity"], piped["place.inferred"]) == ("moscow", "true")


def test_show_unknown_id_exits_1_with_a_suggestion(run):
    result = run("show", "ru-kz-s30-free")
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        result.stderr
        == "facts: no fact with id 'ru-kz-s30-free'; did you mean ru-kz-s300-free, ru-kz-s300-delivered?\n"
    )


def test_source_prints_the_article(run, article):
    result = run("source")
    assert result.returncode == 0
    assert result.stdout == article + "\n"


def test_source_json_includes_the_text(run, article):
    result = run("source", "rt-ar-2015-12-23", "--format", "json")
    (source,) = json.loads(result.stdout)
    assert source["text"] == article
    assert source["publisher"] == "RT"


def test_source_unknown_id(run):
    result = run("source", "tass")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "facts: no source or fact with id 'tass'; `facts source --format json` shows the sources, "
        "`facts list` the facts\n"
    )


def test_environment_chooses_the_store_and_db_overrides_it(run, document, tmp_path):
    document["facts"] = {"1": document["facts"]["1"]}
    one = write_store(tmp_path / "one.json", document)
    result = run("list", "--format", "json", env={"FACTS_DB": str(one)})
    assert [f["id"] for f in json.loads(result.stdout)] == ["ru-am-caucasus-air-defence"]
    result = run("list", "--format", "json", "--db", str(BUNDLED), env={"FACTS_DB": str(one)})
    assert len(json.loads(result.stdout)) == 28


def test_empty_store_lists_nothing_and_exits_1(run, tmp_path):
    empty = write_store(tmp_path / "empty.json", {"sources": {}, "entities": {}, "facts": {}})
    result = run("list", "--format", "json", "--db", str(empty))
    assert (result.returncode, result.stdout) == (1, "[]\n")
    assert result.stderr == "facts: no facts matched\n"


@pytest.mark.parametrize("command", [["list"], ["show", "rt-byline"], ["source"], ["validate"]])
def test_broken_store_exits_3_with_one_line_and_no_traceback(run, tmp_path, command):
    broken = tmp_path / "broken.json"
    broken.write_text('{"facts": {"1": ', encoding="utf-8")
    result = run(*command, "--db", str(broken))
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr == f"facts: {broken}: not valid JSON at line 1, column 17: Expecting value\n"
    assert broken.read_text(encoding="utf-8") == '{"facts": {"1": '


def test_missing_store_exits_3(run, tmp_path):
    result = run("list", env={"FACTS_DB": str(tmp_path / "gone.json")})
    assert result.returncode == 3
    assert result.stderr == f"facts: {tmp_path / 'gone.json'}: no such store file\n"
    assert not (tmp_path / "gone.json").exists()


def test_misspelt_command_is_a_usage_error_with_a_suggestion(run):
    result = run("lsit")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "No such command 'lsit'. Did you mean 'list'?" in result.stderr


def test_bad_format_is_a_usage_error(run):
    result = run("list", "--format", "yaml")
    assert result.returncode == 2
    assert "'yaml' is not one of" in result.stderr


def test_python_dash_m_cli_is_the_same_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "facts_cli", "show", "rt-byline", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["quote"] == "RT"


def test_a_closed_pipe_is_not_an_error(tmp_path):
    """The reader is gone before `facts` writes a byte (as with `facts list | true`): exit 0, say nothing."""
    process = subprocess.Popen(
        [str(FACTS_BIN), "list", "--format", "json"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()
    stderr = process.stderr.read()
    assert (process.wait(timeout=60), stderr) == (0, b"")


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_jq_cuts_every_quote_from_the_source_by_its_span(run):
    """Spans count code points, as jq's string slices do: the README's recipe works for every fact."""
    facts = run("list", "--format", "json").stdout
    source = run("source", "--format", "json").stdout
    program = ".[0].text as $t | $facts[0][] | ($t[.span.start:.span.end] == .quote)"
    result = subprocess.run(
        ["jq", "--argjson", "facts", f"[{facts}]", program], input=source, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["true"] * len(bundled_facts())
