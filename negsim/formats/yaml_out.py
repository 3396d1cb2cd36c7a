"""`scenario_yaml`: a scenario mapping as a readable negsim YAML file.

Keys keep their order; a string that a YAML reader would take for anything but text (`yes`,
`No`, `null`, `1`, `1e5`, `0.6`) is quoted, for PyYAML and for Hydra's OmegaConf alike; option
values, strategies and red lines are written on one line each, and a blank line separates
the sections, issues and parties.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from negsim.formats.names import YAML_WORDS

_NUMBERISH = re.compile(
    r"^[-+]?(\.[0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$"
    r"|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$|^~$"
)
_BREAKS = re.compile("[\r\x85\u2028\u2029]")
_SECTIONS = ("issues:", "parties:", "tracks:")
_SECTIONS_KEYS = ("issues", "parties", "tracks")
_FLOW_WIDTH = 96  # a one-line mapping or list longer than this is written as a block


class _Flow(dict):
    """A mapping to write on one line."""


class _FlowList(list):
    """A list to write on one line."""


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting strings that other YAML readers take for numbers."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if _BREAKS.search(text):  # PyYAML writes these raw, and reads them back as spaces
        style: str | None = '"'
    elif text.lower() in YAML_WORDS or _NUMBERISH.match(text):
        style = "'"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _flow(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _flow_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Flow, _flow)
_Dumper.add_representer(_FlowList, _flow_list)


def scenario_yaml(data: dict[str, Any]) -> str:
    """The scenario mapping `data` as YAML text that reads back as the same mapping.

    >>> print(scenario_yaml({"name": "x", "issues": {"i": {"options": {"no_": "No"}}}}), end="")
    name: x
    <BLANKLINE>
    issues:
      i:
        options:
          no_: 'No'
    """
    text = yaml.dump(
        _styled(data, ()),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    spaced = tuple(
        f"{key}:"
        for key, value in data.items()
        if key in _SECTIONS_KEYS
        and isinstance(value, dict)
        and value
        and all(isinstance(v, dict) for v in value.values())
    )
    return _spaced(text, spaced)


def _styled(node: Any, path: tuple[str, ...]) -> Any:
    """A copy of `node` with the short leaf mappings and lists marked for one-line style."""
    if isinstance(node, dict):
        out = {key: _styled(value, (*path, str(key))) for key, value in node.items()}
        one_line = path[-1:] in {("values",), ("strategy",), ("uncertainty",)}
        if one_line and _short(out):
            return _Flow(out)
        return out
    if isinstance(node, list):
        out_list = [_styled(value, path) for value in node]
        if all(not isinstance(v, dict | list) for v in out_list) and _short(out_list):
            return _FlowList(out_list)
        return out_list
    return node


def _short(node: dict[str, Any] | list[Any]) -> bool:
    """True for a leaf mapping or list that fits on a line."""
    items = node.items() if isinstance(node, dict) else ((None, v) for v in node)
    length = 0
    for key, value in items:
        if isinstance(value, dict | list) or (isinstance(value, str) and "\n" in value):
            return False
        length += len(str(key)) + len(str(value)) + 4
    return length <= _FLOW_WIDTH


def _spaced(text: str, spaced: tuple[str, ...]) -> str:
    """A blank line before each top-level section, and before each entry of the `spaced`
    sections (mappings of mappings, so their lines indented by two are their keys)."""
    lines = text.split("\n")  # not splitlines: YAML text may hold \x85 or \u2028 in scalars
    if lines and not lines[-1]:
        lines.pop()
    out: list[str] = []
    section = False
    for line in lines:
        top = bool(line) and not line[0].isspace()
        entry = section and line.startswith("  ") and not line.startswith("   ")
        starts_section = top and line.startswith(_SECTIONS)
        if out and (starts_section or (entry and not out[-1].endswith(":"))):
            out.append("")
        if top:
            section = line in spaced
        out.append(line)
    return "\n".join(out) + "\n"
