"""Fuzzy matching against the common words of Arabic and English: how many of wordfreq's 30,000 most frequent words
of each language, of five letters or more, that match nothing in the bundled store exactly, are taken fuzzily for
a word of the store (a false hit with exit 0: none of them is a misspelling) with each rule of the policy switched
off in turn. wordfreq is an independent list: cli/lexicon.py's is pyspellchecker's.

    pip install . wordfreq && python benchmarks/nearmiss.py [--top 30000]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from evaluate import STORE, switched_off  # noqa: E402

from facts_cli import lexicon, query  # noqa: E402

POLICIES: dict[str, list[tuple[Any, str, Any]]] = {
    "as built": [],
    "without the common words": [(lexicon, "is_common", lambda word: False)],
    "without the article taken off": [(query, "bare", lambda token: token)],
    "any first letter": [(query, "close_words", None)],
    "one edit at any length": [(query, "FUZZY_TWO_EDITS_FROM", 1000)],
    "neither common words nor the article": [
        (lexicon, "is_common", lambda word: False),
        (query, "bare", lambda token: token),
    ],
}


def unmatched(words: list[str], index: query.SearchIndex) -> list[str]:
    """The words (normalised) that are one word of five letters or more, no number, no name, matching nothing."""
    found = []
    for word in words:
        names, rest = query.query_terms(word, index.entities)
        if names or len(rest) != 1 or len(rest[0]) < query.FUZZY_MIN_LENGTH or rest[0].isdigit():
            continue
        if not query._match_word(index, rest[0], [rest[0]], None):
            found.append(rest[0])
    return found


def any_start(close_words: Callable[..., list[str]]) -> Callable[..., list[str]]:
    return lambda token, vocabulary, *, same_start=True: close_words(token, vocabulary, same_start=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=30_000)
    options = parser.parse_args()
    import wordfreq

    index = query.SearchIndex(STORE.facts, query.EntityIndex(STORE.entities))
    pools = {language: unmatched(wordfreq.top_n_list(language, options.top), index) for language in ("ar", "en")}
    from importlib.metadata import version

    print(f"wordfreq {version('wordfreq')}, top {options.top}, against the wheel's list of common words: words of")
    print("five letters or more matching nothing: " + ", ".join(f"{k} {len(v)}" for k, v in pools.items()))
    print(f"{'taken fuzzily (false hits)':40} {'Arabic':>7} {'with ال':>8} {'English':>8}  examples")
    for name, changes in POLICIES.items():
        changes = [(o, a, any_start(query.close_words) if v is None else v) for o, a, v in changes]
        with ExitStack() as stack:
            stack.enter_context(switched_off(changes))
            taken = {
                lang: [w for w in pool if query.fuzzy_candidates(w, index.vocabulary())] for lang, pool in pools.items()
            }
        definite = sum(query.bare(word) != word for word in taken["ar"])
        examples = ", ".join([*taken["ar"][:3], *taken["en"][:3]])
        print(f"{name:40} {len(taken['ar']):7d} {definite:8d} {len(taken['en']):8d}  {examples}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
