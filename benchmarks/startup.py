"""Start-up time and memory of `facts` commands, as ratios against a bare Python doing the same job, same run.

Run from an environment where `facts` is installed:  python benchmarks/startup.py [--runs N]

The baseline is the least a Python tool can do for `facts list --format json`: start the interpreter, parse the
store with the json module and write it back. Commands and baseline are run in turns, so that a noisy machine
slows both alike; the medians are compared. A command's budget is a ratio to the baseline (`TARGETS`); the
script exits 1 when a command is over it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cli.store import bundled_store_path

FACTS = str(Path(sys.executable).parent / "facts")
BASELINE = [
    sys.executable,
    "-c",
    "import json, sys; json.dump(list(json.load(open(sys.argv[1], encoding='utf-8'))['facts'].values()), "
    "sys.stdout, ensure_ascii=False, indent=2)",
    str(bundled_store_path()),
]
COMMANDS = {
    "list --format json": [FACTS, "list", "--format", "json"],
    "list (piped: plain)": [FACTS, "list"],
    "list --format table": [FACTS, "list", "--format", "table"],
    "show ID --format json": [FACTS, "show", "rt-byline", "--format", "json"],
    "search --format json": [FACTS, "search", "تسليم كازاخستان", "--format", "json"],
    "show ID --format text": [FACTS, "show", "rt-byline", "--format", "text"],
    "validate": [FACTS, "validate"],
}
# Time budget as a multiple of the baseline's median. Machine formats must stay close to the bare interpreter;
# the Rich renderers and the JSON Schema validator pay for their imports.
TARGETS = {
    "list --format json": 5.0,
    "list (piped: plain)": 5.0,
    "show ID --format json": 5.0,
    "search --format json": 6.0,
    "list --format table": 8.0,
    "show ID --format text": 8.0,
    "validate": 10.0,
}


def measure(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident set (KiB) of one run."""
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("FACTS_DB", None)
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return elapsed, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in ["baseline", *COMMANDS]}
    for _ in range(runs):
        samples["baseline"].append(measure(BASELINE))
        for name, argv in COMMANDS.items():
            samples[name].append(measure(argv))
    base_time = statistics.median(t for t, _ in samples["baseline"])
    base_rss = statistics.median(m for _, m in samples["baseline"])
    over = 0
    print(f"{'command':24} {'median ms':>9} {'x base':>7} {'target':>7} {'RSS MiB':>8} {'x base':>7}")
    for name, values in samples.items():
        median = statistics.median(t for t, _ in values)
        rss = statistics.median(m for _, m in values)
        target = TARGETS.get(name)
        ratio = median / base_time
        verdict = "" if target is None else (" ok" if ratio <= target else " OVER")
        over += verdict == " OVER"
        target_text = f"{target:.1f}" if target else "-"
        print(
            f"{name:24} {median * 1000:9.1f} {ratio:7.2f} {target_text:>7} {rss / 1024:8.1f} {rss / base_rss:7.2f}"
            + verdict
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
