"""Wall-clock time of a sweep, start to report: `+experiment=walkaway_grid` on a 20 x 20 grid.

Runs `negsim -m +experiment=walkaway_grid hydra/launcher=joblib replications=200` over 20 values
of Ukraine's and 20 of Russia's reservation value (400 jobs, 80,000 negotiations), then
`negsim-report` on the sweep, and prints the times. With `--null` it also runs the same grid with
one replication of two rounds per job, which measures what Hydra and the launcher cost per job.

    .venv/bin/python experiments/benchmark/sweep_speed.py [--size 20] [--null]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def grid(start: float, size: int) -> str:
    """`size` values from `start` in steps of 0.02, as a Hydra sweep list."""
    return ",".join(f"{start + 0.02 * i:.2f}" for i in range(size))


def timed_sweep(out: Path, size: int, extra: list[str]) -> float:
    """Run the sweep into `out`; returns its wall-clock seconds."""
    command = [
        str(BIN / "negsim"),
        "-m",
        "+experiment=walkaway_grid",
        "hydra/launcher=joblib",
        f"scenario.parties.ukraine.reservation={grid(0.2, size)}",
        f"scenario.parties.russia.reservation={grid(0.4, size)}",
        f"hydra.sweep.dir={out}",
        "analysis=false",  # the per-job ZOPA analysis is not part of the target
        *extra,
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    """Parse arguments, run the sweep and the report, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20, help="values per swept key")
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--null", action="store_true", help="also time a sweep of empty jobs")
    args = parser.parse_args()
    jobs = args.size**2
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    work = Path(tempfile.mkdtemp(prefix="negsim-sweep-"))
    try:
        sweep = work / "grid"
        seconds = timed_sweep(sweep, args.size, [f"replications={args.replications}"])
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "negsim-report"), str(sweep)], check=True, stdout=subprocess.DEVNULL
        )
        report = time.perf_counter() - started
        total = seconds + report
        print(
            f"walkaway_grid {args.size} x {args.size}: {jobs} jobs, "
            f"{jobs * args.replications:,} negotiations, joblib launcher"
        )
        per_job = seconds / jobs * 1000
        print(f"  sweep (jobs, table, figure): {seconds:6.1f} s  ({per_job:.0f} ms a job)")
        print(f"  negsim-report (HTML):        {report:6.1f} s")
        print(f"  start to report:             {total:6.1f} s  (target at most 60 s)")
        if args.null:
            empty = timed_sweep(work / "null", args.size, ["replications=1", "max_rounds=2"])
            print(
                f"  the same grid of empty jobs: {empty:6.1f} s  "
                f"({empty / jobs * 1000:.0f} ms a job of Hydra and launcher overhead)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
