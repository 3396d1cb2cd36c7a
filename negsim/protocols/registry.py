"""The one list of protocols, chosen by name (`protocol=NAME` on the command line)."""

from __future__ import annotations

from negsim.protocols.alternating import AlternatingOffers
from negsim.protocols.base import Protocol
from negsim.protocols.mediated import MediatedText
from negsim.protocols.simultaneous import SimultaneousOffers
from negsim.protocols.split_track import SplitTrack
from negsim.registry import Registry

PROTOCOLS: tuple[type[Protocol], ...] = (
    AlternatingOffers,
    SimultaneousOffers,
    MediatedText,
    SplitTrack,
)

PROTOCOL_REGISTRY: Registry[Protocol] = Registry("protocol", PROTOCOLS)
"""Every protocol by name, in the order of `PROTOCOLS`."""

build_protocol = PROTOCOL_REGISTRY.build
"""Build the registered protocol `name` with `params` (`Registry.build`: one-line errors)."""
