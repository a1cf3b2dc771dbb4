"""Facts that travel: `facts cite` (plain, Markdown, CSL-JSON) and `facts export` (the store document, W3C Web
Annotations, schema.org in JSON-LD), checked with the tools that read them: a JSON-LD processor offline, with the
W3C context shipped in tests/data; the CSL-JSON schema and a CSL processor; a CommonMark parser."""

from __future__ import annotations

import calendar
import html
import json
import os
import re
import shutil
import subprocess
import unicodedata
import warnings
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator, formatter
from citeproc.source.json import CiteProcJSON
from conftest import (
    ANNOTATION_CONTEXT,
    BUNDLED,
    DATA,
    FACTS_BIN,
    clean_environment,
    in_pty,
    offline_loader,
    write_store,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pyld import jsonld

from facts_cli.cite import markdown_text
from facts_cli.errors import Unwritable
from facts_cli.jsonld import CONTEXT_CHARS, quote_context
from facts_cli.model import fact_entities

DOCUMENT = json.loads(BUNDLED.read_text(encoding="utf-8"))
FACTS = list(DOCUMENT["facts"].values())
SOURCES = {source["id"]: source for source in DOCUMENT["sources"].values()}
ENTITIES = {entity["id"]: entity for entity in DOCUMENT["entities"].values()}
BASE = "https://example.org/facts/rt-2015.jsonld"

OA, AS, SCHEMA = "http://www.w3.org/ns/oa#", "http://www.w3.org/ns/activitystreams#", "http://schema.org/"
RDF_VALUE, DC_LANGUAGE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value", "http://purl.org/dc/elements/1.1/language"


def expand(document: Any) -> list[dict[str, Any]]:
    return jsonld.expand(document, {"documentLoader": offline_loader, "base": BASE})


def stands_once(passage: str, text: str) -> bool:
    return text.find(passage, text.find(passage) + 1) < 0


def line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def attribution(fact: dict[str, Any], article: str) -> str:
    """The last line of a fact's citation, made from the store as the guide describes it."""
    source = SOURCES[fact["source"]]
    start, end = fact["span"]["start"], fact["span"]["end"]
    date = ("≈" if source["published"]["inferred"] else "") + source["published"]["value"]
    where = f"{source['publisher']} ({source['language']}), {date}, line {line_of(article, start)}, "
    where += f"code points {start}–{end}; fact {fact['id']}"
    said = fact["attributed_to"]
    if said is None:
        return f"— the article itself: {where}"
    return f"— {ENTITIES[said['entity']]['name']['en']} ({said['cue']}), as reported by {where}"


# cite


def test_a_citation_has_the_quote_the_claim_who_said_it_the_source_and_where(run, article):
    result = run("cite", *[fact["id"] for fact in FACTS])
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    assert len(blocks) == len(FACTS)
    assert any(fact["attributed_to"] is None for fact in FACTS) and any(fact["attributed_to"] for fact in FACTS)
    for block, fact in zip(blocks, FACTS, strict=True):
        assert article[fact["span"]["start"] : fact["span"]["end"]] == fact["quote"]
        assert block.rstrip("\n").split("\n") == [f"«{fact['quote']}»", fact["claim_en"], attribution(fact, article)]


def cited_ids(citations: str) -> list[str]:
    return [block.rsplit("; fact ", 1)[1].strip() for block in citations.split("\n\n") if block]


def test_cite_takes_prefixes_in_the_order_given_and_the_filters_of_list(run):
    assert cited_ids(run("cite", "rt-by", "ru-kz-s300-fr").stdout) == ["rt-byline", "ru-kz-s300-free"]
    listed = run("list", "--by", "Shoigu", "--fields", "id").stdout.split()
    assert cited_ids(run("cite", "--by", "Shoigu").stdout) == listed and len(listed) > 1
    assert cited_ids(run("cite", "ru-kz-s300-free", "rt-byline", "--type", "delivery").stdout) == ["ru-kz-s300-free"]
    assert cited_ids(run("cite").stdout) == [fact["id"] for fact in FACTS]
    nothing = run("cite", "rt-byline", "--type", "delivery")
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (1, "", "facts: no facts matched\n")
    assert run("cite", "no-such-fact").returncode == 1
    assert run("cite", "ru-kz-s300").returncode == 2


def hostile_store(document: dict[str, Any], path: Path, quote: str) -> tuple[Path, dict[str, Any]]:
    """A store whose first fact quotes `quote`, a line added to the article for it."""
    source = next(iter(document["sources"].values()))
    fact = next(iter(document["facts"].values()))
    fact["span"] = {"start": len(source["text"]) + 1, "end": len(source["text"]) + 1 + len(quote)}
    source["text"] += "\n" + quote
    fact["quote"] = quote
    return write_store(path, document), fact


def test_a_citation_on_a_terminal_is_the_logical_text_sanitised(run, document, tmp_path):
    """For pasting: never reordered or shaped, even on a terminal that gets listings in visual order; what the
    store holds that would act on the terminal is made visible. Piped, the text is exactly as stored."""
    quote = "خبر \x1b[2J\u202eمقلوب"
    path, fact = hostile_store(document, tmp_path / "hostile.json", quote)
    environ = clean_environment(TERM="xterm", COLUMNS="80", LINES="24", NO_COLOR="1")
    shown = in_pty([str(FACTS_BIN), "cite", fact["id"], "--db", str(path)], environ).decode("utf-8")
    assert "\x1b[2J" not in shown and "\u202e" not in shown
    assert "خبر ^[[2J<U+202E>مقلوب" in shown, shown
    assert fact["claim_en"] in shown
    piped = run("cite", fact["id"], "--db", str(path))
    assert piped.stdout.split("\n")[0] == f"«{quote}»"
    path, fact = hostile_store(document, tmp_path / "override.json", "خبر [\u202eمقلوب")
    shown = in_pty([str(FACTS_BIN), "cite", fact["id"], "--db", str(path), "-f", "markdown"], environ).decode()
    assert "\u202e" not in shown and "خبر \\[<U+202E>مقلوب" in shown, shown


def test_markdown_refuses_a_citation_with_a_control_character(run, document, tmp_path):
    """Markdown cannot carry a control character (U+0000 least of all): the citation is refused, nothing written,
    on a terminal as in a pipe; plain text and CSL-JSON carry it."""
    path, fact = hostile_store(document, tmp_path / "hostile.json", "خبر \x1b[2J\x00مقلوب")
    refused = run("cite", fact["id"], FACTS[1]["id"], "--db", str(path), "-f", "markdown")
    assert (refused.returncode, refused.stdout) == (5, "")
    assert refused.stderr == (
        f"facts: fact {fact['id']!r}: Markdown cannot carry U+001B, a control character: --format plain and csl-json "
        "carry every character\n"
    )
    environ = clean_environment(TERM="xterm", COLUMNS="80", LINES="24", NO_COLOR="1")
    shown = in_pty([str(FACTS_BIN), "cite", fact["id"], "--db", str(path), "-f", "markdown"], environ).decode()
    assert "\x1b[2J" not in shown and "cannot carry U+001B" in shown
    assert (
        json.loads(run("cite", fact["id"], "--db", str(path), "-f", "csl-json").stdout)[0]["custom"]["facts"][0][
            "quote"
        ]
        == fact["quote"]
    )


def test_an_ascii_stdout_is_told_of_a_format_the_command_has(run, document, tmp_path):
    """Where standard output cannot take the text, the line names a format that escapes it only if the command
    has one: `cite` has CSL-JSON (not JSON), `validate` has no --format at all."""
    env = {"PYTHONIOENCODING": "ascii"}
    for args, escaping in ((["cite", "ru-kz-s300-free"], "csl-json"), (["list"], "json"), (["source"], "json")):
        result = run(*args, env=env)
        assert result.returncode == 5 and result.stderr.count("\n") == 1, args
        assert result.stderr.endswith(
            f"PYTHONIOENCODING=utf-8, or --format {escaping}, which escapes what it cannot write\n"
        )
        assert run(*args, "--format", escaping, env=env).returncode == 0, args
    fact = next(iter(document["facts"].values()))
    fact["type"] = "خبر"
    invalid = run("validate", "--db", str(write_store(tmp_path / "invalid.json", document)), env=env)
    assert invalid.returncode == 5 and "--format" not in invalid.stderr
    assert invalid.stderr.endswith("use a UTF-8 locale or PYTHONIOENCODING=utf-8\n")


def test_a_fact_whose_span_does_not_hold_its_quote_is_not_cited(run, document, tmp_path):
    fact = document["facts"]["3"]
    fact["span"] = {"start": fact["span"]["start"] + 1, "end": fact["span"]["end"]}
    path = write_store(tmp_path / "shifted.json", document)
    for args in (["cite", fact["id"]], ["cite", "-f", "csl-json"], ["export", "-f", "annotations"]):
        result = run(*args, "--db", str(path))
        assert (result.returncode, result.stdout) == (4, ""), args
        assert f"fact {fact['id']!r}: its span does not hold its quote" in result.stderr
        assert "`facts validate` says what is wrong" in result.stderr
    assert run("export", "--db", str(path)).returncode == 0, "a backup of an invalid store is still made"
    assert run("export", "-f", "jsonld", "--db", str(path)).returncode == 0


def rendered_paragraphs(markdown: str) -> list[str]:
    """The text of each paragraph CommonMark makes of `markdown` (block quotes included), as a reader sees it."""
    rendered = MarkdownIt("commonmark").render(markdown)
    return [
        html.unescape(re.sub(r"<[^>]+>", "", paragraph)) for paragraph in re.findall(r"<p>(.*?)</p>", rendered, re.S)
    ]


PANDOC = shutil.which("pandoc")
PANDOC_READERS = ("commonmark", "markdown")  # CommonMark, and Pandoc's own Markdown with its default extensions
needs_pandoc = pytest.mark.skipif(PANDOC is None, reason="pandoc is not installed (markdown-it-py still checks)")
QUOTES = {"DoubleQuote": "“”", "SingleQuote": "‘’"}


def inline_text(inlines: list[dict[str, Any]]) -> str:
    """The text of Pandoc inlines as its plain writer prints them: a quotation with its curly marks; whatever else
    Pandoc read as markup (a superscript, a citation, math, a link...) as ‹its name›, so it never passes for text."""
    parts = []
    for inline in inlines:
        kind = inline["t"]
        if kind == "Str":
            parts.append(inline["c"])
        elif kind == "Space":
            parts.append(" ")
        elif kind == "Quoted":
            marks = QUOTES[inline["c"][0]["t"]]
            parts.append(marks[0] + inline_text(inline["c"][1]) + marks[1])
        else:
            parts.append(f"‹{kind}›")
    return "".join(parts)


def pandoc_paragraphs(markdown: str, reader: str) -> list[str]:
    """The text of each paragraph Pandoc's `reader` makes of `markdown` (block quotes included), read from its
    syntax tree; any other block (a list, a heading, a definition list...) as ‹its name›."""
    result = subprocess.run(
        [PANDOC or "pandoc", "-f", reader, "-t", "json"], input=markdown.encode(), capture_output=True
    )
    assert result.returncode == 0, result.stderr
    paragraphs: list[str] = []

    def read(blocks: list[dict[str, Any]]) -> None:
        for block in blocks:
            if block["t"] == "BlockQuote":
                read(block["c"])
            else:
                paragraphs.append(inline_text(block["c"]) if block["t"] == "Para" else f"‹{block['t']}›")

    read(json.loads(result.stdout)["blocks"])
    return paragraphs


def plain_parts(plain: str) -> list[str]:
    """The quote (without its «»), the claim and the attribution of each plain citation."""
    parts = []
    for block in plain.split("\n\n"):
        quote, *rest = block.rstrip("\n").split("\n")
        parts += [quote.removeprefix("«").removesuffix("»"), *rest]
    return parts


def test_a_markdown_citation_renders_as_the_plain_one(run):
    ids = [fact["id"] for fact in FACTS]
    markdown = run("cite", *ids, "--format", "markdown").stdout
    assert markdown.count("\n> ") + markdown.startswith("> ") == len(FACTS)
    assert rendered_paragraphs(markdown) == plain_parts(run("cite", *ids).stdout)


@needs_pandoc
@pytest.mark.parametrize("reader", PANDOC_READERS)
def test_pandoc_renders_a_markdown_citation_as_the_plain_one(run, reader):
    """Pandoc's Markdown reads more as markup than CommonMark (smart quotes and dashes, superscripts, citations):
    the citations of the article, whose quotes hold straight quotes, still render as the plain ones."""
    ids = [fact["id"] for fact in FACTS]
    assert any('"' in fact["quote"] for fact in FACTS)
    markdown = run("cite", *ids, "--format", "markdown").stdout
    assert pandoc_paragraphs(markdown, reader) == plain_parts(run("cite", *ids).stdout)


MARKUP = ["*a*", "_a_", "**a**", "`a`", "[a](b)", "![a](b)", "<b>a</b>", "&amp;", "a\\", "# a", "a\n===", "- a"]
MARKUP += ["+ a", "1. a", "2) a", "> a", "---", "    code", "a  ", "a\n\nb", "\n", "~~a~~", "a | b", "\u00a0a"]
# What Pandoc's Markdown reads as markup besides: its smart punctuation (quotes, apostrophes, dashes, ellipses, a
# nonbreaking space after an abbreviation), superscript, subscript, math, citations, more kinds of list, definition
# lists, title blocks, a curly opening quote left open (an apostrophe to it); its readers collapse runs of spaces and
# expand tabs; its CommonMark reader normalises to NFC (Arabic with a shadda before its vowel, a hamza written as a
# combining mark, U+2000 EN QUAD).
MARKUP += ['"a"', "it's", "'a'", "a -- b", "a --- b", "a...", "Mr. Smith", "see e.g. this", "a^b^", "H~2~O", "$x$"]
MARKUP += ["@doe99", "[@doe99]", "a (@x)", "a. b", "(a) b", "iv) b", "A.  B", "#. a", ": a", "~ a", "% a", "| a"]
MARKUP += ["a  b", "a\tb", "\tb", "\u0627\u0654", "\u0643\u0651\u064e", "e\u0301", "\u2000", "a\u2028b", "::: a"]
MARKUP += ["a\\\nb", "\\", "<!-- a -->", "1234567890. a", "a\u00a0\u00a0b", "\ufeffa", "a  \nb", "`` a ``"]
MARKUP += ["\u2018a", "x \u2018a\u2019 y", "a@b.org", "b@doe99@doe99", "\u0627\u0654 Mr. X", "(@) a", "e.g.. a"]
TEXTS = st.lists(
    st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from([*MARKUP, "\n", "\r", "\t", " ", "  "])
).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS | st.sampled_from(MARKUP))
def test_markdown_text_renders_as_exactly_the_text(text):
    """In markdown-it; and it is in NFC whatever the text, so that a reader that normalises (Pandoc's CommonMark)
    reads what is written."""
    markdown = markdown_text(text)
    assert rendered_paragraphs(markdown + "\n") == ([text] if text else [])
    assert unicodedata.is_normalized("NFC", markdown)


@needs_pandoc
@pytest.mark.parametrize("reader", PANDOC_READERS)
def test_pandoc_renders_markdown_text_as_exactly_the_text(reader):
    """Every sample of markup, a paragraph each, one Pandoc run: each renders as exactly its text."""
    texts = [text for text in MARKUP if text]
    assert pandoc_paragraphs("\n\n".join(map(markdown_text, texts)) + "\n", reader) == texts


@needs_pandoc
@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS.filter(bool), min_size=1, max_size=30))
def test_pandoc_renders_any_markdown_text_as_exactly_the_text(texts):
    """Random texts, a paragraph each (so one can follow another, as a definition follows its term), in Pandoc's
    two readers."""
    markdown = "\n\n".join(map(markdown_text, texts)) + "\n"
    for reader in PANDOC_READERS:
        assert pandoc_paragraphs(markdown, reader) == texts, reader


def test_markdown_refuses_a_text_it_cannot_carry():
    """U+0000 is U+FFFD to every CommonMark reader, written or referred to; other control characters are trimmed,
    replaced or read as quotes by one reader or another, and shown by none: Markdown refuses them."""
    for control in ["\x00", "\x0b", "\x1b", "\x7f", "\x85", "\x91"]:
        with pytest.raises(Unwritable, match=f"U\\+{ord(control):04X}"):
            markdown_text(f"a{control}b")
    assert rendered_paragraphs(markdown_text("a\tb\r\nc") + "\n") == ["a\tb\r\nc"]


def test_csl_json_is_valid_and_a_csl_processor_renders_it(run, article):
    items = json.loads(run("cite", *[fact["id"] for fact in FACTS], "--format", "csl-json").stdout)
    schema = json.loads((DATA / "csl-data.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(items)
    (item,) = items  # one reference for the one source, however many of its facts are cited
    source = SOURCES[item["id"]]
    year, month, day = map(int, source["published"]["value"].split("-"))
    assert item["issued"] == {"date-parts": [[year, month, day]], "circa": source["published"]["inferred"]}
    assert (item["publisher"], item["language"]) == (source["publisher"], source["language"])
    lines = [str(line_of(article, fact["span"]["start"])) for fact in FACTS]
    notes = [f"line {line}: «{fact['quote']}»" for line, fact in zip(lines, FACTS, strict=True)]
    assert item["note"].split("\n") == notes
    cited = item["custom"]["facts"]
    assert [(c["fact"], c["locator"], c["label"], c["quote"]) for c in cited] == [
        (fact["id"], line, "line", fact["quote"]) for line, fact in zip(lines, FACTS, strict=True)
    ]
    assert [(c["claim"], c["claim_en"], c["span"]) for c in cited] == [
        (fact["claim"], fact["claim_en"], fact["span"]) for fact in FACTS
    ]
    style = CitationStylesStyle(str(DATA / "harvard-cite-them-right.csl"), validate=False)
    with warnings.catch_warnings():  # citeproc-py reads no `custom`: it holds what CSL has no variable for
        warnings.filterwarnings("ignore", "The following arguments for Reference are unsupported")
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    citations = [Citation([CitationItem(item["id"], locator=Locator(c["label"], c["locator"]))]) for c in cited[:2]]
    for citation in citations:
        bibliography.register(citation)
    rendered = [str(bibliography.cite(citation, lambda key: pytest.fail(f"unknown {key}"))) for citation in citations]
    publisher = source["publisher"]
    assert rendered == [f"({publisher}, {year}, l. {line})" for line in lines[:2]]
    references = [str(entry) for entry in bibliography.bibliography()]
    assert references == [f"{publisher} ({year}) {publisher}, {day} {calendar.month_name[month]}."]


# export


def test_a_filtered_export_is_a_store_that_import_takes(run, store, tmp_path):
    exported = run("export", "--entity", "Kazakhstan")
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    listed = run("list", "--entity", "Kazakhstan", "--fields", "id").stdout.split()
    assert [fact["id"] for fact in document["facts"]] == listed
    referred = set().union(*map(fact_entities, document["facts"]))
    assert [entity["id"] for entity in document["entities"]] == [e for e in ENTITIES if e in referred]
    assert [source["id"] for source in document["sources"]] == list(SOURCES)
    empty = tmp_path / "kz.json"
    assert run("init", "--empty", str(empty)).returncode == 0
    imported = run("import", "--db", str(empty), input=exported.stdout)
    assert imported.returncode == 0, imported.stderr
    assert f"added 1 source, {len(referred)} entities, {len(listed)} facts" in imported.stderr
    assert run("validate", "--db", str(empty)).returncode == 0
    again = run("import", "--db", str(store), input=exported.stdout)
    assert "added 0 sources, 0 entities, 0 facts" in again.stderr
    limited = json.loads(run("export", "--limit", "1").stdout)
    assert [fact["id"] for fact in limited["facts"]] == [FACTS[0]["id"]]
    assert len(limited["entities"]) == len(fact_entities(FACTS[0]))


def test_an_export_that_selects_nothing_says_so_and_an_empty_store_exports_whole(run, tmp_path):
    for fmt, empty in (("json", {"sources": [], "entities": [], "facts": []}), ("annotations", None)):
        result = run("export", "--since", "2030", "-f", fmt)
        assert (result.returncode, result.stderr) == (1, "facts: no facts matched\n")
        if empty is not None:
            assert json.loads(result.stdout) == empty
    assert json.loads(run("export", "--since", "2030", "-f", "annotations").stdout)["total"] == 0
    path = tmp_path / "empty.json"
    assert run("init", "--empty", str(path)).returncode == 0
    whole = run("export", "--db", str(path))
    assert (whole.returncode, json.loads(whole.stdout)) == (0, {"sources": [], "entities": [], "facts": []})


def annotations_by_fact(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The expanded annotations of a collection, by the id of their fact."""
    (expanded,) = expand(collection)
    assert expanded["@type"] == [f"{AS}OrderedCollection"]
    (page,) = expanded[f"{AS}first"]
    (items,) = page[f"{AS}items"]
    found = {}
    for annotation in items["@list"]:
        assert annotation["@type"] == [f"{OA}Annotation"]
        found[annotation["@id"].removeprefix(f"{BASE}#annotation/")] = annotation
    return found


def test_annotations_anchor_every_fact_in_its_source_by_position_and_by_quote(run, article):
    collection = json.loads(run("export", "--format", "annotations", "--base", BASE).stdout)
    assert collection["@context"] == ANNOTATION_CONTEXT and collection["total"] == len(FACTS)
    annotations = annotations_by_fact(collection)
    assert list(annotations) == [fact["id"] for fact in FACTS]
    texts = {f"{BASE}#source/{source_id}": source["text"] for source_id, source in SOURCES.items()}
    assert set(texts.values()) == {article}
    for fact in FACTS:
        (target,) = annotations[fact["id"]][f"{OA}hasTarget"]
        (source,) = target[f"{OA}hasSource"]
        text = texts[source["@id"]]
        selectors = {selector["@type"][0].removeprefix(OA): selector for selector in target[f"{OA}hasSelector"]}
        position, quote = selectors["TextPositionSelector"], selectors["TextQuoteSelector"]
        start, end = position[f"{OA}start"][0]["@value"], position[f"{OA}end"][0]["@value"]
        (exact,) = [value["@value"] for value in quote[f"{OA}exact"]]
        (prefix,) = [value["@value"] for value in quote[f"{OA}prefix"]]
        (suffix,) = [value["@value"] for value in quote[f"{OA}suffix"]]
        assert text[start:end] == exact == fact["quote"]
        assert text[start - len(prefix) : start] == prefix and text[end : end + len(suffix)] == suffix
        assert len(prefix.split()) >= min(4, len(text[:start].split())) or len(prefix) == CONTEXT_CHARS
        assert len(suffix.split()) >= min(4, len(text[end:].split())) or len(suffix) == CONTEXT_CHARS
        assert stands_once(prefix + exact + suffix, text) or at_limit(text, start, end, prefix, suffix)


def test_annotation_bodies_hold_both_claims_the_tags_and_the_entities(run):
    annotations = annotations_by_fact(json.loads(run("export", "-f", "annotations", "--base", BASE).stdout))
    for fact in FACTS:
        bodies = annotations[fact["id"]][f"{OA}hasBody"]
        purposes: dict[str, list[Any]] = {}
        for body in bodies:
            (purpose,) = body[f"{OA}hasPurpose"]
            if body["@type"] == [f"{OA}TextualBody"]:
                (value,) = body[RDF_VALUE]
                language = [item["@value"] for item in body.get(DC_LANGUAGE, [])]
                purposes.setdefault(purpose["@id"], []).append((value["@value"], *language))
            else:
                (source,) = body[f"{OA}hasSource"]
                purposes.setdefault(purpose["@id"], []).append(source["@id"].removeprefix(f"{BASE}#entity/"))
        claim = f"{BASE}#fact/{fact['id']}"
        assert purposes[f"{OA}describing"] == [(fact["claim"], "ar"), (fact["claim_en"], "en"), claim]
        assert purposes[f"{OA}tagging"] == [(fact["type"],), (fact["status"],)]
        assert set(purposes[f"{OA}identifying"]) == fact_entities(fact)


def test_the_two_json_ld_exports_join_on_the_fact(run):
    """Given the same --base, an annotation's body names the schema.org Claim of its fact: a tool holding both
    documents goes from the highlighted quote to the claim, who made it and what it is about, and back."""
    annotations = annotations_by_fact(json.loads(run("export", "-f", "annotations", "--base", BASE).stdout))
    claims = {node["@id"]: node for node in expand(json.loads(run("export", "-f", "jsonld", "--base", BASE).stdout))}
    for fact in FACTS:
        linked = [
            body[f"{OA}hasSource"][0]["@id"]
            for body in annotations[fact["id"]][f"{OA}hasBody"]
            if body["@type"] == [f"{OA}SpecificResource"] and body[f"{OA}hasPurpose"] == [{"@id": f"{OA}describing"}]
        ]
        (claim,) = [claims[iri] for iri in linked]
        assert claim["@type"] == [f"{SCHEMA}Claim"] and claim[f"{SCHEMA}identifier"] == [{"@value": fact["id"]}]


def test_schema_org_authors_are_people_or_organisations_and_places_are_places(run, document, tmp_path):
    """schema.org's `author` takes a Person or an Organization, `spatialCoverage` a Place: a fact a country is
    said to have made has no author (the speaker stays linked in the annotations), one placed at a person has no
    spatialCoverage; an organisation is an author, a country a place."""
    facts = list(document["facts"].values())
    kinds = {entity["id"]: entity["kind"] for entity in document["entities"].values()}
    by_kind = {kind: next(e for e, k in kinds.items() if k == kind) for kind in ("country", "organisation", "person")}
    facts[0]["attributed_to"] = {"entity": by_kind["country"], "cue": "أعلنت"}
    facts[0]["place"] = {"entity": by_kind["person"], "inferred": False}
    facts[1]["attributed_to"] = {"entity": by_kind["organisation"], "cue": "أعلنت"}
    facts[1]["place"] = {"entity": by_kind["country"], "inferred": False}
    path = write_store(tmp_path / "speakers.json", document)
    nodes = {node["@id"]: node for node in expand(json.loads(run("export", "-f", "jsonld", "--db", str(path)).stdout))}
    first, second = (nodes[f"{BASE}#fact/{fact['id']}"] for fact in facts[:2])
    assert f"{SCHEMA}author" not in first and f"{SCHEMA}spatialCoverage" not in first
    assert second[f"{SCHEMA}author"] == [{"@id": f"{BASE}#entity/{by_kind['organisation']}"}]
    assert second[f"{SCHEMA}spatialCoverage"] == [{"@id": f"{BASE}#entity/{by_kind['country']}"}]
    for node in nodes.values():
        for author in node.get(f"{SCHEMA}author", []):
            assert nodes[author["@id"]]["@type"][0] in (f"{SCHEMA}Person", f"{SCHEMA}Organization")
        for place in node.get(f"{SCHEMA}spatialCoverage", []):
            assert nodes[place["@id"]]["@type"][0] in (f"{SCHEMA}Place", f"{SCHEMA}Country")
    annotation = json.loads(run("export", "-f", "annotations", "--db", str(path), "--limit", "1").stdout)
    linked = {body.get("source") for body in annotation["first"]["items"][0]["body"]}
    assert f"#entity/{by_kind['country']}" in linked


def test_positions_are_code_points_as_the_annotation_model_counts_them(run, document, tmp_path):
    """The model counts code points; browser tools count UTF-16 code units, which differ after an astral
    character (docs/EXPORT.md): the position selector here is the model's, and slices the text as Python does."""
    source = next(iter(document["sources"].values()))
    astral = "😀 𝔸 "
    source["text"] = astral + source["text"]
    for fact in document["facts"].values():
        fact["span"] = {key: value + len(astral) for key, value in fact["span"].items()}
    path = write_store(tmp_path / "astral.json", document)
    collection = json.loads(run("export", "--db", str(path), "-f", "annotations").stdout)
    first = collection["first"]["items"][0]["target"]["selector"][0]
    assert first["start"] == len(astral) and len(astral.encode("utf-16-le")) // 2 == len(astral) + 2
    assert source["text"][first["start"] : first["end"]] == FACTS[0]["quote"]


def test_ids_are_relative_to_the_document_unless_a_base_is_given(run):
    relative = json.loads(run("export", "-f", "annotations", "--limit", "1").stdout)
    assert relative["id"] == "#annotations"
    assert relative["first"]["items"][0]["target"]["source"] == f"#source/{FACTS[0]['source']}"
    absolute = json.loads(run("export", "-f", "jsonld", "--limit", "1", "--base", f"{BASE}#old").stdout)
    assert {node["@id"].split("#")[0] for node in absolute["@graph"]} == {BASE}
    iri = f"{BASE}/\u0645\u0644\u0641?q=%D8%A7#\U00010000"  # an IRI: Unicode where RFC 3987 allows it
    assert run("export", "-f", "jsonld", "--limit", "1", "--base", iri).returncode == 0


@pytest.mark.parametrize(
    ("base", "why"),
    [
        ("not an iri", "is not an absolute IRI"),
        ("rt-2015.jsonld", "is not an absolute IRI"),
        ("https://example.org/a b", "is not an absolute IRI"),
        ("https://example.org/<a>", "is not an absolute IRI"),
        ("https://example.org/%zz", "is not an absolute IRI"),
        ("https://example.org/%4", "is not an absolute IRI"),
        ("https://example.org/\ufdd0", "is not an absolute IRI"),
        ("https://example.org/\x1b[2J", "is not an absolute IRI"),
        ("https://example.org/\u202egpj.exe", "holds U+202E, a bidirectional control, which an IRI may not hold"),
        ("https://example.org/\u2067a", "holds U+2067, a bidirectional control, which an IRI may not hold"),
        ("https://example.org/\u200fa", "holds U+200F, a bidirectional control, which an IRI may not hold"),
    ],
)
def test_base_takes_an_absolute_iri_only(run, base, why):
    """RFC 3987: a scheme, then characters an IRI may hold (percent-encodings whole), and no bidirectional
    controls. The refusal is a usage error as any other, before the store is read."""
    bad = run("export", "-f", "jsonld", "--base", base, "--db", "/no/such/store.json")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("facts export: Invalid value for '--base': ") and why in bad.stderr, bad.stderr
    assert bad.stderr.endswith(" (try 'facts export -h')\n") and bad.stderr.count("\n") == 1
    assert "\x1b" not in bad.stderr and "\u202e" not in bad.stderr and "/no/such" not in bad.stderr


def test_base_is_refused_where_it_would_do_nothing(run):
    for args in ([], ["--format", "json"]):
        useless = run("export", *args, "--base", BASE)
        assert (useless.returncode, useless.stdout) == (2, "")
        assert useless.stderr == (
            "facts export: Invalid value for '--base': it makes the ids of JSON-LD absolute, so it takes --format "
            "annotations or jsonld (try 'facts export -h')\n"
        )


def test_schema_org_expands_offline_to_a_claim_per_fact_with_its_texts_and_entities(run):
    document = json.loads(run("export", "--format", "jsonld").stdout)
    assert isinstance(document["@context"], dict), "the context is inline"
    nodes = {node["@id"]: node for node in expand(document)}
    claims = {node_id: node for node_id, node in nodes.items() if node["@type"] == [f"{SCHEMA}Claim"]}
    assert list(claims) == [f"{BASE}#fact/{fact['id']}" for fact in FACTS]

    def texts(node: dict[str, Any], name: str) -> set[tuple[str, str | None]]:
        return {(value["@value"], value.get("@language")) for value in node.get(f"{SCHEMA}{name}", [])}

    for fact in FACTS:
        claim = claims[f"{BASE}#fact/{fact['id']}"]
        assert texts(claim, "text") == {(fact["claim"], "ar"), (fact["claim_en"], "en")}
        (appearance,) = claim[f"{SCHEMA}appearance"]
        article = nodes[appearance["@id"]]
        source = SOURCES[fact["source"]]
        assert article["@type"] == [f"{SCHEMA}NewsArticle"]
        assert texts(article, "datePublished") == {(source["published"]["value"], None)}
        (publisher,) = article[f"{SCHEMA}publisher"]
        assert texts(publisher, "name") == {(source["publisher"], None)}
        (based_on,) = claim[f"{SCHEMA}isBasedOn"]
        assert texts(based_on, "text") == {(fact["quote"], source["language"])}
        authors = [nodes[author["@id"]] for author in claim.get(f"{SCHEMA}author", [])]
        speaker = fact["attributed_to"]
        assert [texts(author, "name") for author in authors] == (
            [] if speaker is None else [{(name, lang) for lang, name in ENTITIES[speaker["entity"]]["name"].items()}]
        )
        about = [nodes[node["@id"]] for node in claim[f"{SCHEMA}about"]]
        assert {node["@id"].rsplit("/", 1)[1] for node in about} == {p["entity"] for p in fact["participants"]}
        for node in about:
            entity = ENTITIES[node["@id"].rsplit("/", 1)[1]]
            assert node["@type"][0].startswith(SCHEMA)
            assert texts(node, "name") == {(name, lang) for lang, name in entity["name"].items()}
            aliases = {(alias, lang) for lang, names in entity["aliases"].items() for alias in names}
            assert texts(node, "alternateName") == aliases


class ScriptData(HTMLParser):
    """The text of each <script> element of an HTML page, as a browser's parser finds it."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.inside = tag == "script"
        if self.inside:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.scripts[-1] += data


def test_json_ld_is_safe_inside_an_html_script_element(run, document, tmp_path):
    """JSON-LD is published in <script type="application/ld+json">, which the first `</script>` closes: the exports
    write <, > and & as \\u escapes, so a store's text cannot end the element (or open a comment), and the JSON value
    is still the text exactly."""
    hostile = "a </script><script>alert(1)</script> <!-- & b"
    fact = next(iter(document["facts"].values()))
    fact["claim_en"] = hostile
    path = write_store(tmp_path / "hostile.json", document)
    for fmt in ("jsonld", "annotations"):
        exported = run("export", "-f", fmt, "--db", str(path), "--limit", "1")
        assert exported.returncode == 0, exported.stderr
        assert not set("<>&") & set(exported.stdout) and "\\u003c/script\\u003e" in exported.stdout, fmt
        page = ScriptData()
        page.feed(f'<html><head><script type="application/ld+json">{exported.stdout}</script></head></html>')
        page.close()
        (script,) = page.scripts
        assert script == exported.stdout and hostile in json.dumps(json.loads(script), ensure_ascii=False), fmt
    ascii_out = run("export", "-f", "jsonld", "--db", str(path), "--limit", "1", env={"PYTHONIOENCODING": "ascii"})
    assert ascii_out.returncode == 0 and ascii_out.stdout.isascii() and "<" not in ascii_out.stdout
    assert json.loads(ascii_out.stdout) == json.loads(
        run("export", "-f", "jsonld", "--db", str(path), "--limit", "1").stdout
    )


def test_what_travels_is_the_text_as_stored(run):
    """Machine text exact: logical order, never shaped or reordered, whatever --bidi or FACTS_BIDI say."""
    environ = {"FACTS_BIDI": "visual"}
    for args in (["cite", "-f", "csl-json"], ["export", "-f", "jsonld"], ["export", "-f", "annotations"]):
        output = run(*args, env=environ).stdout
        assert all(json.dumps(fact["claim"], ensure_ascii=False) in output for fact in FACTS), args
    plain = run("cite", env=environ).stdout
    assert all(f"«{fact['quote']}»" in plain for fact in FACTS)


def at_limit(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    """Whether the context of text[start:end] is as long as it may be: CONTEXT_CHARS each side, or to the text's
    ends."""
    return len(prefix) == min(CONTEXT_CHARS, start) and len(suffix) == min(CONTEXT_CHARS, len(text) - end)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab كت \n\t"), min_size=1, max_size=120),
    cut=st.tuples(st.integers(0, 120), st.integers(1, 80)),
)
def test_a_quote_with_its_context_stands_once_or_the_context_is_at_its_limit(text, cut):
    start = min(cut[0], len(text) - 1)
    end = min(len(text), start + cut[1])
    prefix, suffix = quote_context(text, start, end)
    assert text[start - len(prefix) : start] == prefix and text[end : end + len(suffix)] == suffix
    assert len(prefix) <= CONTEXT_CHARS and len(suffix) <= CONTEXT_CHARS
    assert stands_once(prefix + text[start:end] + suffix, text) or at_limit(text, start, end, prefix, suffix)


def test_the_context_of_a_quote_in_a_repetitive_text_is_capped():
    """One word repeated over 400 KB: no context makes a quote stand once, and it stays a few words long (the
    position selector locates the quote), instead of growing to the whole text."""
    word = "كلمة "
    text = word * 80_000
    for start in (0, len(word) * 40_000, len(text) - len(word)):
        prefix, suffix = quote_context(text, start, start + len(word) - 1)
        assert at_limit(text, start, start + len(word) - 1, prefix, suffix)


def test_the_citations_in_the_docs_are_what_facts_prints(run):
    document = (BUNDLED.parent / "docs/EXPORT.md").read_text(encoding="utf-8")
    found = re.findall(r"```\n\$ (facts cite .*?)\n(.*?)```", document, re.S)
    shown = [(command, output) for command, output in found if "--format" not in command]  # JSON ones are cut short
    assert len(shown) >= 1
    for command, output in shown:
        assert run(*command.split()[1:]).stdout == output, command
    (markdown,) = re.findall(r"```markdown\n(.*?)```", document, re.S)
    assert run("cite", "ru-kz-s300-delivered", "--format", "markdown").stdout == markdown


README = (BUNDLED.parent / "README.md").read_text(encoding="utf-8")
TRAVEL = README[README.index("## Facts that travel") : README.index("## Documentation")]
README_EXAMPLES = re.findall(r"```\n\$ (facts .*?)\n(.*?)```", TRAVEL, re.S)


def test_the_readme_has_an_example_of_each_citation_and_export():
    formats = [re.search(r"--format ([\w-]+)", command) for command, _ in README_EXAMPLES]
    assert [found[1] if found else "plain" for found in formats] == [
        "plain",
        "markdown",
        "csl-json",
        "annotations",
        "jsonld",
    ]


@pytest.mark.parametrize(("command", "output"), README_EXAMPLES, ids=[c.split(" |")[0] for c, _ in README_EXAMPLES])
def test_the_readmes_examples_are_what_facts_prints(command, output, tmp_path):
    """Each example of the README's "Facts that travel", run as written by bash, the installed `facts` first on the
    PATH; the JSON ones through jq, as they are written."""
    if "| jq" in command and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    environ = clean_environment(
        PATH=f"{FACTS_BIN.parent}{os.pathsep}{os.environ.get('PATH', '')}", FACTS_CACHE_DIR=str(tmp_path / "cache")
    )
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert (result.returncode, result.stderr, result.stdout) == (0, "", output), command
