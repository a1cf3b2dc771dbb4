"""Snowball's English stemmer from PyStemmer (C) against snowballstemmer (pure Python): import cost and speed.

Run where both are installed (`pip install PyStemmer snowballstemmer`):  python benchmarks/stemmers.py [--runs N]

Import: the CPU time (user and system) of a fresh `python -c` that imports the library and makes its English
stemmer, less that of `python -c pass` run in the same round; the median over the rounds. Speed: microseconds
per word to stem every distinct English word of the bundled store's claims and entity names, best of five passes
(PyStemmer's cache off; snowballstemmer has none). Both must stem every word alike (they implement the same
Snowball algorithm). snowballstemmer hands out PyStemmer's stemmers when it can import PyStemmer, so its own
figures are taken with PyStemmer blocked.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from facts_cli.store import open_store, resolve_store_path

WITHOUT_PYSTEMMER = "import sys; sys.modules['Stemmer'] = None; "
IMPORTS = {
    "python -c pass": "pass",
    "PyStemmer": "import Stemmer; Stemmer.Stemmer('english')",
    "snowballstemmer": WITHOUT_PYSTEMMER + "import snowballstemmer; snowballstemmer.stemmer('english')",
}


def cpu_seconds(code: str, directory: str) -> float:
    process = subprocess.Popen([sys.executable, "-c", code], cwd=directory)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"python -c {code!r} failed: is the library installed?")
    return usage.ru_utime + usage.ru_stime


def english_words() -> list[str]:
    store = open_store(resolve_store_path(None))
    texts = [fact.get("claim_en") or "" for fact in store.facts]
    texts += [str(entity.get("name", {}).get("en", "")) for entity in store.entities]
    texts += [alias for entity in store.entities for alias in (entity.get("aliases") or {}).get("en", [])]
    return sorted({word for text in texts for word in re.findall(r"[a-z]+", text.lower())})


def per_word(stem, words: list[str]) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(20):
            for word in words:
                stem(word)
        best = min(best, (time.perf_counter() - start) / (20 * len(words)))
    return best * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    import Stemmer
    from snowballstemmer.english_stemmer import EnglishStemmer

    directory = tempfile.mkdtemp(prefix="facts-stemmers-")
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for code in IMPORTS.values():  # once each, so that every module is compiled before timing
        cpu_seconds(code, directory)
    for _ in range(runs):
        for name, code in IMPORTS.items():
            samples[name].append(cpu_seconds(code, directory))
    empty = samples["python -c pass"]
    words = english_words()
    c_stemmer = Stemmer.Stemmer("english", 0)
    python_stemmer = EnglishStemmer()
    assert [c_stemmer.stemWord(w) for w in words] == [python_stemmer.stemWord(w) for w in words]
    speed = {
        "PyStemmer": per_word(c_stemmer.stemWord, words),
        "snowballstemmer": per_word(python_stemmer.stemWord, words),
    }
    print(f"{len(words)} distinct English words; {runs} rounds; Python {sys.version.split()[0]}")
    print(f"{'':32} {'import + make, CPU ms':>22} {'us per word':>12}")
    for name in IMPORTS:
        if name == "python -c pass":
            continue
        cost = statistics.median(a - b for a, b in zip(samples[name], empty, strict=True)) * 1000
        print(f"{name:32} {cost:22.1f} {speed[name]:12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
