"""`gridbot playground` (and `make demo` after its walkthrough): the bot in a web chat page.

The page (`sandbox/web/`) plays the users' side of Telegram; the unmodified bot runs against
the sandbox as in the tests. `Playground` (host.py) builds the town and its people.
"""

from __future__ import annotations

import asyncio
import errno
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.playground.host import Playground
from sandbox.web import build_web_app
from services.roster import Roster

__all__ = ["Playground", "WebServer", "run_playground"]


class WebServer:
    """The playground page served over HTTP (localhost unless told otherwise)."""

    def __init__(self, playground: Playground) -> None:
        self.playground = playground
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve the page; a busy port falls back to a free one. Returns the URL."""
        runner = web.AppRunner(
            build_web_app(self.playground),
            handler_cancellation=True,
            shutdown_timeout=1.0,
            access_log=None,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or port == 0:
                await runner.cleanup()
                raise
            await web.TCPSite(runner, host, 0).start()
        self._runner = runner
        bound = runner.addresses[0][1]
        shown = "localhost" if host in ("127.0.0.1", "localhost") else host
        self.url = f"http://{shown}:{bound}/"
        return self.url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def run_playground(
    folder: Path,
    roster: Roster,
    settings: dict[str, Any] | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    language: str = "zh",
) -> int:
    """Build the town, serve the page and run until interrupted (Ctrl-C)."""
    playground = await Playground(folder, roster, settings, language=language).open()
    server = WebServer(playground)
    try:
        url = await server.start(host, port)
        plan = playground.plan
        print(
            f"\nplayground: open {url} in a browser "
            f"({plan.micro_grid.name}, {plan.grid.name}, {plan.village.name}); Ctrl-C stops it",
            flush=True,
        )
        await asyncio.Event().wait()
    finally:
        await server.stop()
        await playground.close()
    return 0
