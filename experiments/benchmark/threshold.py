"""The threshold sweeper against a fine grid: where the flagship's odds of a deal cross 0.5.

Runs `hydra/sweeper=threshold` on Ukraine's reservation in [0.2, 0.8] (200 replications a
point, tolerance 0.01), then a grid of step 0.0025 over [0.5, 0.7] with 10,000 replications a
point (common random numbers, as any grid), and prints both thresholds, their difference and
the negotiations each spent. The grid's crossing is where its curve first falls through the
level (linear between neighbours); its own uncertainty is that of a quantile of its
replications, sqrt(p(1 - p)/R) / |dP/dx| (the slope from a line through the points within 0.02).

    .venv/bin/python experiments/benchmark/threshold.py            # about five minutes
    .venv/bin/python experiments/benchmark/threshold.py --grid-replications 2000   # quicker
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

NEGSIM = str(Path(sys.executable).parent / "negsim")
KEY = "scenario.parties.ukraine.reservation"
LEVEL = 0.5


def negsim(*args: str) -> float:
    """Run `negsim -m ARGS`; its wall time in seconds (a failure ends the benchmark)."""
    start = time.perf_counter()
    done = subprocess.run([NEGSIM, "-m", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"negsim -m {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def grid_crossing(x: np.ndarray, p: np.ndarray, replications: int) -> tuple[float, float]:
    """Where the grid's curve first falls through the level, and its 95% half-width."""
    order = np.argsort(x)
    x, p = x[order], p[order]
    below = np.flatnonzero(p < LEVEL)
    j = int(below[0])
    if j == 0:
        sys.exit("the grid starts below the level: widen it")
    x0, x1, p0, p1 = x[j - 1], x[j], p[j - 1], p[j]
    at = float(x0 + (p0 - LEVEL) / (p0 - p1) * (x1 - x0))
    near = np.abs(x - at) <= 0.02
    slope = abs(float(np.polyfit(x[near], p[near], 1)[0]))
    return at, 1.96 * float(np.sqrt(LEVEL * (1 - LEVEL) / replications)) / slope


def main() -> None:
    """Run both and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200, help="sweeper: a point")
    parser.add_argument("--grid-replications", type=int, default=10_000, help="grid: a point")
    parser.add_argument("--step", type=float, default=0.0025, help="grid step")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        swept = Path(tmp) / "threshold"
        seconds = negsim(
            "hydra/sweeper=threshold",
            f"{KEY}=interval(0.2,0.8)",
            f"replications={args.replications}",
            f"hydra.sweep.dir={swept}",
            "hydra.launcher.progress=false",
        )
        report = json.loads((swept / "threshold.json").read_text(encoding="utf-8"))
        found = report["thresholds"][0]
        grid = Path(tmp) / "grid"
        values = np.round(np.arange(0.5, 0.7 + args.step / 2, args.step), 6)
        grid_seconds = negsim(
            f"{KEY}=" + ",".join(f"{v:g}" for v in values),
            f"replications={args.grid_replications}",
            f"hydra.sweep.dir={grid}",
            "hydra.launcher.progress=false",
        )
        table = pd.read_parquet(grid / "summary.parquet")
    at, sure = grid_crossing(
        table[KEY].to_numpy(float),
        table["agreement_probability"].to_numpy(float),
        args.grid_replications,
    )
    spent, grid_spent = int(report["negotiations"]), int(table["replications"].sum())
    full = round(0.6 / args.step) + 1
    print(
        f"sweeper: threshold {found['threshold']:.4f} (95% interval {found['low']:.4f} to "
        f"{found['high']:.4f}), stopped on {found['stopped']}; {spent:,} negotiations in "
        f"{report['points']} points, {seconds:.0f} s"
    )
    print(
        f"grid:    threshold {at:.4f} (its own 95% half-width {sure:.4f}); {grid_spent:,} "
        f"negotiations in {len(table)} points of step {args.step:g} over [0.5, 0.7], "
        f"{grid_seconds:.0f} s (over the sweeper's [0.2, 0.8]: {full} points, "
        f"{full * args.grid_replications:,} negotiations)"
    )
    inside = found["low"] <= at <= found["high"]
    print(
        f"difference: {found['threshold'] - at:+.4f} (the grid's value is "
        f"{'inside' if inside else 'outside'} the sweeper's interval); negotiations: "
        f"{spent / grid_spent:.2%} of the grid's"
    )


if __name__ == "__main__":
    main()
