"""Validation of scenario mappings: every mistake is one line naming the file, key and problem.

`parse_scenario` turns a mapping read from YAML (or composed by Hydra) into a `Scenario`,
raising `ScenarioError(source, key.path, problem)` at the first mistake;
`docs/reference/scenario.md` lists what is checked.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from negsim.errors import ScenarioError
from negsim.scenario.types import Issue, Party, Scenario, Track, Uncertainty
from negsim.strategies import Strategy, build_strategy

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WEIGHT_TOLERANCE = 1e-6

_SCENARIO_KEYS = {"name", "label", "description", "source", "issues", "parties", "tracks"}
_ISSUE_KEYS = {"label", "source", "options", "ordered"}
_PARTY_KEYS = {
    "label",
    "required",
    "reservation",
    "deadline",
    "discount",
    "strategy",
    "red_lines",
    "uncertainty",
    "positions",
    "source",
}
_POSITION_KEYS = {"weight", "values", "source"}
_UNCERTAINTY_KEYS = {"weights", "reservation", "values"}
_TRACK_KEYS = {"label", "issues", "parties", "source"}


class NodeCache:
    """Parsed issues and parties by the identity of their mappings.

    A sweep's job configs share every mapping their overrides do not touch, so with a cache a
    job's scenario parses only the parties its overrides changed (and shares the rest, which
    are frozen). Mappings are kept alive with their parse, so an identity is never reused.
    """

    def __init__(self) -> None:
        self._items: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}

    def get(self, nodes: tuple[Any, ...], name: str, build: Any) -> Any:
        """The parse of `nodes` (under `name`), built once."""
        key = (*map(id, nodes), name)
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = (nodes, build())
        return found[1]


def parse_scenario(
    data: Any,
    source: str = "<scenario>",
    copy_data: bool = True,
    cache: NodeCache | None = None,
) -> Scenario:
    """Validate a scenario mapping (as read from YAML) and build a `Scenario`.

    The scenario keeps a copy of `data`; `copy_data=False` keeps `data` itself, for a caller
    that never changes it (a sweep's job configs share what their overrides do not touch), and
    such a caller may pass a `NodeCache` to parse each shared mapping once.
    """
    return _Parser(source, copy_data, cache).scenario(data)


class _Parser:
    """Validates a scenario mapping, raising `ScenarioError` at the first mistake."""

    def __init__(self, source: str, copy_data: bool = True, cache: NodeCache | None = None) -> None:
        self.copy_data = copy_data
        self.cache = cache
        self.source = source

    def fail(self, path: str, problem: str) -> ScenarioError:
        return ScenarioError(self.source, path, problem)

    def mapping(self, node: Any, path: str, keys: set[str] | None = None) -> dict[str, Any]:
        if not isinstance(node, Mapping):
            raise self.fail(path, f"must be a mapping, got {type(node).__name__}")
        if keys is not None:
            extra = sorted(set(node) - keys, key=str)
            if extra:
                known = ", ".join(sorted(keys))
                raise self.fail(f"{path}.{extra[0]}".lstrip("."), f"unknown key (known: {known})")
        return dict(node)

    def number(self, node: Any, path: str, low: float = -math.inf, high: float = math.inf) -> float:
        if isinstance(node, bool) or not isinstance(node, int | float) or not math.isfinite(node):
            raise self.fail(path, f"must be a number, got {node!r}")
        if not low <= node <= high:
            raise self.fail(path, f"must lie in [{low:g}, {high:g}], got {node!r}")
        return float(node)

    def text(self, node: Any, path: str, default: str = "") -> str:
        """`node` as text (`default` when missing); a mapping or list is named, never printed,
        so a huge structure in a text field is a short error."""
        if node is None:
            return default
        if not isinstance(node, str):
            if isinstance(node, Mapping):
                got = f"a mapping of {len(node)} keys"
            elif isinstance(node, list | tuple):
                got = f"a list of {len(node)} items"
            else:
                got = repr(node)[:80]
            raise self.fail(path, f"must be text, got {got}")
        return node

    def name(self, key: Any, path: str) -> str:
        if isinstance(key, bool):
            raise self.fail(
                path,
                f"name {key!r} is YAML's reading of yes/no/on/off/true/false: quote it "
                "('yes') or choose another name",
            )
        if not isinstance(key, str) or not _NAME.match(key):
            raise self.fail(path, f"name {key!r} must be letters, digits and _ (not first a digit)")
        return key

    def scenario(self, data: Any) -> Scenario:
        data = self.mapping(data, "", _SCENARIO_KEYS)
        name = self.text(data.get("name"), "name", Path(self.source).stem)
        for key in ("label", "description", "source"):  # before anything copies the data
            self.text(data.get(key), key)
        issues_node = data.get("issues")
        issues = self._cached((issues_node,), "", lambda: self.issues(issues_node))
        parties_node = data.get("parties")
        if not parties_node:
            raise self.fail("parties", "the scenario needs at least two parties, got none")
        parties_node = self.mapping(parties_node, "parties")
        if len(parties_node) < 2:
            raise self.fail(
                "parties", f"the scenario needs at least two parties, got {len(parties_node)}"
            )
        parties = tuple(
            self._cached(
                (node, issues_node),
                str(key),
                lambda key=key, node=node: self.party(
                    self.name(key, f"parties.{key}"), node, issues
                ),
            )
            for key, node in parties_node.items()
        )
        if not any(p.required for p in parties):
            raise self.fail("parties", "at least one party must be required for agreement")
        tracks = self.tracks(data.get("tracks"), issues, parties)
        plain = copy.deepcopy(data) if self.copy_data else data
        return Scenario(
            name=name,
            label=self.text(data.get("label"), "label", name),
            issues=issues,
            parties=parties,
            source=self.source,
            data=plain,
            tracks=tracks,
            parser=parse_scenario,
        )

    def _cached(self, nodes: tuple[Any, ...], name: str, build: Any) -> Any:
        if self.cache is None or not all(isinstance(n, dict) for n in nodes):
            return build()
        return self.cache.get(nodes, name, build)

    def issues(self, node: Any) -> tuple[Issue, ...]:
        if not node:
            raise self.fail("issues", "the scenario needs at least one issue, got none")
        node = self.mapping(node, "issues")
        issues = []
        for key, spec in node.items():
            path = f"issues.{self.name(key, f'issues.{key}')}"
            spec = self.mapping(spec, path, _ISSUE_KEYS)
            options = spec.get("options")
            if isinstance(options, list):
                for o in options:
                    self.name(o, f"{path}.options.{o}")
                if len(set(options)) < len(options):
                    raise self.fail(f"{path}.options", "option names must be distinct")
                options = {o: o for o in options}
            if not options:
                raise self.fail(f"{path}.options", "an issue needs at least two options, got none")
            options = self.mapping(options, f"{path}.options")
            if len(options) < 2:
                raise self.fail(
                    f"{path}.options", f"an issue needs at least two options, got {len(options)}"
                )
            names = tuple(self.name(o, f"{path}.options.{o}") for o in options)
            labels = tuple(self.text(v, f"{path}.options.{o}", o) for o, v in options.items())
            ordered = spec.get("ordered", True)
            if not isinstance(ordered, bool):
                raise self.fail(f"{path}.ordered", f"must be true or false, got {ordered!r}")
            issues.append(
                Issue(
                    name=key,
                    label=self.text(spec.get("label"), f"{path}.label", key),
                    options=names,
                    option_labels=labels,
                    source=self.text(spec.get("source"), f"{path}.source"),
                    ordered=ordered,
                )
            )
        return tuple(issues)

    def party(self, name: str, node: Any, issues: tuple[Issue, ...]) -> Party:
        path = f"parties.{name}"
        node = self.mapping(node, path, _PARTY_KEYS)
        by_name = {issue.name: issue for issue in issues}
        positions = self.mapping(node.get("positions") or {}, f"{path}.positions")
        for key in positions:
            if key not in by_name:
                raise self.fail(f"{path}.positions.{key}", "issue unknown to the scenario")
        weights: dict[str, float] = {}
        values: dict[str, dict[str, float]] = {}
        sources: dict[str, str] = {}
        for issue in issues:
            ipath = f"{path}.positions.{issue.name}"
            if issue.name not in positions:
                raise self.fail(ipath, "missing: every party needs a position on every issue")
            pos = self.mapping(positions[issue.name], ipath, _POSITION_KEYS)
            if "weight" not in pos:
                raise self.fail(f"{ipath}.weight", "missing")
            weights[issue.name] = self.number(pos["weight"], f"{ipath}.weight", 0.0, 1.0)
            vals = self.mapping(pos.get("values") or {}, f"{ipath}.values")
            known = set(issue.options)  # a set: linear in the options, however many
            for option in vals:
                if option not in known:
                    raise self.fail(f"{ipath}.values.{option}", f"not an option of {issue.name}")
            for option in issue.options:
                if option not in vals:
                    raise self.fail(f"{ipath}.values.{option}", "missing value for this option")
            values[issue.name] = {
                o: self.number(vals[o], f"{ipath}.values.{o}", 0.0, 1.0) for o in issue.options
            }
            sources[issue.name] = self.text(pos.get("source"), f"{ipath}.source")
        total = sum(weights.values())
        if abs(total - 1.0) > _WEIGHT_TOLERANCE:
            raise self.fail(f"{path}.positions", f"weights must sum to 1, they sum to {total:.6g}")
        if "reservation" not in node:
            raise self.fail(f"{path}.reservation", "missing")
        reservation = self.number(node["reservation"], f"{path}.reservation", 0.0, 1.0)
        red_lines = self.red_lines(node.get("red_lines"), f"{path}.red_lines", by_name)
        deadline = node.get("deadline")
        if deadline is not None and (
            isinstance(deadline, bool) or not isinstance(deadline, int) or deadline < 1
        ):
            raise self.fail(
                f"{path}.deadline", f"must be a whole number of rounds >= 1, got {deadline!r}"
            )
        discount = 1.0
        if node.get("discount") is not None:
            discount = self.number(node["discount"], f"{path}.discount", 0.0, 1.0)
            if discount == 0.0:
                raise self.fail(f"{path}.discount", "must lie in (0, 1], got 0")
        required = node.get("required", True)
        if not isinstance(required, bool):
            raise self.fail(f"{path}.required", f"must be true or false, got {required!r}")
        strategy_name, strategy = self.strategy(node.get("strategy"), f"{path}.strategy")
        uncertainty = self.uncertainty(node.get("uncertainty"), f"{path}.uncertainty")
        best = _best_share(weights, values, red_lines, issues)
        if best + 1e-12 < reservation:
            raise self.fail(
                f"{path}.reservation",
                f"the party can never accept anything: its best outcome is worth {best:.3g}, "
                f"below its reservation value {reservation:g}",
            )
        return Party(
            name=name,
            label=self.text(node.get("label"), f"{path}.label", name),
            weights=weights,
            values=values,
            reservation=reservation,
            strategy=strategy,
            strategy_name=strategy_name,
            required=required,
            deadline=deadline,
            discount=discount,
            red_lines=red_lines,
            uncertainty=uncertainty,
            sources=sources,
        )

    def red_lines(
        self, node: Any, path: str, by_name: dict[str, Issue]
    ) -> dict[str, tuple[str, ...]]:
        node = self.mapping(node or {}, path)
        out: dict[str, tuple[str, ...]] = {}
        for issue_name, options in node.items():
            ipath = f"{path}.{issue_name}"
            if issue_name not in by_name:
                raise self.fail(ipath, "issue unknown to the scenario")
            issue = by_name[issue_name]
            if isinstance(options, str):
                options = [options]
            if not isinstance(options, list) or not options:
                raise self.fail(ipath, "a red line must name at least one option of the issue")
            known = set(issue.options)
            for option in options:
                if option not in known:
                    raise self.fail(ipath, f"{option!r} is not an option of {issue_name}")
            if set(options) >= set(issue.options):
                raise self.fail(
                    ipath, "the party can never accept anything: every option is a red line"
                )
            out[issue_name] = tuple(options)
        return out

    def tracks(
        self, node: Any, issues: tuple[Issue, ...], parties: tuple[Party, ...]
    ) -> tuple[Track, ...]:
        if node is None:
            return ()
        node = self.mapping(node, "tracks")
        if not node:
            raise self.fail("tracks", "declare at least one track, or leave `tracks` out")
        by_issue = {issue.name: issue for issue in issues}
        by_party = {party.name: party for party in parties}
        owner: dict[str, str] = {}
        tracks = []
        for key, spec in node.items():
            path = f"tracks.{self.name(key, f'tracks.{key}')}"
            spec = self.mapping(spec, path, _TRACK_KEYS)
            names = self.names(spec.get("issues"), f"{path}.issues", list(by_issue), "issue")
            for name in names:
                if name in owner:
                    raise self.fail(
                        f"{path}.issues", f"issue {name!r} is already on track {owner[name]!r}"
                    )
                owner[name] = key
            members = self.names(spec.get("parties"), f"{path}.parties", list(by_party), "party")
            if len(members) < 2:
                raise self.fail(f"{path}.parties", "a track needs at least two parties, got 1")
            if not any(by_party[p].required for p in members):
                raise self.fail(
                    f"{path}.parties", "at least one party must be required for agreement"
                )
            on_track = tuple(i for i in issues if i.name in names)
            for p in members:
                party = by_party[p]
                share = sum(party.weights[i.name] for i in on_track)
                if share <= 0:
                    raise self.fail(
                        f"{path}.parties", f"party {p!r} puts no weight on the track's issues"
                    )
                best = _best_share(party.weights, party.values, party.red_lines, on_track) / share
                if best + 1e-12 < party.reservation:
                    raise self.fail(
                        f"{path}.parties",
                        f"party {p!r} can never accept anything on this track: its best outcome "
                        f"there is worth {best:.3g}, below its reservation {party.reservation:g}",
                    )
            tracks.append(
                Track(
                    name=key,
                    label=self.text(spec.get("label"), f"{path}.label", key),
                    issues=tuple(i.name for i in on_track),
                    parties=tuple(p.name for p in parties if p.name in members),
                    source=self.text(spec.get("source"), f"{path}.source"),
                )
            )
        return tuple(tracks)

    def names(self, node: Any, path: str, known: list[str], kind: str) -> list[str]:
        """A non-empty list of distinct known names."""
        if not isinstance(node, list) or not node:
            raise self.fail(path, f"must list at least one {kind}, got {node!r}")
        for name in node:
            if name not in known:
                raise self.fail(path, f"unknown {kind} {name!r} (known: {', '.join(known)})")
        twice = sorted({name for name in node if node.count(name) > 1})
        if twice:
            raise self.fail(path, f"{kind} {twice[0]!r} is listed twice")
        return list(node)

    def strategy(self, node: Any, path: str) -> tuple[str, Strategy]:
        if node is None:
            node = {"name": "boulware"}
        if isinstance(node, str):
            node = {"name": node}
        node = self.mapping(node, path)
        params = {k: v for k, v in node.items() if k != "name"}
        for param in params:
            if not isinstance(param, str):
                raise self.fail(f"{path}.{param}", f"parameter names are text, got {param!r}")
        name = node.get("name")
        if not isinstance(name, str):
            raise self.fail(f"{path}.name", f"must name a strategy, got {name!r}")
        try:
            return name, build_strategy(name, params)
        except ValueError as exc:
            key = f"{path}.name"
            for param in params:
                if repr(param) in str(exc):
                    key = f"{path}.{param}"
            raise self.fail(key, str(exc)) from None

    def uncertainty(self, node: Any, path: str) -> Uncertainty:
        node = self.mapping(node or {}, path, _UNCERTAINTY_KEYS)
        return Uncertainty(
            weights=self.number(node.get("weights", 0.0), f"{path}.weights", 0.0),
            reservation=self.number(node.get("reservation", 0.0), f"{path}.reservation", 0.0, 1.0),
            values=self.number(node.get("values", 0.0), f"{path}.values", 0.0, 1.0),
        )


def _best_share(
    weights: Mapping[str, float],
    values: Mapping[str, Mapping[str, float]],
    red_lines: Mapping[str, tuple[str, ...]],
    issues: tuple[Issue, ...],
) -> float:
    """The most `issues` can be worth to a party without crossing its red lines."""
    best = 0.0
    for issue in issues:
        closed = set(red_lines.get(issue.name, ()))
        allowed = [values[issue.name][o] for o in issue.options if o not in closed]
        best += weights[issue.name] * max(allowed)
    return best
