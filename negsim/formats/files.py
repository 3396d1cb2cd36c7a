"""Reading GENIUS XML and GeniusWeb JSON files, and telling them apart by their content.

Every problem is a `ScenarioError` naming the file: a parse error gives its line and column, so a
user never sees a traceback for a broken file.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from enum import Enum
from pathlib import Path
from typing import Any

from negsim.errors import ScenarioError

GENIUSWEB_PROFILE_KINDS = (
    "LinearAdditiveUtilitySpace",
    "SumOfGroupsUtilitySpace",
    "DefaultPartialOrdering",
    "DefaultProfile",
)
"""Top-level keys of the GeniusWeb profile kinds: only the first is read, the others are named
in the error."""


class Kind(Enum):
    """What a domain or profile file holds."""

    GENIUS_DOMAIN = "GENIUS domain"
    GENIUS_PROFILE = "GENIUS utility space"
    GENIUSWEB_DOMAIN = "GeniusWeb domain"
    GENIUSWEB_PROFILE = "GeniusWeb profile"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a `ScenarioError` saying why they cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(str(path), "", "no such file") from None
    except IsADirectoryError:
        raise ScenarioError(str(path), "", "a folder, not a file") from None
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc.strerror}") from None


def load_xml(path: Path) -> ET.Element:
    """The root element of an XML file; a parse error names its line and column."""
    data = read_bytes(path)
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        problem = str(exc).split(": line ")[0]
        raise ScenarioError(
            str(path), f"line {line}, column {column + 1}", f"not valid XML: {problem}"
        ) from None


def load_json(path: Path) -> Any:
    """The value in a JSON file; a parse error names its line and column.

    A key given twice in one object, NaN or Infinity is an error too (JSON readers differ on them),
    and so is nesting deeper than `MAX_JSON_DEPTH` (it would overflow Python's stack later).
    """
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            str(path), f"byte {exc.start + 1}", "not valid JSON: not UTF-8 text"
        ) from None

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _DuplicateKey(key)
            out[key] = value
        return out

    def constant(name: str) -> float:
        raise _BadConstant(name)

    deep = f"arrays and objects nested more than {MAX_JSON_DEPTH} deep: negsim reads no deeper"
    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except RecursionError:
        raise ScenarioError(str(path), "", deep) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            str(path), f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}"
        ) from None
    except _DuplicateKey as exc:
        raise ScenarioError(str(path), str(exc.args[0]), "key given twice in one object") from None
    except _BadConstant as exc:
        raise ScenarioError(
            str(path), "", f"not valid JSON: {exc.args[0]} is not a number"
        ) from None
    if _depth_over(value, MAX_JSON_DEPTH):
        raise ScenarioError(str(path), "", deep)
    return value


MAX_JSON_DEPTH = 100
"""How deeply a JSON file's arrays and objects may nest (GeniusWeb files nest about 6 deep)."""


def _depth_over(value: Any, limit: int) -> bool:
    """True when `value` nests arrays and objects more than `limit` deep (without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in children)
    return False


class _DuplicateKey(Exception):
    pass


class _BadConstant(Exception):
    pass


def kind_of_xml(root: ET.Element) -> Kind | None:
    """GENIUS domain (`negotiation_template`), utility space (`utility_space`), or neither."""
    if root.tag == "negotiation_template":
        return Kind.GENIUS_DOMAIN
    if root.tag == "utility_space":
        return Kind.GENIUS_PROFILE
    return None


def kind_of_json(data: Any) -> Kind | None:
    """GeniusWeb domain (`issuesValues`), profile (one key naming its kind), or neither."""
    if not isinstance(data, dict):
        return None
    if "issuesValues" in data:
        return Kind.GENIUSWEB_DOMAIN
    if len(data) == 1:
        (key,) = data
        if key in GENIUSWEB_PROFILE_KINDS or key.endswith(("UtilitySpace", "Ordering", "Profile")):
            return Kind.GENIUSWEB_PROFILE
    return None


def sniff(path: Path) -> tuple[Kind | None, Any]:
    """What `path` holds, by its content (read by its suffix, `.xml` or `.json`), and the parse."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        root = load_xml(path)
        return kind_of_xml(root), root
    if suffix == ".json":
        data = load_json(path)
        return kind_of_json(data), data
    return None, None
