"""Cost at every size: `facts` on stores of 1,000, 10,000 and 100,000 facts, next to the floor and jq.

Run from an environment where `facts` is installed (jq on the PATH for its column):

    python benchmarks/scale.py [--sizes 1000 10000 100000] [--runs 5]

Each store is the bundled one grown: its facts replicated with new ids, each copy about other entities (50
variants of each entity, named `روسيا 7`, `Russia 7`, ...), so that names and postings vary as in a real store.
For each size the script reports the median wall time and peak memory (RSS) of `facts list` (filtered),
`search`, `show` and `validate`, next to two baselines on the same file, run in the same rounds:

- floor: `python -c` loading the file with `json.load`, the least any Python tool must do;
- jq: jq running the equivalent filter (a substring test stands in for search).

`search` is measured with its index kept in the cache (`search`) and without (`search, no cache`);
`validate` runs once per size. Children run without PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED, as an installed
command runs for its users. The last column is the time per fact, which stays flat when the cost is linear in the
size.

Then the writes, in rounds, each against its baseline measured in the same rounds: `add` and `remove` of one fact
against the write floor (`python -c` doing `json.load` and `json.dump(indent=2)` of the same file, time and peak
memory); the first search after a write against `json.load`; `import` of 1,000 facts against one `add`. The first
write to the grown store, which checks it whole (no validated write made it), is reported too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from facts_cli.jsonfile import encode_document
from facts_cli.store import bundled_store_path

FACTS = str(Path(sys.executable).parent / "facts")
JQ = shutil.which("jq")
VARIANTS = 50
QUERY = "تسليم كازاخستان"


def grown_store(size: int) -> dict[str, Any]:
    """The bundled store with `size` facts: the real ones replicated, each copy about its own entity variants."""
    document = json.loads(bundled_store_path().read_text(encoding="utf-8"))
    facts, entities = list(document["facts"].values()), list(document["entities"].values())

    def variant(entity: dict[str, Any], number: int) -> dict[str, Any]:
        if number == 0:
            return entity
        return {
            **entity,
            "id": f"{entity['id']}-{number}",
            "name": {lang: f"{name} {number}" for lang, name in entity["name"].items()},
            "aliases": {lang: [f"{a} {number}" for a in names] for lang, names in entity["aliases"].items()},
        }

    grown_entities = [variant(entity, number) for number in range(VARIANTS) for entity in entities]
    grown_facts = []
    for index in range(size):
        copy, fact = divmod(index, len(facts))[0], json.loads(json.dumps(facts[index % len(facts)]))
        number = copy % VARIANTS
        if copy:
            fact["id"] = f"{fact['id']}-{copy}"
        if number:
            for participant in fact["participants"]:
                participant["entity"] = f"{participant['entity']}-{number}"
            if fact.get("attributed_to"):
                fact["attributed_to"]["entity"] = f"{fact['attributed_to']['entity']}-{number}"
            if fact.get("place"):
                fact["place"]["entity"] = f"{fact['place']['entity']}-{number}"
        grown_facts.append(fact)
    document["entities"] = {str(i): e for i, e in enumerate(grown_entities, 1)}
    document["facts"] = {str(i): f for i, f in enumerate(grown_facts, 1)}
    return document


def write_store(size: int, path: Path) -> str:
    """Write a grown store from another process, and return the id of its last fact.

    A child's peak RSS (`ru_maxrss`) starts from its parent's RSS at fork time on Linux, so this process stays
    small: it never holds a store.
    """
    grow = [sys.executable, __file__, "--grow", str(size), str(path)]
    return subprocess.run(grow, capture_output=True, text=True, check=True).stdout.strip()


def commands(store: Path, last_id: str) -> dict[str, tuple[list[str], dict[str, str], list[str] | None]]:
    """name: (facts argv, extra environment, the jq argv doing the same)."""
    db = ["--db", str(store)]
    jq = [JQ, "-c"] if JQ else None
    search_filter = (
        '.facts[] | select(((.claim + " " + .quote) | contains("تسليم")) and '
        '([.participants[].entity] | index("kazakhstan")))'
    )
    return {
        "list --type agreement": (
            [FACTS, "list", "--type", "agreement", "--format", "jsonl", *db],
            {},
            jq and [*jq, '.facts[] | select(.type == "agreement")', str(store)],
        ),
        "search": ([FACTS, "search", QUERY, "--format", "jsonl", *db], {}, jq and [*jq, search_filter, str(store)]),
        "search, no cache": (
            [FACTS, "search", QUERY, "--format", "jsonl", *db],
            {"FACTS_NO_CACHE": "1"},
            jq and [*jq, search_filter, str(store)],
        ),
        "show ID": (
            [FACTS, "show", last_id, "--format", "json", *db],
            {},
            jq and [*jq, f'.facts[] | select(.id == "{last_id}")', str(store)],
        ),
        "validate": ([FACTS, "validate", *db], {}, jq and [JQ, "empty", str(store)]),
    }


WRITE_FLOOR = (
    "import json, sys; document = json.load(open(sys.argv[1], encoding='utf-8')); "
    "json.dump(document, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False, indent=2)"
)
# name: (what it is compared with, the target ratio of time, of peak memory)
WRITE_TARGETS = {
    "first write (checks all)": ("write floor", None, None),
    "add": ("write floor", 1.0, 0.8),
    "remove": ("write floor", 1.0, 0.8),
    "search, after a write": ("floor", 1.5, None),
    "import 1,000": ("add", 1.5, None),
    "remove 1,000": ("write floor", None, None),
    "validate": ("floor", 5.0, None),
}


def write_rounds(
    store: Path, work: Path, environ: dict[str, str], runs: int, validate: tuple[float, int]
) -> dict[str, list[tuple[float, int]]]:
    """Samples of the writes (and their floors), round by round; each round leaves the store with its facts."""
    bundled = json.loads(bundled_store_path().read_text(encoding="utf-8"))
    template = next(iter(bundled["facts"].values()))
    db = ["--db", str(store)]
    floor = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1], encoding='utf-8'))", str(store)]
    write_floor = [sys.executable, "-c", WRITE_FLOOR, str(store), str(work / "floor-copy.json")]
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in ["floor", "write floor", *WRITE_TARGETS]}
    samples["validate"].append(validate)

    def fact_file(name: str, facts: list[dict[str, Any]]) -> str:
        path = work / f"{name}.json"
        path.write_text(json.dumps(facts if len(facts) > 1 else facts[0], ensure_ascii=False), encoding="utf-8")
        return str(path)

    first = fact_file("first", [{**template, "id": "bench-first"}])
    samples["first write (checks all)"].append(measure([FACTS, "add", first, *db], environ))
    measure([FACTS, "remove", "bench-first", *db], environ)
    for round_number in range(runs):
        one = fact_file(f"one-{round_number}", [{**template, "id": f"bench-{round_number}"}])
        batch_ids = [f"bench-{round_number}-{i}" for i in range(1000)]
        batch = fact_file(f"batch-{round_number}", [{**template, "id": fact_id} for fact_id in batch_ids])
        samples["floor"].append(measure(floor, environ))
        samples["write floor"].append(measure(write_floor, environ))
        samples["add"].append(measure([FACTS, "add", one, *db], environ))
        samples["search, after a write"].append(measure([FACTS, "search", QUERY, "--format", "jsonl", *db], environ))
        samples["remove"].append(measure([FACTS, "remove", f"bench-{round_number}", *db], environ))
        samples["import 1,000"].append(measure([FACTS, "import", batch, *db], environ))
        samples["remove 1,000"].append(measure([FACTS, "remove", *batch_ids, *db], environ))
    return samples


def print_writes(size: int, samples: dict[str, list[tuple[float, int]]]) -> None:
    time_of = {name: statistics.median(t for t, _ in values) for name, values in samples.items()}
    rss_of = {name: statistics.median(m for _, m in values) for name, values in samples.items()}
    for name in ["floor", "write floor", *WRITE_TARGETS]:
        base, time_target, rss_target = WRITE_TARGETS.get(name, (None, None, None))
        columns = f"{size:>7} {name:26} {time_of[name]:9.3f} {rss_of[name] / 1024:9.1f}"
        if base:
            ratio, rss_ratio = time_of[name] / time_of[base], rss_of[name] / rss_of[base]
            verdict = "" if time_target is None else (" ok" if ratio <= time_target else " OVER")
            rss_verdict = "" if rss_target is None else (" ok" if rss_ratio <= rss_target else " OVER")
            time_text = f"{time_target:.1f}" if time_target else "-"
            rss_text = f"{rss_target:.1f}" if rss_target else "-"
            columns += f" {base:>12} {ratio:7.2f} {time_text:>6}{verdict:5} {rss_ratio:7.2f} {rss_text:>6}{rss_verdict}"
        print(columns)


def measure(argv: list[str], environ: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak resident set (KiB) of one run; exit codes 0 and 1 (nothing found) are both fine."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed")
    return elapsed, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--grow", nargs=2, metavar=("SIZE", "PATH"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.grow:  # in a process of its own: see write_store
        document = grown_store(int(options.grow[0]))
        Path(options.grow[1]).write_bytes(encode_document(document))
        print(document["facts"][options.grow[0]]["id"])
        return 0
    work = Path(tempfile.mkdtemp(prefix="facts-scale-"))
    drop = ("FACTS_DB", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "FACTS_NO_CACHE")
    base_env = {**{k: v for k, v in os.environ.items() if k not in drop}, "FACTS_CACHE_DIR": str(work / "cache")}
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
    print(f"# jq: {subprocess.run([JQ, '--version'], capture_output=True, text=True).stdout.strip() if JQ else 'none'}")
    header = f"{'facts':>7} {'command':22} {'median s':>9} {'x floor':>8} {'x jq':>6} {'peak MiB':>9} {'x floor':>8}"
    print(header + f" {'us/fact':>8}")
    writes: dict[int, dict[str, list[tuple[float, int]]]] = {}
    try:
        for size in options.sizes:
            store = work / f"facts-{size}.json"
            last_id = write_store(size, store)
            time.sleep(2.1)  # the search index is kept only for a file that has been still for two seconds
            floor = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1], encoding='utf-8'))"]
            plan = commands(store, last_id)
            jobs: dict[str, tuple[list[str], dict[str, str]]] = {"floor": ([*floor, str(store)], base_env)}
            for name, (argv, extra, jq_argv) in plan.items():
                jobs[name] = (argv, {**base_env, **extra})
                if jq_argv and f"jq: {name}" not in jobs and name != "search, no cache":
                    jobs[f"jq: {name}"] = (jq_argv, base_env)
            first_search = measure(*jobs["search"])  # builds and keeps the index
            samples: dict[str, list[tuple[float, int]]] = {name: [] for name in jobs}
            for round_number in range(options.runs):
                for name, (argv, environ) in jobs.items():
                    if name.endswith("validate") and round_number:
                        continue
                    samples[name].append(measure(argv, environ))
            time_of = {name: statistics.median(t for t, _ in values) for name, values in samples.items()}
            rss_of = {name: statistics.median(m for _, m in values) for name, values in samples.items()}
            rows = [("floor (json.load)", time_of["floor"], rss_of["floor"], None)]
            rows.append(("search, first run", *first_search, time_of.get("jq: search")))
            rows += [(name, time_of[name], rss_of[name], time_of.get(f"jq: {name}")) for name in plan]
            rows += [(name, time_of[name], rss_of[name], None) for name in jobs if name.startswith("jq: ")]
            for name, seconds, rss, jq_seconds in rows:
                jq_ratio = f"{seconds / jq_seconds:6.2f}" if jq_seconds else f"{'-':>6}"
                print(
                    f"{size:>7} {name:22} {seconds:9.3f} {seconds / time_of['floor']:8.2f} {jq_ratio} "
                    f"{rss / 1024:9.1f} {rss / rss_of['floor']:8.2f} {seconds / size * 1e6:8.1f}"
                )
            sys.stdout.flush()
            writes[size] = write_rounds(store, work, base_env, options.runs, samples["validate"][0])
            store.unlink()
        print(
            f"\n{'facts':>7} {'write':26} {'median s':>9} {'peak MiB':>9} {'against':>12} {'x time':>7} "
            f"{'target':>6}{'':5} {'x peak':>7} {'target':>6}"
        )
        for size, samples_of_size in writes.items():
            print_writes(size, samples_of_size)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
