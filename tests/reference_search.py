"""The search written fact by fact, the plain way: the oracle that the indexed search in cli/query.py must agree
with, hit for hit, score for score, reason for reason (tests/test_query.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from facts_cli.arabic import with_proclitic, without_proclitic
from facts_cli.model import Record, fact_entities
from facts_cli.query import (
    _ENTITY_WEIGHT,
    _FIELD_WEIGHTS,
    _FUZZY_WEIGHT,
    _NAME_WEIGHT,
    _PHRASE_WEIGHT,
    EntityIndex,
    Hit,
    Stemmer,
    field_tokens,
    fuzzy_candidates,
    query_terms,
)

Match = tuple[float, str]


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


def _holds(tokens: list[str], phrase: Sequence[str]) -> bool:
    """Whether `tokens` hold `phrase`, its first word perhaps with an attached proclitic or the article."""
    firsts = {phrase[0], *with_proclitic(phrase[0])}
    width = len(phrase)
    return any(
        tokens[i] in firsts and tokens[i + 1 : i + width] == list(phrase[1:]) for i in range(len(tokens) - width + 1)
    )


def _match_entity(item: _Indexed, phrase: Sequence[str], ids: set[str], entities: EntityIndex) -> Match | None:
    involved = sorted(ids & item.names.keys())
    text = " ".join(phrase)
    if involved:
        return _ENTITY_WEIGHT, f"{text} = entity {', '.join(involved)}"
    others = sorted({word for entity_id in ids for word in entities.one_word.get(entity_id, ())} - {text})
    for name, tokens in item.fields.items():
        if _holds(tokens, phrase):
            return _PHRASE_WEIGHT, f"{text} in {name}"
        for word in others:
            if _holds(tokens, [word]):
                return _PHRASE_WEIGHT, f"{text} as {word} in {name}"
    return None


def _match_word(
    item: _Indexed, word: str, forms: Sequence[str], stemmer: Stemmer, *, fuzzy: bool = False
) -> Match | None:
    """The best way a word (or one of the words a misspelt one is taken for) matches a fact."""
    best: Match | None = None
    for spelling in forms:
        shown = f"{word} ≈ {spelling} (fuzzy)" if fuzzy else spelling
        candidates = []
        word_stem = stemmer(spelling)
        for name, (exact, stemmed) in _FIELD_WEIGHTS.items():
            if spelling in item.fields[name]:
                candidates.append((exact, f"{shown} in {name}"))
            elif word_stem in item.stems[name]:
                candidates.append((stemmed, f"{shown} ~{word_stem} in {name}"))
        for entity_id, tokens in item.names.items():
            if spelling in tokens or any(r in tokens for r in without_proclitic(spelling)):
                candidates.append((_NAME_WEIGHT, f"{shown} in the names of {entity_id}"))
        for weight, reason in candidates:
            if fuzzy:
                weight = _FUZZY_WEIGHT
            if best is None or weight > best[0]:
                best = (weight, reason)
    return best


def reference_search(
    facts: Sequence[Record],
    entities: EntityIndex,
    query: str,
    stemmer: Stemmer,
    store: Sequence[Record],
    *,
    ranked: bool = True,
    fuzzy: bool = True,
) -> list[Hit]:
    """Facts matching every term of `query`, each with how well and why: best first (ties in the order of
    `facts`), or in the order of `facts` when not `ranked`.

    `facts` is a selection of `store`; `stemmer` knows the words of the whole store. A word is taken fuzzily for
    another only when it matches nothing in the whole store.
    """
    names, words = query_terms(query, entities)
    items = [_index(fact, entities, stemmer) for fact in facts]
    everything = [_index(fact, entities, stemmer) for fact in store]
    vocabulary = [t for item in everything for tokens in (*item.fields.values(), *item.names.values()) for t in tokens]
    per_term: list[list[Match | None]] = []
    for phrase, ids in names:
        per_term.append([_match_entity(item, phrase, ids, entities) for item in items])
    for word in words:
        matches = [_match_word(item, word, [word], stemmer) for item in items]
        if not any(_match_word(item, word, [word], stemmer) for item in everything):
            close = fuzzy_candidates(word, vocabulary) if fuzzy else []
            matches = [_match_word(item, word, close, stemmer, fuzzy=True) if close else None for item in items]
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
