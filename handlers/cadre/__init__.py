"""The cadres' side: digests, the board, assessment, announcements, exports (SPEC §8)."""

from __future__ import annotations

from bot.runtime import GridApp
from handlers.cadre import announce, assess, board, digest, export
from handlers.common import MenuCommand, anywhere, private_only

MENU: list[MenuCommand] = [
    private_only("digest"),
    anywhere("board"),
    private_only("assess"),
    private_only("announce"),
    private_only("export"),
]


def register(app: GridApp) -> None:
    """Add every cadre command."""
    for feature in (digest, board, assess, announce, export):
        feature.register(app)
