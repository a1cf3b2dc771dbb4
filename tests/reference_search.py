"""The search as it was first written, fact by fact: the oracle that the indexed search in cli/query.py must agree
with, hit for hit, score for score, reason for reason (tests/test_query.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from facts_cli.arabic import without_proclitic
from facts_cli.model import Record
from facts_cli.query import (
    _ENTITY_WEIGHT,
    _FIELD_WEIGHTS,
    _FUZZY_WEIGHT,
    _NAME_WEIGHT,
    _PHRASE_WEIGHT,
    EntityIndex,
    Hit,
    Stemmer,
    _contains,
    fact_entities,
    field_tokens,
    fuzzy_candidates,
    query_terms,
)


@dataclass
class _Indexed:
    fact: Record
    fields: dict[str, list[str]]
    stems: dict[str, set[str]]
    names: dict[str, set[str]] = field(default_factory=dict)


def _index(fact: Record, entities: EntityIndex, stemmer: Stemmer) -> _Indexed:
    fields = {name: field_tokens(fact, name) for name in _FIELD_WEIGHTS}
    stems = {name: {stemmer(token) for token in tokens} for name, tokens in fields.items()}
    names = {
        entity_id: entities.name_tokens[entity_id]
        for entity_id in sorted(fact_entities(fact))
        if entity_id in entities.name_tokens
    }
    return _Indexed(fact, fields, stems, names)


def _match_entity(item: _Indexed, phrase: Sequence[str], ids: set[str]) -> tuple[float, str] | None:
    involved = sorted(ids & item.names.keys())
    if involved:
        return _ENTITY_WEIGHT, f"{' '.join(phrase)} = entity {', '.join(involved)}"
    for name, tokens in item.fields.items():
        if _contains(tokens, phrase):
            return _PHRASE_WEIGHT, f"{' '.join(phrase)} in {name}"
    return None


def _match_word(item: _Indexed, word: str, forms: Sequence[str], stemmer: Stemmer) -> tuple[float, str] | None:
    """The best way a word (or, fuzzily, one of its close forms) matches a fact."""
    fuzzy = list(forms) != [word]
    best: tuple[float, str] | None = None
    for spelling in forms:
        candidates = []
        word_stem = stemmer(spelling)
        for name, (exact, stemmed) in _FIELD_WEIGHTS.items():
            if spelling in item.fields[name]:
                candidates.append((exact, f"{spelling} in {name}"))
            elif not fuzzy and word_stem in item.stems[name]:
                candidates.append((stemmed, f"{spelling} ~{word_stem} in {name}"))
        for entity_id, tokens in item.names.items():
            if spelling in tokens or any(r in tokens for r in without_proclitic(spelling)):
                candidates.append((_NAME_WEIGHT, f"{spelling} in the names of {entity_id}"))
        for weight, reason in candidates:
            if fuzzy:
                weight, reason = _FUZZY_WEIGHT, f"{word} ≈ {reason}"
            if best is None or weight > best[0]:
                best = (weight, reason)
    return best


def reference_search(
    facts: Sequence[Record], entities: EntityIndex, query: str, stemmer: Stemmer, *, ranked: bool = True
) -> list[Hit]:
    """Facts matching every term of `query`, each with how well and why: best first (ties in the order of
    `facts`), or in the order of `facts` when not `ranked`.

    `stemmer` knows the words of the whole store (so that a filter on `facts` does not change how words match).
    """
    names, words = query_terms(query, entities)
    items = [_index(fact, entities, stemmer) for fact in facts]
    vocabulary = [t for item in items for tokens in (*item.fields.values(), *item.names.values()) for t in tokens]
    per_term: list[list[tuple[float, str] | None]] = []
    for phrase, ids in names:
        per_term.append([_match_entity(item, phrase, ids) for item in items])
    for word in words:
        matches = [_match_word(item, word, [word], stemmer) for item in items]
        if not any(matches):
            close = fuzzy_candidates(word, vocabulary)
            matches = [_match_word(item, word, close, stemmer) if close else None for item in items]
        per_term.append(matches)
    if not per_term:
        return []
    hits = []
    for position, item in enumerate(items):
        found = [term[position] for term in per_term]
        if all(found):
            matched = [m for m in found if m is not None]
            hits.append(Hit(item.fact, sum(weight for weight, _ in matched), tuple(why for _, why in matched)))
    return sorted(hits, key=lambda hit: -hit.score) if ranked else hits
