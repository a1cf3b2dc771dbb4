"""The search evaluation set (tests/data/search-eval.tsv) and how a search is scored on it: recall, precision, MRR
and false hits on negatives. Shared by tests/test_evaluation.py and benchmarks/evaluate.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

EVALUATION_SET = Path(__file__).resolve().parent / "data" / "search-eval.tsv"


class Case(NamedTuple):
    """A query, the facts it must find (none for a negative), and those it may find without error."""

    category: str
    query: str
    must: frozenset[str]
    may: frozenset[str]

    @property
    def negative(self) -> bool:
        return not self.must


def load_cases(path: Path = EVALUATION_SET) -> list[Case]:
    """The cases of the set, in order; ValueError for a malformed line."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4 or not fields[1].strip():
            raise ValueError(f"{path.name}:{number}: expected category, query, must, may")
        category, query, must, may = fields
        cases.append(Case(category, query, _ids(must), _ids(may)))
    return cases


def _ids(cell: str) -> frozenset[str]:
    return frozenset(fact_id for fact_id in cell.split(",") if fact_id)


class Scores(NamedTuple):
    """How a search did on the set.

    recall: of the facts the positive queries must find, the share found; precision: of what they found, the
    share they must find (facts they may find count as neither); mrr: the mean over positive queries of one over
    the rank of the first fact it must find (facts it may find left out of the ranking); negatives_hit: how many
    negative queries found anything. `missed` and `wrong` list, by query, the facts not found and found wrongly.
    """

    recall: float
    precision: float
    mrr: float
    negatives_hit: int
    negatives: int
    missed: dict[str, list[str]]
    wrong: dict[str, list[str]]


def score(find: Callable[[str], Sequence[str]], cases: Iterable[Case]) -> Scores:
    """Score `find` (a query to the ids it finds, best first) on the cases."""
    must_total = found_must = found_counted = 0
    reciprocal: list[float] = []
    negatives = negatives_hit = 0
    missed: dict[str, list[str]] = {}
    wrong: dict[str, list[str]] = {}
    for case in cases:
        found = list(find(case.query))
        if case.negative:
            negatives += 1
            negatives_hit += bool(found)
            if found:
                wrong[case.query] = found
            continue
        counted = [fact_id for fact_id in found if fact_id not in case.may]
        hits = [fact_id for fact_id in counted if fact_id in case.must]
        must_total += len(case.must)
        found_must += len(hits)
        found_counted += len(counted)
        reciprocal.append(next((1 / rank for rank, f in enumerate(counted, 1) if f in case.must), 0.0))
        if len(hits) < len(case.must):
            missed[case.query] = sorted(case.must.difference(hits))
        if len(counted) > len(hits):
            wrong[case.query] = [fact_id for fact_id in counted if fact_id not in case.must]
    return Scores(
        recall=found_must / must_total if must_total else 1.0,
        precision=found_must / found_counted if found_counted else 1.0,
        mrr=sum(reciprocal) / len(reciprocal) if reciprocal else 1.0,
        negatives_hit=negatives_hit,
        negatives=negatives,
        missed=missed,
        wrong=wrong,
    )
