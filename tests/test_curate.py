"""Curating a store through the real CLI: init, add, import, export, remove; validated, atomic, locked writes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BUNDLED, FACTS_BIN, NEW_FACT

from facts_cli.vocabulary import FACT_TYPES


def fact_ids(run, path: Path) -> list[str]:
    return [f["id"] for f in json.loads(run("list", "--db", str(path), "--format", "json").stdout)]


def unchanged(path: Path):
    """A check that `path` is byte for byte as it was when this was called."""
    before = path.read_bytes()
    return lambda: path.read_bytes() == before


# init


def test_init_copies_the_bundled_store(run, store):
    assert store.read_bytes() == BUNDLED.read_bytes()
    assert run("validate", "--db", str(store)).returncode == 0


def test_init_empty_is_an_empty_valid_store(run, tmp_path):
    path = tmp_path / "empty.json"
    assert run("init", "--empty", str(path)).returncode == 0
    assert json.loads(path.read_text(encoding="utf-8")) == {"sources": {}, "entities": {}, "facts": {}}
    assert run("validate", "--db", str(path)).returncode == 0


def test_init_refuses_to_overwrite_unless_forced(run, store):
    store.write_text('{"sources": {}, "entities": {}, "facts": {}}', encoding="utf-8")
    same = unchanged(store)
    result = run("init", str(store))
    assert (result.returncode, result.stderr) == (3, f"facts: {store}: exists already; --force replaces it\n")
    assert same()
    assert run("init", "--force", str(store)).returncode == 0
    assert store.read_bytes() == BUNDLED.read_bytes()


def test_init_into_a_missing_directory(run, tmp_path):
    result = run("init", str(tmp_path / "no" / "such.json"))
    assert result.returncode == 3
    assert "no such directory" in result.stderr


# the bundled store is read-only


def installed_bundled_store(tmp_path: Path) -> Path:
    """The bundled store of the installed package, as the `facts` command finds it."""
    code = "from facts_cli.store import bundled_store_path; print(bundled_store_path())"
    return Path(subprocess.check_output([sys.executable, "-c", code], cwd=tmp_path, text=True).strip())


@pytest.mark.parametrize("command", [["add"], ["import"], ["remove", "rt-byline"]])
def test_writes_to_the_bundled_store_are_refused(run, command, tmp_path):
    bundled = installed_bundled_store(tmp_path)
    same = unchanged(bundled)
    result = run(*command, input=json.dumps(NEW_FACT))
    assert result.returncode == 3
    assert "the bundled store is read-only" in result.stderr and "facts init" in result.stderr
    result = run(*command, "--db", str(bundled), input=json.dumps(NEW_FACT))
    assert result.returncode == 3
    assert same()


# add


def test_add_from_stdin_prints_the_generated_id_and_finds_the_span(run, store):
    result = run("add", "--db", str(store), input=json.dumps(NEW_FACT, ensure_ascii=False))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "shoigu-said-military-cooperation-with-kazakhstan\n"
    added = json.loads(run("show", result.stdout.strip(), "--db", str(store), "--format", "json").stdout)
    text = json.loads(run("source", "--format", "json").stdout)[0]["text"]
    assert text[added["span"]["start"] : added["span"]["end"]] == NEW_FACT["quote"]
    second = run("add", "--db", str(store), input=json.dumps(NEW_FACT))
    assert second.stdout == "shoigu-said-military-cooperation-with-kazakhstan-2\n"
    assert run("search", "cooperation goes", "--db", str(store), "--fields", "id").stdout.split() == [
        "shoigu-said-military-cooperation-with-kazakhstan",
        "shoigu-said-military-cooperation-with-kazakhstan-2",
    ]


def test_add_accepts_what_show_prints(run, store, tmp_path):
    shown = json.loads(run("show", "rt-byline", "--format", "json").stdout)
    shown["id"] = "rt-byline-again"
    (tmp_path / "fact.json").write_text(json.dumps(shown, ensure_ascii=False), encoding="utf-8")
    result = run("add", str(tmp_path / "fact.json"), "--db", str(store))
    assert (result.returncode, result.stdout) == (0, "rt-byline-again\n")
    assert fact_ids(run, store)[-1] == "rt-byline-again"


def test_add_a_duplicate_id_is_refused(run, store):
    same = unchanged(store)
    result = run("add", "--db", str(store), input=run("show", "rt-byline", "--format", "json").stdout)
    assert result.returncode == 4
    assert (
        result.stderr == "facts/rt-byline: id: duplicate id: records #28 and #29\nfacts: nothing written: 1 problem\n"
    )
    assert same()


def test_add_refuses_a_lone_surrogate_which_no_utf8_file_can_hold(run, store):
    same = unchanged(store)
    fact = {**NEW_FACT, "claim_en": "half of a pair: \ud83d"}
    result = run("add", "--db", str(store), input=json.dumps(fact))
    assert result.returncode == 4
    assert "claim_en: lone surrogate U+D83D is not a character" in result.stderr
    assert same()


def test_add_reports_every_problem_and_writes_nothing(run, store, article):
    at = article.index(NEW_FACT["quote"])
    bad = {
        **NEW_FACT,
        "id": "bad",
        "type": "rumour",
        "place": {"entity": "atlantis", "inferred": True},
        "span": {"start": 0, "end": 3},
    }
    del bad["status"]
    same = unchanged(store)
    result = run("add", "--db", str(store), input=json.dumps(bad))
    assert result.returncode == 4
    assert result.stderr.splitlines() == [
        "facts/bad: (record): 'status' is a required property",
        "facts/bad: place/entity: unknown entity 'atlantis'",
        "facts/bad: span: text[0:3] is 'وقع', not the quote 'أشار شويغو إلى أن الحديث يدور'; "
        f"the quote stands at {at}:{at + len(NEW_FACT['quote'])}",
        "facts/bad: type: 'rumour' is not one of: " + ", ".join(FACT_TYPES),
        "facts: nothing written: 4 problems",
    ]
    assert result.stdout == ""
    assert same()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ('{"id": "x",', "facts: nothing written: the input is not JSON: line 1, column 12: Expecting property name"),
        ("[1, 2]", "facts: nothing written: a fact is a JSON object, not an array"),
        ("", "facts: nothing written: the input is not JSON: line 1, column 1: Expecting value"),
    ],
)
def test_add_refuses_input_that_is_not_a_fact(run, store, given, message):
    same = unchanged(store)
    result = run("add", "--db", str(store), input=given)
    assert result.returncode == 4
    assert result.stderr.startswith(message)
    assert same()


def test_add_from_a_missing_file_is_a_usage_error(run, store):
    result = run("add", "no-such-file.json", "--db", str(store))
    assert result.returncode == 2
    assert "cannot read no-such-file.json: No such file or directory" in result.stderr


# export and import


def test_export_then_import_into_an_empty_store_gives_the_same_records(run, store, tmp_path):
    run("add", "--db", str(store), input=json.dumps(NEW_FACT))
    exported = run("export", "--db", str(store)).stdout
    assert set(json.loads(exported)) == {"sources", "entities", "facts"}
    empty = tmp_path / "empty.json"
    run("init", "--empty", str(empty))
    result = run("import", "--db", str(empty), input=exported)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"facts: {empty}: added 1 source, 29 entities, 29 facts\n"
    assert run("export", "--db", str(empty)).stdout == exported
    assert run("validate", "--db", str(empty)).returncode == 0


def test_import_a_json_array_and_json_lines_of_facts(run, store):
    facts = [{**NEW_FACT, "id": f"n{i}"} for i in range(3)]
    assert run("import", "--db", str(store), input=json.dumps(facts)).returncode == 0
    lines = "\n".join(json.dumps({**NEW_FACT, "id": f"l{i}"}, ensure_ascii=False) for i in range(3)) + "\n"
    assert run("import", "--db", str(store), input=lines).returncode == 0
    assert fact_ids(run, store)[-6:] == ["n0", "n1", "n2", "l0", "l1", "l2"]


def test_import_is_all_or_nothing(run, store):
    facts = [
        {**NEW_FACT, "id": "good"},
        {**NEW_FACT, "id": "broken", "participants": [{"entity": "mars", "role": "party"}]},
    ]
    same = unchanged(store)
    result = run("import", "--db", str(store), input=json.dumps(facts))
    assert result.returncode == 4
    assert result.stderr == (
        "facts/broken: participants/0/entity: unknown entity 'mars'\nfacts: nothing written: 1 problem\n"
    )
    assert same()


def test_import_skips_identical_records_and_refuses_conflicting_ones(run, store):
    exported = json.loads(run("export", "--db", str(store)).stdout)
    again = run("import", "--db", str(store), input=json.dumps(exported))
    assert again.returncode == 0
    assert again.stderr.endswith("added 0 sources, 0 entities, 0 facts\n")
    exported["facts"][0]["status"] = "planned"
    same = unchanged(store)
    conflict = run("import", "--db", str(store), input=json.dumps(exported))
    assert conflict.returncode == 4
    assert "facts/ru-am-caucasus-air-defence: id: duplicate id: records #1 and #29" in conflict.stderr
    assert same()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ('{"facts": [1]}', "fact 1 of the input is not a JSON object"),
        ('{"facts": {}}', "'facts' of an export document is a list of records"),
        ('{"id": "a"}\n{"id": ', "line 2 of the JSON Lines input is not JSON"),
        ("42", "expected facts or an export document, not a number"),
        ("  ", "the input is empty"),
    ],
)
def test_import_refuses_what_it_cannot_read(run, store, given, message):
    same = unchanged(store)
    result = run("import", "--db", str(store), input=given)
    assert result.returncode == 4
    assert message in result.stderr
    assert same()


# remove


def test_remove_facts(run, store):
    result = run("remove", "rt-byline", "ru-kg-air-defence", "--db", str(store))
    assert (result.returncode, result.stdout) == (0, "fact\trt-byline\nfact\tru-kg-air-defence\n")
    assert len(fact_ids(run, store)) == 26


def test_remove_an_unknown_id_removes_nothing(run, store):
    same = unchanged(store)
    result = run("remove", "rt-byline", "no-such-fact", "--db", str(store))
    assert (result.returncode, result.stderr) == (1, "facts: nothing written: no fact with id 'no-such-fact'\n")
    assert same()


def test_remove_a_referenced_entity_needs_cascade(run, store):
    same = unchanged(store)
    refused = run("remove", "--kind", "entity", "balkhash", "--db", str(store))
    assert refused.returncode == 4
    assert "2 facts refer to balkhash (balkhash-agreement-2015, balkhash-early-warning); --cascade" in refused.stderr
    assert same()
    cascaded = run("remove", "--kind", "entity", "balkhash", "--cascade", "--yes", "--db", str(store))
    assert cascaded.stdout == "entity\tbalkhash\nfact\tbalkhash-agreement-2015\nfact\tbalkhash-early-warning\n"
    assert run("validate", "--db", str(store)).returncode == 0


def test_remove_a_source_with_cascade_removes_its_facts(run, store):
    result = run("remove", "--kind", "source", "rt-ar-2015-12-23", "--cascade", "-y", "--db", str(store))
    assert result.returncode == 0
    assert run("list", "--db", str(store)).returncode == 1
    assert run("validate", "--db", str(store)).returncode == 0


# broken stores are never modified


@pytest.mark.parametrize("content", ["", "{not json", '{"facts": []}'])
def test_writes_to_a_broken_store_exit_3_and_touch_nothing(run, tmp_path, content):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    for command in (["add"], ["import"], ["remove", "x"]):
        result = run(*command, "--db", str(path), input=json.dumps(NEW_FACT))
        assert result.returncode == 3, (command, result.stderr)
        assert result.stderr.startswith(f"facts: {path}: ") and "Traceback" not in result.stderr
        assert path.read_text(encoding="utf-8") == content


def test_a_write_leaves_no_temporary_file_and_keeps_the_mode(run, store):
    store.chmod(0o640)
    run("add", "--db", str(store), input=json.dumps(NEW_FACT))
    # the cache (FACTS_CACHE_DIR, here beside the store) keeps which file the write made
    assert sorted(p.name for p in store.parent.iterdir()) == ["cache", "elsewhere", "mine.json"]
    assert store.stat().st_mode & 0o777 == 0o640


def test_a_store_edited_by_hand_between_two_writes_is_validated_in_full(run, store):
    """A write checks only what it changes when the file is the one the last write made; an edit by hand in
    between (here in place, same size, the mtime put back) makes the next write check the whole store."""
    assert run("add", "--db", str(store), input=json.dumps({**NEW_FACT, "id": "first"})).returncode == 0
    before = store.stat()
    text = store.read_text(encoding="utf-8")
    edited = text.replace('"status": "done"', '"status": "dome"', 1)
    assert len(edited.encode()) == len(text.encode())
    with open(store, "r+", encoding="utf-8") as handle:
        handle.write(edited)
    os.utime(store, ns=(before.st_atime_ns, before.st_mtime_ns))
    same = unchanged(store)
    result = run("add", "--db", str(store), input=json.dumps({**NEW_FACT, "id": "second"}))
    assert result.returncode == 4
    assert "status: 'dome' is not one of: done, ongoing, planned" in result.stderr
    assert result.stderr.endswith("facts: nothing written: 1 problem\n")
    assert same()


# concurrency and crashes


def test_concurrent_adds_all_land(tmp_path, run, store):
    """Two processes, each adding 25 facts one `facts add` at a time, at once: all 50 are there afterwards."""
    for worker in (1, 2):
        for i in range(25):
            fact = {**NEW_FACT, "id": f"w{worker}-{i:02d}"}
            (tmp_path / f"w{worker}-{i:02d}.json").write_text(json.dumps(fact), encoding="utf-8")
    loops = [
        subprocess.Popen(
            [
                "bash",
                "-c",
                f'for f in "{tmp_path}"/w{worker}-*.json; do "{FACTS_BIN}" add "$f" --db "{store}" || exit 1; done',
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in (1, 2)
    ]
    for loop in loops:
        assert loop.wait(timeout=240) == 0, loop.stderr.read()
    ids = fact_ids(run, store)
    assert len(ids) == 28 + 50
    assert {f"w{w}-{i:02d}" for w in (1, 2) for i in range(25)} <= set(ids)
    assert run("validate", "--db", str(store)).returncode == 0


def test_kill_9_during_a_large_import_leaves_the_old_store_or_the_new_one(run, store, tmp_path, bundled_document):
    facts = list(bundled_document["facts"].values())
    many = [{**f, "id": f"{f['id']}-copy-{n}"} for n in range(100) for f in facts]
    (tmp_path / "many.json").write_text(json.dumps(many, ensure_ascii=False), encoding="utf-8")
    old = store.read_bytes()
    rng = random.Random(20151223)
    outcomes = set()
    for attempt in range(6):
        process = subprocess.Popen(
            [str(FACTS_BIN), "import", str(tmp_path / "many.json"), "--db", str(store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, 1.5))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        count = len(json.loads(run("export", "--db", str(store)).stdout)["facts"])
        assert count in (28, 28 + len(many)), attempt
        assert run("validate", "--db", str(store)).returncode == 0, attempt
        if count == 28:
            assert store.read_bytes() == old
        outcomes.add(count)
        if count != 28:
            store.write_bytes(old)
    assert 28 in outcomes


def test_build_a_store_for_another_article_from_the_shell_alone(run, tmp_path):
    text = "سلمت روسيا أرمينيا منظومات دفاع جوي جديدة.\nTASS"
    seed = {
        "sources": [
            {
                "id": "tass-2016-01-12",
                "publisher": "TASS",
                "language": "ar",
                "published": {"value": "2016-01-12", "precision": "day", "text": None, "inferred": False},
                "text": text,
            }
        ],
        "entities": [
            {
                "id": name,
                "kind": "country",
                "name": {"ar": ar, "en": name.title()},
                "aliases": {"ar": aliases, "en": []},
                "description": {"ar": ar, "en": name.title()},
            }
            for name, ar, aliases in [("russia", "روسيا", []), ("armenia", "أرمينيا", ["أرمينية"])]
        ],
    }
    fact = {
        "type": "delivery",
        "claim": text.splitlines()[0],
        "claim_en": "Russia delivered new air-defence systems to Armenia.",
        "participants": [{"entity": "russia", "role": "supplier"}, {"entity": "armenia", "role": "recipient"}],
        "attributed_to": None,
        "status": "done",
        "time": None,
        "place": None,
        "quote": text.splitlines()[0],
        "source": "tass-2016-01-12",
    }
    env = {"FACTS_DB": str(tmp_path / "tass.json")}
    assert run("init", "--empty", str(tmp_path / "tass.json")).returncode == 0
    assert run("import", input=json.dumps(seed), env=env).returncode == 0
    added = run("add", input=json.dumps(fact), env=env)
    assert added.stdout == "russia-delivered-new-air-defence-systems\n"
    assert run("validate", env=env).returncode == 0
    assert run("search", "أرمينية", "--fields", "id", env=env).stdout == added.stdout
    (found,) = json.loads(run("list", "--entity", "Armenia", "--format", "json", env=env).stdout)
    assert found["span"] == {"start": 0, "end": len(text.splitlines()[0])}
