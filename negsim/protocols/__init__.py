"""Protocols: who proposes when, who must accept, when the negotiation ends."""

from negsim.protocols.base import Protocol
from negsim.protocols.registry import PROTOCOL_REGISTRY, PROTOCOLS, build_protocol

__all__ = ["PROTOCOLS", "PROTOCOL_REGISTRY", "Protocol", "build_protocol"]
