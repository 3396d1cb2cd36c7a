"""The run's settings from a composed config, checked: plain values in, plain objects out.

`cli.py` and the batched sweep launcher both read a job's settings here, so a setting means the
same whichever way a job is launched. Nothing here imports Hydra.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from typing import Any

import yaml

from negsim.errors import NegsimError
from negsim.protocols import Protocol, build_protocol


@dataclass(frozen=True)
class RunSettings:
    """The run's settings from the config, checked.

    `figures` and `job_results` may be null in the config: then they are on for a single run
    and off for each job of a sweep (`sweep=True`), where they would cost more than the jobs.
    `transcript` writes the events of the first `TRANSCRIPT_LIMIT` replications (a job with
    figures or a transcript runs in a model of its own, also in a sweep).
    """

    replications: int
    seed: int
    max_rounds: int
    first_proposer: str | None
    progress: bool | None
    figures: bool
    job_results: bool
    top_deals: int
    batch_size: int
    analysis: bool
    exact_quality: int
    accept_best_after: float | None
    transcript: bool = False

    @classmethod
    def from_config(cls, cfg: dict[str, Any], sweep: bool = False) -> RunSettings:
        """Check the top-level keys of a composed config (everything but the scenario)."""
        unknown = sorted(set(cfg) - known_settings(), key=str)
        if unknown:
            known = ", ".join(sorted(known_settings() - {"hydra"}))
            raise NegsimError(f"config: {unknown[0]}: unknown setting (known: {known})")
        seed = cfg.get("seed")
        if seed is None:
            seed = secrets.randbits(31)
        figures = _optional_bool(cfg, "figures")
        job_results = _optional_bool(cfg, "job_results")
        return cls(
            replications=_whole(cfg, "replications", 1),
            seed=_whole({"seed": seed}, "seed", 0, SEED_LIMIT),
            max_rounds=_whole(cfg, "max_rounds", 1),
            first_proposer=_optional_text(cfg, "first_proposer"),
            progress=_optional_bool(cfg, "progress"),
            figures=not sweep if figures is None else figures,
            job_results=not sweep if job_results is None else job_results,
            top_deals=_whole(cfg, "top_deals", 0),
            batch_size=_whole(cfg, "batch_size", 1),
            analysis=bool(_optional_bool(cfg, "analysis")),
            exact_quality=_whole(cfg, "exact_quality", 0),
            accept_best_after=_optional_share(cfg, "accept_best_after"),
            transcript=bool(_optional_bool(cfg, "transcript")),
        )

    def model_key(self) -> tuple[Any, ...]:
        """The settings that jobs sharing one model must agree on."""
        return (self.max_rounds, self.exact_quality, self.accept_best_after, self.batch_size)


@functools.cache
def main_config() -> dict[str, Any]:
    """`configs/config.yaml` as written (its defaults list, settings and hydra node)."""
    from negsim.formats.load import CONFIG_DIR

    return yaml.safe_load((CONFIG_DIR / "config.yaml").read_text(encoding="utf-8"))


@functools.cache
def known_settings() -> frozenset[str]:
    """The top-level keys a config may have: those of `configs/config.yaml`, and its groups."""
    main = main_config()
    groups = {next(iter(d)) for d in main["defaults"] if isinstance(d, dict)}
    groups = {g for g in groups if not g.startswith("override ")}
    return frozenset(set(main) - {"defaults"} | groups | {"hydra"})


def default_scenario() -> str:
    """The `scenario` choice of `configs/config.yaml`'s defaults list."""
    found = [
        d["scenario"] for d in main_config()["defaults"] if isinstance(d, dict) and "scenario" in d
    ]
    return str(found[0]) if found else ""


SEED_LIMIT = 2**63 - 1
"""The largest seed: seeds are kept per replication as 64-bit integers."""


def _whole(cfg: dict[str, Any], key: str, low: int, high: int | None = None) -> int:
    value = cfg.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise NegsimError(f"config: {key}: must be a whole number >= {low}, got {value!r}")
    if high is not None and value > high:
        raise NegsimError(f"config: {key}: must be a whole number in [{low}, {high}], got {value}")
    return value


def _optional_share(cfg: dict[str, Any], key: str) -> float | None:
    value = cfg.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise NegsimError(f"config: {key}: must be null or a number in [0, 1], got {value!r}")
    return float(value)


def _optional_bool(cfg: dict[str, Any], key: str) -> bool | None:
    value = cfg.get(key)
    if value is not None and not isinstance(value, bool):
        raise NegsimError(f"config: {key}: must be true, false or null, got {value!r}")
    return value


def _optional_text(cfg: dict[str, Any], key: str) -> str | None:
    value = cfg.get(key)
    if value is not None and not isinstance(value, str):
        raise NegsimError(f"config: {key}: must be a name or null, got {value!r}")
    return value


def protocol_from_config(node: Any) -> Protocol:
    """Build the protocol the `protocol` config node names, with its parameters."""
    if node is None:
        return build_protocol("alternating")
    if isinstance(node, str):
        node = {"name": node}
    if not isinstance(node, dict) or not isinstance(node.get("name"), str):
        raise NegsimError(f"config: protocol: must name a protocol, got {node!r}")
    params = {k: v for k, v in node.items() if k != "name"}
    try:
        return build_protocol(node["name"], params)
    except ValueError as exc:
        raise NegsimError(f"config: protocol: {exc}") from None
