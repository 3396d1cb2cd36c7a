"""Reading GeniusWeb domains (`issuesValues`) and `LinearAdditiveUtilitySpace` profiles.

GeniusWeb computes `U(bid) = sum_i issueWeights[i] * valueUtilities[i][bid[i]]`, the utilities
already in [0, 1]; an issue a bid leaves out counts 0. A profile may embed its domain; its
`reservationBid` (or none, meaning no deal is worth 0) becomes the reservation value, that bid's
utility. Discrete value sets only; number ranges and other profile kinds are a `ScenarioError`.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

from negsim.errors import ScenarioError
from negsim.formats.files import load_json
from negsim.formats.mapping import DomainSize, DomainSpec, ProfileSpec

_DISCRETE = ("DiscreteValueSetUtilities", "discreteutils")
_NUMBER = ("NumberValueSetUtilities", "numberutils")


def read_geniusweb_domain(path: Path, data: Any = None) -> DomainSpec:
    """The issues and values of a GeniusWeb domain file."""
    data = load_json(path) if data is None else data
    return domain_from_json(data, path, "")


def domain_from_json(data: Any, path: Path, where: str) -> DomainSpec:
    """A `DomainSpec` from a GeniusWeb domain object found at key path `where` of `path`."""
    file = str(path)
    prefix = f"{where}." if where else ""
    if not isinstance(data, dict):
        raise ScenarioError(file, where, "a GeniusWeb domain must be an object")
    name = data.get("name", path.stem)
    if not isinstance(name, str):
        raise ScenarioError(file, f"{prefix}name", f"must be text, got {_shown(name)}")
    issues_values = data.get("issuesValues")
    if not isinstance(issues_values, dict) or not issues_values:
        raise ScenarioError(
            file, f"{prefix}issuesValues", "must be an object with at least one issue"
        )
    issues: list[tuple[str, list[str]]] = []
    size = DomainSize(file)
    for issue, spec in issues_values.items():
        at = f"{prefix}issuesValues.{issue}"
        if not isinstance(spec, dict):
            raise ScenarioError(file, at, "must be an object with a list of values")
        if "values" not in spec:
            kind = "a number range" if "range" in spec else f"a value set with keys {list(spec)}"
            raise ScenarioError(
                file,
                at,
                f'{kind}: negsim reads discrete value sets only ({{"values": [...]}})',
            )
        values = spec["values"]
        if not isinstance(values, list):
            raise ScenarioError(file, f"{at}.values", "must be a list of values")
        size.add(issue, f"{at}.values", len(values))
        for k, value in enumerate(values):
            if not isinstance(value, str):
                shown = _shown(value)
                raise ScenarioError(
                    file, f"{at}.values[{k}]", f"value {shown} is not text (discrete values only)"
                )
        counts = Counter(values)
        twice = sorted(v for v, n in counts.items() if n > 1)
        if twice:
            raise ScenarioError(file, f"{at}.values", f"value {twice[0]!r} given twice")
        issues.append((issue, list(values)))
    return DomainSpec(fmt="GeniusWeb", file=path, name=name, issues=issues)


def embedded_domain(path: Path, data: Any) -> DomainSpec | None:
    """The domain a profile embeds (`LinearAdditiveUtilitySpace.domain`), if any."""
    kind, body = _profile_body(path, data)
    if kind != "LinearAdditiveUtilitySpace" or "domain" not in body:
        return None
    return domain_from_json(body["domain"], path, f"{kind}.domain")


def same_domain(a: DomainSpec, b: DomainSpec) -> bool:
    """True when `a` and `b` have the same issues with the same values (names may differ)."""
    return {i: set(v) for i, v in a.issues} == {i: set(v) for i, v in b.issues}


def read_geniusweb_profile(
    path: Path, domain: DomainSpec | None = None, data: Any = None
) -> ProfileSpec:
    """One party's linear-additive profile over `domain` (or the domain it embeds)."""
    file = str(path)
    data = load_json(path) if data is None else data
    kind, body = _profile_body(path, data)
    if kind != "LinearAdditiveUtilitySpace":
        raise ScenarioError(
            file,
            kind,
            f"a {kind} profile: negsim reads LinearAdditiveUtilitySpace profiles only",
        )
    embedded = embedded_domain(path, data)
    if domain is None:
        if embedded is None:
            raise ScenarioError(
                file, kind, "no domain: the profile embeds none, so give its domain file first"
            )
        domain = embedded
    elif embedded is not None and not same_domain(embedded, domain):
        raise ScenarioError(
            file,
            f"{kind}.domain",
            f"a profile for another domain: it embeds domain {embedded.name!r}, whose issues "
            f"or values differ from those of {domain.name!r} ({domain.file.name})",
        )
    values = _utilities(body.get("issueUtilities"), file, f"{kind}.issueUtilities", domain)
    weights = _weights(body.get("issueWeights"), file, f"{kind}.issueWeights", domain)
    label = body.get("name")
    if not isinstance(label, str) or not label:
        label = path.stem
    bid = body.get("reservationBid")
    reservation_bid = None
    if bid is not None:
        reservation_bid = _bid(bid, file, f"{kind}.reservationBid", domain)
    return ProfileSpec(
        file=path,
        name=path.stem,
        label=label,
        weights=weights,
        values=values,
        reservation=None if reservation_bid is not None else 0.0,
        reservation_bid=reservation_bid,
    )


def _profile_body(path: Path, data: Any) -> tuple[str, dict[str, Any]]:
    """The profile's kind (its one top-level key) and body."""
    if not isinstance(data, dict) or len(data) != 1:
        raise ScenarioError(
            str(path),
            "",
            "not a GeniusWeb profile: expected one top-level key naming its kind, such as "
            "LinearAdditiveUtilitySpace",
        )
    ((kind, body),) = data.items()
    if not isinstance(body, dict):
        raise ScenarioError(str(path), kind, "must be an object")
    return kind, body


def _shown(node: Any) -> str:
    """A short description of a JSON value for an error: a list or object is not printed."""
    if isinstance(node, dict):
        return f"an object of {len(node)} keys"
    if isinstance(node, list):
        return f"a list of {len(node)} items"
    return repr(node)[:80]


def _number(node: Any, file: str, at: str, low: float, high: float) -> float:
    if isinstance(node, float) and math.isinf(node):
        raise ScenarioError(file, at, "a number out of range (beyond a double's 1.8e308)")
    if isinstance(node, bool) or not isinstance(node, int | float) or not math.isfinite(node):
        raise ScenarioError(file, at, f"must be a number, got {_shown(node)}")
    if not low <= node <= high:
        raise ScenarioError(file, at, f"{node!r} must lie in [{low:g}, {high:g}]")
    return float(node)


def _check_issues(node: Any, file: str, at: str, domain: DomainSpec, what: str) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise ScenarioError(file, at, f"missing: an object of {what} by issue")
    names = {issue for issue, _ in domain.issues}
    for issue in node:
        if issue not in names:
            raise ScenarioError(
                file, f"{at}.{issue}", f"unknown issue: domain {domain.name!r} has no such issue"
            )
    for issue, _ in domain.issues:
        if issue not in node:
            raise ScenarioError(file, f"{at}.{issue}", f"missing: no {what} for this issue")
    return node


def _utilities(node: Any, file: str, at: str, domain: DomainSpec) -> dict[str, dict[str, float]]:
    node = _check_issues(node, file, at, domain, "value utilities")
    out: dict[str, dict[str, float]] = {}
    for issue, values in domain.issues:
        spec = node[issue]
        where = f"{at}.{issue}"
        if not isinstance(spec, dict) or len(spec) != 1:
            raise ScenarioError(file, where, "must be an object with one key, its kind")
        ((kind, body),) = spec.items()
        if kind in _NUMBER:
            raise ScenarioError(
                file, f"{where}.{kind}", "number value utilities: negsim reads discrete ones only"
            )
        if kind not in _DISCRETE:
            raise ScenarioError(
                file, f"{where}.{kind}", "unknown value utilities (DiscreteValueSetUtilities only)"
            )
        utilities = body.get("valueUtilities") if isinstance(body, dict) else None
        where = f"{where}.{kind}.valueUtilities"
        if not isinstance(utilities, dict):
            raise ScenarioError(file, where, "missing: an object of utilities by value")
        known = set(values)
        for value in utilities:
            if value not in known:
                raise ScenarioError(
                    file,
                    f"{where}.{value}",
                    "unknown value: not one of the domain's for this issue",
                )
        for value in values:
            if value not in utilities:
                raise ScenarioError(file, f"{where}.{value}", "utility missing for this value")
        out[issue] = {v: _number(utilities[v], file, f"{where}.{v}", 0.0, 1.0) for v in values}
    return out


def _weights(node: Any, file: str, at: str, domain: DomainSpec) -> dict[str, float]:
    node = _check_issues(node, file, at, domain, "weight")
    return {
        issue: _number(node[issue], file, f"{at}.{issue}", 0.0, math.inf)
        for issue, _ in domain.issues
    }


def _bid(node: Any, file: str, at: str, domain: DomainSpec) -> dict[str, str]:
    values = node.get("issuevalues") if isinstance(node, dict) else None
    if not isinstance(values, dict):
        raise ScenarioError(file, at, 'a bid must be {"issuevalues": {issue: value, ...}} or null')
    known = {issue: set(options) for issue, options in domain.issues}
    for issue, value in values.items():
        where = f"{at}.issuevalues.{issue}"
        if issue not in known:
            raise ScenarioError(
                file, where, f"unknown issue: domain {domain.name!r} has no such issue"
            )
        if not isinstance(value, str) or value not in known[issue]:
            raise ScenarioError(
                file,
                where,
                f"unknown value {_shown(value)}: not one of the domain's for this issue",
            )
    return dict(values)
