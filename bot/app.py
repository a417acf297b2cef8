"""The composition root: builds the Application from the configuration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

import handlers
import scheduler
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.health_http import start_health_server
from bot.monitor import Monitor
from bot.monitoring import CountingRequest, watch
from bot.persistence import SqlitePersistence
from bot.runtime import RUNTIME_KEY, GridApp, GridContext, Runtime
from bot.texts import Texts
from bot.updates import PerChatUpdateProcessor
from services.town_files import RUNTIME_KEY as TOWN_FILES
from services.town_files import load_town_files

log = logging.getLogger(__name__)

ALLOWED_UPDATES = Update.ALL_TYPES


def build_application(
    config: Config,
    *,
    clock: Clock | None = None,
    update_processor: BaseUpdateProcessor | None = None,
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
    texts = texts or Texts(default=config.bot.language)
    files = load_town_files(config)
    # PTB loads persisted conversations in initialize(), before post_init: the persistence
    # opens the database, and the runtime shares that one connection.
    persistence = SqlitePersistence(
        config.database.path, clock, update_interval=config.flows.persist_every.total_seconds()
    )
    monitor = monitor or Monitor(check_timeout=config.health.timeout.total_seconds())
    health_server: list[web.AppRunner] = []

    async def post_init(app: Application) -> None:
        db = await persistence.database()
        runtime = Runtime(
            config=config,
            db=db,
            texts=texts,
            clock=clock,
            bot_username=app.bot.username,
            extras={TOWN_FILES: files},
            monitor=monitor,
        )
        app.bot_data[RUNTIME_KEY] = runtime
        await handlers.publish_menu(app, texts, config.bot.language)
        if config.health.enabled:
            health = config.health
            health_server.append(await start_health_server(monitor, health.host, health.port))
            log.info("health and metrics on http://%s:%d/", health.host, health.port)

    async def post_shutdown(app: Application) -> None:
        while health_server:
            await health_server.pop().cleanup()
        app.bot_data.pop(RUNTIME_KEY, None)
        await persistence.close()

    tg = config.telegram
    builder: Any = (
        ApplicationBuilder()
        .token(token)
        .base_url(tg.api_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=config.tz))
        .context_types(ContextTypes(context=GridContext))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .persistence(persistence)
        # PTB's own transport, counting Bot API errors by status for /metrics.
        .request(CountingRequest(monitor, connection_pool_size=256))
        .get_updates_request(
            CountingRequest(
                monitor, polling=True, read_timeout=tg.poll_timeout.total_seconds() + 10
            )
        )
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
    builder = builder.concurrent_updates(update_processor or PerChatUpdateProcessor())
    app: GridApp = builder.build()
    # Two long polls' worth of silence, plus PTB's back-off after a failure, is stuck.
    watch(app, monitor, poll_stale_after=2 * tg.poll_timeout + timedelta(seconds=60))
    handlers.register(app)
    scheduler.register(app, config)
    return app


def run_polling(config: Config) -> None:
    """Run the bot with long polling until interrupted."""
    app = build_application(config)
    app.run_polling(
        allowed_updates=ALLOWED_UPDATES,
        timeout=int(config.telegram.poll_timeout.total_seconds()),
    )
