"""Issues, parties and scenarios: load a scenario YAML, validate it, and draw uncertain numbers.

A scenario file is a mapping with `name`, `label`, `source`, `issues`, `parties` and optional
`tracks` (issues negotiated apart, for the `split_track` protocol); see
`configs/scenario/ukraine_2025.yaml` for a full example and `docs/scenario.md` for the schema.
Every mistake raises `ScenarioError` with the file, the key path and the problem on one line.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from negsim.errors import ScenarioError
from negsim.strategies import Strategy
from negsim.yaml_read import read_yaml

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
SCENARIO_DIR = CONFIG_DIR / "scenario"


@dataclass(frozen=True)
class Issue:
    """A question on the table with ordered discrete options."""

    name: str
    label: str
    options: tuple[str, ...]
    option_labels: tuple[str, ...]
    source: str = ""

    def index(self, option: str) -> int:
        """Position of `option` among the issue's options."""
        return self.options.index(option)


@dataclass(frozen=True)
class Uncertainty:
    """How much a party's numbers vary across replications.

    Attributes:
        weights: Dirichlet concentration around the stated weights (0: weights fixed).
        reservation: standard deviation of the reservation value (clipped to [0, 1]).
        values: standard deviation of every option value (clipped to [0, 1]).
    """

    weights: float = 0.0
    reservation: float = 0.0
    values: float = 0.0


@dataclass(frozen=True)
class Party:
    """A negotiating actor: weights, option values, reservation, red lines, deadline, strategy."""

    name: str
    label: str
    weights: dict[str, float]
    values: dict[str, dict[str, float]]
    reservation: float
    strategy: Strategy
    strategy_name: str
    required: bool = True
    deadline: int | None = None
    discount: float = 1.0
    red_lines: dict[str, tuple[str, ...]] = field(default_factory=dict)
    uncertainty: Uncertainty = Uncertainty()
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Track:
    """Issues negotiated apart from the rest, by some of the parties (see `split_track`).

    Issues and parties are in scenario order.
    """

    name: str
    label: str
    issues: tuple[str, ...]
    parties: tuple[str, ...]
    source: str = ""


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario: issues, parties and the raw mapping it was built from."""

    name: str
    label: str
    issues: tuple[Issue, ...]
    parties: tuple[Party, ...]
    source: str
    data: dict[str, Any]
    tracks: tuple[Track, ...] = ()

    @property
    def issue_names(self) -> list[str]:
        """Issue names in scenario order."""
        return [issue.name for issue in self.issues]

    @property
    def party_names(self) -> list[str]:
        """Party names in scenario order."""
        return [party.name for party in self.parties]

    def party(self, name: str) -> Party:
        """The party called `name`."""
        for party in self.parties:
            if party.name == name:
                return party
        raise KeyError(f"no party {name!r} in scenario {self.name!r}")

    @cached_property
    def n_options(self) -> np.ndarray:
        """Number of options of each issue, shape (I,)."""
        return np.array([len(issue.options) for issue in self.issues], dtype=np.int64)

    @cached_property
    def option_mask(self) -> np.ndarray:
        """True where option k exists for issue i, shape (I, K) with K the most options."""
        k = int(self.n_options.max())
        return np.arange(k)[None, :] < self.n_options[:, None]

    @cached_property
    def weights(self) -> np.ndarray:
        """Stated weights, shape (P, I)."""
        return np.array(
            [[p.weights[i.name] for i in self.issues] for p in self.parties], dtype=float
        )

    @cached_property
    def values(self) -> np.ndarray:
        """Stated option values, shape (P, I, K); 0 for options an issue does not have."""
        out = np.zeros((len(self.parties), *self.option_mask.shape))
        for p, party in enumerate(self.parties):
            for i, issue in enumerate(self.issues):
                out[p, i, : len(issue.options)] = [
                    party.values[issue.name][o] for o in issue.options
                ]
        return out

    @cached_property
    def red_lines(self) -> np.ndarray:
        """True where a party never accepts option k of issue i, shape (P, I, K)."""
        out = np.zeros((len(self.parties), *self.option_mask.shape), dtype=bool)
        for p, party in enumerate(self.parties):
            for issue_name, options in party.red_lines.items():
                i = self.issue_names.index(issue_name)
                for option in options:
                    out[p, i, self.issues[i].index(option)] = True
        return out

    @cached_property
    def reservations(self) -> np.ndarray:
        """Stated reservation values, shape (P,)."""
        return np.array([p.reservation for p in self.parties])

    @cached_property
    def discounts(self) -> np.ndarray:
        """Discount factors `d` (utility `U(o) * d**t`, 1: none), shape (P,)."""
        return np.array([p.discount for p in self.parties])

    @cached_property
    def required(self) -> np.ndarray:
        """True for parties whose acceptance an agreement needs, shape (P,)."""
        return np.array([p.required for p in self.parties], dtype=bool)

    def override(self, changes: Mapping[str, Any]) -> Scenario:
        """A new scenario with dotted-path changes applied, validated like a file.

        >>> s = load_scenario("ukraine_2025")
        >>> s.override({"parties.ukraine.reservation": 0.4}).party("ukraine").reservation
        0.4
        """
        data = copy.deepcopy(self.data)
        for path, value in changes.items():
            keys = path.split(".")
            node = data
            for depth, key in enumerate(keys[:-1]):
                if not isinstance(node, dict) or key not in node:
                    where = ".".join(keys[: depth + 1])
                    raise ScenarioError(self.source, where, "no such key to override")
                node = node[key]
            if not isinstance(node, dict):
                raise ScenarioError(self.source, path, "no such key to override")
            node[keys[-1]] = value
        return parse_scenario(data, source=f"{self.source} (with overrides)")

    def with_party(self, name: str, **changes: Any) -> Scenario:
        """A new scenario where party `name` has the given top-level fields changed."""
        if name not in self.party_names:
            raise ScenarioError(self.source, f"parties.{name}", "no such party")
        return self.override({f"parties.{name}.{key}": value for key, value in changes.items()})


def load_scenario(
    name_or_path: str | Path, profiles: Sequence[str | Path] | None = None
) -> Scenario:
    """Load and validate a scenario: a negsim YAML file, or a GENIUS or GeniusWeb domain.

    `name_or_path` is a scenario name (a file in `configs/scenario/`), a YAML file, a folder
    holding one GENIUS or GeniusWeb domain and its profiles, or a domain file (`.xml`, `.json`)
    whose profile files are `profiles`; domains are read by `negsim.formats.read_domain`
    (docs/formats.md). The scenario's `source` is the file it was read from.
    """
    path = Path(name_or_path)
    if profiles is not None or path.is_dir() or path.suffix.lower() in {".xml", ".json"}:
        from negsim.formats import read_domain

        data, source = read_domain(path, profiles)
        return parse_scenario(data, source=source)
    if not path.suffix and not path.exists():
        path = SCENARIO_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")))
        raise ScenarioError(str(name_or_path), "", f"no such scenario file (known names: {known})")
    data = read_yaml(path)
    return parse_scenario(data, source=str(path))


def parse_scenario(
    data: Any, source: str = "<scenario>", copy_data: bool = True, cache: Any = None
) -> Scenario:
    """Validate a scenario mapping (as read from YAML) and build a `Scenario`.

    The checks live in `negsim.scenario_schema`; `copy_data=False` keeps `data` itself instead
    of a copy (for a caller that never changes it), and `cache` (a `NodeCache`) lets such a
    caller parse the mappings its scenarios share once.
    """
    from negsim.scenario_schema import parse

    return parse(data, source, copy_data, cache)
