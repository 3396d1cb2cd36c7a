"""Wall-clock time of sweeps, start to sweep table, with the command's defaults.

1. The 20 x 20 walk-away grid (`+experiment=walkaway_grid` over 20 values of Ukraine's and 20
   of Russia's reservation value, 200 replications a point: 400 points, 80,000 negotiations)
   with the batched launcher (`hydra/launcher=negsim_batch`, the default), and beside it, in the
   same run, with Hydra's joblib launcher (one job per point on every core).
2. A 100 x 100 grid with 100 replications a point (10,000 points, 10^6 negotiations) with the
   batched launcher, with the peak resident memory of the command and its workers.

Every run keeps the command's defaults (the stated-numbers analysis on, per-point figures off in
a sweep). Targets on a 2-core machine: the 20 x 20 grid in at most 15 s, the 100 x 100 grid in at
most 5 minutes with a peak under 1 GB.

    .venv/bin/python experiments/benchmark/sweep_speed.py [--size 20] [--big 100] [--skip-joblib]
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
WRAPPER = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def grid(start: float, size: int, span: float = 0.4) -> str:
    """`size` values from `start` spread over `span`, as a Hydra sweep list."""
    step = span / max(size - 1, 1)
    return ",".join(f"{start + step * i:.4f}" for i in range(size))


def timed_sweep(out: Path, size: int, replications: int, extra: list[str]) -> tuple[float, float]:
    """Run the grid into `out`; returns (wall-clock seconds, peak resident MiB of a process).

    The command runs under a small wrapper process of its own, whose `ru_maxrss` of children is
    the largest resident memory of the command or any of its worker processes in this run
    (workers run side by side, so the machine held at most their sum).
    """
    command = [
        str(BIN / "negsim"),
        "-m",
        "+experiment=walkaway_grid",
        f"replications={replications}",
        f"scenario.parties.ukraine.reservation={grid(0.2, size)}",
        f"scenario.parties.russia.reservation={grid(0.4, size)}",
        f"hydra.sweep.dir={out}",
        *extra,
    ]
    started = time.perf_counter()
    measured = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command],
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak = int(measured.stdout.split()[-1]) / 1024
    if not (out / "summary.parquet").is_file():
        raise SystemExit(f"no sweep table in {out}")
    return seconds, peak


def main() -> None:
    """Parse arguments, run the sweeps, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20, help="values per swept key (small grid)")
    parser.add_argument("--replications", type=int, default=200, help="per point, small grid")
    parser.add_argument("--big", type=int, default=100, help="values per key, big grid (0: skip)")
    parser.add_argument("--big-replications", type=int, default=100)
    parser.add_argument("--skip-joblib", action="store_true", help="skip the per-job launcher")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    work = Path(tempfile.mkdtemp(prefix="negsim-sweep-"))
    try:
        points = args.size**2
        negotiations = points * args.replications
        print(f"{args.size} x {args.size} grid: {points} points, {negotiations:,} negotiations")
        seconds, peak = timed_sweep(work / "batch", args.size, args.replications, [])
        print(
            f"  negsim_batch:  {seconds:7.1f} s start to table  (target at most 15 s), "
            f"peak {peak:.0f} MiB"
        )
        if not args.skip_joblib:
            seconds, peak = timed_sweep(
                work / "joblib", args.size, args.replications, ["hydra/launcher=joblib"]
            )
            print(f"  joblib, a job a point: {seconds:7.1f} s start to table, peak {peak:.0f} MiB")
        if args.big:
            points = args.big**2
            negotiations = points * args.big_replications
            print(f"{args.big} x {args.big} grid: {points} points, {negotiations:,} negotiations")
            seconds, peak = timed_sweep(work / "big", args.big, args.big_replications, [])
            print(
                f"  negsim_batch:  {seconds:7.1f} s start to table  (target at most 300 s), "
                f"peak {peak:.0f} MiB (target under 1024)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
