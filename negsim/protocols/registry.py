"""The one list of protocols, chosen by name (`protocol=NAME` on the command line)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from negsim.protocols.alternating import AlternatingOffers
from negsim.protocols.base import Protocol
from negsim.protocols.mediated import MediatedText
from negsim.protocols.simultaneous import SimultaneousOffers
from negsim.protocols.split_track import SplitTrack

PROTOCOLS: tuple[type[Protocol], ...] = (
    AlternatingOffers,
    SimultaneousOffers,
    MediatedText,
    SplitTrack,
)

PROTOCOL_REGISTRY: dict[str, type[Protocol]] = {cls.name: cls for cls in PROTOCOLS}


def build_protocol(name: str, params: Mapping[str, Any] | None = None) -> Protocol:
    """Build the registered protocol `name` with `params`.

    Raises:
        ValueError: for an unknown name or parameter, with a one-line message.
    """
    cls = PROTOCOL_REGISTRY.get(name)
    if cls is None:
        known = ", ".join(sorted(PROTOCOL_REGISTRY))
        raise ValueError(f"unknown protocol {name!r} (known: {known})")
    return cls(**dict(params or {}))
