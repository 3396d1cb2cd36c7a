"""How the rate scales with issues and parties: random domains, both engines, one core.

Random linear-additive domains (`tests.builders.random_scenario_data`: every issue 5 options,
reservations uniform in [0, 0.5], Boulware, linear and Conceder parties, no deadlines,
`max_rounds` 100) of 6, 12 and 30 issues and 2, 4 and 8 parties. Prints, for each, negotiations
per CPU second of the compiled engine and of the numpy reference (one batch each of R
replications, in one process on one pinned core), the speed-up and the mean rounds.

    .venv/bin/python experiments/benchmark/scaling.py [--replications 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.builders, from a checkout

from negsim.kernels import engine  # noqa: E402
from negsim.model import NegotiationModel  # noqa: E402
from negsim.scenario import Scenario, parse_scenario  # noqa: E402
from tests.builders import random_scenario_data  # noqa: E402

ISSUES = (6, 12, 30)
PARTIES = (2, 4, 8)


def rate(scenario: Scenario, name: str, replications: int) -> tuple[float, float]:
    """Negotiations per CPU second under engine `name`, and the mean rounds."""
    with engine(name):
        NegotiationModel(scenario, replications=50, seed=1, record=False).run(progress=False)
        start = time.process_time()
        model = NegotiationModel(scenario, replications=replications, seed=0, record=False)
        model.run(progress=False)
        took = time.process_time() - start
    return replications / took, float(model.results()["round"].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=2000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    strategies = [{"name": "boulware", "exponent": 0.2}, "linear", "conceder"]
    print("| issues | parties | compiled /s | reference /s | speed-up | mean rounds |")
    print("|---|---|---|---|---|---|")
    for n_issues in ISSUES:
        for n_parties in PARTIES:
            data = random_scenario_data(
                n_issues * 100 + n_parties,
                n_parties=n_parties,
                n_issues=n_issues,
                max_options=5,
                min_options=5,
                strategies=strategies,
            )
            scenario = parse_scenario(data)
            fast, rounds = rate(scenario, "compiled", args.replications)
            slow, _ = rate(scenario, "reference", args.replications)
            print(
                f"| {n_issues} | {n_parties} | {fast:,.0f} | {slow:,.0f} | {fast / slow:.1f} | "
                f"{rounds:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
