"""The composition root: builds the Application from the configuration."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
)

import handlers
import scheduler
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.health_http import start_health_server
from bot.inbox import Inbox, Poller
from bot.monitor import Monitor
from bot.monitoring import CountingRequest, watch
from bot.outbox import Sender
from bot.persistence import SqlitePersistence
from bot.runtime import RUNTIME_KEY, GridApp, GridContext, Runtime
from bot.texts import Texts
from models.limits import PersonLimits
from services.town_files import load_town_files

log = logging.getLogger(__name__)

ALLOWED_UPDATES = Update.ALL_TYPES


def build_application(
    config: Config,
    *,
    clock: Clock | None = None,
    texts: Texts | None = None,
    monitor: Monitor | None = None,
) -> GridApp:
    """Build the bot: handlers, jobs, rate limiter, persistence; the town's files are checked
    here (ConfigError on a mistake); the database opens with the persistence. A caller that
    serves /healthz and /metrics itself (webhook mode) passes the `monitor` it mounts."""
    token = config.token()
    if not token:
        raise ValueError("no bot token: set GRIDBOT_TOKEN or [telegram] token")
    clock = clock or SystemClock()
    if config.cadre.digest.catch_up_within is not None:
        log.warning(
            "[cadre.digest] catch_up_within is no longer used (a missed digest is caught up "
            "while its day or week lasts); remove it from the config"
        )
    if config.households.flow_timeout is not None:
        log.warning(
            "[households] flow_timeout is deprecated: [flows] timeout is the one idle timeout "
            "for every question; move the value there"
        )
    texts = texts or Texts(default=config.bot.language)
    files = load_town_files(config)
    # PTB loads persisted conversations in initialize(), before post_init: the persistence
    # opens the database, and the runtime shares that one connection.
    persistence = SqlitePersistence(
        config.database.path, clock, update_interval=config.flows.persist_every.total_seconds()
    )
    monitor = monitor or Monitor(check_timeout=config.health.timeout.total_seconds())
    health_server: list[web.AppRunner] = []
    tg = config.telegram
    polling_request = CountingRequest(
        monitor, polling=True, read_timeout=tg.poll_timeout.total_seconds() + 10
    )

    async def post_init(app: Application) -> None:
        db = await persistence.database()
        sender = Sender(app.bot, db, clock, config.outbox)
        runtime = Runtime(
            config=config,
            db=db,
            texts=texts,
            clock=clock,
            inbox=Inbox(
                app,
                db,
                clock,
                max_concurrent=config.inbox.max_concurrent,
                updates_request=polling_request,
            ),
            limits=PersonLimits(
                reports=config.limits.reports_per_hour, actions=config.limits.actions_per_minute
            ),
            bot_username=app.bot.username,
            outbox=sender,
            files=files,
            presenters=handlers.presenters(),
            features=handlers.features(),
            monitor=monitor,
        )
        app.bot_data[RUNTIME_KEY] = runtime
        sender.start()
        await handlers.publish_menu(app, texts, config.bot.language)
        if config.health.enabled:
            health = config.health
            health_server.append(await start_health_server(monitor, health.host, health.port))
            log.info("health and metrics on http://%s:%d/", health.host, health.port)

    async def post_stop(app: Application) -> None:
        # Before the bot's HTTP client closes: a notice in flight stays pending.
        runtime: Runtime | None = app.bot_data.get(RUNTIME_KEY)
        if runtime is not None:
            await runtime.outbox.stop()

    async def post_shutdown(app: Application) -> None:
        await post_stop(app)
        while health_server:
            await health_server.pop().cleanup()
        app.bot_data.pop(RUNTIME_KEY, None)
        await persistence.close()

    builder: Any = (
        ApplicationBuilder()
        .token(token)
        .base_url(tg.api_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=config.tz))
        .context_types(ContextTypes(context=GridContext))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .persistence(persistence)
        # Updates come from the durable inbox (bot.inbox), never from PTB's updater, which
        # confirms updates to Telegram before they are handled.
        .updater(None)
        # PTB's own transport, counting Bot API errors by status for /metrics.
        .request(CountingRequest(monitor, connection_pool_size=256))
        .get_updates_request(polling_request)
    )
    if tg.api_file_url:
        builder = builder.base_file_url(tg.api_file_url)
    if tg.rate_limit.enabled:
        builder = builder.rate_limiter(
            AIORateLimiter(
                overall_max_rate=tg.rate_limit.overall_per_second,
                overall_time_period=1,
                group_max_rate=tg.rate_limit.group_per_minute,
                group_time_period=60,
                max_retries=tg.rate_limit.max_retries,
            )
        )
    app: GridApp = builder.build()
    # Two long polls' worth of silence, plus PTB's back-off after a failure, is stuck.
    watch(app, monitor, poll_stale_after=2 * tg.poll_timeout + timedelta(seconds=60))
    handlers.register(app)
    scheduler.register(app, config)
    return app


async def start(app: GridApp) -> Inbox:
    """Start a built Application (the order of PTB's run_polling) and hand it the updates
    left unfinished by the last run; returns its inbox."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    inbox = app.bot_data[RUNTIME_KEY].inbox
    await inbox.recover()
    return inbox


async def stop(app: GridApp) -> None:
    """Finish what is queued, then stop and shut down the Application."""
    runtime: Runtime | None = app.bot_data.get(RUNTIME_KEY)
    if runtime is not None:
        await runtime.inbox.drain()
    if app.running:
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def serve_polling(config: Config, stopping: asyncio.Event) -> None:
    """Run the bot with long polling into the durable inbox until `stopping` is set."""
    app = build_application(config)
    inbox = await start(app)
    try:
        poller = Poller(
            app,
            inbox,
            timeout=int(config.telegram.poll_timeout.total_seconds()),
            allowed_updates=ALLOWED_UPDATES,
        )
        await poller.run(stopping)
    finally:
        await stop(app)


async def serve_webhook(config: Config, stopping: asyncio.Event) -> None:
    """Run the bot with a webhook into the durable inbox until `stopping` is set: our own
    server listens first, then Telegram is told the address; the webhook stays set after."""
    from bot.webhook import WebhookServer, webhook_settings

    url, secret = webhook_settings(config)
    hook = config.telegram.webhook
    monitor = Monitor(check_timeout=config.health.timeout.total_seconds())
    app = build_application(config, monitor=monitor)
    inbox = await start(app)
    server = WebhookServer(app, inbox, monitor, path=hook.path, secret=secret)
    try:
        port = await server.start(hook.listen, hook.port)
        await server.register(url, ALLOWED_UPDATES, hook.max_connections)
        log.info("webhook %s set; listening on http://%s:%d%s", url, hook.listen, port, hook.path)
        await stopping.wait()
    finally:
        await server.stop()
        await stop(app)


def run(config: Config, webhook: bool = False) -> None:
    """Run the bot (long polling, or a webhook) until SIGINT or SIGTERM."""

    async def main() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)
        if webhook:
            await serve_webhook(config, stopping)
        else:
            await serve_polling(config, stopping)

    asyncio.run(main())
