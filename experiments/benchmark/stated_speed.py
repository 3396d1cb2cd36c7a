"""Speed of the stated-numbers analysis of a sweep: `stated_analyses` against one call a point.

On the flagship `ukraine_2025`, builds grids over Ukraine's reservation (0.2 to 0.6) and Russia's
(0.4 to 0.8) with `Scenario.override`, and prints the time of `stated_analyses` on a 20 x 20 and a
100 x 100 grid against `stated_analysis` once a point (estimated from a few calls), the time to
build the grid's scenarios apart, and a check that sampled points agree exactly.

    .venv/bin/python experiments/benchmark/stated_speed.py [--sizes 20 100] [--calls 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time

import numpy as np

from negsim.analysis.stated import stated_analyses, stated_analysis
from negsim.formats.load import load_scenario
from negsim.scenario import Scenario


def grid(base: Scenario, size: int) -> list[Scenario]:
    """`size` x `size` points: Ukraine's reservation 0.2..0.6 by Russia's 0.4..0.8."""
    ukraine = np.round(np.linspace(0.2, 0.6, size), 6)
    russia = np.round(np.linspace(0.4, 0.8, size), 6)
    return [
        base.override(
            {"parties.ukraine.reservation": float(u), "parties.russia.reservation": float(r)}
        )
        for u in ukraine
        for r in russia
    ]


def main() -> None:
    """Parse arguments, time both ways, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--calls", type=int, default=3, help="single calls to time")
    parser.add_argument("--check", type=int, default=3, help="grid points to compare exactly")
    args = parser.parse_args()
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    base = load_scenario("ukraine_2025")
    singles = []
    for _ in range(args.calls):
        started = time.perf_counter()
        stated_analysis(base)
        singles.append(time.perf_counter() - started)
    one = statistics.median(singles)
    print(
        f"stated_analysis, one call: median {one:.2f} s of {args.calls} ({min(singles):.2f} best)"
    )
    rng = np.random.default_rng(0)
    for size in args.sizes:
        started = time.perf_counter()
        points = grid(base, size)
        built = time.perf_counter() - started
        started = time.perf_counter()
        results = stated_analyses(points, progress=False)
        seconds = time.perf_counter() - started
        n = len(points)
        with_zopa = sum(r["zopa_exists"] for r in results)
        print(f"{size} x {size} grid ({n} points, {with_zopa} with a ZOPA):")
        print(f"  building the scenarios (override): {built:7.2f} s")
        each = seconds / n * 1e3
        print(f"  stated_analyses:                   {seconds:7.2f} s  ({each:.2f} ms a point)")
        print(f"  stated_analysis x {n:<6}           {one * n:7.1f} s  (estimated)")
        print(f"  speed-up:                          {one * n / seconds:7.0f} x")
        for i in rng.choice(n, size=min(args.check, n), replace=False):
            assert results[i] == stated_analysis(points[i]), f"point {i} differs"
        print(f"  {min(args.check, n)} random points checked: equal to stated_analysis")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
