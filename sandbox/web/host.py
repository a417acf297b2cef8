"""What the web page needs from whoever runs the playground (the bot side provides it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sandbox.driver import Sandbox


@dataclass(frozen=True)
class Person:
    """Someone the page can act as: a sandbox user with a role shown beside the name."""

    user_id: int
    name: str
    role: str
    role_label: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        """The person as the page reads it."""
        return {"id": self.user_id, "name": self.name, "role": self.role, "label": self.role_label}


@dataclass(frozen=True)
class Point:
    """A fixed place the page offers to share as a location."""

    label: dict[str, str]
    latitude: float
    longitude: float

    def to_json(self) -> dict[str, Any]:
        """The point as the page reads it."""
        return {"label": self.label, "lat": self.latitude, "lon": self.longitude}


class PlaygroundHost(Protocol):
    """The running playground: its current sandbox, people, training and controls."""

    @property
    def sandbox(self) -> Sandbox:
        """The sandbox the bot talks to now (a reset replaces it)."""
        ...

    @property
    def generation(self) -> int:
        """Increases at every reset, so pages know to start over."""
        ...

    def people(self) -> list[Person]:
        """Who the page can act as, in the order shown."""
        ...

    def points(self) -> list[Point]:
        """Places offered for sharing a location."""
        ...

    def ui_texts(self) -> dict[str, dict[str, str]]:
        """The page's own words: language → key → text."""
        ...

    def font_path(self) -> Path | None:
        """The Chinese font file served as the page's web font."""
        ...

    async def training(self, user_id: int, language: str) -> list[dict[str, Any]]:
        """The person's training tasks: key, text and whether the database shows it done."""
        ...

    async def clock(self) -> str:
        """The bot's current time, as the town reads it."""
        ...

    async def advance(self, hours: float) -> str:
        """Move the bot's clock forward, run what became due, return the new time."""
        ...

    async def reset(self) -> None:
        """Put the town back to the start."""
        ...
