"""Facts as JSON-LD for the tools of researchers and fact-checkers: a W3C Web Annotation collection that anchors each
fact in its source, and schema.org Claims about typed entities."""

from __future__ import annotations

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
# once in the text: enough to find the quote again in a copy of the text that is laid out differently.
CONTEXT_WORDS = 4


def iri(base: str | None, kind: str, record_id: Any = None) -> str:
    """The IRI of a record (`#fact/ID`, `#entity/ID`, `#source/ID`), relative to the document, or made absolute
    against `base` (as RFC 3986 resolves a reference that is only a fragment: the base without its fragment)."""
    # An id is a slug in a valid store; anything else is percent-encoded (a lone surrogate as the bytes it stands for).
    escaped = quote(label(record_id), safe="-._~", errors="surrogatepass") if record_id is not None else None
    fragment = f"#{kind}" if escaped is None else f"#{kind}/{escaped}"
    return fragment if base is None else base.split("#", 1)[0] + fragment


def _entity_ids(facts: Iterable[Record]) -> dict[str, None]:
    return {entity: None for fact in facts for _, entity in entity_references(fact) if isinstance(entity, str)}


def _words_before(text: str, position: int, words: int) -> int:
    """Where the `words` words before `position` start (with the spaces between them and it)."""
    for _ in range(words):
        while position > 0 and text[position - 1].isspace():
            position -= 1
        while position > 0 and not text[position - 1].isspace():
            position -= 1
    return position


def _words_after(text: str, position: int, words: int) -> int:
    """Where the `words` words after `position` end (with the spaces between it and them)."""
    for _ in range(words):
        while position < len(text) and text[position].isspace():
            position += 1
        while position < len(text) and not text[position].isspace():
            position += 1
    return position


def quote_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix of text[start:end]: a few words each, more when the quote with them stands more than
    once in the text (doubling, up to the whole text)."""
    words = CONTEXT_WORDS
    while True:
        first, last = _words_before(text, start, words), _words_after(text, end, words)
        passage = text[first:last]
        found = text.find(passage)
        if text.find(passage, found + 1) < 0 or (first == 0 and last == len(text)):
            return text[first:start], text[end:last]
        words *= 2


def _textual(value: str, purpose: str, language: str | None = None) -> dict[str, Any]:
    body = {"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain"}
    if language:
        body.update(language=language, textDirection="rtl" if language == "ar" else "ltr")
    return body


def annotation(fact: Record, where: Anchor, base: str | None) -> dict[str, Any]:
    """One fact as a Web Annotation: its claims (Arabic and English), type and status (tags) and the entities it
    involves (links) describe the quote it rests on, selected in its source by position and by quote."""
    prefix, suffix = quote_context(where.text, where.start, where.end)
    claims = [(text_of(fact, name), language) for name, language in (("claim", "ar"), ("claim_en", "en"))]
    body = [
        *(_textual(claim, "describing", language) for claim, language in claims if claim),
        *(_textual(fact[name], "tagging") for name in ("type", "status") if isinstance(fact.get(name), str)),
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


def _claim_node(fact: Record, sources: Mapping[str, Record], base: str | None) -> dict[str, Any]:
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
        "author": {"@id": iri(base, "entity", speaker)} if isinstance(speaker, str) else None,
        "about": [{"@id": iri(base, "entity", entity)} for entity in about] or None,
        "temporalCoverage": text_of(fact, "time.value") or None,
        "spatialCoverage": {"@id": iri(base, "entity", place)} if isinstance(place, str) else None,
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


def schema_org_graph(
    facts: list[Record], sources: list[Record], entities: list[Record], base: str | None
) -> dict[str, Any]:
    """The facts as schema.org in JSON-LD: one Claim per fact, the articles they appear in (NewsArticle, with
    publisher and date) and the entities they are about or said by (typed, with names and aliases in both
    languages); the context inline."""
    by_id = _by_id(sources)
    cited = {fact["source"] for fact in facts if isinstance(fact.get("source"), str)}
    involved = _entity_ids(facts)
    graph = [
        *(_article_node(source, base) for source_id, source in by_id.items() if source_id in cited),
        *(_entity_node(entity, base) for entity_id, entity in _by_id(entities).items() if entity_id in involved),
        *(_claim_node(fact, by_id, base) for fact in facts),
    ]
    return {"@context": SCHEMA_ORG_CONTEXT, "@graph": graph}
