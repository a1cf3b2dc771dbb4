"""Queries over facts: filters as one predicate, entity names in any spelling, honest dates, ranked search."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

from .arabic import (
    PREFIXES,
    PRESENTATION,
    bare,
    is_arabic,
    normalize,
    plural_number,
    stem,
    tokenize,
    typed_words,
    with_proclitic,
    without_proclitic,
    word_order,
)
from .errors import NotFound, UsageProblem
from .model import (
    ARTICLE,
    Period,
    Record,
    as_dict,
    as_list,
    as_text,
    fact_entities,
    fact_period,
    fact_speaker,
    field_value,
)
from .storage import Stamp, Store, cached, keep, kept

SEARCH_INDEX = "search-index"
"""The name of the search index's cache entries."""


# A store of this many facts keeps its search index in the cache between runs (building it takes about 50 ms
# per thousand facts; reading it back, a few).
CACHED_FROM = 1000

# A query that no fact matches suggests close words for this many of its words that match nothing, at most.
HINTED = 3

# Fuzzy matching is a last resort: only for a word that matches nothing in the store exactly, by stem or as a name,
# and that is no common word of Arabic or English (cli/lexicon.py: `melting` is a word, not a misspelling of
# `meeting`). Words are compared without the article and what is attached before it (arabic.bare: `الامريكي` is
# `امريكي`, or every definite noun would share a first letter and two more letters of budget with every other);
# the word must have at least FUZZY_MIN_LENGTH letters so, never be a number, and be within one edit (insert,
# delete, substitute, swap two neighbours) of a word of the store, two from FUZZY_TWO_EDITS_FROM letters; and the
# first letters must agree, as search engines let a query require (Elasticsearch's prefix_length, 0 unless set).
# A similarity ratio cannot draw this line: كازاخستن/كازاخستان scores 0.94 and شوبغو/شويغو 0.80, but so does
# باكستان/طاجكستان (Pakistan against an alias of Tajikistan), 0.80. Edits separate them: 1, 1 and 2. The first letter
# keeps ايران (Iran) from سيران (Seyran), one edit apart. tests/test_query.py holds both sides; benchmarks/evaluate.py
# measures each rule on the evaluation set's misspellings and near misses.
FUZZY_MIN_LENGTH = 5
FUZZY_TWO_EDITS_FROM = 8


def fuzzy_budget(word: str) -> int:
    """How many edits a misspelling of `word` may have, counted without its article: none for short words and
    numbers."""
    core = bare(word)
    if len(core) < FUZZY_MIN_LENGTH or core.isdigit():
        return 0
    return 1 if len(core) < FUZZY_TWO_EDITS_FROM else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance between a and b, or limit + 1 once it is certainly over limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = list(range(len(b) + 1)), list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


_STOPWORDS = frozenset(
    tokenize(
        "a an the of in on at to for with by from and or is are was were be it its that this "
        "في من إلى على عن مع أن إن أو ثم هذا هذه التي الذي و ال"
    )
)


def similarity(a: str, b: str) -> float:
    """difflib's ratio: for ranking suggestions only (fuzzy matching counts edits)."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def close_words(token: str, vocabulary: Iterable[str], *, same_start: bool = True) -> list[str]:
    """The words of `vocabulary` within `token`'s edit budget, closest first (ties in alphabetical order), those
    that begin with its first letter only when `same_start`; none for short words and numbers. Both are compared
    without the article (arabic.bare)."""
    budget = fuzzy_budget(token)
    if not budget:
        return []
    core = bare(token)
    scored = []
    for word in set(vocabulary):
        other = bare(word)
        if (
            abs(len(other) - len(core)) <= budget
            and word != token
            and not word.isdigit()
            and (not same_start or other[:1] == core[:1])
        ):
            distance = edit_distance(core, other, budget)
            if distance <= budget:
                scored.append((distance, word))
    return [word for _, word in sorted(scored)]


def common_word(token: str) -> bool:
    """Whether a normalised word is a common word of Arabic or English (cli/lexicon.py), as it is, without the
    article or without an attached conjunction or preposition (`وايران` is `ايران`, Iran)."""
    from .lexicon import is_common  # the list is read only here, on the way to a fuzzy match or a suggestion

    return any(map(is_common, dict.fromkeys([token, bare(token), *without_proclitic(token)])))


def fuzzy_candidates(token: str, vocabulary: Iterable[str]) -> list[str]:
    """What a word that matches nothing is taken for: the words of `vocabulary` that begin with its first letter
    and are the fewest edits away, within its budget; none for short words, numbers and common words of Arabic or
    English (a word of the language is no misspelling)."""
    close = close_words(token, vocabulary)
    if not close or common_word(token):
        return []
    least = edit_distance(bare(token), bare(close[0]), fuzzy_budget(token))
    return [word for word in close if edit_distance(bare(token), bare(word), least) <= least]


def spellings(entity: Record) -> list[str]:
    """Every way an entity may be named: id, both names, all aliases (those that are text)."""
    names = [entity.get("id"), *as_dict(entity.get("name")).values()]
    names += [alias for values in as_dict(entity.get("aliases")).values() for alias in as_list(values)]
    return [name for name in names if isinstance(name, str)]


class EntityIndex:
    """Entity names and aliases, normalised and tokenised, matched whole: names are never stemmed."""

    def __init__(self, entities: Iterable[Record]) -> None:
        self.entities = {e["id"]: e for e in entities if isinstance(e.get("id"), str)}
        self._phrases: dict[tuple[str, ...], set[str]] = {}
        self.name_tokens: dict[str, set[str]] = {}
        self.one_word: dict[str, set[str]] = {}
        protected: set[str] = set()
        for entity_id, entity in self.entities.items():
            self.name_tokens[entity_id], self.one_word[entity_id] = set(), set()
            for spelling in spellings(entity):
                key = tuple(tokenize(spelling))
                self.name_tokens[entity_id].update(key)
                if key:
                    self._phrases.setdefault(key, set()).add(entity_id)
                if len(key) == 1 or entity.get("kind") == "person":
                    protected.update(key)
                if len(key) == 1 and len(key[0]) >= 3 and key[0] not in _STOPWORDS:
                    self.one_word[entity_id].add(key[0])
        self._longest = max(map(len, self._phrases), default=0)
        self._protected = frozenset(protected)

    def name_of(self, token: str) -> str | None:
        """The name a word is, with an attached proclitic taken off (`وكازاخستان`: `كازاخستان`), or None.

        A name is a one-word spelling of any entity, or a word of a person's name. Names are never stemmed:
        `بالخاش` is not `بال` + `خاش`.
        """
        if token in self._protected:
            return token
        return next((reading for reading in without_proclitic(token) if reading in self._protected), None)

    def lookup(self, tokens: Sequence[str]) -> set[str]:
        """The entities named by exactly these tokens, the first one perhaps with an attached proclitic."""
        if not tokens:
            return set()
        for first in [tokens[0], *without_proclitic(tokens[0])]:
            found = self._phrases.get((first, *tokens[1:]))
            if found:
                return set(found)
        return set()

    def resolve(self, name: str) -> set[str]:
        """The entities a user means by `name`: any spelling, either script; fuzzy only when nothing matches."""
        tokens = tokenize(name)
        found = self.lookup(tokens)
        if found or not tokens:
            return found
        phrases = {" ".join(key): ids for key, ids in self._phrases.items()}
        for candidate in fuzzy_candidates(" ".join(tokens), phrases)[:1]:
            found |= phrases[candidate]
        return found

    def suggestions(self, name: str, count: int = 3) -> list[str]:
        """Ids of the entities with a spelling close to `name`, closest first, to suggest when it names nothing."""
        wanted = normalize(name)
        if len(wanted) > 200:  # no entity is named at such length; comparing would cost seconds (difflib)
            return []
        best = {
            entity_id: max(similarity(wanted, normalize(spelling)) for spelling in spellings(entity))
            for entity_id, entity in self.entities.items()
        }
        ranked = sorted(best.items(), key=lambda item: -item[1])
        return [entity_id for entity_id, score in ranked if score >= 0.6][:count]

    def mentions(self, tokens: Sequence[str]) -> list[tuple[int, int, set[str]]]:
        """Entity names in a token list, longest first from the left: (start, end, entity ids). A stop word is
        not a name, though it spells one (`by`, Belarus's country code)."""
        found, start = [], 0
        while start < len(tokens):
            for end in range(min(len(tokens), start + self._longest), start, -1):
                ids = self.lookup(tokens[start:end]) if end - start > 1 or tokens[start] not in _STOPWORDS else None
                if ids:
                    found.append((start, end, ids))
                    start = end
                    break
            else:
                start += 1
        return found


class Filters(NamedTuple):
    """What `--type`, `--status`, `--entity`, `--by`, `--since`, `--until` and `--source` ask for; empty admits all."""

    types: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    entities: tuple[frozenset[str], ...] = ()
    speakers: frozenset[str] = frozenset()
    since: Period | None = None
    until: Period | None = None
    sources: frozenset[str] = frozenset()

    def admits(self, fact: Record) -> bool:
        """True when the fact passes every filter.

        Dates are compared at the fact's own precision, and only what is certain passes: a fact dated `2015`
        is not `--since 2015-06` (it may be from January), but is `--since 2015` and `--until 2015-12`.
        """
        if self.types and as_text(fact.get("type")) not in self.types:
            return False
        if self.statuses and as_text(fact.get("status")) not in self.statuses:
            return False
        if self.sources and as_text(fact.get("source")) not in self.sources:
            return False
        involved = fact_entities(fact) if self.entities else set()
        if any(not (involved & named) for named in self.entities):
            return False
        if self.speakers and fact_speaker(fact) not in self.speakers:
            return False
        if self.since or self.until:
            period = fact_period(fact)
            if period is None:
                return False
            if self.since and period.first < self.since.first:
                return False
            if self.until and period.last > self.until.last:
                return False
        return True


def sort_facts(facts: Sequence[Record], key: str) -> list[Record]:
    """Facts in store order, or by id, type, status or time (earliest first, at its precision; undated last)."""
    if key == "store":
        return list(facts)
    if key == "time":
        return sorted(facts, key=lambda f: (fact_period(f) is None, as_text(field_value(f, "time.value"))))
    return sorted(facts, key=lambda f: as_text(f.get(key)))


# Search: each term of a query must match a fact (AND); a term is an entity name found in the query, or a word.
_FIELD_WEIGHTS = {"claim": (2.0, 1.0), "claim_en": (2.0, 1.0), "quote": (1.5, 0.8)}
_ENTITY_WEIGHT, _PHRASE_WEIGHT, _NAME_WEIGHT, _FUZZY_WEIGHT = 3.0, 2.0, 1.5, 0.5


class Hit(NamedTuple):
    """A fact that matched a search, how well, and why."""

    fact: Record
    score: float
    reasons: tuple[str, ...]


def field_tokens(fact: Record, name: str) -> list[str]:
    """The normalised words of a searched field of a fact."""
    return tokenize(str(fact.get(name) or ""))


# An attached conjunction or preposition that comes off a word only when the rest is a word of the store: one of
# these, or a conjunction and a preposition (`وبتسليم`).
STORE_PROCLITICS = "وبلكف"
_STACKED = ("و", "ف"), ("ب", "ل", "ك")
# The prefix of a verb in the present tense (he, she or a country: `يوقع`, `توقع`), which comes off only when the
# rest stems to a word of the store, as it is or as the past tense of a verb of form IV writes it (`يبرم`, `أبرم`);
# `ت`, which begins many nouns, only when the word's own stem is no word of the store (Stemmer._present).
PRESENT_TENSE = "يت"
# An English verb made of a noun with -en (`threaten`, `strengthen`, `lengthen`), which Snowball keeps apart from
# the noun: its stem is the noun's when the noun, of at least this many letters, is a stem of the store and the verb
# is not (`threatening` finds `threat`; `listen` is never `list`, nor `soften` `soft`).
VERB_OF_NOUN_FROM = 5


class Stemmer:
    """Stems for matching words against a store: names kept whole; a single و ب ل ك ف, or a conjunction and a
    preposition, taken off a word that no prefix of the stemmer fits only when the rest is a word of the store
    whose stem is no stop word (taking them off blindly breaks words: light10 makes وزير `زير`, while Lucene leaves
    ب ل ك ف alone and misses بتسليم; and كانون is not ك + انون, whose stem is أن's); and the prefix of a verb in
    the present tense taken off a word whose stem is not the store's when what remains is (`يوقع` is `وقع`).

    In English, a verb made of a noun with -en is the noun when the store has the noun and not the verb
    (`threatening` is `threat`; VERB_OF_NOUN_FROM).

    `known` is the stems of the store's Arabic words; `english` makes the stems of its English words (only when an
    English word is first stemmed: Snowball is loaded for English only). A stem depends on them: a word added to
    the store can change how another word with one of these letters stems."""

    def __init__(self, known: set[str], entities: EntityIndex, english: Callable[[], set[str]] | None = None) -> None:
        self.entities = entities
        self.known = known
        self._english = english
        self._english_known: set[str] | None = None
        self._cache: dict[str, str] = {}

    def __call__(self, token: str) -> str:
        if token not in self._cache:
            self._cache[token] = self._stem(token)
        return self._cache[token]

    def _stem(self, token: str) -> str:
        name = self.entities.name_of(token)
        if name:
            return name
        if len(token) > 3 and token[0] in STORE_PROCLITICS and is_arabic(token[1:]) and not token.startswith(PREFIXES):
            for rest in self._without_proclitics(token):
                stemmed = stem(rest)
                if self._has(stemmed):
                    return stemmed
        own = stem(token)
        if not is_arabic(token):
            return self._noun_of_verb(own)
        for rest in (token, *self._without_proclitics(token)):
            present = self._present(stem(rest), own in self.known)
            if present:
                return present
        return own

    def _noun_of_verb(self, own: str) -> str:
        """The stem of the store's noun that an English verb in -en stands for (`threaten`: `threat`), or `own`."""
        noun = own[:-2]
        if self._english is None or len(noun) < VERB_OF_NOUN_FROM or not own.endswith("en") or own.isdigit():
            return own
        if self._english_known is None:
            self._english_known = self._english()
        return noun if noun in self._english_known and own not in self._english_known else own

    @staticmethod
    def _without_proclitics(token: str) -> list[str]:
        """The word without its first two letters when they are a conjunction and a preposition, then without its
        first letter: `وبتسليم` is `تسليم` before `بتسليم`, which the store may hold too (as a word whose stem is
        `تسليم`)."""
        rests = [token[1:]]
        if len(token) > 4 and token[0] in _STACKED[0] and token[1] in _STACKED[1]:
            rests.insert(0, token[2:])
        return rests

    def _present(self, stemmed: str, known: bool) -> str | None:
        """The stem of the store that a stem with the prefix of the present tense stands for, if any. A word the
        store does not have is the other person of the verb when the store has that (`يستخدم`, he uses, is
        `تستخدم`, she uses, and the other way round). Then, without its prefix: after `ي` always; after `ت`, which
        begins many nouns (`تعمل`, she works, is not `عمليا`, practically), only when the word's own stem (`known`)
        is not the store's."""
        if len(stemmed) < 4 or stemmed[0] not in PRESENT_TENSE:
            return None
        rest = stemmed[1:]
        if stemmed[0] == "ت":
            if known:
                return None
            if self._has("ي" + rest):
                return self._present("ي" + rest, True) or "ي" + rest
        elif not known and self._has("ت" + rest):
            return "ت" + rest
        return next((word for word in (rest, "ا" + rest) if self._has(word)), None)

    def _has(self, stemmed: str) -> bool:
        """Whether a stem is one of the store's words, and not a word too common to be searched for."""
        return stemmed in self.known and stemmed not in _STOPWORDS


Postings = dict[str, array]
"""Word (or stem, or entity id) to the positions of the facts that have it, ascending."""


def fact_terms(fact: Record) -> tuple[dict[str, list[str]], set[str]]:
    """What the index holds of one fact: the words of each searched field, once each, and the entities it involves.
    The one function the index is built and kept up to date with."""
    return {name: list(dict.fromkeys(field_tokens(fact, name))) for name in _FIELD_WEIGHTS}, fact_entities(fact)


def _word_postings(facts: Sequence[Record]) -> tuple[dict[str, Postings], Postings]:
    """For each searched field, the facts holding each word; and the facts involving each entity."""
    words: dict[str, dict[str, list[int]]] = {name: {} for name in _FIELD_WEIGHTS}
    involved: dict[str, list[int]] = {}
    for position, fact in enumerate(facts):
        fields, entity_ids = fact_terms(fact)
        for name, tokens in fields.items():
            table = words[name]
            for token in tokens:
                table.setdefault(token, []).append(position)
        for entity_id in entity_ids:
            involved.setdefault(entity_id, []).append(position)
    as_arrays = {
        name: {word: array("I", positions) for word, positions in table.items()} for name, table in words.items()
    }
    return as_arrays, {entity_id: array("I", positions) for entity_id, positions in involved.items()}


def _snowball_word(word: str) -> bool:
    """Whether a word is stemmed by Snowball (cli/arabic.py): neither Arabic nor a number."""
    return not is_arabic(word) and not word.isdigit()


def _stem_postings(words: Postings, stemmer: Stemmer, snowball: bool | None = None) -> Postings:
    """The facts holding each stem of a field: the union of those holding its words (made one stem at a time: the
    sets of all of them at once took 200 MB at 100,000 facts); of the words Snowball stems, or of the others, or
    (None) of all. A stem of one kind is never a stem of the other (they are written differently)."""
    grouped: dict[str, list[array]] = {}
    for word, positions in words.items():
        if snowball is None or _snowball_word(word) == snowball:
            grouped.setdefault(stemmer(word), []).append(positions)
    return {
        key: array("I", parts[0] if len(parts) == 1 else sorted(set().union(*parts))) for key, parts in grouped.items()
    }


class SearchIndex:
    """Where the words of a store's facts are: for each searched field, the positions of the facts holding each
    word and each stem, and for each entity the positions of the facts involving it.

    A search looks terms up here instead of reading every fact, and reads only the facts it reports. `state()` is
    plain data (strings and bytes), so that the index can be kept beside a large store between runs; a write keeps
    it up to date (`carry_search_index`). A fresh index stems the words Snowball stems (English) only when a query
    has such a word (`add_snowball_stems`): an Arabic query then never loads the stemmer (0.5 ms and 0.8 MB of
    start-up).
    """

    def __init__(self, facts: Sequence[Record], entities: EntityIndex, state: dict[str, Any] | None = None) -> None:
        self.facts = facts
        self.entities = entities
        if state is None:
            self.words, self.involved = _word_postings(facts)
        else:
            self.words = {name: _unpack(state["words"][name], len(facts)) for name in _FIELD_WEIGHTS}
            self.involved = _unpack(state["involved"], len(facts))
        self.stemmer = _stemmer(self.words, entities)
        if state is None:
            self.stems = {name: _stem_postings(table, self.stemmer, False) for name, table in self.words.items()}
        else:
            self.stems = {name: _unpack(state["stems"][name], len(facts)) for name in _FIELD_WEIGHTS}
        self._snowball_pending = state is None
        self._vocabulary: set[str] | None = None

    def add_snowball_stems(self) -> None:
        """Stem the words that Snowball stems, when a query first needs them."""
        if self._snowball_pending:
            self._snowball_pending = False
            for name, table in self.words.items():
                self.stems[name].update(_stem_postings(table, self.stemmer, True))

    @classmethod
    def of_store(cls, store: Store, entities: EntityIndex) -> SearchIndex:
        """The index of a store's facts, kept in the cache between runs when the store is large."""
        if len(store.facts) < CACHED_FROM:
            return cls(store.facts, entities)

        def build() -> dict[str, Any]:
            return cls(store.facts, entities).state()

        state = cached(store, SEARCH_INDEX, _code_version(), build)
        try:
            return cls(store.facts, entities, state)
        except DAMAGED:  # an entry whose bytes are whole (its CRC-32) but not an index: rebuilt, and kept anew
            state = build()
            if store.stamp is not None and store.settled:
                keep(store.path, SEARCH_INDEX, _code_version(), store.stamp, store.checksum, state)
            return cls(store.facts, entities, state)

    def state(self) -> dict[str, Any]:
        """The index as plain data, for `SearchIndex(facts, entities, state)`."""
        self.add_snowball_stems()
        return {
            "words": {name: _pack(table) for name, table in self.words.items()},
            "stems": {name: _pack(table) for name, table in self.stems.items()},
            "involved": _pack(self.involved),
        }

    def vocabulary(self) -> set[str]:
        """The words of the store's facts and of the names of the entities they involve: what a misspelt word
        may be taken for."""
        if self._vocabulary is None:
            found = {word for table in self.words.values() for word in table}
            for entity_id in self.involved:
                found |= self.entities.name_tokens.get(entity_id, set())
            self._vocabulary = found
        return self._vocabulary


def _stemmer(words: dict[str, Postings], entities: EntityIndex) -> Stemmer:
    """The Stemmer of a store's words: it knows the stems of the Arabic ones, and those of the English ones when it
    first stems an English word."""

    def english() -> set[str]:
        return {stem(word) for table in words.values() for word in table if not is_arabic(word) and not word.isdigit()}

    return Stemmer({stem(word) for table in words.values() for word in table if is_arabic(word)}, entities, english)


def carry_search_index(
    path: Path,
    before: tuple[Stamp | None, int | None],
    after: tuple[Stamp, int],
    keys_before: Sequence[str],
    keys_after: Sequence[str],
    removed: dict[str, Record],
    added: dict[str, Record],
    entities: Sequence[Record],
) -> None:
    """Keep the search index of the store at `path` for the version one write made (`after`: its stamp and CRC-32)
    of the version `before`, whose facts were stored under `keys_before` and are now under `keys_after`, the write
    having removed and added these facts (by key) and left these entities: the index kept for `before`, without
    the facts removed, with those added, its stems made anew (adding words or entities can change how other words
    stem). The same index as one built from the new store; nothing is done when none is kept for `before`."""
    if len(keys_after) < CACHED_FROM:
        return
    version = _code_version()
    state = kept(path, SEARCH_INDEX, version, *before)
    if state is None:
        return
    position = {key: at for at, key in enumerate(keys_before)}
    gone = sorted(position[key] for key in removed)
    left = [key for key in keys_before if key not in removed]
    if list(keys_after[: len(left)]) != left or list(keys_after[len(left) :]) != list(added):
        return  # not the order this knows how to follow: the next search builds the index
    try:
        del state["stems"]  # made anew below; what is unpacked goes as it is (memory: the store's was just freed)
        words = {name: _unpack(state["words"].pop(name), len(keys_before)) for name in _FIELD_WEIGHTS}
        involved = _unpack(state.pop("involved"), len(keys_before))
    except DAMAGED:
        return  # not an index: the next search builds one
    del state
    drop: dict[int, dict[str, set[int]]] = {id(table): {} for table in [*words.values(), involved]}
    for key, fact in removed.items():
        fields, entity_ids = fact_terms(fact)
        for name, tokens in fields.items():
            for token in tokens:
                drop[id(words[name])].setdefault(token, set()).add(position[key])
        for entity_id in entity_ids:
            drop[id(involved)].setdefault(entity_id, set()).add(position[key])
    renumbered = [at - bisect_left(gone, at) for at in range(len(keys_before))] if gone else []
    for table in [*words.values(), involved]:
        for term, dropped in drop[id(table)].items():
            remaining = array("I", (at for at in table[term] if at not in dropped))
            if remaining:
                table[term] = remaining
            else:
                del table[term]
        if gone:
            for term, positions in table.items():
                if positions[-1] > gone[0]:
                    table[term] = array("I", map(renumbered.__getitem__, positions))
    for at, fact in enumerate(added.values(), len(left)):
        fields, entity_ids = fact_terms(fact)
        for name, tokens in fields.items():
            for token in tokens:
                words[name].setdefault(token, array("I")).append(at)
        for entity_id in entity_ids:
            involved.setdefault(entity_id, array("I")).append(at)
    stemmer = _stemmer(words, EntityIndex(entities))
    new_state: dict[str, Any] = {"words": {}, "stems": {}, "involved": _pack(involved)}
    for name in _FIELD_WEIGHTS:
        new_state["stems"][name] = _pack(_stem_postings(words[name], stemmer))
        new_state["words"][name] = _pack(words.pop(name))
    keep(path, SEARCH_INDEX, version, *after, new_state)


def _code_version() -> str:
    """What made an index: the code of this module and of cli/arabic.py (a change to either rebuilds it), and the
    Python and machine that wrote its bytes."""
    import hashlib
    import sys

    from . import arabic

    digest = hashlib.sha256(f"{sys.version_info[:2]} {sys.byteorder} {array('I').itemsize}".encode())
    for source in (__file__, arabic.__file__):
        with open(source, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def _pack(postings: Postings) -> dict[str, bytes]:
    return {key: positions.tobytes() for key, positions in postings.items()}


DAMAGED = (KeyError, TypeError, ValueError, AttributeError)
"""What reading an index entry of the wrong shape raises (`_unpack`, a part missing)."""


def _unpack(packed: dict[str, bytes], facts: int) -> Postings:
    """Postings as `_pack` packed them, checked as they are unpacked (a cache entry whose bytes are whole may still
    not be an index: written by other code, or by hand): ValueError or TypeError unless each is a term and the
    ascending positions of one or more of `facts` facts."""
    if type(packed) is not dict:
        raise TypeError("not postings")
    unpacked = {}
    for key, data in packed.items():
        positions = array("I")
        positions.frombytes(data)
        if type(key) is not str or not positions or positions[-1] >= facts:
            raise ValueError("not postings")
        unpacked[key] = positions
    return unpacked


Match = tuple[float, str]


def _offer(best: dict[int, Match], positions: Iterable[int], match: Match) -> None:
    """Record `match` for each position where it beats what is there (the first of equals stays)."""
    for position in positions:
        held = best.get(position)
        if held is None or match[0] > held[0]:
            best[position] = match


def _contains(tokens: list[str], firsts: set[str], rest: Sequence[str]) -> bool:
    """Whether `tokens` hold one of `firsts` followed by `rest`."""
    width = len(rest)
    return any(
        token in firsts and tokens[i + 1 : i + 1 + width] == list(rest)
        for i, token in enumerate(tokens[: -width or None])
    )


def _holding(index: SearchIndex, name: str, phrase: Sequence[str], forms: Sequence[str]) -> set[int]:
    """The positions of the facts whose field `name` holds `phrase`, its first word as it is or in one of `forms`
    (with an attached proclitic or the article: لرابطة الدول المستقلة)."""
    table = index.words[name]
    firsts = {form for form in (phrase[0], *forms) if form in table}
    if not firsts or any(token not in table for token in phrase[1:]):
        return set()
    candidates = set().union(*(table[form] for form in firsts)).intersection(*(table[t] for t in phrase[1:]))
    if len(phrase) > 1:
        candidates = {p for p in candidates if _contains(field_tokens(index.facts[p], name), firsts, phrase[1:])}
    return candidates


def _match_entity(
    index: SearchIndex, phrase: Sequence[str], ids: set[str], allowed: set[int] | None
) -> dict[int, Match]:
    """Facts involving one of the entities a query names; else naming one in a field: the name as typed, or any
    one-word spelling of the entity (CIS for رابطة الدول المستقلة), perhaps with an attached proclitic."""
    named: dict[int, list[str]] = {}
    for entity_id in sorted(ids):
        for position in index.involved.get(entity_id, ()):
            if allowed is None or position in allowed:
                named.setdefault(position, []).append(entity_id)
    text = " ".join(phrase)
    best = {position: (_ENTITY_WEIGHT, f"{text} = entity {', '.join(found)}") for position, found in named.items()}
    others = sorted({word for entity_id in ids for word in index.entities.one_word.get(entity_id, ())} - {text})
    spellings = [(tuple(phrase), "in"), *(((word,), f"as {word} in") for word in others)]
    forms = {spelling[0]: with_proclitic(spelling[0]) for spelling, _ in spellings}
    for name in _FIELD_WEIGHTS:
        for spelling, how in spellings:
            found = _holding(index, name, spelling, forms[spelling[0]]).difference(best)
            if allowed is not None:
                found &= allowed
            best.update(dict.fromkeys(found, (_PHRASE_WEIGHT, f"{text} {how} {name}")))
    return best


def _match_word(index: SearchIndex, word: str, forms: Sequence[str], *, fuzzy: bool = False) -> dict[int, Match]:
    """The best way a word (or each of the words a misspelt one is taken for) matches each fact: exactly or by
    stem in a field, in the order claim, claim_en, quote, or in the names of an entity the fact involves."""
    best: dict[int, Match] = {}
    for spelling in forms:
        if _snowball_word(spelling):
            index.add_snowball_stems()
        shown = f"{word} ≈ {spelling} (fuzzy)" if fuzzy else spelling
        word_stem = index.stemmer(spelling)
        offers: list[tuple[Iterable[int], Match]] = []
        for name, (exact, stemmed) in _FIELD_WEIGHTS.items():
            exactly = index.words[name].get(spelling, array("I"))
            offers.append((exactly, (exact, f"{shown} in {name}")))
            by_stem = set(index.stems[name].get(word_stem, ())).difference(exactly)
            offers.append((sorted(by_stem), (stemmed, f"{shown} ~{word_stem} in {name}")))
        readings = {spelling, *without_proclitic(spelling)}
        for entity_id in sorted(index.involved):
            if readings & index.entities.name_tokens.get(entity_id, set()):
                offers.append((index.involved[entity_id], (_NAME_WEIGHT, f"{shown} in the names of {entity_id}")))
        for positions, (weight, reason) in offers:
            _offer(best, positions, (_FUZZY_WEIGHT, reason) if fuzzy else (weight, reason))
    return best


def query_terms(query: str, entities: EntityIndex) -> tuple[list[tuple[list[str], set[str]]], list[str]]:
    """The terms of a query, each of which a fact must match: the entity names found in it (longest first from
    the left: the words of the name, and the entities it names), and the other words, stop words left out unless
    they are all there is. A number's English plural is the number (`S-300s` names S-300; arabic.stem)."""
    tokens = [plural_number(token) for token in tokenize(query)]
    mentions = entities.mentions(tokens)
    covered = {i for start, end, _ in mentions for i in range(start, end)}
    words = [t for i, t in enumerate(tokens) if i not in covered]
    if mentions or any(w not in _STOPWORDS for w in words):
        words = [w for w in words if w not in _STOPWORDS]
    return [(tokens[start:end], ids) for start, end, ids in mentions], words


class Searched:
    """What a search found, and what it did to find it: the words it matched fuzzily (each with the words of the
    store it took it for), and the words that matched nothing (each with close words to suggest); `query` is the
    query as typed, whose words these say as they were typed (arabic.typed_words, worked out only to say them).

    A plain class (and read_query gives a plain tuple): defining a NamedTuple costs 0.14 ms at every start-up."""

    __slots__ = ("fuzzy", "hits", "query", "unmatched")

    def __init__(
        self, hits: list[Hit], fuzzy: dict[str, list[str]], unmatched: dict[str, list[str]], query: str = ""
    ) -> None:
        self.hits, self.fuzzy, self.unmatched, self.query = hits, fuzzy, unmatched, query

    def notes(self) -> list[str]:
        """Lines for stderr, one per kind: the fuzzy matches that the hits rest on."""
        if not self.hits or not self.fuzzy:
            return []
        typed = typed_words(self.query)
        taken = "; ".join(f"{typed.get(word, word)} as {' or '.join(to)}" for word, to in self.fuzzy.items())
        return [f"matched {taken}"]

    def hint(self) -> str:
        """What "no facts matched" goes on to say: the close words of the store for each word that matched
        nothing; empty when there are hits or no close words."""
        if self.hits or not any(self.unmatched.values()):
            return ""
        typed = typed_words(self.query)
        close = [f"{' or '.join(to)} for {typed.get(word, word)}" for word, to in self.unmatched.items() if to]
        return f"did you mean {', '.join(close)}?"


def suggestions(word: str, vocabulary: Iterable[str]) -> list[str]:
    """Words of the store to suggest for a word that matched nothing: the closest, whatever their first letter (a
    misspelt first letter is what fuzzy matching does not take); none for a common word of Arabic or English,
    which is no misspelling (`ايران`, Iran, is not offered `سيران`, a first name)."""
    close = close_words(word, vocabulary, same_start=False)[:3]
    return [] if not close or common_word(word) else close


def run_search(
    facts: Sequence[Record],
    entities: EntityIndex,
    query: str,
    index: SearchIndex | None = None,
    *,
    ranked: bool = True,
    fuzzy: bool = True,
) -> Searched:
    """Facts matching every term of `query`, each with how well and why: best first (ties in the order of
    `facts`), or in the order of `facts` when not `ranked`.

    `index` is of the whole store, whose facts `facts` is a selection of; by default, an index of `facts`. Words
    match alike whatever the selection: a word that is a word of the store is never taken for another, even where
    a filter leaves none of the facts that hold it. With `fuzzy`, a word that matches nothing in the store is
    taken for the closest words of the store that begin with the same letter (fuzzy_candidates).
    """
    index = index or SearchIndex(facts, entities)
    if facts is index.facts:
        order, allowed = list(range(len(facts))), None
    else:
        at = {id(fact): position for position, fact in enumerate(index.facts)}
        order = [at[id(fact)] for fact in facts]
        allowed = set(order)
    names, words = query_terms(query, entities)
    per_term = [_match_entity(index, phrase, ids, allowed) for phrase, ids in names]
    matching = set(min(per_term, key=len)).intersection(*per_term) if per_term else None
    taken: dict[str, list[str]] = {}
    unmatched: dict[str, list[str]] = {}
    vocabulary: set[str] | None = None
    found: dict[str, dict[int, Match]] = {}
    # Each different word is matched once, however often the query says it. Once no fact can match every word so
    # far there are no hits to find: a word after that is only looked up (fuzzy matching could bring nothing
    # back), to suggest close words for up to HINTED words that match nothing. So a query of thousands of words
    # costs what its different words cost, a lookup each, not an edit distance to every word of the store each.
    for word in words:
        matches = found.get(word)
        if matches is None:
            if matching is not None and not matching and len(unmatched) >= HINTED:
                break
            matches = _match_word(index, word, [word])
            if not matches:
                vocabulary = index.vocabulary() if vocabulary is None else vocabulary
                close = fuzzy_candidates(word, vocabulary) if fuzzy and (matching is None or matching) else []
                if close:
                    taken[word] = close
                    matches = _match_word(index, word, close, fuzzy=True)
                else:
                    unmatched[word] = suggestions(word, vocabulary)
            found[word] = matches = matches if allowed is None else {p: m for p, m in matches.items() if p in allowed}
        per_term.append(matches)
        matching = set(matches) if matching is None else matching.intersection(matches)
    if matching is None:
        return Searched([], taken, unmatched, query)
    hits = []
    for position in order if allowed is not None else sorted(matching):
        if position in matching:
            matched = [term[position] for term in per_term]
            fact = index.facts[position]
            hits.append(Hit(fact, sum(weight for weight, _ in matched), tuple(why for _, why in matched)))
    return Searched(sorted(hits, key=lambda hit: -hit.score) if ranked else hits, taken, unmatched, query)


def search(
    facts: Sequence[Record],
    entities: EntityIndex,
    query: str,
    index: SearchIndex | None = None,
    *,
    ranked: bool = True,
    fuzzy: bool = True,
) -> list[Hit]:
    """The hits of `run_search`."""
    return run_search(facts, entities, query, index, ranked=ranked, fuzzy=fuzzy).hits


# A note on stderr is one line: a query put back from visual order is echoed up to this many words.
_ECHOED_WORDS = 12
# A letter (no digit, no underscore); compiled on first use, as a query in presentation forms needs it.
_LETTER = r"[^\W\d_]"


def read_query(words: Sequence[str]) -> tuple[str, list[str]]:
    """The query that words typed after `search` make (one query), and notes for stderr on what was done to it.

    Arabic in presentation forms laid out in visual order, as copied from the tool's own visual output, is put back
    into logical order and base letters, word by word as arabic.word_order reads each: a run of such words (with
    the numbers and signs between them) is reordered as the line it was copied from; a word typed in base letters,
    or in presentation forms in logical order (as some PDFs hold them), stays as it is and where it is. A word whose
    forms say neither order goes with the other words in presentation forms, visual when none says otherwise.
    UsageProblem for a query that is not text (a byte that is not UTF-8, which Python's arguments hold as a lone
    surrogate)."""
    text = " ".join(words)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate: what no text holds
        bad = ord(text[error.start])
        shown = f"byte 0x{bad - 0xDC00:02x}" if 0xDC80 <= bad <= 0xDCFF else f"U+{bad:04X}"
        raise UsageProblem(f"QUERY: not UTF-8 text ({shown}); type it in a UTF-8 locale") from None
    if not text or max(text) < "\ufb50":
        return text, []
    pieces = text.split(" ")
    orders = [word_order(piece) for piece in pieces]
    if "visual" not in orders and ("logical" in orders or not re.search(PRESENTATION, text)):
        return text, []
    from .bidi import logical_from_visual

    undecided = "visual" if orders.count("visual") >= orders.count("logical") else "logical"
    kinds = []
    for piece, order in zip(pieces, orders, strict=True):
        if order is None and not re.search(_LETTER, piece):
            kinds.append("neutral")
        elif order is None and re.search(PRESENTATION, piece):
            kinds.append(undecided)
        else:
            kinds.append(order or "logical")
    out: list[str] = []
    run: list[str] = []
    has_visual = False
    for piece, kind in [*zip(pieces, kinds, strict=True), ("", "logical")]:
        if kind != "logical":
            run.append(piece)
            has_visual = has_visual or kind == "visual"
            continue
        if run:
            out.append(logical_from_visual(" ".join(run)) if has_visual else " ".join(run))
        run, has_visual = [], False
        out.append(piece)
    logical = " ".join(out[:-1])
    echoed = logical.split(" ")
    shown = " ".join(echoed[:_ECHOED_WORDS]) + (f" … ({len(echoed)} words)" if len(echoed) > _ECHOED_WORDS else "")
    return logical, [f"the query was Arabic in visual order, as copied from a screen: searched for {shown}"]


def involvement_counts(facts: Iterable[Record]) -> dict[str, int]:
    """How many facts involve each entity, most involved first (ties by id)."""
    return count_by((entity for fact in facts for entity in fact_entities(fact)), lambda entity: entity)


def count_by(items: Iterable[Any], key: Callable[[Any], Any]) -> dict[str, int]:
    """Counts of `key(item)` over items, most frequent first (ties by key); a key that is not text (from a field a
    store holds wrong) is counted as its JSON text."""
    counts: dict[str, int] = {}
    for item in items:
        value = as_text(key(item))
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# Selecting facts as the command line asks: filters, names, ids and prefixes.


class FactSelection(NamedTuple):
    """The fact filters and ordering a command was given (cli/options.py declares them as options, same names)."""

    types: list[str] | None = None
    statuses: list[str] | None = None
    entities: list[str] | None = None
    speakers: list[str] | None = None
    since: str | None = None
    until: str | None = None
    sources: list[str] | None = None
    sort: str | None = None
    limit: int | None = None
    lang: str = "ar"

    @property
    def narrows(self) -> bool:
        """Whether the selection may leave facts out: a filter or a limit (an order or a language leaves all in)."""
        filters = (self.types, self.statuses, self.entities, self.speakers, self.since, self.until, self.sources)
        return any(filters) or self.limit is not None


def _entity_ids(name: str, index: EntityIndex, option: str) -> frozenset[str]:
    """The entities `name` names; NotFound with suggestions when it names none."""
    found = index.resolve(name)
    if not found:
        close = index.suggestions(name)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `facts entities` lists them"
        raise NotFound(f"{option}: no entity named {name!r}{hint}")
    return frozenset(found)


def _source_ids(store: Store, wanted: list[str]) -> list[str]:
    """The ids `--source` names, each of a source of the store; NotFound, with the closest, for one that is not."""
    known = [source["id"] for source in store.sources if isinstance(source.get("id"), str)]
    for name in wanted:
        if name not in known:
            not_found("source", name, known, "`facts source --format json` shows them")
    return wanted


def select_facts(store: Store, selection: FactSelection, index: EntityIndex | None = None) -> list[Record]:
    """The store's facts that pass the selection's filters, in its order (store order unless --sort); the store's
    own list when nothing is filtered or sorted, which a search then knows to cover the whole store.

    Names in --entity and --by are looked up in `index`, made from the store's entities when not given.
    """
    if index is None and (selection.entities or selection.speakers):
        index = EntityIndex(store.entities)
    speakers: set[str] = set()
    for name in selection.speakers or []:
        speakers |= {ARTICLE} if name == ARTICLE else _entity_ids(name, index, "--by")
    filters = Filters(
        types=frozenset(selection.types or []),
        statuses=frozenset(selection.statuses or []),
        entities=tuple(_entity_ids(name, index, "--entity") for name in selection.entities or []),
        speakers=frozenset(speakers),
        since=Period.parse(selection.since) if selection.since else None,
        until=Period.parse(selection.until) if selection.until else None,
        sources=frozenset(_source_ids(store, selection.sources or [])),
    )
    facts = [fact for fact in store.facts if filters.admits(fact)] if any(filters) else store.facts
    return sort_facts(facts, selection.sort) if selection.sort else facts


_LISTED = 10  # candidates named in a message; a prefix such as `r` may start thousands of ids


def resolve_fact_ids(store: Store, wanted: list[str]) -> list[Record]:
    """The facts the ids name, in the order given (each once): an id, or any prefix of exactly one id.

    UsageProblem for a prefix of several (they are listed); NotFound, with the closest ids, for one of none."""
    facts = {fact["id"]: fact for fact in store.facts if isinstance(fact.get("id"), str)}
    found: dict[str, Record] = {}
    for name in wanted:
        if name in facts:
            found[name] = facts[name]
            continue
        matches = [fact_id for fact_id in facts if fact_id.startswith(name)] if name else []
        if len(matches) == 1:
            found[matches[0]] = facts[matches[0]]
        elif matches:
            shown = ", ".join(matches[:_LISTED]) + (
                f" and {len(matches) - _LISTED} more" if len(matches) > _LISTED else ""
            )
            raise UsageProblem(f"{name!r} is the start of {len(matches)} fact ids: {shown}")
        else:
            not_found("fact", name, list(facts))
    return list(found.values())


def not_found(what: str, record_id: str, known: list[str], listed: str = "`facts list` shows them") -> NoReturn:
    import difflib

    close = difflib.get_close_matches(record_id, known, n=3) if len(record_id) <= 200 else []
    hint = f"did you mean {', '.join(close)}?" if close else listed
    raise NotFound(f"no {what} with id {record_id!r}; {hint}")
