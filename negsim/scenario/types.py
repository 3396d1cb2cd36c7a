"""Issues, parties, tracks and scenarios: the validated types a scenario file becomes.

A scenario file is a mapping with `name`, `label`, `source`, `issues`, `parties` and optional
`tracks` (issues negotiated apart, for the `split_track` protocol); see
`configs/scenario/ukraine_2025.yaml` for a full example and `docs/reference/scenario.md` for the
schema.
`negsim.scenario.schema` builds them from a mapping (every mistake a `ScenarioError` with the
file, the key path and the problem on one line); `negsim.formats.load` reads the files.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from negsim.errors import ScenarioError
from negsim.strategies import Strategy


@dataclass(frozen=True)
class Issue:
    """A question on the table with discrete options.

    `ordered`: the options are written in an order that means something (none, partial, full
    withdrawal), so neighbouring options are alike; False (nominal: kinds of food, venues) when
    the written order means nothing. Only what an agent assumes about similar options uses it.
    """

    name: str
    label: str
    options: tuple[str, ...]
    option_labels: tuple[str, ...]
    source: str = ""
    ordered: bool = True

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
    # The validating parser that built this scenario (`negsim.scenario.schema`): `override`
    # rebuilds through it, so these types never import the schema that imports them.
    parser: Callable[..., Scenario] | None = field(default=None, repr=False, compare=False)

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
    def ordered(self) -> np.ndarray:
        """Whether each issue's options are ordered, shape (I,)."""
        return np.array([issue.ordered for issue in self.issues], dtype=bool)

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

        >>> from negsim import load_scenario
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
        if self.parser is None:
            raise ScenarioError(self.source, "", "built without a parser: cannot apply overrides")
        return self.parser(data, source=f"{self.source} (with overrides)")

    def with_party(self, name: str, **changes: Any) -> Scenario:
        """A new scenario where party `name` has the given top-level fields changed."""
        if name not in self.party_names:
            raise ScenarioError(self.source, f"parties.{name}", "no such party")
        return self.override({f"parties.{name}.{key}": value for key, value in changes.items()})
