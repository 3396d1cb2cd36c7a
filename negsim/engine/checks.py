"""The model's argument checks: each mistake a one-line `NegsimError` naming the argument."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np

from negsim.engine.transcript import TRANSCRIPT_LIMIT
from negsim.errors import NegsimError
from negsim.protocols import Protocol, build_protocol
from negsim.scenario import Scenario
from negsim.scenario.points import Point


def check_whole(name: str, value: object, low: int) -> None:
    """`value` must be a whole number (not a bool) of at least `low`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise NegsimError(f"{name}: must be a whole number >= {low}, got {value!r}")


def check_settings(
    seed: int,
    start: int,
    transcript: int,
    replications: int,
    max_rounds: int,
    exact_quality: object,
    accept_best_after: object,
) -> None:
    """Check the model's numeric settings, before any work is done."""
    check_whole("seed", seed, 0)
    check_whole("start", start, 0)
    check_whole("transcript", transcript, 0)
    if transcript > TRANSCRIPT_LIMIT:
        raise NegsimError(
            f"transcript: records at most {TRANSCRIPT_LIMIT} replications, got {transcript}"
        )
    check_whole("replications", replications, 1)
    check_whole("max_rounds", max_rounds, 1)
    if isinstance(exact_quality, bool) or not isinstance(exact_quality, int | np.integer):
        raise NegsimError(f"exact_quality: must be a whole number, got {exact_quality!r}")
    if accept_best_after is not None and (
        isinstance(accept_best_after, bool)
        or not isinstance(accept_best_after, int | float)
        or not 0 <= accept_best_after <= 1
    ):
        raise NegsimError(
            f"accept_best_after: must be null or a number in [0, 1], got {accept_best_after!r}"
        )


def opening_parties(
    scenario: Scenario, first_proposer: str | Sequence[str] | None, replications: int
) -> np.ndarray | None:
    """Each replication's opening party index, or None where they are to be drawn."""
    if first_proposer is None:
        return None
    names = [first_proposer] if isinstance(first_proposer, str) else list(first_proposer)
    if not isinstance(first_proposer, str) and len(names) != replications:
        raise NegsimError(f"first_proposer: {len(names)} names for {replications} replications")
    known = scenario.party_names
    for name in names:
        if name not in known:
            raise NegsimError(f"first_proposer: no party {name!r} (parties: {', '.join(known)})")
    index = np.array([known.index(name) for name in names], dtype=np.int64)
    return np.resize(index, replications)


def model_points(
    scenario: Scenario,
    points: Sequence[Point] | None,
    seed: int,
    replications: int,
    start: int,
    first_proposer: str | Sequence[str] | None,
) -> list[Point]:
    """The model's sweep points: `points` checked against `replications`, or the one point of
    `scenario` with `seed` and `start`; every point's opening party must be one of its parties."""
    if points is None:
        single = first_proposer if isinstance(first_proposer, str) else None
        points = [Point(scenario, int(seed), replications, start, single)]
    elif sum(p.replications for p in points) != replications:
        raise NegsimError("points: their replications do not add up to the model's")
    for point in points:
        opening_parties(point.scenario, point.first_proposer, point.replications)
    return list(points)


def fresh_protocol(protocol: Protocol | str) -> Protocol:
    """A protocol of the model's own (its state is per model): a copy of `protocol`, or the
    registered one of that name with default parameters."""
    if isinstance(protocol, str):
        try:
            return build_protocol(protocol)
        except ValueError as exc:
            raise NegsimError(f"protocol: {exc}") from None
    return copy.deepcopy(protocol)
