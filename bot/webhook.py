"""Webhook mode: Telegram posts updates to our own HTTP server, which stores them first.

PTB's webhook server answers Telegram as soon as it has queued an update, before anything is
stored; this small aiohttp server answers 200 only after the durable inbox has stored the
update (`Inbox.accept`), so an update Telegram was told we have is never lost. Anything
else — a wrong secret token (403), an unreadable body (400), a database that failed (500) —
is not 2xx, and Telegram posts the update again later. The same server serves /healthz
and /metrics. The webhook stays set on shutdown: Telegram keeps the updates meanwhile.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import WEBHOOK_SECRET_ENV, Config, ConfigError
from bot.health_http import add_routes
from bot.inbox import Inbox
from bot.monitor import Monitor

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
log = logging.getLogger(__name__)


def webhook_settings(config: Config) -> tuple[str, str]:
    """The address Telegram posts to and the secret token; ConfigError when either is
    missing or malformed."""
    hook = config.telegram.webhook
    if not hook.url:
        raise ConfigError("webhook mode needs [telegram.webhook] url (the public HTTPS address)")
    secret = config.webhook_secret()
    if not secret:
        raise ConfigError(
            f"webhook mode needs a secret token: set {WEBHOOK_SECRET_ENV} "
            "(or [telegram.webhook] secret_token)"
        )
    if not _SECRET.match(secret):
        raise ConfigError(
            f"{WEBHOOK_SECRET_ENV}: 1 to 256 characters of A-Z, a-z, 0-9, _ and - only"
        )
    return hook.address(), secret


class WebhookServer:
    """Takes Telegram's posts into the inbox; serves /healthz and /metrics beside them."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        inbox: Inbox,
        monitor: Monitor,
        *,
        path: str,
        secret: str,
    ) -> None:
        self._app = app
        self._inbox = inbox
        self._monitor = monitor
        self._path = path
        self._secret = secret.encode()
        self._runner: web.AppRunner | None = None

    def build(self) -> web.Application:
        """The aiohttp application: POST `path`, GET /healthz, GET /metrics."""
        web_app = web.Application()
        web_app.router.add_post(self._path, self.receive)
        add_routes(web_app, self._monitor)
        return web_app

    async def receive(self, request: web.Request) -> web.Response:
        """Store one posted update, and only then answer 200."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook post refused: wrong or missing secret token")
            return web.Response(status=403)
        try:
            raw = await request.json()
            update = Update.de_json(raw, self._app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            update = None
        if update is None or not isinstance(update.update_id, int):
            log.warning("webhook post refused: not an update")
            return web.Response(status=400)
        try:
            await self._inbox.accept([(update, raw)])
        except Exception:
            # Not stored, so not confirmed: Telegram posts it again.
            log.exception("could not store update %s; Telegram sends it again", update.update_id)
            return web.Response(status=500)
        return web.Response(status=200)

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (0: any free port); returns the port bound."""
        runner = web.AppRunner(self.build(), access_log=None, shutdown_timeout=10.0)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        self._inbox.fed_by = "webhook"
        bound: int = runner.addresses[0][1]
        return bound

    async def register(
        self, url: str, allowed_updates: Sequence[str], max_connections: int = 40
    ) -> None:
        """Tell Telegram where to post (pending updates are kept: never dropped)."""
        await self._app.bot.set_webhook(
            url,
            secret_token=self._secret.decode(),
            allowed_updates=list(allowed_updates),
            max_connections=max_connections,
            drop_pending_updates=False,
        )

    async def stop(self) -> None:
        """Stop listening once the posts being stored are answered; the webhook stays set."""
        self._inbox.fed_by = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
