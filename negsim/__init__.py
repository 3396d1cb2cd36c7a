"""negsim: an agent-based simulator of multi-party, multi-issue negotiation on Mesa and Hydra."""

from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel
from negsim.scenario import Issue, Party, Scenario, parse_scenario

__all__ = ["Issue", "NegotiationModel", "Party", "Scenario", "load_scenario", "parse_scenario"]
__version__ = "0.1.0"
