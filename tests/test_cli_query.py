"""End to end, the query commands: filters, search, views, every format and field selection, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import time

import pytest
from conftest import write_store

from facts_cli.bidi import display
from facts_cli.query import CACHED_FROM

LISTINGS = {
    "list": ["list"],
    "search": ["search", "كازاخستان"],
    "entities": ["entities"],
    "types": ["types"],
    "timeline": ["timeline"],
    "stats": ["stats"],
}


def records(run, *args: str) -> list[dict]:
    result = run(*args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def fact_ids(run, *args: str) -> list[str]:
    result = run(*args, "--format", "plain", "--fields", "id")
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.split()


def flat(record: dict, dotted: str):
    value = record
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def as_cell(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Filters


def test_type_is_repeatable_and_means_any(run):
    assert fact_ids(run, "list", "--type", "delivery") == ["ru-kz-s300-free", "ru-kz-s300-delivered"]
    both = fact_ids(run, "list", "--type", "delivery", "--type", "policy")
    assert both == ["cis-regional-priority", "ru-kz-s300-free", "ru-kz-s300-delivered"]


def test_status(run):
    assert fact_ids(run, "list", "--status", "planned") == ["test-range-protocols"]


@pytest.mark.parametrize("name", ["kazakhstan", "كازاخستان", "قازاقستان", "Kazakstan", "KAZ", "لكازاخستان"])
def test_entity_by_any_spelling(run, name):
    ids = fact_ids(run, "list", "--entity", name)
    assert len(ids) == 13
    assert "ru-kz-s300-free" in ids


def test_entities_repeated_mean_all(run):
    assert fact_ids(run, "list", "--entity", "Russia", "--entity", "روسيا البيضاء") == [
        "ru-by-air-defence",
        "cis-69th-meeting",
    ]


def test_by_speaker_and_by_the_article(run):
    shoigu = fact_ids(run, "list", "--by", "شويجو")
    article = fact_ids(run, "list", "--by", "article")
    assert len(shoigu) == 13 and len(article) == 15
    assert not set(shoigu) & set(article)
    assert all(f["attributed_to"]["entity"] == "shoigu" for f in records(run, "list", "--by", "Shoygu"))


def test_since_and_until_are_honest_about_precision(run):
    assert fact_ids(run, "list", "--since", "2015", "--until", "2015") == [
        "ru-am-caucasus-air-defence",
        "ru-am-moscow-meeting",
        "ru-am-cooperation-plan-2016",
        "ru-kg-air-defence",
        "ru-tj-air-defence",
        "balkhash-agreement-2015",
        "rt-byline",
    ]
    assert "balkhash-agreement-2015" not in fact_ids(run, "list", "--since", "2015-06")
    assert fact_ids(run, "list", "--until", "2014-12-31") == ["ru-kz-air-defence-2013"]


def test_source_sort_limit(run):
    assert len(fact_ids(run, "list", "--source", "rt-ar-2015-12-23")) == 28
    assert fact_ids(run, "list", "--sort", "id", "--limit", "3") == [
        "balkhash-agreement-2015",
        "balkhash-early-warning",
        "cis-69th-agenda",
    ]
    by_time = records(run, "list", "--sort", "time")
    values = [f["time"]["value"] for f in by_time if f["time"]]
    assert values == sorted(values) and by_time[-1]["time"] is None


def test_sort_and_limit_on_search_and_stats(run):
    ranked = fact_ids(run, "search", "Kazakhstan")
    by_id = fact_ids(run, "search", "Kazakhstan", "--sort", "id")
    assert by_id == sorted(ranked) and by_id != ranked
    assert fact_ids(run, "search", "Kazakhstan", "--limit", "2") == ranked[:2]
    every = records(run, "stats")
    top = records(run, "stats", "--limit", "1")
    assert [r["dimension"] for r in top] == ["type", "entity", "speaker", "year"]
    assert top == [next(r for r in every if r["dimension"] == row["dimension"]) for row in top]


def test_lang_chooses_the_claim_shown(run):
    arabic = run("list", "--limit", "1").stdout.rstrip("\n").split("\t")
    english = run("list", "--limit", "1", "--lang", "en").stdout.rstrip("\n").split("\t")
    assert arabic[-1].startswith("وقع وزير الدفاع الروسي")
    assert english[-1].startswith("Russian Defence Minister")


def test_filters_apply_to_search_timeline_and_stats(run):
    assert fact_ids(run, "search", "Kazakhstan", "--type", "agreement") == [
        "ru-kz-air-defence-2013",
        "balkhash-agreement-2015",
        "test-range-protocols",
    ]
    assert fact_ids(run, "timeline", "--entity", "Armenia") == [
        "ru-am-caucasus-air-defence",
        "ru-am-moscow-meeting",
        "ru-am-cooperation-plan-2016",
    ]
    counts = records(run, "stats", "--by", "article")
    assert {r["key"]: r["count"] for r in counts if r["dimension"] == "speaker"} == {"article": 15}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--since", "2015-13"], "'2015-13' is not a calendar date"),
        (["list", "--until", "last year"], "is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
        (["list", "--type", "rumour"], "'rumour' is not one of"),
        (["list", "--status", "maybe"], "'maybe' is not one of"),
        (["list", "--limit", "0"], "0 is not a count of facts: use 1 or more"),
        (["list", "--sort", "size"], "'size' is not one of"),
        (["search", "..."], "the query has no words"),
        (["entities", "--kind", "planet"], "'planet' is not one of"),
    ],
)
def test_bad_values_are_usage_errors(run, args, message):
    result = run(*args)
    assert (result.returncode, result.stdout) == (2, "")
    assert message in result.stderr


def test_an_entity_that_does_not_exist_matches_nothing(run):
    result = run("list", "--entity", "Narnia")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "facts: --entity: no entity named 'Narnia'; did you mean armenia, ohanyan?\n"


# Search


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("شويجو", "ru-am-caucasus-air-defence"),
        ("Seyran Oganyan", "ru-am-caucasus-air-defence"),
        ("مجاناً", "ru-kz-s300-free"),
        ("إس-٣٠٠ مجانا", "ru-kz-s300-free"),
        ("الإنذار المبكر", "balkhash-early-warning"),
        ("early warning", "balkhash-early-warning"),
        ("terrorism", "terrorism-expanding"),
        ("كازاخستن", "ru-kz-air-defence-2013"),
        ("signed by Shoigu", "ru-am-caucasus-air-defence"),
    ],
)
def test_search_should_match(run, query, first):
    result = run("search", query, "--format", "plain", "--fields", "id,matched")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\t")[0] == first


@pytest.mark.parametrize("query", ["باكستان", "Pakistan", "الناتو", "S-400", "Shoigu Ukraine", "kg"])
def test_search_should_not_match(run, query):
    result = run("search", query)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "facts: no facts matched\n")
    json_result = run("search", query, "--format", "json")
    assert (json_result.returncode, json_result.stdout) == (1, "[]\n")


def test_a_word_that_was_a_country_code_is_only_a_word(run):
    hits = records(run, "search", "arm")  # once Armenia's code; now the stem of `armed` (armed forces), no more
    assert [(hit["id"], hit["matched"]) for hit in hits] == [("cis-communications-principles", "arm ~arm in claim_en")]


def test_search_says_why(run):
    (hit,) = records(run, "search", "Tasmagambetof")
    assert hit["id"] == "ru-kz-ministers-meeting"
    assert hit["matched"] == "tasmagambetof ≈ tasmagambetov (fuzzy) in claim_en"
    assert hit["score"] == 0.5
    default_plain = run("search", "free S-300").stdout.rstrip("\n").split("\t")
    assert default_plain[0] == "ru-kz-s300-free"
    assert default_plain[-1] == "s 300 = entity s-300; free in claim_en"


def test_several_words_are_one_query(run):
    apart = run("search", "Kazakhstan", "S-300", "--format", "plain", "--fields", "id")
    together = run("search", "Kazakhstan S-300", "--format", "plain", "--fields", "id")
    assert (apart.returncode, apart.stderr) == (0, "")
    assert apart.stdout == together.stdout
    assert apart.stdout.split() == [
        "ru-kz-s300-free",
        "ru-kz-s300-delivered",
        "s300-decisive-contribution",
        "s300-growing-importance",
    ]
    assert fact_ids(run, "search", "free", "--type", "delivery", "S-300") == ["ru-kz-s300-free"]


def test_a_fuzzy_match_says_so(run):
    result = run("search", "شوبغو", "--format", "json")
    assert result.returncode == 0
    assert result.stderr == "facts: matched شوبغو as شويغو\n"
    hits = json.loads(result.stdout)
    assert len(hits) == 16 and all("(fuzzy)" in hit["matched"] for hit in hits)
    assert run("search", "شويغو").stderr == ""


def test_exact_turns_fuzzy_matching_off(run):
    result = run("search", "--exact", "شوبغو")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "facts: no facts matched; did you mean شويغو for شوبغو?\n"
    assert fact_ids(run, "search", "شويغو", "--exact") == fact_ids(run, "search", "شويغو")
    assert "--exact" in run("search", "--help").stdout


@pytest.mark.parametrize(
    ("query", "stderr"),
    [
        ("إيران", "facts: no facts matched\n"),  # a word of Arabic: no misspelling of سيران (Seyran)
        ("الأمريكي", "facts: no facts matched\n"),  # American, two edits from الأرميني (Armenian)
        ("melting", "facts: no facts matched\n"),  # one edit from meeting
        ("Iran", "facts: no facts matched\n"),
        ("طهران", "facts: no facts matched\n"),
        ("Tehran", "facts: no facts matched\n"),
        ("Georgia", "facts: no facts matched\n"),
        ("Putin", "facts: no facts matched\n"),
        ("بوتين", "facts: no facts matched\n"),
    ],
)
def test_what_the_article_does_not_mention_finds_nothing(run, query, stderr):
    result = run("search", query, "--format", "json")
    assert (result.returncode, result.stdout, result.stderr) == (1, "[]\n", stderr)


@pytest.mark.parametrize("typed", ["شويغو كازاخستان", "تسليم منظومات إس-300", "وزراء دفاع رابطة الدول المستقلة"])
def test_a_query_copied_from_the_visual_output_finds_what_it_says(run, typed):
    drawn, _ = display(typed, True)
    copied = run("search", *drawn.split(" "), "--format", "plain", "--fields", "id")
    assert copied.returncode == 0
    assert copied.stdout == run("search", typed, "--format", "plain", "--fields", "id").stdout
    assert (
        copied.stderr == f"facts: the query was Arabic in visual order, as copied from a screen: searched for {typed}\n"
    )


def test_a_claim_copied_from_what_the_tool_drew_finds_its_fact(run):
    shown = run("show", "ru-kz-s300-free", "--format", "text", env={"FACTS_BIDI": "visual", "COLUMNS": "200"})
    copied = next(line for line in shown.stdout.splitlines() if line.startswith("claim ")).removeprefix("claim")
    assert "\ufe8e" in copied  # ALEF FINAL FORM: shaped, as drawn for a terminal that does not shape
    result = run("search", *copied.split(), "--format", "plain", "--fields", "id")
    assert (result.returncode, result.stdout) == (0, "ru-kz-s300-free\n")
    claim = json.loads(run("show", "ru-kz-s300-free", "--format", "json").stdout)["claim"]
    assert result.stderr.endswith(f"searched for {claim}\n")


def test_a_query_that_is_not_utf8_is_a_usage_error(run):
    result = run("search", "شويغو", os.fsdecode(b"\xff"))  # as `facts search شويغو $'\xff'` passes it
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "facts: QUERY: not UTF-8 text (byte 0xff); type it in a UTF-8 locale\n"


def test_a_word_of_the_query_that_begins_with_a_dash_is_told_how_to_type(run):
    result = run("search", "إس", "-300")
    assert (result.returncode, result.stdout) == (2, "")
    assert "quote the query, or put -- before it" in result.stderr and result.stderr.count("\n") == 1
    assert run("search", "--", "إس", "-300").returncode == 0
    assert "put -- before it" not in run("list", "-300").stderr  # the hint is search's


@pytest.mark.parametrize(("control", "shown"), [("\u2067", "<U+2067>"), ("\x1c", "^\\")])
def test_notes_on_stderr_are_sanitised(run, control, shown):
    drawn, _ = display("شويغو", True)
    result = run("search", f"{drawn}{control}")
    assert control not in result.stderr
    assert f"searched for {shown}شويغو\n" in result.stderr or f"searched for شويغو{shown}\n" in result.stderr
    assert result.returncode == 0 and result.stderr.count("\n") == 1


# Views


def test_entities_with_fact_counts(run):
    people = records(run, "entities", "--kind", "person")
    assert [(e["id"], e["fact_count"]) for e in people] == [("shoigu", 16), ("ohanyan", 2), ("tasmagambetov", 1)]
    assert len(records(run, "entities")) == 29


def test_types_list_the_whole_vocabulary_with_labels_and_counts(run):
    types = {t["id"]: t for t in records(run, "types")}
    assert types["agreement"]["ar"] == "اتفاق" and types["agreement"]["fact_count"] == 5
    assert types["statement"]["fact_count"] == 1 and types["cooperation"]["fact_count"] == 0
    assert sum(t["fact_count"] for t in types.values()) == 28


def test_timeline_is_in_date_order_with_precision(run):
    result = run("timeline", "--format", "tsv", "--fields", "time.value,time.precision,time.inferred,id")
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter="\t"))
    assert [r["time.value"] for r in rows] == ["2013", "2015", "2015-12", "2015-12", *["2015-12-23"] * 4]
    assert [r["time.precision"] for r in rows][:3] == ["year", "year", "month"]
    assert rows[-1] == {"time.value": "2015-12-23", "time.precision": "day", "time.inferred": "true", "id": "rt-byline"}


def test_timeline_table_groups_by_year(run):
    for width in ("160", "80"):
        table = run("timeline", "--format", "table", "--bidi", "logical", env={"COLUMNS": width}).stdout
        lines = table.splitlines()
        assert lines[0].split()[:3] == ["TIME", "PRECISION", "ID"]
        headings = [line for line in lines if line in ("2013", "2015")]
        assert headings == ["2013", "2015"]
        assert lines.index("2013") < lines.index("2015")
        assert "≈2015-12-23" in table and "≈ date inferred" in table
        assert lines[-2:] == ["20 facts have no date and are not shown; they come last in:", "  facts list --sort time"]


def test_the_undated_line_names_the_list_of_the_same_facts(run, tmp_path):
    store = tmp_path / "mine.json"
    assert run("init", str(store)).returncode == 0
    args = ["--entity", "Kazakhstan", "--lang", "en", "--db", str(store)]
    table = run("timeline", "-f", "table", *args, env={"COLUMNS": "400"}).stdout.splitlines()
    command = table[-1].strip()
    assert command == f"facts list --db {store} --entity Kazakhstan --lang en --sort time"
    listed = json.loads(run(*command.split()[1:], "--format", "json").stdout)
    undated = [fact for fact in listed if fact["time"] is None]
    assert table[-2] == f"{len(undated)} facts have no date and are not shown; they come last in:"
    assert listed[-len(undated) :] == undated


def test_a_timeline_of_undated_facts_only_says_where_they_are(run):
    result = run("timeline", "--type", "threat")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "facts: no dated facts matched; 2 facts have no date and are not shown; they come last in: "
        "facts list --type threat --sort time\n"
    )


def test_stats_count_by_type_entity_speaker_and_year(run):
    rows = records(run, "stats")
    by = {(r["dimension"], r["key"]): r["count"] for r in rows}
    assert by[("type", "agreement")] == 5
    assert by[("entity", "shoigu")] == 16
    assert by[("speaker", "shoigu")] == 13 and by[("speaker", "article")] == 15
    assert by[("year", "2015")] == 7 and by[("year", "undated")] == 20
    assert {r["dimension"] for r in rows} == {"type", "entity", "speaker", "year"}


# Formats


@pytest.mark.parametrize("command", LISTINGS)
def test_every_format_parses_and_agrees_with_json(run, command):
    args = LISTINGS[command]
    whole = records(run, *args)
    assert whole
    csv_rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    tsv_text = run(*args, "--format", "tsv").stdout
    tsv_rows = list(csv.DictReader(io.StringIO(tsv_text), delimiter="\t", quoting=csv.QUOTE_NONE))
    jsonl = [json.loads(line) for line in run(*args, "--format", "jsonl").stdout.splitlines()]
    plain = run(*args, "--format", "plain").stdout.splitlines()
    assert jsonl == whole
    assert len(csv_rows) == len(tsv_rows) == len(plain) == len(whole)
    for record, row in zip(whole, csv_rows, strict=True):
        for field, cell in row.items():
            assert cell == as_cell(flat(record, field)), (field, cell)
    assert csv_rows == tsv_rows
    assert "\x1b" not in tsv_text


@pytest.mark.parametrize("command", LISTINGS)
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv", "plain", "table"])
def test_fields_select_columns_in_every_format(run, command, fmt):
    args = LISTINGS[command]
    field = {"entities": "name.en", "types": "en", "stats": "count"}.get(command, "time.value")
    result = run(*args, "--format", fmt, "--fields", f"id,{field}" if command != "stats" else "key,count")
    assert result.returncode == 0, result.stderr
    names = ["key", "count"] if command == "stats" else ["id", field]
    out = result.stdout
    if fmt == "json":
        assert all(list(r) == names for r in json.loads(out))
    elif fmt == "jsonl":
        assert all(list(json.loads(line)) == names for line in out.splitlines())
    elif fmt in ("csv", "tsv"):
        assert out.splitlines()[0] == ("," if fmt == "csv" else "\t").join(names)
    elif fmt == "plain":
        assert all(line.count("\t") == 1 for line in out.splitlines())
    else:
        header = out.splitlines()[0].split()
        assert len(header) == 2


@pytest.mark.parametrize("command", LISTINGS)
def test_an_unknown_field_lists_the_valid_ones(run, command):
    result = run(*LISTINGS[command], "--fields", "colour")
    assert (result.returncode, result.stdout) == (2, "")
    assert "unknown field 'colour'; valid fields: " in result.stderr


def test_json_is_the_store_byte_for_byte(run, bundled_document):
    stored = list(bundled_document["facts"].values())
    assert records(run, "list") == stored
    assert records(run, "list", "--entity", "s-300") == [
        f for f in stored if f["id"] in fact_ids(run, "list", "--entity", "s-300")
    ]
    assert "\\u0" not in run("list", "--format", "jsonl").stdout


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_jq_reads_every_listing(run, fmt):
    for args in LISTINGS.values():
        out = run(*args, "--format", fmt).stdout
        result = subprocess.run(["jq", "-c", "."], input=out, capture_output=True, text=True)
        assert result.returncode == 0, (args, result.stderr)


def test_nothing_matched_in_each_format(run):
    for fmt, stdout in [("json", "[]\n"), ("jsonl", ""), ("plain", ""), ("table", ""), ("csv", None), ("tsv", None)]:
        result = run("list", "--type", "cooperation", "--format", fmt)
        assert result.returncode == 1 and result.stderr == "facts: no facts matched\n"
        if stdout is not None:
            assert result.stdout == stdout
        else:
            assert result.stdout.startswith("id") and result.stdout.count("\n") == 1


def test_a_large_store_keeps_its_search_index_and_sees_every_change(run, tmp_path, document):
    facts = list(document["facts"].values())
    copies = [{**facts[i % len(facts)], "id": f"{facts[i % len(facts)]['id']}-{i}"} for i in range(CACHED_FROM + 10)]
    document["facts"] = {str(i + 1): fact for i, fact in enumerate(copies)}
    path = write_store(tmp_path / "big.json", document)
    time.sleep(2.1)  # a file is indexed for keeps once it has not changed for two seconds
    search = ["search", "تسليم منظومات", "--format", "plain", "--fields", "id", "--db", str(path)]
    first = run(*search)
    assert first.returncode == 0, first.stderr
    (entry,) = (tmp_path / "cache").iterdir()
    written = entry.stat().st_mtime_ns
    assert run(*search).stdout == first.stdout == run(*search, env={"FACTS_NO_CACHE": "1"}).stdout
    assert entry.stat().st_mtime_ns == written  # read back, not built again
    gone = first.stdout.split()[0]
    assert run("remove", gone, "--db", str(path)).returncode == 0
    after = run(*search)
    assert after.stdout.split() == [fact_id for fact_id in first.stdout.split() if fact_id != gone]
    time.sleep(2.1)
    assert run(*search).stdout == after.stdout == run(*search).stdout
    assert entry.stat().st_mtime_ns != written  # built again for the new file
