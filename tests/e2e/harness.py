"""The end-to-end harness: the demo's stage with the small test town."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.demo.stage import START, Stage, buttons
from tests.town import test_town

__all__ = ["START", "Harness", "buttons"]


class Harness(Stage):
    """The real bot against the sandbox, with the test town imported."""

    def __init__(
        self,
        tmp: Path,
        settings: dict[str, Any] | None = None,
        flood_limits: bool = False,
        webhook: bool = False,
    ) -> None:
        super().__init__(
            tmp, test_town(), settings=settings, flood_limits=flood_limits, webhook=webhook
        )
