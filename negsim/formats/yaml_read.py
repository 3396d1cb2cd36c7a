"""Reading a scenario YAML file as Hydra reads it: duplicate keys are an error, not the last value.

PyYAML's safe loader keeps the last of two equal keys in a mapping; OmegaConf, which Hydra uses,
rejects them. `read_yaml` rejects them too, so a file means the same to `load_scenario` as to
the command line, and every YAML error is one line: file, line, column, what the parser found
and what it expected.

Aliases (`*name`) are expanded by whoever copies the data (Hydra, a deep copy, a writer), so a
few hundred bytes of nested aliases (a "billion laughs") would become gigabytes: a file whose
aliases repeat more than `ALIAS_LIMIT` nodes in all, or whose alias refers to itself, is refused.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import yaml

from negsim.errors import ScenarioError

ALIAS_LIMIT = 100_000
"""How many nodes the aliases of one file may repeat in all (a text counts one node per
`_TEXT_UNIT` characters): far more than sharing a few positions between parties needs."""

_TEXT_UNIT = 100


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

    def get_single_node(self) -> yaml.Node | None:
        """The document's node graph, refused if its aliases expand too far."""
        node = super().get_single_node()
        if node is not None:
            _check_aliases(node)
        return node


class _AliasError(yaml.YAMLError):
    """Aliases that expand beyond `ALIAS_LIMIT`, or into themselves, at key path `path`."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def _check_aliases(root: yaml.Node) -> None:
    """Raise `_AliasError` if the aliases under `root` repeat more than `ALIAS_LIMIT` nodes.

    Walks the composed graph without recursion (a file may nest deeply): a node met again is an
    alias, and adds its expanded size, computed once per node, to the total.
    """
    size: dict[int, int] = {}
    repeated = 0
    # entries: (node, key path, children pushed?)
    stack: list[tuple[yaml.Node, str, bool]] = [(root, "", False)]
    open_nodes: set[int] = set()
    while stack:
        node, path, expanded = stack.pop()
        ident = id(node)
        if expanded:
            open_nodes.discard(ident)
            size[ident] = 1 + sum(size[id(child)] for child in _children(node))
            continue
        if ident in open_nodes:
            raise _AliasError(path, "an alias refers to the node it is in (a recursive alias)")
        if ident in size:
            repeated += size[ident]
            if repeated > ALIAS_LIMIT:
                raise _AliasError(
                    path,
                    f"aliases repeat more than {ALIAS_LIMIT:,} nodes (an alias bomb?); write the "
                    "data out, or share less",
                )
            continue
        if isinstance(node, yaml.ScalarNode):
            size[ident] = 1 + len(node.value) // _TEXT_UNIT
            continue
        open_nodes.add(ident)
        stack.append((node, path, True))
        for key, child in reversed(_labelled(node)):
            seen = id(child) in size or id(child) in open_nodes
            if seen or not isinstance(child, yaml.ScalarNode):
                stack.append((child, _join(path, key), False))
            else:
                size[id(child)] = 1 + len(child.value) // _TEXT_UNIT


def _join(path: str, step: str) -> str:
    """`path` followed by a key (`a.b`) or an index (`a[0]`); an empty step (a key) adds none."""
    if not step or step.startswith("["):
        return path + step
    return f"{path}.{step}" if path else step


def _children(node: yaml.Node) -> list[yaml.Node]:
    """The nodes directly under a sequence or mapping node (keys and values)."""
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _labelled(node: yaml.Node) -> list[tuple[str, yaml.Node]]:
    """`node`'s children, each with the key-path step that leads to it."""
    if isinstance(node, yaml.SequenceNode):
        return [(f"[{k}]", child) for k, child in enumerate(node.value)]
    out: list[tuple[str, yaml.Node]] = []
    for key, value in node.value:
        step = str(key.value)[:40] if isinstance(key, yaml.ScalarNode) else "?"
        out.append(("", key))
        out.append((step, value))
    return out


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
    except _AliasError as exc:
        raise ScenarioError(source or str(path), exc.path, exc.problem) from None
    except RecursionError:
        raise ScenarioError(
            source or str(path), "", "not valid YAML: nested too deeply to read"
        ) from None
    except yaml.YAMLError as exc:
        where, problem = yaml_problem(exc)
        raise ScenarioError(source or str(path), where, problem) from None
