"""Speed and precision of the sensitivity sweeper on the flagship, start to indices.

Morris: every party's reservation (within 0.1), deadline (within 10 rounds; only the US states
one), strategy exponent (within 40%) and reservation spread (within 50%) of `ukraine_2025`, and
the dummy: 14 numbers, r = 20 trajectories (300 points), 200 replications a point, the
batched launcher on the local executor. Target: at most 2 minutes.

Sobol: 8 of those numbers (the reservations and exponents) with `--samples` N (N * 10 points),
`--sobol-replications` a point; prints the time, the negotiations and the widest half-width of
the total indices' 95% intervals (target: at most 0.05).

    .venv/bin/python experiments/benchmark/sensitivity.py [--skip-sobol] [--samples 256]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

BIN = Path(sys.executable).parent
AROUND = [
    "hydra.sweeper.around.reservation=0.1",
    "hydra.sweeper.around.strategy.exponent=40%",
]


def run(out: Path, args: list[str]) -> float:
    """Run the sensitivity sweep into `out`; its wall-clock seconds."""
    command = [str(BIN / "negsim"), "-m", "hydra/sweeper=sensitivity", *args,
               f"hydra.sweep.dir={out}", "hydra.launcher.executor=local"]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def report(out: Path, seconds: float, replications: int, kind: str) -> None:
    """Print the time, the design's size and the ranking's top and widest interval."""
    table = pd.read_csv(out / "sensitivity.csv")
    points = len(pd.read_csv(out / "summary.csv"))
    rows = table[table["index"] == kind]
    half = ((rows["high"] - rows["low"]) / 2).max()
    size = f"{points} points, {points * replications:,} negotiations"
    print(f"  {seconds:.1f} s start to indices; {size}; widest {kind} half-width {half:.3f}")
    for row in rows.head(5).itertuples():
        print(f"    {row.number:<45} {kind} {row.value:.3f}  ({row.low:.3f}-{row.high:.3f})")


def main() -> None:
    """Parse arguments, run the sweeps, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=20)
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--samples", type=int, default=256, help="Sobol's N")
    parser.add_argument("--sobol-replications", type=int, default=200)
    parser.add_argument("--skip-sobol", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="negsim-sensitivity-") as work:
        morris = Path(work) / "morris"
        seconds = run(morris, [
            *AROUND, "hydra.sweeper.around.deadline=10",
            "+hydra.sweeper.around.uncertainty.reservation=50%", "hydra.sweeper.dummy=true",
            f"hydra.sweeper.trajectories={args.trajectories}",
            f"replications={args.replications}",
        ])  # fmt: skip
        print(f"Morris, r = {args.trajectories}, {args.replications} replications a point "
              "(target at most 120 s):")  # fmt: skip
        report(morris, seconds, args.replications, "mu_star")
        if args.skip_sobol:
            return
        sobol = Path(work) / "sobol"
        seconds = run(sobol, [
            *AROUND, "hydra.sweeper.method=sobol", f"hydra.sweeper.samples={args.samples}",
            f"replications={args.sobol_replications}",
        ])  # fmt: skip
        print(f"Sobol, N = {args.samples}, {args.sobol_replications} replications a point "
              "(target: half-widths at most 0.05):")  # fmt: skip
        report(sobol, seconds, args.sobol_replications, "ST")


if __name__ == "__main__":
    main()
