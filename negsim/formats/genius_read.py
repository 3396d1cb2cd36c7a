"""Reading GENIUS domains (`negotiation_template`) and linear-additive utility spaces.

GENIUS computes `U(o) = sum_i w_i * eval_i(o_i) / max_k eval_i(k)` from the `<weight index>`
and `<item evaluation>` elements of one objective; `<reservation value>` defaults to 0 and
`<discount_factor value>` to 1 (GENIUS reads 0, or anything outside (0, 1], as no discount).
Issues and evaluations are matched as GENIUS matches them: issues by index (their names must
agree too), items by their `value` text. Only discrete issues under one objective are read;
anything else is a `ScenarioError` naming the file and the element.
"""

from __future__ import annotations

import math
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

from negsim.errors import ScenarioError, ScenarioWarning
from negsim.formats.files import load_xml
from negsim.formats.mapping import DomainSize, DomainSpec, ProfileSpec

_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_DOMAIN_SUFFIX = re.compile(r"[-_ ]?(domain|template)$", re.IGNORECASE)


def read_genius_domain(path: Path, root: ET.Element | None = None) -> DomainSpec:
    """The issues and values of a GENIUS domain file (root `negotiation_template`)."""
    file = str(path)
    root = load_xml(path) if root is None else root
    if root.tag != "negotiation_template":
        raise ScenarioError(
            file, root.tag, "not a GENIUS domain: its root element must be negotiation_template"
        )
    space = root.find("utility_space")
    if space is None:
        raise ScenarioError(file, "negotiation_template", "no utility_space element")
    objective = _objective(space, file)
    issues: list[tuple[str, list[str]]] = []
    seen: dict[int, str] = {}
    size = DomainSize(file)
    for element in objective.findall("issue"):
        index, name = _issue_head(element, file)
        where = f"issue {name!r}"
        if index in seen:
            raise ScenarioError(file, where, f"index {index} is also issue {seen[index]!r}")
        if name in size.names:
            raise ScenarioError(file, where, "two issues have this name")
        seen[index] = name
        items = element.findall("item")
        size.add(name, where, len(items))
        values: dict[str, None] = {}  # ordered, with constant-time membership
        for k, item in enumerate(items, start=1):
            value = item.get("value")
            if value is None:
                raise ScenarioError(file, f"{where}, item {k}", "missing attribute value")
            if value in values:
                raise ScenarioError(file, f"{where}, item {value!r}", "value given twice")
            values[value] = None
        issues.append((name, list(values)))
    if not issues:
        raise ScenarioError(file, "objective", "no issue elements: the domain has no issues")
    stem = _DOMAIN_SUFFIX.sub("", path.stem) or path.stem
    indices = {name: index for index, name in seen.items()}
    return DomainSpec(fmt="GENIUS", file=path, name=stem, issues=issues, indices=indices)


def read_genius_profile(
    path: Path, domain: DomainSpec, root: ET.Element | None = None
) -> ProfileSpec:
    """One party's utility space (root `utility_space`) over `domain`, values in [0, 1]."""
    file = str(path)
    root = load_xml(path) if root is None else root
    if root.tag != "utility_space":
        raise ScenarioError(
            file, root.tag, "not a GENIUS utility space: its root element must be utility_space"
        )
    if (root.get("type") or "").upper() == "UNCERTAIN":
        warnings.warn(
            f"{file}: an uncertain preference profile (type UNCERTAIN): read as its true utility "
            "space; its elicitation settings (comparisons, errors) are not used",
            ScenarioWarning,
            stacklevel=2,
        )
    objective = _objective(root, file)
    elements = objective.findall("issue")
    heads = [_issue_head(element, file) for element in elements]
    index_of = domain.indices
    names = [name for _, name in heads]
    if not set(names) & set(index_of):
        raise ScenarioError(
            file,
            "objective",
            f"a profile for another domain: its issues ({', '.join(names) or 'none'}) are not "
            f"those of {domain.file.name} ({', '.join(index_of)})",
        )
    weights = _weights(objective, file, {index: name for index, name in heads})
    values: dict[str, dict[str, float]] = {}
    for element, (index, name) in zip(elements, heads, strict=True):
        where = f"issue {name!r}"
        if name not in index_of:
            raise ScenarioError(file, where, f"unknown issue: {domain.file.name} has no such issue")
        if index != index_of[name]:
            raise ScenarioError(
                file, where, f"index {index} here but {index_of[name]} in {domain.file.name}"
            )
        if name in values:
            raise ScenarioError(file, where, "two issues have this name")
        values[name] = _evaluations(element, file, where, domain.values_of(name), weights[name])
    for name, _ in domain.issues:
        if name not in values:
            raise ScenarioError(
                file, f"issue {name!r}", "missing: the profile has no evaluations for this issue"
            )
    return ProfileSpec(
        file=path,
        name=path.stem,
        label=path.stem,
        weights={name: weights[name] for name, _ in domain.issues},
        values={name: values[name] for name, _ in domain.issues},
        reservation=_reservation(root, file),
        discount=_discount(root, file),
    )


def _objective(parent: ET.Element | None, file: str) -> ET.Element:
    """The one objective under `parent`, refusing nested objectives."""
    objective = None if parent is None else parent.find("objective")
    if objective is None:
        raise ScenarioError(file, "utility_space", "no objective element")
    nested = objective.find("objective")
    if nested is not None:
        raise ScenarioError(
            file,
            f"objective {nested.get('name')!r}",
            "nested objectives are not supported (GENIUS itself ignores their weights): put "
            "every issue directly under the one root objective",
        )
    return objective


def _issue_head(element: ET.Element, file: str) -> tuple[int, str]:
    """An issue element's index and name, refusing non-discrete issues."""
    name = element.get("name")
    where = f"issue {name!r}" if name is not None else f"issue index={element.get('index')}"
    if name is None:
        raise ScenarioError(file, where, "missing attribute name")
    index_text = element.get("index")
    if index_text is None:
        raise ScenarioError(file, where, "missing attribute index")
    try:
        index = int(index_text)
    except ValueError:
        raise ScenarioError(file, where, f"index {index_text!r} is not a whole number") from None
    kind = element.get("type") or element.get("vtype") or element.get("etype") or "discrete"
    if kind.lower() != "discrete":
        raise ScenarioError(
            file,
            where,
            f"a {kind} issue: negsim reads discrete issues only (each option a named value); "
            "discretise it in GENIUS first",
        )
    return index, name


def _number(text: str | None, file: str, where: str, attribute: str) -> float:
    """A number attribute, as GENIUS's Double.valueOf reads it."""
    if text is None:
        raise ScenarioError(file, where, f"missing attribute {attribute}")
    if not _NUMBER.match(text):
        raise ScenarioError(file, where, f"{attribute} {text!r} is not a number")
    number = float(text)
    if not math.isfinite(number):
        raise ScenarioError(
            file, where, f"{attribute} {text!r} is out of range (beyond a double's 1.8e308)"
        )
    return number


def _weights(objective: ET.Element, file: str, issues: dict[int, str]) -> dict[str, float]:
    """Issue name -> weight from the objective's `<weight index value>` elements."""
    weights: dict[str, float] = {}
    for element in objective.findall("weight"):
        index_text = element.get("index")
        where = f"weight index={index_text}"
        if index_text is None:
            raise ScenarioError(file, "weight", "missing attribute index")
        try:
            index = int(index_text)
        except ValueError:
            raise ScenarioError(
                file, where, f"index {index_text!r} is not a whole number"
            ) from None
        if index not in issues:
            raise ScenarioError(file, where, "no issue has this index")
        if issues[index] in weights:
            raise ScenarioError(file, where, "a second weight for this issue")
        weight = _number(element.get("value"), file, where, "value")
        if weight < 0:
            raise ScenarioError(file, where, f"weight {weight:g} is negative")
        weights[issues[index]] = weight
    for index, name in issues.items():
        if name not in weights:
            raise ScenarioError(
                file, f"issue {name!r}", f'missing weight: no <weight index="{index}"> element'
            )
    return weights


def _evaluations(
    element: ET.Element, file: str, where: str, domain_values: list[str], weight: float
) -> dict[str, float]:
    """Value -> evaluation / largest evaluation, for one issue element."""
    raw: dict[str, float] = {}
    known = set(domain_values)
    twice = 0
    for k, item in enumerate(element.findall("item"), start=1):
        value = item.get("value")
        if value is None:
            raise ScenarioError(file, f"{where}, item {k}", "missing attribute value")
        at = f"{where}, item {value!r}"
        if value not in known:
            raise ScenarioError(file, at, "unknown value: not one of the domain's for this issue")
        evaluation = _number(item.get("evaluation"), file, at, "evaluation")
        if evaluation < 0:
            raise ScenarioError(
                file, at, f"evaluation {evaluation:g} is negative; evaluations must be >= 0"
            )
        if value in raw:
            twice += 1
            if twice == 1:  # one warning per issue, however many repeats
                warnings.warn(
                    f"{file}: {at}: given twice; the last evaluation ({evaluation:g}) counts, as "
                    "in GENIUS",
                    ScenarioWarning,
                    stacklevel=2,
                )
        raw[value] = evaluation
    for value in domain_values:
        if value not in raw:
            raise ScenarioError(
                file, f"{where}, item {value!r}", "evaluation missing for this value"
            )
    top = max(raw.values(), default=0.0)
    if top <= 0:
        if weight > 0:
            raise ScenarioError(
                file,
                where,
                f"every evaluation is 0, so the issue's weight {weight:g} can never count "
                "(GENIUS divides by the largest evaluation)",
            )
        return {value: 0.0 for value in domain_values}
    return {value: raw[value] / top for value in domain_values}


def _reservation(root: ET.Element, file: str) -> float:
    """`<reservation value>`, 0 when there is none."""
    element = root.find("reservation")
    if element is None:
        return 0.0
    value = _number(element.get("value"), file, "reservation", "value")
    if not 0.0 <= value <= 1.0:
        raise ScenarioError(file, "reservation", f"value {value:g} must lie in [0, 1]")
    return value


def _discount(root: ET.Element, file: str) -> float:
    """`<discount_factor value>` as GENIUS reads it: 1 when missing, 0, or outside (0, 1]."""
    element = root.find("discount_factor")
    if element is None:
        return 1.0
    value = _number(element.get("value"), file, "discount_factor", "value")
    if value < 0 or value > 1:
        warnings.warn(
            f"{file}: discount_factor {value:g} lies outside [0, 1]; read as 1 (no discount), "
            "as GENIUS does",
            ScenarioWarning,
            stacklevel=2,
        )
        return 1.0
    return value if value > 0 else 1.0
