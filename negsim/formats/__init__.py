"""GENIUS XML and GeniusWeb JSON domains: read into negsim scenarios, write from them.

`read_domain` turns a domain and its profiles into a scenario mapping (what a YAML file holds);
`write_genius` and `write_geniusweb` write a `Scenario` in those formats; `scenario_yaml` writes
a mapping as a readable scenario YAML file. See docs/reference/formats.md.
"""

from negsim.formats.genius_write import write_genius
from negsim.formats.geniusweb_write import write_geniusweb
from negsim.formats.load import load_scenario
from negsim.formats.read import read_domain
from negsim.formats.yaml_out import scenario_yaml

__all__ = ["load_scenario", "read_domain", "scenario_yaml", "write_genius", "write_geniusweb"]
