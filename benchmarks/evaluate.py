"""Search quality on the evaluation set (tests/data/search-eval.tsv): the search as built, a Lucene-equivalent
baseline and the release before issue 11, side by side; then each rule of the analysis switched off in turn.

Run from a checkout (git is needed for the release), where `facts` is installed:

    python benchmarks/evaluate.py [--released REV] [--details]

- built: `facts search` as installed, on the bundled store.
- lucene: what Lucene's (or Elasticsearch's) `arabic` analyzer and a plain match query give: NFKC, case folding,
  digits to ASCII, harakat and tatweel removed, Lucene's letter folds, words split at what is not a letter or
  digit, stop words dropped, light10 on Arabic words, English words as they are; every word must match
  (operator AND) in one field holding the claim, the English claim, the quote and every spelling of the entities
  the fact involves; ranked by BM25 (k1 1.2, b 0.75).
- released: the search of REV (default e04524e, the code on main just before issue 11 merged), its modules
  imported from a `git archive` of it in a temporary directory. It is given the facts in its own data model: a
  revision before issue 15 (ef8b559, say) reads `place` as an entity id, which issue 15 made an object
  {"entity", "inferred"}; which one it reads is asked of its own `fact_entities`.

Scores (tests/evaluation.py): recall and precision over the facts each positive query must find (facts it may
find count as neither), mean reciprocal rank, and the negative queries that found anything.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import io
import math
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from evaluation import Case, Scores, load_cases, score  # noqa: E402

from facts_cli import arabic, lexicon, query  # noqa: E402
from facts_cli.store import open_store  # noqa: E402

Find = Callable[[str], list[str]]
STORE = open_store(REPO / "facts.json")


def built(fuzzy: bool = True) -> Find:
    """`facts search` as installed: the query read as the command reads it (visual order put back), then searched."""
    entities = query.EntityIndex(STORE.entities)
    index = query.SearchIndex(STORE.facts, entities)

    def find(text: str) -> list[str]:
        typed, _ = query.read_query(text.split(" "))
        return [hit.fact["id"] for hit in query.search(STORE.facts, entities, typed, index, fuzzy=fuzzy)]

    return find


# The Lucene-equivalent baseline.
_LUCENE_FOLDS = {"آ": "ا", "أ": "ا", "إ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ک": "ك", "ی": "ي"}
_LUCENE_DROPPED = {*map(chr, range(0x064B, 0x0653)), "\u0640"}


def lucene_analyze(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(
        str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else _LUCENE_FOLDS.get(c, c)
        for c in text
        if c not in _LUCENE_DROPPED
    )
    words = [w for w in re.findall(r"\w+", text) if w not in LUCENE_STOPWORDS]
    return [arabic.light10(w) if arabic.is_arabic(w) else w for w in words]


LUCENE_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the of in on at to for with by from and or is are was were be it its that this "
        "في من الى على عن مع ان او ثم هذا هذه التي الذي و",
    )
)


def lucene() -> Find:
    names = {entity["id"]: " ".join(query.spellings(entity)) for entity in STORE.entities}
    documents = []
    for fact in STORE.facts:
        fields = [str(fact.get(name) or "") for name in ("claim", "claim_en", "quote")]
        fields += [names.get(entity_id, "") for entity_id in sorted(query.fact_entities(fact))]
        documents.append(Counter(lucene_analyze(" ".join(fields))))
    average = sum(sum(d.values()) for d in documents) / len(documents)
    frequency = Counter(term for d in documents for term in d)

    def bm25(terms: Sequence[str], document: Counter[str]) -> float:
        length, total = sum(document.values()), 0.0
        for term in terms:
            tf, df = document[term], frequency[term]
            idf = math.log(1 + (len(documents) - df + 0.5) / (df + 0.5))
            total += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
        return total

    def find(text: str) -> list[str]:
        terms = lucene_analyze(text)
        if not terms:
            return []
        scored = [(bm25(terms, d), i) for i, d in enumerate(documents) if all(d[t] for t in terms)]
        return [STORE.facts[i]["id"] for _, i in sorted(scored, key=lambda pair: (-pair[0], pair[1]))]

    return find


def released(revision: str) -> tuple[Find, ModuleType]:
    """The search of `revision`, imported from a `git archive` of its cli/ under the name facts_released."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "cli"], capture_output=True, check=True)
    target = Path(tempfile.mkdtemp(prefix="facts-released-"))
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    spec = importlib.util.spec_from_file_location(
        "facts_released", target / "cli" / "__init__.py", submodule_search_locations=[str(target / "cli")]
    )
    assert spec and spec.loader
    package = importlib.util.module_from_spec(spec)
    sys.modules["facts_released"] = package
    spec.loader.exec_module(package)
    old = importlib.import_module("facts_released.query")
    facts = STORE.facts
    if not _reads_place_objects(old):
        facts = [{**fact, "place": _place_id(fact.get("place"))} for fact in STORE.facts]
    entities = old.EntityIndex(STORE.entities)
    index = old.SearchIndex(facts, entities)
    find = lambda text: [hit.fact["id"] for hit in old.search(facts, entities, text, index)]  # noqa: E731
    return find, importlib.import_module("facts_released.arabic")


def _reads_place_objects(old_query: ModuleType) -> bool:
    """Whether a release's search takes `place` as an object (issue 15 on), as its `fact_entities` says."""
    probe = {"id": "probe", "participants": [], "place": {"entity": "probe-place", "inferred": False}}
    try:
        return "probe-place" in old_query.fact_entities(probe)
    except (TypeError, AttributeError):  # a set cannot hold the object: the release reads an id
        return False


def _place_id(place: Any) -> Any:
    return place.get("entity") if isinstance(place, dict) else place


# Each rule switched off: (module, attribute, what it becomes).
def _identity(token: str) -> str:
    return token


def ablations(old_arabic: ModuleType) -> dict[str, list[tuple[ModuleType, str, Any]]]:
    return {
        "accusative alif": [(arabic, "accusative_alif", _identity)],
        "suffix leaves three letters": [(arabic, "SUFFIX_KEEPS", 2)],
        "hamza seat": [(arabic, "hamza_seat", _identity)],
        "past-tense ت": [(arabic, "feminine_past", _identity)],
        "present-tense ي ت": [(query, "PRESENT_TENSE", "")],
        "two proclitics (words)": [(query, "_STACKED", ("", ""))],
        "invisible characters removed": [(arabic, "_TO_FOLD", _without_format())],
        "و only before a word": [(arabic, "PREFIXES", (*arabic.PREFIXES, "و")), (query, "STORE_PROCLITICS", "بلكف")],
        "Snowball English": [(arabic, "stem_english", old_arabic.stem_english)],
        "possessive 's": [(arabic, "_POSSESSIVE", r"(?!)")],
        "English verb in -en": [(query, "VERB_OF_NOUN_FROM", 1000)],
        "irregular forms": [(arabic, "IRREGULAR", {})],
        "American to British": [(arabic, "_AMERICAN", {}), (arabic, "_IZE", r"(?!)()")],
        "names: other spellings": [(query, "EntityIndex", _WithoutOtherSpellings)],
        "names: with a proclitic": [(query, "with_proclitic", lambda token: [])],
        "fuzzy: same first letter": [(query, "close_words", _any_start(query.close_words))],
        "fuzzy: without the article": [(query, "bare", _identity)],
        "fuzzy: common words refused": [(lexicon, "is_common", lambda word: False)],
        "fuzzy: two edits from 8": [(query, "FUZZY_TWO_EDITS_FROM", 1000)],
    }


def _without_format() -> re.Pattern[str]:
    """The folding pattern without the invisible characters: they stay in words, and split them (`\\w` has none)."""
    return re.compile("[" + "".join(map(re.escape, arabic._FOLDED)) + "]")


class _WithoutOtherSpellings(query.EntityIndex):
    """An entity named in a query found in text by the spelling typed only."""

    def __init__(self, entities: Any) -> None:
        super().__init__(entities)
        self.one_word = {}


def _any_start(close_words: Callable[..., list[str]]) -> Callable[..., list[str]]:
    def any_start(token: str, vocabulary: Any, *, same_start: bool = True) -> list[str]:
        return close_words(token, vocabulary, same_start=False)

    return any_start


@contextmanager
def switched_off(changes: list[tuple[Any, str, Any]]) -> Iterator[None]:
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in changes]
    for owner, name, value in changes:
        setattr(owner, name, value)
    _clear_caches()
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        _clear_caches()


def _clear_caches() -> None:
    arabic.stem.cache_clear()
    arabic.with_proclitic.cache_clear()
    arabic._british_stems.cache_clear()


def row(name: str, scores: Scores) -> str:
    hit = f"{scores.negatives_hit} of {scores.negatives}"
    return f"{name:28} {scores.recall:7.3f} {scores.precision:9.3f} {scores.mrr:6.3f} {hit:>15}"


HEADER = f"{'':28} {'recall':>7} {'precision':>9} {'MRR':>6} {'negatives hit':>15}"


def by_category(cases: list[Case], systems: dict[str, Find]) -> None:
    categories = list(dict.fromkeys(case.category for case in cases))
    print(f"\n{'recall (negatives: hit)':26} {'queries':>7} " + " ".join(f"{name:>9}" for name in systems))
    for category in categories:
        chosen = [case for case in cases if case.category == category]
        cells = []
        for find in systems.values():
            scores = score(find, chosen)
            cells.append(f"{scores.negatives_hit:9d}" if chosen[0].negative else f"{scores.recall:9.3f}")
        print(f"{category:26} {len(chosen):7d} " + " ".join(cells))


def details(name: str, scores: Scores) -> None:
    print(f"\n{name}:")
    for text, ids in scores.missed.items():
        print(f"  missed  {text}: {', '.join(ids)}")
    for text, ids in scores.wrong.items():
        print(f"  wrong   {text}: {', '.join(ids)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--released", default="e04524e", metavar="REV", help="the release to compare (git revision)")
    parser.add_argument("--details", action="store_true", help="list what each system missed and found wrongly")
    options = parser.parse_args()
    cases = load_cases()
    known = {fact["id"] for fact in STORE.facts}
    unknown = sorted({i for case in cases for i in case.must | case.may} - known)
    if unknown:
        raise SystemExit(f"the evaluation set names facts the store does not hold: {', '.join(unknown)}")
    old_find, old_arabic = released(options.released)
    systems = {"built": built(), "lucene": lucene(), options.released: old_find}
    results = {name: score(find, cases) for name, find in systems.items()}
    positives = sum(not case.negative for case in cases)
    print(f"{len(cases)} queries: {positives} that must find facts, {len(cases) - positives} that must find nothing")
    print(HEADER)
    for name, scores in results.items():
        print(row(name, scores))
    by_category(cases, systems)
    print("\nbuilt, with one rule switched off (the change it makes is the rule's effect)")
    print(HEADER)
    print(row("(all rules)", results["built"]))
    for name, changes in ablations(old_arabic).items():
        with switched_off(changes):
            print(row(name, score(built(), cases)))
    print(row("fuzzy matching (--exact)", score(built(fuzzy=False), cases)))
    if options.details:
        for name, scores in results.items():
            details(name, scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
