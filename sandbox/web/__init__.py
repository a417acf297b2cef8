"""The playground's user side: a chat-app web page over the sandbox (aiohttp, static files)."""

from sandbox.web.app import build_web_app
from sandbox.web.host import Person, PlaygroundHost, Point

__all__ = ["Person", "PlaygroundHost", "Point", "build_web_app"]
