"""Webhook delivery: pending updates are posted to the bot's URL, as Telegram does.

While a webhook is set, each pending update is posted (JSON, one update a request, in order)
with the `X-Telegram-Bot-Api-Secret-Token` header. It leaves the queue only when the bot
answers 2xx; any other answer, a refused connection or a timeout is recorded as the webhook's
last error (getWebhookInfo) and the update is posted again after a back-off that doubles up
to a ceiling. The sandbox never reaches the internet: it posts only to loopback addresses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from sandbox.state import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Push:
    """One delivery attempt: the update, the bot's HTTP status (None: no answer), the error."""

    update_id: int
    status: int | None
    error: str | None
    # The bot got the request, but its answer was lost on the way back (injected).
    answer_lost: bool = False


class WebhookPusher:
    """Posts the world's pending updates to its webhook until stopped."""

    def __init__(
        self,
        world: World,
        first_retry: float = 0.05,
        max_retry: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        self.world = world
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.timeout = timeout
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin delivering (idle while no webhook is set)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sandbox:webhook")

    async def stop(self) -> None:
        """Stop delivering; an update being posted stays pending."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        delay = self.first_retry
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                changed = self.world.notifier.changed()
                url = self.world.webhook.get("url") or ""
                pending = self.world.updates.pending
                if not url or not pending:
                    await changed
                    continue
                changed.close()
                hook = self.world.webhook
                update = pending[0]
                try:
                    push = await self._post(session, url, update)
                except Exception as exc:  # the pusher must outlive any one failure
                    _LOG.exception("sandbox webhook delivery failed")
                    push = Push(update["update_id"], None, f"sandbox error: {exc!r}")
                self.world.pushes.append(push)
                if push.error is None:
                    self.world.updates.remove(update["update_id"])
                    delay = self.first_retry
                    continue
                self.world.webhook["last_error_date"] = self.world.now()
                self.world.webhook["last_error_message"] = push.error
                self.world.notifier.notify()
                await self._back_off(hook, delay)
                delay = min(delay * 2, self.max_retry)

    async def _back_off(self, hook: dict[str, Any], seconds: float) -> None:
        """Wait before posting again; a new setWebhook ends the wait (Telegram tries then)."""
        with contextlib.suppress(TimeoutError):
            await self.world.notifier.wait_for(lambda: self.world.webhook is not hook, seconds)

    async def _post(self, session: aiohttp.ClientSession, url: str, update: dict[str, Any]) -> Push:
        update_id = int(update["update_id"])
        if (urlsplit(url).hostname or "") not in LOOPBACK:
            return Push(update_id, None, "Failed to resolve host: the sandbox posts only locally")
        headers = {}
        secret = self.world.webhook.get("secret_token")
        if secret:
            headers[SECRET_HEADER] = secret
        try:
            async with session.post(url, json=update, headers=headers) as answer:
                await answer.read()
                status = answer.status
        except TimeoutError:
            return Push(update_id, None, "Read timeout expired")
        except aiohttp.ClientConnectionError:
            return Push(update_id, None, "Connection refused")
        lost = self.world.webhook_answers_lost
        if lost and 200 <= status <= 299:
            status, count = lost
            self.world.webhook_answers_lost = (status, count - 1) if count > 1 else None
            return Push(update_id, status, _wrong_response(status), answer_lost=True)
        if 200 <= status <= 299:
            return Push(update_id, status, None)
        return Push(update_id, status, _wrong_response(status))


def _wrong_response(status: int) -> str:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return f"Wrong response from the webhook: {status} {reason}".rstrip()
