"""Strategies: concession curves, offer generation, acceptance and opponent models."""

from negsim.strategies.base import Param, Strategy
from negsim.strategies.registry import REGISTRY, STRATEGIES, build_strategy

__all__ = ["REGISTRY", "STRATEGIES", "Param", "Strategy", "build_strategy"]
