"""The aiohttp application answering Bot API requests: decoding, validation, recording."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox.errors import ApiError, bad_request
from sandbox.faults import fail
from sandbox.files import UploadedFile
from sandbox.methods import handler_for
from sandbox.schema import Schema
from sandbox.state import Call, World

_ATTACH = "attach://"
_LOG = logging.getLogger(__name__)


class BotApiServer:
    """Serves /bot<token>/<method> and /file/bot<token>/<path> for one World."""

    def __init__(self, world: World, schema: Callable[[], Schema]):
        self.world = world
        self.schema = schema

    def add_routes(self, app: web.Application) -> None:
        """Register the Bot API routes on an application."""
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self.handle_file)

    async def handle_method(self, request: web.Request) -> web.Response:
        """Answer one Bot API call and record it."""
        name = request.match_info["method"]
        params: dict[str, Any] = {}
        method = name
        try:
            if request.match_info["token"] != self.world.token:
                raise ApiError(401, "Unauthorized")
            schema = self.schema()
            canonical = schema.method_name(name)
            if canonical is None:
                raise ApiError(404, "Not Found")
            method = canonical
            params = await read_params(request, schema, method)
            schema.validate(method, params)
            fault = self.world.faults.take(method)
            if fault is not None:
                raise await fail(fault)
            result = handler_for(schema, method)(self.world, params)
            if inspect.isawaitable(result):
                result = await result
            response: dict[str, Any] = {"ok": True, "result": result}
        except ApiError as exc:
            response = exc.to_json()
        except Exception as exc:
            _LOG.exception("sandbox method %s failed", method)
            response = ApiError(500, f"Internal Server Error: {exc!r}").to_json()
        self.record(method, params, response)
        status = 200 if response["ok"] else int(response["error_code"])
        return web.json_response(response, status=status, dumps=_dumps)

    def record(self, method: str, params: dict[str, Any], response: dict[str, Any]) -> None:
        """Append a call to the log and wake waiters."""
        loop_time = asyncio.get_running_loop().time()
        self.world.calls.append(Call(method, params, response, loop_time, time.time()))
        self.world.notifier.notify()

    async def handle_file(self, request: web.Request) -> web.Response:
        """Serve a stored file's bytes by the file_path given out by getFile."""
        if request.match_info["token"] != self.world.token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        stored = self.world.files.by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def read_params(request: web.Request, schema: Schema, method: str) -> dict[str, Any]:
    """Decode query string, form, multipart or JSON parameters into typed values."""
    raw: dict[str, Any] = dict(request.query)
    typed: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise bad_request("can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            typed.update(body)
        elif ctype == "multipart/form-data":
            await _read_multipart(request, raw, files)
        else:
            form = await request.post()
            raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    params = schema.decode_form(method, raw)
    params.update(typed)
    _attach(schema, method, params, files)
    return params


async def _read_multipart(
    request: web.Request, raw: dict[str, Any], files: dict[str, UploadedFile]
) -> None:
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            data = bytes(await part.read())
            files[part.name] = UploadedFile(part.filename, content_type, data)
        else:
            raw[part.name] = await part.text()


def _attach(
    schema: Schema, method: str, params: dict[str, Any], files: dict[str, UploadedFile]
) -> None:
    fields = schema.fields(method)
    referenced = set(_attach_refs(params))
    for name, value in list(params.items()):
        types = fields.get(name, {}).get("types", [])
        if isinstance(value, str) and value.startswith(_ATTACH) and "InputFile" in types:
            key = value[len(_ATTACH) :]
            if key not in files:
                raise bad_request(f"file {key} not found in the request")
            params[name] = files[key]
    for key, upload in files.items():
        if key not in referenced:
            params[key] = upload


def _attach_refs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value[len(_ATTACH) :]] if value.startswith(_ATTACH) else []
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in _attach_refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _attach_refs(item)]
    return []


async def run_sandbox(
    host: str = "127.0.0.1",
    port: int = 8081,
    token: str = "123456:TEST",
    bot_username: str = "sandbox_bot",
    bot_name: str = "Sandbox Bot",
    flood_limits: bool = True,
) -> None:
    """Run a standalone sandbox server until cancelled, printing its URLs (`gridbot sandbox`)."""
    from sandbox.driver import Sandbox

    sb = Sandbox(
        token=token, bot_username=bot_username, bot_name=bot_name, flood_limits=flood_limits
    )
    base_url = await sb.start(host, port)
    print(f"Bot API base URL: {base_url}", flush=True)
    print(f"File base URL: {sb.base_file_url}", flush=True)
    print(f"Control API: {sb.url}/sandbox/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sb.stop()
