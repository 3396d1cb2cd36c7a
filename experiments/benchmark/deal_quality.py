"""Deal quality on random scenarios: agreement rate and distance of agreements to the frontier.

Random four-party scenarios, 10 issues of 3 to 5 options, random linear-additive utilities (weights
and option values uniform, every issue's best option worth 1), reservation values uniform in
[0.4, 0.6]; only scenarios where some outcome satisfies every reservation are kept. Every party
plays Boulware (e = 0.2), 100 rounds. For each protocol it prints the agreement rate and, over the
agreements, the mean Euclidean distance (in utility space) to the Pareto frontier and to the Nash
point, both from `negsim.analysis.analyse` (exact up to 10^6 outcomes, approximate above).

    .venv/bin/python experiments/benchmark/deal_quality.py [--scenarios 40] [--replications 8]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.builders, from a checkout

from negsim.analysis import analyse, distance_to_frontier
from negsim.model import NegotiationModel
from negsim.protocols import PROTOCOLS, build_protocol
from negsim.scenario import Scenario, parse_scenario
from tests.builders import random_scenario_data

BOULWARE = {"name": "boulware", "exponent": 0.2}


def random_scenario(seed: int) -> Scenario:
    """A random four-party scenario of the benchmark, with two tracks for split_track."""
    data = random_scenario_data(
        seed,
        n_parties=4,
        n_issues=10,
        min_options=3,
        max_options=5,
        reservation_range=(0.4, 0.6),
        strategies=[BOULWARE],
        name=f"random_{seed}",
    )
    names = list(data["issues"])
    data["tracks"] = {  # split_track: the last two issues between the first two parties
        "main": {"issues": names[:8], "parties": ["p0", "p1", "p2", "p3"]},
        "side": {"issues": names[8:], "parties": ["p0", "p1"]},
    }
    return parse_scenario(data)


def main() -> None:
    """Draw scenarios with a ZOPA, negotiate them under every protocol, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=40)
    parser.add_argument("--replications", type=int, default=8, help="per scenario (first mover)")
    args = parser.parse_args()
    started = time.perf_counter()
    kept: list[tuple[Scenario, object]] = []
    seed = 0
    while len(kept) < args.scenarios:
        scenario = random_scenario(seed)
        seed += 1
        analysis = analyse(scenario, rng=seed)
        if analysis.zopa.exists:
            kept.append((scenario, analysis))
    took = time.perf_counter() - started
    print(f"{len(kept)} scenarios with a ZOPA out of {seed} drawn ({took:.0f} s)")
    print(f"{'protocol':<14}{'agreement':>10}{'to Pareto':>11}{'to Nash':>9}{'rounds':>8}")
    for protocol in [p.name for p in PROTOCOLS]:
        agreed = total = 0
        to_pareto: list[float] = []
        to_nash: list[float] = []
        rounds: list[float] = []
        for scenario, analysis in kept:
            model = NegotiationModel(
                scenario,
                replications=args.replications,
                seed=0,
                max_rounds=100,
                protocol=build_protocol(protocol),
            ).run(progress=False)
            done = model.status == 1
            total += done.size
            agreed += int(done.sum())
            if not done.any():
                continue
            points = model.deal_utility[done]
            to_pareto.extend(distance_to_frontier(points, analysis.frontier_utilities))
            if analysis.nash is not None:
                to_nash.extend(np.linalg.norm(points - analysis.nash.utilities, axis=1))
            rounds.extend(model.end_round[done])
        print(
            f"{protocol:<14}{agreed / total:>10.3f}{np.mean(to_pareto):>11.4f}"
            f"{np.mean(to_nash):>9.4f}{np.mean(rounds):>8.1f}"
        )
    print(
        f"total {time.perf_counter() - started:.0f} s; targets: agreement >= 0.9, to Pareto <= 0.05"
    )


if __name__ == "__main__":
    main()
