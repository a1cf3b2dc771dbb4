"""What hostile sizes cost: a claim of megabytes drawn as a table, a query of thousands of words. Each cost is shown
growing with the size, against a baseline of the same rounds, so that linear reads as a ratio of about 1 per size.

Run from an environment where `facts` is installed:  python benchmarks/hostile.py [--runs N]

- A cell: stores of one fact whose English claim is 0.5, 1, 2 and 4 MB of words; `facts list --lang en --format
  table` (CPU time) against `--format plain` of the same store, which writes the claim as it is. In the same rounds,
  in-process, Rich drawing the claim as a plain `Text` (what `facts` did before issue 13) and as `facts`' `LineText`,
  up to 2 MB (the plain `Text` takes minutes past that).
- A query: 1,000 and 5,000 words, of three kinds (one misspelt word said again and again, random words, the words of
  the store each misspelt), against a one-word search.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FACTS = str(Path(sys.executable).parent / "facts")
DIRECTORY = Path(tempfile.mkdtemp(prefix="facts-hostile-"))
MEGABYTE = 1 << 20


def cpu(argv: list[str]) -> float:
    """CPU seconds (user and system) of one run (see startup.py: the wall clock of a shared machine is noise)."""
    environ = {**os.environ, "COLUMNS": "100", "FACTS_CACHE_DIR": str(DIRECTORY / "cache"), "FACTS_PAGER": ""}
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed")
    return usage.ru_utime + usage.ru_stime


def claim_store(megabytes: float) -> tuple[Path, str]:
    words = " ".join(f"word{n % 1000}" for n in range(int(megabytes * MEGABYTE / 8)))
    path = DIRECTORY / f"claim-{megabytes}.json"
    subprocess.run([FACTS, "init", "--force", str(path)], check=True, capture_output=True)
    document = json.loads(path.read_text(encoding="utf-8"))
    fact = document["facts"]["1"]
    document["facts"] = {"1": {**fact, "claim_en": words}}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path, words


def drawn(text_type: type, words: str) -> float:
    """Seconds Rich takes to draw the words as `text_type`, 100 columns wide (in-process), as a part of a view
    (`Console.print` would join a `Text` given to it alone into a plain one)."""
    from rich.console import Console, Group

    console = Console(width=100, file=io.StringIO(), color_system=None)
    started = time.process_time()
    console.print(Group(text_type(words)))
    return time.process_time() - started


def cells(runs: int) -> None:
    from rich.text import Text

    from facts_cli.render import LineText

    sizes = [0.5, 1, 2, 4]
    stores = {size: claim_store(size) for size in sizes}
    samples: dict[tuple[str, float], list[float]] = {}
    for _ in range(runs):
        for size, (path, words) in stores.items():
            for name, argv in (
                ("table", [FACTS, "list", "--db", str(path), "--lang", "en", "-f", "table", "--bidi", "logical"]),
                ("plain", [FACTS, "list", "--db", str(path), "--lang", "en", "-f", "plain"]),
            ):
                samples.setdefault((name, size), []).append(cpu(argv))
            if size <= 2:
                samples.setdefault(("Rich Text", size), []).append(drawn(Text, words))
            samples.setdefault(("LineText", size), []).append(drawn(LineText, words))
    print("A claim of N MB as a table (CPU s, median; growth: against the size before, per doubling of the size)")
    print(f"{'':12}" + "".join(f"{size:>10} MB" for size in sizes) + f"{'growth':>12}")
    for name in ("plain", "table", "Rich Text", "LineText"):
        medians = [statistics.median(samples[(name, size)]) if (name, size) in samples else None for size in sizes]
        known = [m for m in medians if m is not None]
        growth = statistics.median(b / a for a, b in itertools.pairwise(known))
        print(f"{name:12}" + "".join(f"{m:13.2f}" if m is not None else f"{'-':>13}" for m in medians), end="")
        print(f"{growth:12.2f}")
    table = [statistics.median(samples[("table", size)]) for size in sizes]
    plain = [statistics.median(samples[("plain", size)]) for size in sizes]
    print("table against plain: " + ", ".join(f"{t / p:.1f}x" for t, p in zip(table, plain, strict=True)))


def queries(runs: int) -> None:
    store = DIRECTORY / "store.json"
    subprocess.run([FACTS, "init", "--force", str(store)], check=True, capture_output=True)
    rng = random.Random(13)
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    document = json.loads(store.read_text(encoding="utf-8"))
    vocabulary = sorted({w for f in document["facts"].values() for w in f["claim"].split() if len(w) > 4})
    kinds = {
        "one misspelt word": lambda n: ["كازاخستن"] * n,
        "random words": lambda n: ["".join(rng.choice(letters) for _ in range(7)) for _ in range(n)],
        "store words misspelt": lambda n: [vocabulary[i % len(vocabulary)][:-1] + "ة" for i in range(n)],
    }
    baseline = [FACTS, "search", "--db", str(store), "كازاخستن"]
    samples: dict[str, list[float]] = {"one word": []}
    for _ in range(runs):
        samples["one word"].append(cpu(baseline))
        for kind, make in kinds.items():
            for count in (1000, 5000):
                samples.setdefault(f"{kind}, {count}", []).append(cpu([*baseline[:-1], *make(count)]))
    base = statistics.median(samples["one word"])
    print("\nA query of thousands of words (CPU s, median, and against a one-word search)")
    for name, values in samples.items():
        print(f"{name:30} {statistics.median(values):8.2f} {statistics.median(values) / base:8.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    try:
        cells(runs)
        queries(runs)
    finally:
        shutil.rmtree(DIRECTORY)  # stores of megabytes


if __name__ == "__main__":
    main()
