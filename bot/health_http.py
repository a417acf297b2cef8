"""/healthz and /metrics over HTTP: routes for any aiohttp app, or a small server of its own."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.monitor import Monitor


def add_routes(app: web.Application, monitor: Monitor) -> None:
    """Serve GET /healthz (200 or 503, JSON) and GET /metrics (Prometheus text) on `app`."""

    async def healthz(request: web.Request) -> web.Response:
        health = await monitor.health()
        body = {
            "status": "ok" if health.ok else "failing",
            "checks": {name: problem or "ok" for name, problem in health.problems.items()},
        }
        return web.json_response(body, status=200 if health.ok else 503)

    async def metrics(request: web.Request) -> web.Response:
        await monitor.refresh_gauges()
        response = web.Response(body=generate_latest(monitor.registry))
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)


async def start_health_server(monitor: Monitor, host: str, port: int) -> web.AppRunner:
    """Start a server with only /healthz and /metrics; the caller cleans the runner up."""
    app = web.Application()
    add_routes(app, monitor)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
