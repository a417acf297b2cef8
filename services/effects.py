"""What a caller does inside a use case's transaction.

Handlers speak Telegram and services do not, so a use case cannot render its own notices; it
takes `then`, the caller's rendering and enqueueing of them, and runs it in its transaction
before the commit: a change and the notices of it are stored together or not at all, and the
handler never opens a transaction itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

Then = Callable[[T], Awaitable[None]]
