"""The bundled store's content: the article verbatim, every line covered by exact spans, coherent facts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from facts_cli.validate import validate_document

ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


def facts_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["facts"].values())


def entities_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in document["entities"].values()}


def the_source(document: dict[str, Any]) -> dict[str, Any]:
    (source,) = document["sources"].values()
    return source


def test_bundled_store_validates(bundled_document):
    assert validate_document(bundled_document) == []


def test_source_is_the_article_verbatim(bundled_document, article):
    assert the_source(bundled_document)["text"] == article
    assert article.endswith("\nRT")


def test_every_span_is_exact(bundled_document):
    text = the_source(bundled_document)["text"]
    for fact in facts_of(bundled_document):
        span = fact["span"]
        assert text[span["start"] : span["end"]] == fact["quote"], fact["id"]


@pytest.mark.parametrize("line_number", range(1, 18))
def test_every_line_of_the_article_is_covered_by_a_fact(bundled_document, line_number):
    text = the_source(bundled_document)["text"]
    lines = text.split("\n")
    assert len(lines) == 17
    start = sum(len(line) + 1 for line in lines[: line_number - 1])
    end = start + len(lines[line_number - 1])
    covering = [f["id"] for f in facts_of(bundled_document) if f["span"]["start"] < end and f["span"]["end"] > start]
    assert covering, f"line {line_number} ({lines[line_number - 1][:40]}...) has no fact"


def test_sentences_that_say_two_things_yield_two_facts(bundled_document):
    """Lines 2, 4, 8, 9, 10, 11, 13, 14 and 16 each carry two or more claims; line 3 names two systems."""
    text = the_source(bundled_document)["text"]
    starts = [m.start() for m in re.finditer(r"^", text, re.MULTILINE)]
    per_line: dict[int, int] = {}
    for fact in facts_of(bundled_document):
        line = max(i for i, s in enumerate(starts, 1) if s <= fact["span"]["start"])
        per_line[line] = per_line.get(line, 0) + 1
    for line in (2, 3, 4, 8, 9, 10, 11, 13, 14, 16):
        assert per_line.get(line, 0) >= 2, line
    assert per_line[8] == 3


def test_claims_are_bilingual(bundled_document):
    for fact in facts_of(bundled_document):
        assert ARABIC_LETTER.search(fact["claim"]), fact["id"]
        assert not ARABIC_LETTER.search(fact["claim_en"]), fact["id"]


def test_attribution_cues_stand_in_the_quote(bundled_document):
    attributed = [f for f in facts_of(bundled_document) if f["attributed_to"]]
    assert len(attributed) >= 10
    for fact in attributed:
        assert fact["attributed_to"]["cue"] in fact["quote"], fact["id"]


def test_unattributed_facts_have_no_reporting_verb_in_their_quote(bundled_document):
    cues = ("أفاد", "أشار", "شدد", "ذكر", "أضاف", "مضيفا")
    for fact in facts_of(bundled_document):
        if fact["attributed_to"] is None:
            assert not any(cue in fact["quote"] for cue in cues), fact["id"]


def test_stated_time_expressions_are_in_the_text(bundled_document):
    text = the_source(bundled_document)["text"]
    for fact in facts_of(bundled_document):
        time = fact["time"]
        if time and time["text"]:
            assert time["text"] in text, fact["id"]
        if time and not time["inferred"]:
            assert time["text"] and time["text"] in fact["quote"], fact["id"]


def test_dates_are_as_precise_as_the_text(bundled_document):
    by_id = {f["id"]: f for f in facts_of(bundled_document)}
    signing = by_id["ru-am-caucasus-air-defence"]["time"]
    assert (signing["value"], signing["precision"], signing["inferred"]) == ("2015-12-23", "day", True)
    kazakh = by_id["ru-kz-air-defence-2013"]["time"]
    assert (kazakh["value"], kazakh["precision"], kazakh["inferred"]) == ("2013", "year", False)
    assert by_id["ru-by-air-defence"]["time"] is None
    published = the_source(bundled_document)["published"]
    assert published["value"] == "2015-12-23" and published["inferred"] is True and "Wednesday" in published["basis"]


def test_headlines_are_facts_of_their_own(bundled_document):
    by_id = {f["id"]: f for f in facts_of(bundled_document)}
    free = by_id["ru-kz-s300-free"]
    assert "مجانا" in free["quote"] and "free of charge" in free["claim_en"]
    assert free["attributed_to"] is None
    assert by_id["cis-doctrine-headline"]["type"] == "adoption"


def test_every_entity_is_used_and_named_in_both_scripts(bundled_document):
    entities = entities_of(bundled_document)
    used = set()
    for fact in facts_of(bundled_document):
        used |= {p["entity"] for p in fact["participants"]}
        used |= {fact["place"]["entity"]} if fact["place"] else set()
        used |= {fact["attributed_to"]["entity"]} if fact["attributed_to"] else set()
    assert used == set(entities)
    for entity in entities.values():
        assert ARABIC_LETTER.search(entity["name"]["ar"]) or entity["name"]["ar"].isascii(), entity["id"]
        assert not ARABIC_LETTER.search(entity["name"]["en"]), entity["id"]


def test_aliases_carry_the_spellings_people_type(bundled_document):
    entities = entities_of(bundled_document)
    assert "شويجو" in entities["shoigu"]["aliases"]["ar"]
    assert "Shoygu" in entities["shoigu"]["aliases"]["en"]
    assert "Kirghizia" in entities["kyrgyzstan"]["aliases"]["en"]
    assert "روسيا البيضاء" in entities["belarus"]["aliases"]["ar"]
    assert "إس -300" in entities["s-300"]["aliases"]["ar"]
    for entity in entities.values():
        for lang in ("ar", "en"):
            assert entity["name"][lang] not in entity["aliases"][lang], entity["id"]
