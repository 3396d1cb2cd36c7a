"""What a scenario is: issues, parties, tracks, their validation, and the numbers drawn per row.

`types` holds the validated dataclasses, `schema` builds them from a mapping (one-line errors),
`points` lays sweep points side by side row by row, and `draws` draws each row's uncertain numbers
from its own stream. Reading files lives in `negsim.formats`.
"""

from negsim.scenario.schema import NodeCache, parse_scenario
from negsim.scenario.types import Issue, Party, Scenario, Track, Uncertainty

__all__ = ["Issue", "NodeCache", "Party", "Scenario", "Track", "Uncertainty", "parse_scenario"]
