"""Deal quality: how often the agents find a deal that exists, and how good it is.

Random four-party scenarios, 10 issues of 3 to 5 options (at most 10^6 outcomes, so the Pareto
frontier is exact), random linear-additive utilities (weights and option values uniform, every
issue's best option worth 1). Every party plays Boulware (e = 0.2), no deadlines, 100 rounds, and
every party opens once (one replication per first proposer). Two kinds of zone:

- narrow bands: every party's reservation is the same quantile of its own utilities over all
  outcomes, chosen so that the ZOPA holds a share of the outcomes drawn log-uniformly within the
  band (0.01-0.1%, 0.1-1%, 1-10%); the exact share is checked;
- the wide band: reservation values uniform in [0.4, 0.6] (any scenario with a ZOPA), under
  every protocol.

Plus the flagship at its stated numbers (uncertainty spreads 0), every party Boulware e = 0.2,
no deadlines, 100 rounds, 1000 replications. Per band it prints the agreement rate, the mean
distance of agreements to the exact Pareto frontier (Euclidean, in utility space) and the mean
rounds to agreement.

    .venv/bin/python experiments/benchmark/deal_quality.py [--domains 20] [--turns round_robin]
        [--seating drawn]
        [--accept-best-after 0.9]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.builders, from a checkout

from negsim.analysis import (  # noqa: E402
    analyse,
    distance_to_frontier,
    enumerate_outcomes,
    outcome_utilities,
    utility_tables,
)
from negsim.formats.load import load_scenario  # noqa: E402
from negsim.model import NegotiationModel  # noqa: E402
from negsim.protocols import PROTOCOLS, Protocol, build_protocol  # noqa: E402
from negsim.scenario import Scenario, parse_scenario  # noqa: E402
from tests.builders import random_scenario_data  # noqa: E402

BOULWARE = {"name": "boulware", "exponent": 0.2}
BANDS = {"0.01-0.1%": (1e-4, 1e-3), "0.1-1%": (1e-3, 1e-2), "1-10%": (1e-2, 1e-1)}
MAX_OUTCOMES = 10**6


def random_data(seed: int) -> dict:
    """A random four-party scenario mapping of the benchmark (reservations in [0.4, 0.6])."""
    return random_scenario_data(
        seed,
        n_parties=4,
        n_issues=10,
        min_options=3,
        max_options=5,
        reservation_range=(0.4, 0.6),
        strategies=[BOULWARE],
        name=f"random_{seed}",
    )


def with_tracks(data: dict) -> Scenario:
    """The scenario with two tracks for split_track: the last two issues between p0 and p1."""
    names = list(data["issues"])
    data["tracks"] = {
        "main": {"issues": names[:8], "parties": ["p0", "p1", "p2", "p3"]},
        "side": {"issues": names[8:], "parties": ["p0", "p1"]},
    }
    return parse_scenario(data)


def narrow_reservations(utilities: np.ndarray, share: float) -> np.ndarray:
    """Reservations at one common quantile of each party's utilities, so the ZOPA holds about
    `share` of the outcomes (bisection on the quantile)."""
    ordered = np.sort(utilities, axis=0)
    n = len(utilities)
    lo, hi = 0.0, 1.0
    for _ in range(40):
        q = 0.5 * (lo + hi)
        reservations = ordered[min(int(q * n), n - 1)]
        inside = (utilities >= reservations).all(axis=1).mean()
        lo, hi = (q, hi) if inside > share else (lo, q)
    return ordered[min(int(lo * n), n - 1)]


def narrow_domains(band: tuple[float, float], count: int, start: int) -> list[Scenario]:
    """`count` random scenarios whose ZOPA share lies within `band`."""
    rng = np.random.default_rng(start)
    found: list[Scenario] = []
    seed = start
    while len(found) < count:
        seed += 1
        data = random_data(seed)
        scenario = parse_scenario(data)
        n_options = scenario.option_mask.sum(axis=1)
        if np.prod(n_options) > MAX_OUTCOMES:
            continue
        utilities = outcome_utilities(utility_tables(scenario), enumerate_outcomes(n_options))
        share = float(np.exp(rng.uniform(*np.log(band))))
        reservations = narrow_reservations(utilities, share)
        exact = (utilities >= reservations).all(axis=1).mean()
        if not band[0] <= exact <= band[1]:
            continue
        for p, name in enumerate(scenario.party_names):
            data["parties"][name]["reservation"] = float(reservations[p])
        found.append(parse_scenario(data))
    return found


def negotiate(
    scenario: Scenario,
    protocol: Protocol,
    max_rounds: int = 100,
    accept_best_after: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One negotiation per first proposer: the utilities of the deals and their rounds."""
    model = NegotiationModel(
        scenario,
        replications=len(scenario.parties),
        seed=0,
        max_rounds=max_rounds,
        first_proposer=scenario.party_names,
        protocol=protocol,
        record=False,
        accept_best_after=accept_best_after,
    ).run(progress=False)
    agreed = model.status == 1
    return model.deal_utility[agreed], model.end_round[agreed]


# Keyed by the scenario itself (hashed by identity), which the cache keeps alive: an id alone
# could be reused by a later scenario once the first is freed, and get the first one's frontier.
_FRONTIERS: dict[Scenario, np.ndarray] = {}


def exact_frontier(scenario: Scenario) -> np.ndarray:
    """The scenario's exact Pareto frontier in utility space (cached per scenario)."""
    if scenario not in _FRONTIERS:
        _FRONTIERS[scenario] = analyse(scenario, method="exact").frontier_utilities
    return _FRONTIERS[scenario]


def band_figures(
    scenarios: list[Scenario], protocol: Protocol, accept_best_after: float | None = None
) -> tuple[float, float, float]:
    """Agreement rate, mean distance to the exact Pareto frontier and mean rounds."""
    agreed = total = 0
    distances: list[float] = []
    rounds: list[float] = []
    for scenario in scenarios:
        points, took = negotiate(scenario, protocol, accept_best_after=accept_best_after)
        total += len(scenario.parties)
        agreed += len(points)
        if len(points):
            distances.extend(distance_to_frontier(points, exact_frontier(scenario)))
            rounds.extend(took)
    return agreed / total, _mean(distances), _mean(rounds)


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def flagship_boulware() -> Scenario:
    """The flagship at its stated numbers, every party Boulware e = 0.2, no deadlines."""
    scenario = load_scenario("ukraine_2025")
    changes: dict[str, object] = {}
    for name in scenario.party_names:
        changes[f"parties.{name}.strategy"] = dict(BOULWARE)
        changes[f"parties.{name}.deadline"] = None
        changes[f"parties.{name}.uncertainty"] = {"weights": 0, "reservation": 0, "values": 0}
    return scenario.override(changes)


def main() -> None:
    """Build the bands, negotiate them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=20, help="scenarios per band")
    parser.add_argument("--turns", default="round_robin", choices=["round_robin", "rejecter"])
    parser.add_argument(
        "--seating", default="drawn", choices=["drawn", "written"], help="protocol.seating"
    )
    parser.add_argument("--skip-wide", action="store_true", help="narrow bands and flagship only")
    parser.add_argument(
        "--accept-best-after", type=float, default=None, help="end-game acceptance from this time"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    alternating = build_protocol("alternating", {"turns": args.turns, "seating": args.seating})
    late = "" if args.accept_best_after is None else f"; accept_best_after {args.accept_best_after}"
    print(
        f"alternating offers, turns = {args.turns}, seating {args.seating}; "
        f"Boulware e = 0.2 for all, 100 rounds{late}"
    )
    print(f"{'band':<22}{'agreement':>10}{'to Pareto':>11}{'rounds':>8}")
    for b, (name, band) in enumerate(BANDS.items()):
        scenarios = narrow_domains(band, args.domains, start=1000 * (b + 1))
        agreement, distance, rounds = band_figures(scenarios, alternating, args.accept_best_after)
        print(f"{'ZOPA ' + name:<22}{agreement:>10.3f}{distance:>11.4f}{rounds:>8.1f}")
    model = NegotiationModel(
        flagship_boulware(),
        replications=1000,
        seed=0,
        protocol=alternating,
        record=False,
        accept_best_after=args.accept_best_after,
    ).run(progress=False)
    agreed = model.status == 1
    frontier = analyse(model.scenario).frontier_utilities
    distance = distance_to_frontier(model.deal_utility[agreed], frontier) if agreed.any() else []
    print(
        f"{'flagship, stated':<22}{agreed.mean():>10.3f}{np.mean(distance):>11.4f}"
        f"{model.end_round[agreed].mean():>8.1f}   (1000 replications; frontier: issue-wise)"
    )
    if not args.skip_wide:
        wide: list[Scenario] = []
        seed = 0
        while len(wide) < 2 * args.domains:
            data = random_data(seed)
            seed += 1
            scenario = parse_scenario(data)
            if np.prod(scenario.option_mask.sum(axis=1)) > MAX_OUTCOMES:
                continue
            if analyse(scenario, method="exact").zopa.exists:
                wide.append(with_tracks(data))
        print(f"wide band (reservations in [0.4, 0.6]), {len(wide)} scenarios, by protocol:")
        for cls in PROTOCOLS:
            protocol = alternating if cls.name == "alternating" else build_protocol(cls.name)
            agreement, distance, rounds = band_figures(wide, protocol, args.accept_best_after)
            print(f"  {cls.name:<20}{agreement:>10.3f}{distance:>11.4f}{rounds:>8.1f}")
    print(
        f"total {time.perf_counter() - started:.0f} s; targets: agreement >= 0.9 in the 0.1-1% "
        "and 1-10% bands, >= 0.7 in 0.01-0.1%, distance <= 0.02; flagship >= 0.9; "
        "wide >= 0.99 and <= 0.01"
    )


if __name__ == "__main__":
    main()
