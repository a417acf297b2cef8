"""A local stand-in for the Telegram Bot API, with a driver for end-to-end tests."""

from sandbox.actions import Injected
from sandbox.driver import Sandbox
from sandbox.errors import ApiError
from sandbox.server import run_sandbox
from sandbox.state import Call, Chat, User

__all__ = ["ApiError", "Call", "Chat", "Injected", "Sandbox", "User", "run_sandbox"]
