"""The classic cases under Boulware, linear and Conceder: who agrees, when, and how well.

Every classic domain of the library (`configs/scenario/`, converted from GENIUS) is negotiated
under every pairing of the three GENIUS time-dependent strategies: in a two-party domain the
first party plays one and the second the other (9 pairings); in a domain of more parties the
first party plays one and every other party the other (9 pairings too). The domains state their
numbers exactly (no uncertainty), so replications differ only in which party opens: R = 60
replications, every party opening equally often. Alternating offers, 100 rounds, no deadlines.

For each pairing it prints the agreement rate, the mean round of agreement, the first party's
and the others' mean utility, and the mean distance of the agreements to the Pareto frontier and
to the Nash point (exact: every outcome listed), and writes the table as `table.md` and
`results.csv` beside this file, and the figure `distances.png`.

    .venv/bin/python experiments/classic_domains/run.py [--replications 60] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from tqdm import tqdm

from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel
from negsim.scenario import Scenario

DOMAINS = ("england_zimbabwe", "itex_cypress", "party_domain", "politics_2015")
STRATEGIES = {
    "boulware": {"name": "boulware", "exponent": 0.2},
    "linear": {"name": "linear"},
    "conceder": {"name": "conceder", "exponent": 2.0},
}
EXACT = 10**6  # every listed domain has fewer outcomes: exact distances


def with_strategies(scenario: Scenario, first: str, others: str) -> Scenario:
    """The scenario with its first party on `first` and every other party on `others`."""
    changes = {}
    for n, name in enumerate(scenario.party_names):
        changes[f"parties.{name}.strategy"] = dict(STRATEGIES[first if n == 0 else others])
    return scenario.override(changes)


def run_pairing(scenario: Scenario, first: str, others: str, replications: int) -> dict:
    """One pairing's figures over `replications` replications, every party opening in turn."""
    played = with_strategies(scenario, first, others)
    names = played.party_names
    openers = [names[r % len(names)] for r in range(replications)]
    model = NegotiationModel(
        played,
        replications=replications,
        seed=0,
        max_rounds=100,
        first_proposer=openers,
        exact_quality=EXACT,
    ).run()
    frame = model.results()
    agreed = frame[frame["outcome"] == "agreement"]
    rest = [f"utility_{p}" for p in names[1:]]
    return {
        "domain": scenario.name,
        "parties": len(names),
        "first_party": names[0],
        "first": first,
        "others": others,
        "agreement": float((frame["outcome"] == "agreement").mean()),
        "mean_round": float(agreed["round"].mean()) if len(agreed) else float("nan"),
        "utility_first": float(frame[f"utility_{names[0]}"].mean()),
        "utility_others": float(frame[rest].to_numpy().mean()),
        "distance_to_pareto": float(agreed["distance_to_pareto"].mean()),
        "distance_to_nash": float(agreed["distance_to_nash"].mean()),
        "exact": bool(frame["distance_to_pareto_exact"].all()),
    }


def markdown(table: pd.DataFrame) -> str:
    """The table as Markdown, one row per domain and pairing."""
    head = (
        "| domain | first party | first plays | others play | agreement | mean round "
        "| utility: first | utility: others | to Pareto | to Nash |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = [
        f"| {r.domain} | {r.first_party} | {r.first} | {r.others} | {r.agreement:.2f} "
        f"| {r.mean_round:.1f} | {r.utility_first:.3f} | {r.utility_others:.3f} "
        f"| {r.distance_to_pareto:.3f} | {r.distance_to_nash:.3f} |"
        for r in table.itertuples()
    ]
    return head + "\n".join(rows) + "\n"


def plot(table: pd.DataFrame, path: Path) -> None:
    """Distance to the Pareto frontier and to the Nash point, per domain and pairing."""
    domains = list(dict.fromkeys(table["domain"]))
    fig, axes = plt.subplots(1, len(domains), figsize=(3.2 * len(domains), 3.4), sharey=True)
    for ax, domain in zip(axes, domains, strict=True):
        rows = table[table["domain"] == domain]
        labels = [
            f"{a[0].upper()}/{b[0].upper()}"
            for a, b in zip(rows["first"], rows["others"], strict=True)
        ]
        x = range(len(rows))
        ax.bar([i - 0.2 for i in x], rows["distance_to_pareto"], 0.4, label="to Pareto")
        ax.bar([i + 0.2 for i in x], rows["distance_to_nash"], 0.4, label="to Nash")
        ax.set_xticks(list(x), labels, rotation=90, fontsize=8)
        ax.set_title(domain, fontsize=9)
    axes[0].set_ylabel("mean distance of agreements")
    axes[0].legend(fontsize=8)
    fig.suptitle("Classic domains: first party's strategy / the others' (B, L, C)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=60)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = []
    cases = [(d, a, b) for d in DOMAINS for a in STRATEGIES for b in STRATEGIES]
    scenarios = {d: load_scenario(d) for d in DOMAINS}
    for domain, first, others in tqdm(cases, desc="pairings", unit="pairing"):
        rows.append(run_pairing(scenarios[domain], first, others, args.replications))
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "results.csv", index=False)
    (args.out / "table.md").write_text(markdown(table), encoding="utf-8")
    plot(table, args.out / "distances.png")
    print(markdown(table))
    print(f"{len(cases)} pairings in {time.perf_counter() - started:.1f} s; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
