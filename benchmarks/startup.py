"""Start-up time and memory of `facts` commands on the bundled store, as ratios to importing what they must import.

Run from an environment where `facts` is installed:  python benchmarks/startup.py [--runs N]

A command that writes a machine format is compared with `python -c "import typer"`: what any Typer command pays
before it does anything; the completion of a fact id with `list --format json`, which reads the same store. A
command that draws a table or a text view is compared with `python -c "import typer, rich.console, rich.table"`.
Commands and baselines run in turns, so that a noisy machine slows them alike; a command's ratio is the median, over
the rounds, of its CPU time (user and system) over its baseline's in the same round. Children run without
PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED, as an installed command runs for its users (with compiled modules,
with buffered output). The script prints a table and exits 1 when a command is over its budget (`TARGETS`)."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

FACTS = str(Path(sys.executable).parent / "facts")
EMPTY_DIRECTORY = tempfile.mkdtemp(prefix="facts-startup-")
BASELINES = {
    "import typer": [sys.executable, "-c", "import typer"],
    "import typer, rich": [sys.executable, "-c", "import typer, rich.console, rich.table"],
}
# What a shell's completion of `facts show ru-k<TAB>` runs (bash: Typer's completion script).
COMPLETE_SHOW = {"_FACTS_COMPLETE": "complete_bash", "COMP_WORDS": "facts show ru-k", "COMP_CWORD": "2"}
NARROW = {"COLUMNS": "80"}
# name: (argv, baseline, budget as a multiple of the baseline's median, None: reported only; extra environment).
# A baseline is one of BASELINES, or a command measured before.
COMMANDS: dict[str, tuple[list[str], str, float | None, dict[str, str]]] = {
    "list --format json": ([FACTS, "list", "--format", "json"], "import typer", 1.3, {}),
    "list (piped: plain)": ([FACTS, "list"], "import typer", 1.3, {}),
    "show ID --format json": ([FACTS, "show", "rt-byline", "--format", "json"], "import typer", 1.3, {}),
    "search --format json": ([FACTS, "search", "تسليم كازاخستان", "--format", "json"], "import typer", None, {}),
    "complete show ID": ([FACTS], "list --format json", 1.05, COMPLETE_SHOW),
    "list --format table": ([FACTS, "list", "--format", "table", "--bidi", "logical"], "import typer, rich", 1.3, {}),
    "list table, visual": ([FACTS, "list", "--format", "table", "--bidi", "visual"], "import typer, rich", 1.3, {}),
    "list stacked, visual, 80": (
        [FACTS, "list", "--format", "table", "--bidi", "visual"],
        "import typer, rich",
        1.3,
        NARROW,
    ),
    "show ID --format text": ([FACTS, "show", "rt-byline", "--format", "text"], "import typer, rich", None, {}),
    "graph --format json": ([FACTS, "graph", "--format", "json"], "import typer", 1.3, {}),
    "graph (piped: plain)": ([FACTS, "graph"], "import typer", 1.3, {}),
    "graph --format dot": ([FACTS, "graph", "--format", "dot"], "import typer", 1.3, {}),
    "graph --format mermaid": ([FACTS, "graph", "--format", "mermaid"], "import typer", 1.3, {}),
    "graph --format text": ([FACTS, "graph", "--format", "text", "--bidi", "logical"], "import typer, rich", 1.3, {}),
    "graph text, visual": ([FACTS, "graph", "--format", "text", "--bidi", "visual"], "import typer, rich", 1.3, {}),
    "graph --format svg": ([FACTS, "graph", "--format", "svg"], "import typer", None, {}),
    "validate": ([FACTS, "validate"], "import typer", None, {}),
}


def environment(extra: dict[str, str]) -> dict[str, str]:
    drop = ("FACTS_DB", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "FACTS_BIDI", "FACTS_PAGER")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "COLUMNS": "120", **extra}


def measure(argv: list[str], extra: dict[str, str]) -> tuple[float, int]:
    """CPU seconds (user and system) and peak resident set (KiB) of one run, from an empty directory (`python -c`
    looks for modules in its working directory first). CPU time, not wall time: on a shared machine the wall
    clock also counts the time other tenants hold the CPU, which varied the ratios by a third from run to run."""
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment(extra), cwd=EMPTY_DIRECTORY
    )
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    argvs = {**{name: (argv, {}) for name, argv in BASELINES.items()}}
    argvs.update({name: (argv, extra) for name, (argv, _, _, extra) in COMMANDS.items()})
    for argv, extra in argvs.values():  # once each, so that every module is compiled and cached before timing
        measure(argv, extra)
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in argvs}
    for _ in range(runs):
        for name, (argv, extra) in argvs.items():
            samples[name].append(measure(argv, extra))
    medians = {name: statistics.median(t for t, _ in values) for name, values in samples.items()}
    rss = {name: statistics.median(m for _, m in values) for name, values in samples.items()}

    def ratio_to(name: str, baseline: str) -> float:
        """The median of the ratios within a round: a command against the baseline run just before it."""
        return statistics.median(a / b for (a, _), (b, _) in zip(samples[name], samples[baseline], strict=True))

    over = 0
    print(f"{'command':26} {'CPU ms':>9} {'baseline':>19} {'x base':>7} {'target':>7} {'RSS MiB':>8} {'x base':>7}")
    for name in BASELINES:
        print(f"{name:26} {medians[name] * 1000:9.1f} {'':>19} {'':>7} {'':>7} {rss[name] / 1024:8.1f}")
    for name, (_, baseline, target, _) in COMMANDS.items():
        ratio = ratio_to(name, baseline)
        verdict = "" if target is None else (" ok" if ratio <= target else " OVER")
        over += verdict == " OVER"
        target_text = f"{target:.2f}" if target else "-"
        print(
            f"{name:26} {medians[name] * 1000:9.1f} {baseline:>19} {ratio:7.2f} {target_text:>7} "
            f"{rss[name] / 1024:8.1f} {rss[name] / rss[baseline]:7.2f}{verdict}"
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
