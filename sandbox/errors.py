"""Telegram-style API errors raised by sandbox method implementations."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered to the bot exactly as the Bot API would answer it."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """Return the Bot API error body."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """Build a 400 error with the usual "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {message}", parameters)


def forbidden(message: str) -> ApiError:
    """Build a 403 error with the usual "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {message}")
