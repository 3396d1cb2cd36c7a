"""Speed of the bargaining analysis: exact on 10^6 outcomes, approximate on 5^30, and the flagship.

Prints, on one core, the time of each step of the exact method on a random 4-party scenario of
6 issues x 10 options (10^6 outcomes), the approximate method on 4 parties x 30 issues x 5 options
(~9.3e20 outcomes), and `analyse(load_scenario("ukraine_2025"))` both ways, with peak memory.

    .venv/bin/python experiments/benchmark/analysis_speed.py
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: numpy must not spread over threads

import platform  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from negsim.analysis import (  # noqa: E402
    analyse,
    analyse_tables,
    enumerate_outcomes,
    outcome_utilities,
    pareto_frontier,
    sample_outcomes,
    zopa,
)
from negsim.formats.load import load_scenario  # noqa: E402


def random_tables(rng: np.random.Generator, parties: int, issues: int, options: int) -> np.ndarray:
    """Random linear-additive tables: Dirichlet weights, uniform values with 1.0 the best."""
    weights = rng.dirichlet(np.ones(issues), size=parties)
    values = rng.random((parties, issues, options))
    values /= values.max(axis=-1, keepdims=True)
    return weights[:, :, None] * values


def median_reservations(tables: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each party's median utility over 10^5 random outcomes: a ZOPA of a few per cent."""
    mask = np.ones(tables.shape[1:], dtype=bool)
    return np.median(outcome_utilities(tables, sample_outcomes(mask, 100_000, rng)), axis=0)


def timed(label: str, call: Callable[[], Any]) -> Any:
    """Run `call`, print how long it took, return its result."""
    started = time.perf_counter()
    result = call()
    print(f"  {label:<34} {time.perf_counter() - started:7.3f} s")
    return result


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(result: Any) -> None:
    """Print the headline figures of an analysis."""
    summary = result.summary()
    print(
        f"  method {summary['method']}, frontier {summary['frontier_size']} points "
        f"(error bound {summary['frontier_error']:.3g}), bargaining set "
        f"{summary['bargaining_size']} (bound {summary['bargaining_error']:.3g})"
    )
    low, high = summary["zopa_interval"]
    print(
        f"  ZOPA share {summary['zopa_share']:.4%} [{low:.4%}, {high:.4%}] "
        f"({'exact' if summary['zopa_exact'] else 'estimated'})"
    )
    for name in ("nash", "kalai_smorodinsky", "egalitarian", "max_welfare"):
        print(f"  {name:<18} {summary[name]}")


def main() -> None:
    """Parse arguments, time the analyses, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, one thread")

    print("exact: 4 parties, 6 issues x 10 options = 1,000,000 outcomes")
    tables = random_tables(rng, 4, 6, 10)
    d = median_reservations(tables, rng)
    mask = np.ones((6, 10), dtype=bool)
    outcomes = timed("enumerate_outcomes", lambda: enumerate_outcomes([10] * 6))
    u = timed("outcome_utilities", lambda: outcome_utilities(tables, outcomes))
    front = timed("pareto_frontier", lambda: pareto_frontier(u))
    timed("zopa", lambda: zopa(u, d))
    result = timed("analyse_tables (all of it)", lambda: analyse_tables(tables, mask, d))
    print(f"  frontier {len(front)} points; peak memory {peak_mib():.0f} MiB")
    report(result)

    print("approximate: 4 parties, 30 issues x 5 options = 5^30 ~ 9.3e20 outcomes")
    tables = random_tables(rng, 4, 30, 5)
    d = median_reservations(tables, rng)
    result = timed(
        "analyse_tables (approximate)", lambda: analyse_tables(tables, np.ones((30, 5), bool), d)
    )
    report(result)

    scenario = load_scenario("ukraine_2025")
    for method in ("auto", "approximate"):
        print(f"flagship ukraine_2025, method={method}")
        result = timed("analyse", lambda method=method: analyse(scenario, method=method))
        report(result)
    print(f"peak memory {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
