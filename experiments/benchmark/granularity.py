"""Time granularity: the agreement probability of the same talks cut into more or fewer rounds.

Time-dependent targets depend only on `round / horizon`, so multiplying every deadline and
`max_rounds` by the same factor leaves the parties' concession curves as they were; what changes
is the number of exchanges (offers answered by everyone) before the deadline, and so how much the
parties learn of each other from the table. Prints P(agree) against that factor for the flagship
(US deadline 25 and `max_rounds` 100 at factor 1) and for a random panel (3 to 4 parties, 3 to 8
nominal issues of 2 to 5 options, reservations 0.3, Boulware, linear and Conceder parties, the
first party's deadline 25 and `max_rounds` 100 at factor 1), with 95% Wilson intervals.

    .venv/bin/python experiments/benchmark/granularity.py [--replications 2000] [--panel 12]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.builders, from a checkout

from negsim.analysis.intervals import wilson_interval
from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel
from negsim.scenario import Scenario, parse_scenario
from tests.builders import panel_scenario_data

FACTORS = (0.4, 1.0, 2.0, 4.0, 8.0)


def agreements(scenario: Scenario, deadline_key: str, factor: float, reps: int, seed: int) -> int:
    """Agreements in `reps` replications with the deadline and `max_rounds` scaled by `factor`."""
    scaled = scenario.override({deadline_key: round(25 * factor)})
    model = NegotiationModel(
        scaled, replications=reps, seed=seed, max_rounds=round(100 * factor), record=False
    )
    return int((model.run(progress=False).results()["outcome"] == "agreement").sum())


def show(label: str, hits: int, total: int) -> str:
    low, high = wilson_interval(hits, total)
    return f"{label:>10} {hits / total:7.3f} ({low:.3f} to {high:.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=2000)
    parser.add_argument("--panel", type=int, default=12, help="random scenarios in the panel")
    args = parser.parse_args()
    start = time.perf_counter()
    flagship = load_scenario("ukraine_2025")
    print("flagship (US deadline / max_rounds): P(agree) (95% interval)")
    for factor in FACTORS:
        hits = agreements(flagship, "parties.us.deadline", factor, args.replications, 1)
        label = f"{round(25 * factor)}/{round(100 * factor)}"
        print(show(label, hits, args.replications), flush=True)
    panel = []
    for seed in range(args.panel):
        data = panel_scenario_data(
            seed,
            n_parties=(3, 4),
            reservation=0.3,
            strategies=[{"name": "boulware", "exponent": 0.2}, "linear", "conceder"],
        )
        data["parties"]["p0"]["deadline"] = 25
        panel.append(parse_scenario(data))
    reps = max(1, args.replications // 4)
    print(f"random panel ({args.panel} scenarios x {reps} replications): pooled P(agree)")
    for factor in FACTORS:
        hits = sum(
            agreements(s, "parties.p0.deadline", factor, reps, seed) for seed, s in enumerate(panel)
        )
        label = f"x{factor:g}"
        print(show(label, hits, reps * len(panel)), flush=True)
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
