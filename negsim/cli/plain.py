"""A config as plain Python: `OmegaConf.to_container` of a mapping, typed as its keys are."""

from __future__ import annotations

from typing import Any, cast

from omegaconf import DictConfig, OmegaConf


def plain_dict(node: DictConfig, resolve: bool = True) -> dict[str, Any]:
    """`node` as a plain dict (nested mappings and lists plain too), interpolations resolved
    unless `resolve` is false. A config composed by Hydra has string keys only."""
    plain = OmegaConf.to_container(node, resolve=resolve)
    assert isinstance(plain, dict)
    return cast(dict[str, Any], plain)
