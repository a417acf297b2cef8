"""Domain refusals: a rule said no. They carry a catalog key, translated at the edge."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """An action was refused; `key` names the message catalog text that explains why."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class TextKey(str):
    """A value that is itself a catalog key, translated when the refusal is shown."""

    __slots__ = ()
