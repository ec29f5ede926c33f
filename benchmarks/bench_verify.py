"""Time ``symxent verify --all`` as a user runs it: a whole process, several runs, the median.

Run by hand: ``python benchmarks/bench_verify.py [--runs 5]``. Not a test: timings depend on
the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def time_once(extra: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "symxent", "verify", "--all", *extra],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for label, extra in (
        ("default (50 digits, 32 samples)", []),
        ("--samples 8", ["--samples", "8"]),
    ):
        times = [time_once(extra) for _ in range(args.runs)]
        spread = f"min {min(times):.2f} s, max {max(times):.2f} s"
        print(f"symxent verify --all, {label}: median {statistics.median(times):.2f} s ({spread})")


if __name__ == "__main__":
    main()
