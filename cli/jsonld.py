"""Facts as JSON-LD for the tools of researchers and fact-checkers: a W3C Web Annotation collection that anchors each
fact in its source, and schema.org Claims about typed entities."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from .cite import Anchor, anchor, label, text_of
from .model import Record, entity_references, field_value

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

# schema.org's terms, inline (a processor expands the export without fetching anything); the vocabulary IRI is the
# one schema.org's own context gives, http. Texts in several languages are language maps: {"ar": ..., "en": ...}.
SCHEMA_ORG_CONTEXT: dict[str, Any] = {
    "@vocab": "http://schema.org/",
    "text": {"@container": "@language"},
    "name": {"@container": "@language"},
    "alternateName": {"@container": "@language"},
    "description": {"@container": "@language"},
}

# Entity kinds as schema.org types: what schema.org has for each, Thing where it has nothing closer.
SCHEMA_ORG_TYPES = {
    "person": "Person",
    "country": "Country",
    "organisation": "Organization",
    "place": "Place",
    "facility": "Place",
    "document": "CreativeWork",
    "weapon-system": "Product",
    "defence-system": "Thing",
}

# A TextQuoteSelector's prefix and suffix start with this many words each, and grow until the three together stand
# once in the text, but never beyond this many characters each: enough to find the quote again in a copy of the text
# that is laid out differently. (The Hypothesis client takes 32 characters; four words of the article run to 42.)
# Where even that does not make the quote stand once (a repetitive text), the TextPositionSelector says which
# occurrence it is.
CONTEXT_WORDS = 4
CONTEXT_CHARS = 64


# RFC 3987's absolute IRI, as characters: a scheme, then what an IRI may hold (ASCII letters, digits and the
# delimiters; a percent-encoded byte, whole; `ucschar`, the non-ASCII characters outside the controls, surrogates,
# private use and noncharacters) but its bidirectional controls, which it forbids (section 4.1; and the isolates,
# which came after it). The parts (authority, path, query, fragment) are not taken apart: the base is only joined.
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    + "".join(f"{chr(plane << 16)}-{chr((plane << 16) + 0xFFFD)}" for plane in range(1, 14))
    + "\U000e1000-\U000efffd"
)
_ABSOLUTE_IRI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;={_UCSCHAR}]|%[0-9A-Fa-f]{{2}})*"
)
_BIDI_CONTROL = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def iri_problem(value: str) -> str | None:
    """What makes `value` no absolute IRI (RFC 3987), or None when it is one."""
    control = _BIDI_CONTROL.search(value)
    if control:
        return f"{value!r} holds U+{ord(control[0]):04X}, a bidirectional control, which an IRI may not hold"
    if not _ABSOLUTE_IRI.fullmatch(value):
        return f"{value!r} is not an absolute IRI: give where the export is published (https://...)"
    return None


def iri(base: str | None, kind: str, record_id: Any = None) -> str:
    """The IRI of a record (`#fact/ID`, `#entity/ID`, `#source/ID`), relative to the document, or made absolute
    against `base` (as RFC 3986 resolves a reference that is only a fragment: the base without its fragment)."""
    # An id is a slug in a valid store; anything else is percent-encoded (a lone surrogate as the bytes it stands for).
    escaped = quote(label(record_id), safe="-._~", errors="surrogatepass") if record_id is not None else None
    fragment = f"#{kind}" if escaped is None else f"#{kind}/{escaped}"
    return fragment if base is None else base.split("#", 1)[0] + fragment


def _entity_ids(facts: Iterable[Record]) -> dict[str, None]:
    return {entity: None for fact in facts for _, entity in entity_references(fact) if isinstance(entity, str)}


def _words_before(text: str, position: int, words: int, limit: int) -> int:
    """Where the `words` words before `position` start (with the spaces between them and it), not before `limit`."""
    for _ in range(words):
        while position > limit and text[position - 1].isspace():
            position -= 1
        while position > limit and not text[position - 1].isspace():
            position -= 1
    return position


def _words_after(text: str, position: int, words: int, limit: int) -> int:
    """Where the `words` words after `position` end (with the spaces between it and them), not after `limit`."""
    for _ in range(words):
        while position < limit and text[position].isspace():
            position += 1
        while position < limit and not text[position].isspace():
            position += 1
    return position


def quote_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix of text[start:end]: a few words each, more when the quote with them stands more than
    once in the text (doubling), never more than CONTEXT_CHARS characters each."""
    floor, ceiling = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    words = CONTEXT_WORDS
    while True:
        first, last = _words_before(text, start, words, floor), _words_after(text, end, words, ceiling)
        passage = text[first:last]
        found = text.find(passage)
        if text.find(passage, found + 1) < 0 or (first == floor and last == ceiling):
            return text[first:start], text[end:last]
        words *= 2


def _textual(value: str, purpose: str, language: str | None = None) -> dict[str, Any]:
    body = {"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain"}
    if language:
        body.update(language=language, textDirection="rtl" if language == "ar" else "ltr")
    return body


def annotation(fact: Record, where: Anchor, base: str | None) -> dict[str, Any]:
    """One fact as a Web Annotation: its claims (Arabic and English, and a link to its schema.org Claim), type and
    status (tags) and the entities it involves (links) describe the quote it rests on, selected in its source by
    position and by quote."""
    prefix, suffix = quote_context(where.text, where.start, where.end)
    claims = [(text_of(fact, name), language) for name, language in (("claim", "ar"), ("claim_en", "en"))]
    body = [
        *(_textual(claim, "describing", language) for claim, language in claims if claim),
        *(_textual(fact[name], "tagging") for name in ("type", "status") if isinstance(fact.get(name), str)),
        # the schema.org Claim of the fact (the same IRI in `--format jsonld` under the same base)
        {"type": "SpecificResource", "purpose": "describing", "source": iri(base, "fact", fact.get("id"))},
        *(
            {"type": "SpecificResource", "purpose": "identifying", "source": iri(base, "entity", entity)}
            for entity in _entity_ids([fact])
        ),
    ]
    return {
        "id": iri(base, "annotation", fact.get("id")),
        "type": "Annotation",
        "motivation": "describing",
        "body": body,
        "target": {
            "source": iri(base, "source", where.source.get("id")),
            "selector": [
                {"type": "TextPositionSelector", "start": where.start, "end": where.end},
                {
                    "type": "TextQuoteSelector",
                    "exact": where.text[where.start : where.end],
                    "prefix": prefix,
                    "suffix": suffix,
                },
            ],
        },
    }


def _by_id(records: Iterable[Record]) -> dict[str, Record]:
    return {record["id"]: record for record in records if isinstance(record.get("id"), str)}


def annotation_collection(facts: list[Record], sources: list[Record], base: str | None) -> dict[str, Any]:
    """The facts as a W3C Web Annotation collection: one annotation per fact, in order, on one embedded page.
    InvalidStore, before anything is made, when a fact's span does not hold its quote."""
    by_id = _by_id(sources)
    anchors = [anchor(fact, by_id) for fact in facts]
    quoted = dict.fromkeys(label(where.source.get("id")) for where in anchors)
    collection: dict[str, Any] = {
        "@context": ANNOTATION_CONTEXT,
        "id": iri(base, "annotations"),
        "type": "AnnotationCollection",
        "label": f"Facts quoted from {', '.join(quoted)}" if quoted else "Facts",
        "total": len(facts),
    }
    if facts:
        page = iri(base, "annotations", "page-1")
        items = [annotation(fact, where, base) for fact, where in zip(facts, anchors, strict=True)]
        collection["first"] = {"id": page, "type": "AnnotationPage", "startIndex": 0, "items": items}
        collection["last"] = page
    return collection


def _language_map(value: Any) -> dict[str, Any] | None:
    """A record's {"ar": ..., "en": ...} as a JSON-LD language map: the texts (or lists of texts) it holds."""
    if not isinstance(value, dict):
        return None
    kept = {}
    for language, text in value.items():
        if isinstance(text, list):
            text = [item for item in text if isinstance(item, str)]
        if isinstance(text, str | list) and text:
            kept[language] = text
    return kept or None


def _entity_node(entity: Record, base: str | None) -> dict[str, Any]:
    node = {
        "@id": iri(base, "entity", entity.get("id")),
        "@type": SCHEMA_ORG_TYPES.get(entity.get("kind"), "Thing") if isinstance(entity.get("kind"), str) else "Thing",
        "identifier": label(entity.get("id")),
        "name": _language_map(entity.get("name")),
        "alternateName": _language_map(entity.get("aliases")),
        "description": _language_map(entity.get("description")),
    }
    return {key: value for key, value in node.items() if value is not None}


def _article_node(source: Record, base: str | None) -> dict[str, Any]:
    node = {
        "@id": iri(base, "source", source.get("id")),
        "@type": "NewsArticle",
        "identifier": label(source.get("id")),
        "inLanguage": text_of(source, "language") or None,
        "publisher": {"@type": "Organization", "name": text_of(source, "publisher")}
        if source.get("publisher")
        else None,
        "datePublished": text_of(source, "published.value") or None,
    }
    return {key: value for key, value in node.items() if value is not None}


def _kind_is(entity_id: Any, entities: Mapping[str, Record], types: frozenset[str]) -> bool:
    """Whether an entity of the store is typed, by its kind, as one of the schema.org types."""
    entity = entities.get(entity_id) if isinstance(entity_id, str) else None
    kind = entity.get("kind") if entity is not None else None
    return isinstance(kind, str) and SCHEMA_ORG_TYPES.get(kind) in types


# What schema.org's properties take: `author` a Person or an Organization, `spatialCoverage` a Place.
AUTHORS = frozenset({"Person", "Organization"})
PLACES = frozenset({"Place", "Country"})


def _claim_node(
    fact: Record, sources: Mapping[str, Record], entities: Mapping[str, Record], base: str | None
) -> dict[str, Any]:
    source = sources.get(fact.get("source")) if isinstance(fact.get("source"), str) else None
    participants = fact.get("participants") if isinstance(fact.get("participants"), list) else []
    about = dict.fromkeys(
        p.get("entity") for p in participants if isinstance(p, dict) and isinstance(p.get("entity"), str)
    )
    speaker = field_value(fact, "attributed_to.entity")
    place = field_value(fact, "place.entity")
    language = text_of(source, "language") if source else ""
    quoted = fact.get("quote") if isinstance(fact.get("quote"), str) else None
    node = {
        "@id": iri(base, "fact", fact.get("id")),
        "@type": "Claim",
        "identifier": label(fact.get("id")),
        "text": _language_map({"ar": fact.get("claim"), "en": fact.get("claim_en")}),
        "appearance": {"@id": iri(base, "source", source.get("id"))} if source else None,
        "author": {"@id": iri(base, "entity", speaker)} if _kind_is(speaker, entities, AUTHORS) else None,
        "about": [{"@id": iri(base, "entity", entity)} for entity in about] or None,
        "temporalCoverage": text_of(fact, "time.value") or None,
        "spatialCoverage": {"@id": iri(base, "entity", place)} if _kind_is(place, entities, PLACES) else None,
        "keywords": [fact[name] for name in ("type", "status") if isinstance(fact.get(name), str)] or None,
        "isBasedOn": {
            "@type": "Quotation",
            "text": {language: quoted} if language else quoted,
            **({"isPartOf": {"@id": iri(base, "source", source.get("id"))}} if source else {}),
        }
        if quoted
        else None,
    }
    return {key: value for key, value in node.items() if value is not None}


def _referred(node: Any) -> Iterable[str]:
    """The IRIs a node of the graph refers to, at any depth."""
    if isinstance(node, dict):
        if set(node) == {"@id"}:
            yield node["@id"]
        for value in node.values():
            yield from _referred(value)
    elif isinstance(node, list):
        for value in node:
            yield from _referred(value)


def schema_org_graph(
    facts: list[Record], sources: list[Record], entities: list[Record], base: str | None
) -> dict[str, Any]:
    """The facts as schema.org in JSON-LD: one Claim per fact, the articles they appear in (NewsArticle, with
    publisher and date) and the entities they are about, said by or placed at (typed, with names and aliases in
    both languages), in store order; the context inline. A speaker that is no Person or Organization is no author,
    a place that is no Place no spatialCoverage (what schema.org's properties take), and not in the graph unless
    a claim is about it."""
    by_id, entities_by_id = _by_id(sources), _by_id(entities)
    claims = [_claim_node(fact, by_id, entities_by_id, base) for fact in facts]
    referred = set(_referred(claims))
    graph = [
        *(
            _article_node(source, base)
            for source_id, source in by_id.items()
            if iri(base, "source", source_id) in referred
        ),
        *(
            _entity_node(entity, base)
            for entity_id, entity in entities_by_id.items()
            if iri(base, "entity", entity_id) in referred
        ),
        *claims,
    ]
    return {"@context": SCHEMA_ORG_CONTEXT, "@graph": graph}
