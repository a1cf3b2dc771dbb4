"""Facts that travel: `facts cite` (plain, Markdown, CSL-JSON) and `facts export` (the store document, W3C Web
Annotations, schema.org in JSON-LD), checked with the tools that read them: a JSON-LD processor offline, with the
W3C context shipped in tests/data; the CSL-JSON schema and a CSL processor; a CommonMark parser."""

from __future__ import annotations

import calendar
import html
import json
import re
import warnings
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
from facts_cli.jsonld import quote_context
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


@pytest.fixture
def store(run, tmp_path) -> Path:
    path = tmp_path / "mine.json"
    assert run("init", str(path)).returncode == 0
    return path


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


def test_a_citation_on_a_terminal_is_the_logical_text_sanitised(run, document, tmp_path):
    """For pasting: never reordered or shaped, even on a terminal that gets listings in visual order; what the
    store holds that would act on the terminal is made visible. Piped, the text is exactly as stored."""
    source = next(iter(document["sources"].values()))
    fact = next(iter(document["facts"].values()))
    quote = "خبر \x1b[2J\u202eمقلوب"
    fact["span"] = {"start": len(source["text"]) + 1, "end": len(source["text"]) + 1 + len(quote)}
    source["text"] += "\n" + quote
    fact["quote"] = quote
    path = write_store(tmp_path / "hostile.json", document)
    environ = clean_environment(TERM="xterm", COLUMNS="80", LINES="24", NO_COLOR="1")
    for fmt, inert in (("plain", "خبر ^[[2J<U+202E>مقلوب"), ("markdown", "خبر ^[\\[2J<U+202E>مقلوب")):
        shown = in_pty([str(FACTS_BIN), "cite", fact["id"], "--db", str(path), "-f", fmt], environ).decode("utf-8")
        assert "\x1b[2J" not in shown and "\u202e" not in shown
        assert inert in shown, shown
        assert fact["claim_en"] in shown
    piped = run("cite", fact["id"], "--db", str(path))
    assert piped.stdout.split("\n")[0] == f"«{quote}»"


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


def test_a_markdown_citation_renders_as_the_plain_one(run):
    ids = [fact["id"] for fact in FACTS]
    markdown = run("cite", *ids, "--format", "markdown").stdout
    plain = run("cite", *ids).stdout.split("\n\n")
    assert markdown.count("\n> ") + markdown.startswith("> ") == len(FACTS)
    expected = []
    for block in plain:
        quote, *rest = block.rstrip("\n").split("\n")
        expected += [quote.removeprefix("«").removesuffix("»"), *rest]
    assert rendered_paragraphs(markdown) == expected


MARKUP = ["*a*", "_a_", "**a**", "`a`", "[a](b)", "![a](b)", "<b>a</b>", "&amp;", "a\\", "# a", "a\n===", "- a"]
MARKUP += ["+ a", "1. a", "2) a", "> a", "---", "    code", "a  ", "a\n\nb", "\n", "~~a~~", "a | b", "\u00a0a"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\n\r  *_-#>1.)"))
    | st.sampled_from(MARKUP)
)
def test_markdown_text_renders_as_exactly_the_text(text):
    assert rendered_paragraphs(markdown_text(text) + "\n") == ([text] if text else [])


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
        assert len(prefix.split()) >= min(4, len(text[:start].split()))
        assert len(suffix.split()) >= min(4, len(text[end:].split()))
        assert stands_once(prefix + exact + suffix, text)


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
        assert purposes[f"{OA}describing"] == [(fact["claim"], "ar"), (fact["claim_en"], "en")]
        assert purposes[f"{OA}tagging"] == [(fact["type"],), (fact["status"],)]
        assert set(purposes[f"{OA}identifying"]) == fact_entities(fact)


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
    bad = run("export", "-f", "jsonld", "--base", "not an iri", "--db", "/no/such/store.json")
    assert bad.returncode == 2 and "is not an absolute IRI" in bad.stderr and "/no/such" not in bad.stderr
    useless = run("export", "--base", BASE)
    assert useless.returncode == 2 and "--base makes the ids of JSON-LD absolute" in useless.stderr


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


def test_what_travels_is_the_text_as_stored(run):
    """Machine text exact: logical order, never shaped or reordered, whatever --bidi or FACTS_BIDI say."""
    environ = {"FACTS_BIDI": "visual"}
    for args in (["cite", "-f", "csl-json"], ["export", "-f", "jsonld"], ["export", "-f", "annotations"]):
        output = run(*args, env=environ).stdout
        assert all(json.dumps(fact["claim"], ensure_ascii=False) in output for fact in FACTS), args
    plain = run("cite", env=environ).stdout
    assert all(f"«{fact['quote']}»" in plain for fact in FACTS)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab كت \n\t"), min_size=1, max_size=80),
    cut=st.tuples(st.integers(0, 80), st.integers(1, 80)),
)
def test_a_quote_with_its_context_stands_once_or_takes_the_whole_text(text, cut):
    start = min(cut[0], len(text) - 1)
    end = min(len(text), start + cut[1])
    prefix, suffix = quote_context(text, start, end)
    assert text[start - len(prefix) : start] == prefix and text[end : end + len(suffix)] == suffix
    passage = prefix + text[start:end] + suffix
    assert stands_once(passage, text) or passage == text


def test_the_citations_in_the_docs_are_what_facts_prints(run):
    root = BUNDLED.parent
    documents = [(root / name).read_text(encoding="utf-8") for name in ("README.md", "docs/EXPORT.md")]
    found = [
        block for document in documents for block in re.findall(r"```\n\$ (facts cite .*?)\n(.*?)```", document, re.S)
    ]
    shown = [(command, output) for command, output in found if "--format" not in command]  # JSON ones are cut short
    assert len(shown) >= 2
    for command, output in shown:
        assert run(*command.split()[1:]).stdout == output, command
    (markdown,) = re.findall(r"```markdown\n(.*?)```", documents[1], re.S)
    assert run("cite", "ru-kz-s300-delivered", "--format", "markdown").stdout == markdown
