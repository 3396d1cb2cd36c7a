"""Write the golden runs: seeded results of every protocol and a few strategies, R = 50.

`tests/golden/test_golden.py` compares today's engine with these files to the last bit, so a
change to the engine's numbers shows as a failing test and is made on purpose:

    .venv/bin/python tests/golden/regenerate.py     # after a deliberate change of the numbers
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from negsim import NegotiationModel, load_scenario
from negsim.protocols import build_protocol

HERE = Path(__file__).resolve().parent
REPLICATIONS = 50
SEED = 11

# (name, scenario, protocol, protocol parameters, scenario overrides)
CASES: list[tuple[str, str, str, dict, dict]] = [
    ("alternating", "ukraine_2025", "alternating", {}, {}),
    ("alternating_rejecter", "ukraine_2025", "alternating", {"turns": "rejecter"}, {}),
    ("simultaneous", "ukraine_2025", "simultaneous", {}, {}),
    ("mediated_neutral", "ukraine_2025", "mediated", {}, {}),
    ("mediated_us", "ukraine_2025", "mediated", {"mediator": "us"}, {}),
    ("split_track", "ukraine_2025", "split_track", {}, {}),
    ("split_track_unlinked", "ukraine_2025", "split_track", {"linkage": False}, {}),
    (
        "conceder_noisy",
        "ukraine_2025",
        "alternating",
        {},
        {
            "parties.russia.strategy": {"name": "noisy_conceder", "noise": 0.05},
            "parties.ukraine.strategy": "linear",
        },
    ),
    (
        "tit_for_tat_hardliner",
        "ukraine_2025",
        "alternating",
        {},
        {"parties.russia.strategy": "tit_for_tat", "parties.europe.strategy": "hardliner"},
    ),
    (
        "zeuthen",
        "ukraine_2025",
        "alternating",
        {},
        {"parties.russia.strategy": "zeuthen", "parties.ukraine.strategy": "zeuthen"},
    ),
    ("zeuthen_simultaneous", "england_zimbabwe", "simultaneous", {}, {}),
    ("party_domain", "party_domain", "alternating", {}, {}),
    ("politics_mediated", "politics_2015", "mediated", {}, {}),
    ("itex_cypress_discounted", "itex_cypress", "alternating", {}, {}),
    (
        "tit_for_tat_itex",
        "itex_cypress",
        "alternating",
        {"turns": "rejecter"},
        {"parties.itex.strategy": "tit_for_tat", "parties.cypress.strategy": "boulware"},
    ),
]


def run_case(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One golden case's results and per-round series, run by today's engine."""
    _, scenario_name, protocol, params, overrides = next(c for c in CASES if c[0] == name)
    scenario = load_scenario(scenario_name)
    if overrides:
        scenario = scenario.override(overrides)
    if name == "zeuthen_simultaneous":
        scenario = scenario.override(
            {f"parties.{p}.strategy": "zeuthen" for p in scenario.party_names}
        )
    if name == "itex_cypress_discounted":
        scenario = scenario.override({f"parties.{p}.discount": 0.9 for p in scenario.party_names})
    model = NegotiationModel(
        scenario,
        replications=REPLICATIONS,
        seed=SEED,
        max_rounds=60,
        protocol=build_protocol(protocol, params),
    )
    model.run(progress=False)
    return model.results(), model.series()


def main() -> None:
    """Run every case and write `<case>.results.parquet` and `<case>.series.parquet`."""
    for name, *_ in CASES:
        results, series = run_case(name)
        results.to_parquet(HERE / f"{name}.results.parquet")
        series.to_parquet(HERE / f"{name}.series.parquet")
        print(f"{name}: {int((results['outcome'] == 'agreement').sum())} of {len(results)} agreed")


if __name__ == "__main__":
    main()
