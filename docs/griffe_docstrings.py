"""Docstrings as the API pages render them (a griffe extension, loaded by mkdocs.yml).

negsim's docstrings carry doctests outside any `Examples:` section, and Markdown would read a
bare `>>>` as three nested quotes and `[a][b]` in its output as a link: such runs become fenced
`pycon` blocks. An `Example:` section, which griffe's Google parser does not know, is read as
`Examples:`. An `Args:` entry naming several parameters at once (`mine, theirs: as in f`)
becomes one entry per parameter, as the Google style expects.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_SECTION = re.compile(r"^(\s*)(Examples|Args|Arguments|Parameters):\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_GROUPED = re.compile(r"^(\s+)([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+):(\s.*)?$")


def rewrite(text: str) -> str:
    r"""`text` with bare doctests fenced and grouped `Args:` entries split.

    >>> rewrite("Sum.\n>>> 1 + 1\n2\n\nDone.").splitlines()
    ['Sum.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    >>> rewrite("Args:\n    a, b: numbers.\n    c: another.").splitlines()
    ['Args:', '    a: numbers.', '    b: numbers.', '    c: another.']
    >>> rewrite("Example:\n    >>> 1 + 1\n    2").splitlines()
    ['Examples:', '    >>> 1 + 1', '    2']
    """
    lines = text.split("\n")
    out: list[str] = []
    fenced = False
    section: tuple[str, int] | None = None  # (kind, indentation) of the section we are in
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if _FENCE.match(line):
            fenced = not fenced
        if section is not None and stripped and indent <= section[1]:
            section = None
        if not fenced and stripped.rstrip() == "Example:":  # griffe knows the plural only
            line = line.replace("Example:", "Examples:")
        found = None if fenced else _SECTION.match(line)
        if found:
            section = (found.group(2), len(found.group(1)))
        elif section is not None and section[0] != "Examples":
            grouped = _GROUPED.match(line)
            if grouped and not fenced:
                pad, names, rest = grouped.group(1), grouped.group(2), grouped.group(3) or ""
                out.extend(f"{pad}{name.strip()}:{rest}" for name in names.split(","))
                i += 1
                continue
        elif section is None and not fenced and stripped.startswith(">>>"):
            pad = line[:indent]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i][indent:] if lines[i].startswith(pad) else lines[i].strip())
                i += 1
            if out and out[-1].strip():
                out.append("")
            out.extend([f"{pad}```pycon", *(pad + b for b in block), f"{pad}```"])
            continue  # the block ends at a blank line, which stays
        out.append(line)
        i += 1
    return "\n".join(out)


class DocstringRewrite(griffe.Extension):
    """Apply `rewrite` to every docstring as griffe loads it."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
