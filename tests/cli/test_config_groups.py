"""The strategy and protocol config groups agree with their registries."""

from __future__ import annotations

import pytest
import yaml

from negsim.formats.load import CONFIG_DIR
from negsim.protocols import PROTOCOL_REGISTRY, build_protocol
from negsim.strategies import REGISTRY, build_strategy

STRATEGY_FILES = sorted((CONFIG_DIR / "strategy").glob("*.yaml"))
PROTOCOL_FILES = sorted((CONFIG_DIR / "protocol").glob("*.yaml"))


def test_every_registered_strategy_and_protocol_has_a_config() -> None:
    assert {p.stem for p in STRATEGY_FILES} == set(REGISTRY)
    assert {p.stem for p in PROTOCOL_FILES} == set(PROTOCOL_REGISTRY)


@pytest.mark.parametrize("path", STRATEGY_FILES, ids=lambda p: p.stem)
def test_strategy_config_states_the_registry_defaults(path) -> None:
    node = yaml.safe_load(path.read_text())
    assert node.pop("name") == path.stem
    strategy = build_strategy(path.stem, node)
    defaults = {key: spec.default for key, spec in REGISTRY[path.stem].params.items()}
    assert strategy.values == defaults


@pytest.mark.parametrize("path", PROTOCOL_FILES, ids=lambda p: p.stem)
def test_protocol_config_builds_its_protocol(path) -> None:
    node = yaml.safe_load(path.read_text())
    assert node.pop("name") == path.stem
    protocol = build_protocol(path.stem, node)
    assert protocol.values == {**PROTOCOL_REGISTRY[path.stem].params, **node}
