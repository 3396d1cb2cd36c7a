"""Memory of long runs: resident memory batch after batch, and the peak of a large command.

1. `iter_batches` over the flagship in batches of 10,000 replications, printing the resident
   memory after each batch: flat when a batch frees what it held.
2. `negsim replications=N` (default 10^6) as a user runs it, with its peak resident memory: the
   results stream to Parquet batch by batch, so the peak does not grow with N.

    .venv/bin/python experiments/benchmark/memory.py [--batches 12] [--replications 1000000]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def resident_mib() -> float:
    """This process's resident memory now, in MiB (from /proc)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def batches(count: int, size: int) -> None:
    """Run `count` batches of `size` and print the resident memory after each."""
    from negsim.formats.load import load_scenario
    from negsim.results.accumulator import SummaryAccumulator
    from negsim.runs.batch import iter_batches

    scenario = load_scenario("ukraine_2025")
    accumulator = SummaryAccumulator(scenario)
    print(f"batches of {size:,} (resident MiB after each):", end=" ", flush=True)
    readings = []
    for model in iter_batches(scenario, count * size, seed=0, batch_size=size, progress=False):
        accumulator.add(model.results())
        readings.append(resident_mib())
        print(f"{readings[-1]:.0f}", end=" ", flush=True)
    print(f"\n  growth from batch 3 to batch {count}: {readings[-1] - readings[2]:+.0f} MiB")


def command(replications: int) -> None:
    """Run `negsim replications=N` and print its time and peak resident memory."""
    with tempfile.TemporaryDirectory(prefix="negsim-memory-") as out:
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "negsim"), f"replications={replications}", f"hydra.run.dir={out}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size = (Path(out) / "results.parquet").stat().st_size / 2**20
    print(
        f"negsim replications={replications:,}: {seconds:.0f} s, peak {peak:.0f} MiB, "
        f"results.parquet {size:.0f} MiB"
    )


def main() -> None:
    """Parse arguments and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--replications", type=int, default=1_000_000, help="0: skip")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    batches(args.batches, args.batch_size)
    if args.replications:
        command(args.replications)


if __name__ == "__main__":
    main()
