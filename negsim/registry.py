"""The one registry type: named classes of one kind (strategies, protocols), built by name.

A registry maps each class's `name` to the class, in the order they were registered; `build`
makes one from a name and its parameters, and `check_parameters` is the shared check that every
parameter given is one the class declares. Errors are `ValueError`s of one line, which the
scenario schema and the command line turn into messages naming the file and key.

>>> class Shape:
...     name = "shape"
>>> shapes: Registry[Shape] = Registry("shape")
>>> @shapes.register
... class Square(Shape):
...     name = "square"
>>> list(shapes), type(shapes.build("square")).__name__
(['square'], 'Square')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


class Registry[T](Mapping[str, type[T]]):
    """Classes of one kind by name, in registration order; `kind` names them in errors."""

    def __init__(self, kind: str, classes: Iterable[type[T]] = ()) -> None:
        self.kind = kind
        self._classes: dict[str, type[T]] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: type[T]) -> type[T]:
        """Add `cls` under its `name` (usable as a class decorator); a name is taken once."""
        name: str = cls.name  # type: ignore[attr-defined]  # each registered class names itself
        if name in self._classes:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._classes[name] = cls
        return cls

    def __getitem__(self, name: str) -> type[T]:
        return self._classes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    @property
    def classes(self) -> tuple[type[T], ...]:
        """The registered classes, in registration order."""
        return tuple(self._classes.values())

    def build(self, name: str, params: Mapping[str, Any] | None = None) -> T:
        """An instance of the class registered as `name`, given `params`.

        Raises:
            ValueError: for an unknown name or a bad parameter, with a one-line message.
        """
        cls = self._classes.get(name)
        if cls is None:
            known = ", ".join(sorted(self._classes))
            raise ValueError(f"unknown {self.kind} {name!r} (known: {known})")
        return cls(**dict(params or {}))


def check_parameters(kind: str, name: str, given: Iterable[str], known: Iterable[str]) -> None:
    """Raise a one-line `ValueError` for the first parameter of `given` that is not `known`.

    >>> check_parameters("protocol", "mediated", ["mediator", "speed"], ["mediator"])
    Traceback (most recent call last):
    ...
    ValueError: unknown parameter 'speed' for protocol 'mediated' (known: mediator)
    """
    allowed = set(known)
    unknown = sorted(set(given) - allowed, key=str)
    if unknown:
        listed = ", ".join(sorted(allowed)) or "none"
        raise ValueError(f"unknown parameter {unknown[0]!r} for {kind} {name!r} (known: {listed})")
