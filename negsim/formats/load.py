"""`load_scenario`: a scenario by name or from a file, in any format negsim reads.

The shipped scenarios and config groups live in `negsim/configs/` (package data, so an installed
wheel has them); `CONFIG_DIR` is that folder and `SCENARIO_DIR` its `scenario/` group.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from negsim.errors import ScenarioError
from negsim.formats.read import read_domain
from negsim.formats.yaml_read import read_yaml
from negsim.scenario import Scenario
from negsim.scenario.schema import parse_scenario

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
SCENARIO_DIR = CONFIG_DIR / "scenario"


def load_scenario(
    name_or_path: str | Path, profiles: Sequence[str | Path] | None = None
) -> Scenario:
    """Load and validate a scenario: a negsim YAML file, or a GENIUS or GeniusWeb domain.

    `name_or_path` is a scenario name (a file in `configs/scenario/`), a YAML file, a folder
    holding one GENIUS or GeniusWeb domain and its profiles, or a domain file (`.xml`, `.json`)
    whose profile files are `profiles`; domains are read by `negsim.formats.read_domain`
    (docs/reference/formats.md). The scenario's `source` is the file it was read from.

    >>> load_scenario("ukraine_2025").party_names
    ['us', 'russia', 'ukraine', 'europe']
    """
    path = Path(name_or_path)
    if profiles is not None or path.is_dir() or path.suffix.lower() in {".xml", ".json"}:
        data, source = read_domain(path, profiles)
        return parse_scenario(data, source=source)
    if not path.suffix and not path.exists():
        path = SCENARIO_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")))
        raise ScenarioError(str(name_or_path), "", f"no such scenario file (known names: {known})")
    data = read_yaml(path)
    return parse_scenario(data, source=str(path))
