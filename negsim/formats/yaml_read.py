"""Reading a scenario YAML file as Hydra reads it: duplicate keys are an error, not the last value.

PyYAML's safe loader keeps the last of two equal keys in a mapping; OmegaConf, which Hydra uses,
rejects them. `read_yaml` rejects them too, so a file means the same to `load_scenario` as to
the command line, and every YAML error is one line: file, line, column, what the parser found
and what it expected.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import yaml

from negsim.errors import ScenarioError


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            with contextlib.suppress(TypeError):  # an unhashable key fails below, as usual
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key}",
                        key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def yaml_problem(exc: yaml.YAMLError) -> tuple[str, str]:
    """Where (`line L, column C`) and what (`not valid YAML: ...`) of a YAML error."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    return where, f"not valid YAML: {problem}" + (f" ({context})" if context else "")


def read_yaml(path: Path, source: str | None = None) -> Any:
    """The YAML file at `path`, raising `ScenarioError` (naming `source`, or the path) on error."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        where, problem = yaml_problem(exc)
        raise ScenarioError(source or str(path), where, problem) from None
