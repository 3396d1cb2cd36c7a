"""GENIUS XML and GeniusWeb JSON domains, read into negsim scenarios.

`read_domain` turns a domain and its profiles into a scenario mapping (what a YAML file holds).
See docs/formats.md.
"""

from negsim.formats.read import read_domain

__all__ = ["read_domain"]
