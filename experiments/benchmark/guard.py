"""Speed guard: the compiled engine against the numpy reference, in one process, on one core.

The machine's speed drifts by a third from one minute to the next, so absolute rates cannot
guard against a slowdown. The numpy reference (`NEGSIM_ENGINE=reference`, the code the kernels
replaced) runs in the same process, batch for batch in turn with the compiled engine (ABBA order,
so drift cancels), on one pinned core; each pair of batches gives a ratio of CPU times, and the
median ratio gets a bootstrap 95% interval over the pairs (as Mesa's benchmarks judge a change).
`baseline.json` beside this script holds the speed-up measured when the kernels last changed, on
the machine it names. The guard fails when the whole interval lies below the baseline by more
than `--allowance` (25% by default: another machine's ratio differs a little, noise is in the
interval): a change that slows the compiled round shows as a fall of the speed-up.

    .venv/bin/python experiments/benchmark/guard.py [--pairs 8] [--replications 2000] [--save]

Prints both engines' negotiations per CPU second, the speed-up and its interval; exits 1 on a
regression. `--save` writes the measured speed-up as the new baseline. The test suite runs it
(`tests/test_speed_guard.py`, marked slow).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from negsim.formats.load import load_scenario  # noqa: E402
from negsim.kernels import engine  # noqa: E402
from negsim.model import NegotiationModel  # noqa: E402

BASELINE = Path(__file__).with_name("baseline.json")


def batch_cpu(name: str, scenario: object, replications: int, seed: int) -> float:
    """CPU seconds of one batch of the flagship under engine `name`."""
    with engine(name):
        start = time.process_time()
        model = NegotiationModel(scenario, replications=replications, seed=seed, record=False)
        model.run(progress=False)
        elapsed = time.process_time() - start
        model.release()
    return elapsed


def compare(replications: int, pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """CPU seconds per batch of each engine, `pairs` batches each, in ABBA order."""
    scenario = load_scenario("ukraine_2025")
    for name in ("compiled", "reference"):  # warm-up: kernels loaded, caches filled
        batch_cpu(name, scenario, replications, 10**6)
    compiled, reference = np.empty(pairs), np.empty(pairs)
    for pair in range(pairs):
        order = ("compiled", "reference") if pair % 2 == 0 else ("reference", "compiled")
        for name in order:
            took = batch_cpu(name, scenario, replications, pair)
            (compiled if name == "compiled" else reference)[pair] = took
    return compiled, reference


def bootstrap_median(ratios: np.ndarray, draws: int = 5000, seed: int = 0) -> tuple[float, float]:
    """A 95% percentile bootstrap interval of the median of `ratios`."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, ratios.size, size=(draws, ratios.size))
    medians = np.median(ratios[picks], axis=1)
    low, high = np.quantile(medians, [0.025, 0.975])
    return float(low), float(high)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=8, help="batches of each engine")
    parser.add_argument("--replications", type=int, default=2000, help="R per batch")
    parser.add_argument("--allowance", type=float, default=0.25, help="share below baseline")
    parser.add_argument("--save", action="store_true", help="write the speed-up as baseline")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})  # one core
    compiled, reference = compare(args.replications, args.pairs)
    ratios = reference / compiled
    speedup = float(np.median(ratios))
    low, high = bootstrap_median(ratios)
    reps = args.replications
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}")
    print(f"flagship, R = {reps} per batch, {args.pairs} batches of each engine, one core")
    print(f"  compiled:  {reps / np.median(compiled):9,.0f} negotiations per CPU second")
    print(f"  reference: {reps / np.median(reference):9,.0f} negotiations per CPU second")
    print(f"  speed-up {speedup:.2f} (95% interval {low:.2f} to {high:.2f})")
    if args.save:
        saved = {
            "speedup": round(speedup, 3),
            "interval": [round(low, 3), round(high, 3)],
            "replications": reps,
            "pairs": args.pairs,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, numpy {np.__version__}",
            "date": time.strftime("%Y-%m-%d"),
        }
        BASELINE.write_text(json.dumps(saved, indent=2) + "\n")
        print(f"baseline written to {BASELINE}")
        return 0
    saved = json.loads(BASELINE.read_text())
    if saved["replications"] != reps:
        print(f"  no verdict: the baseline was measured at R = {saved['replications']}")
        return 0
    baseline = saved["speedup"]
    floor = baseline * (1 - args.allowance)
    print(f"  baseline {baseline:.2f} ({BASELINE.name}); a regression below {floor:.2f}")
    if high < floor:
        print(f"regression: the speed-up's interval lies below {floor:.2f}", file=sys.stderr)
        return 1
    print("no regression beyond noise")
    return 0


if __name__ == "__main__":
    sys.exit(main())
