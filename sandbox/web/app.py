"""The playground's aiohttp application: the page, its JSON API, live events, files, the font.

The page only acts on the sandbox's user side (what a person can do in Telegram); the bot
behind the sandbox is the unmodified one.
"""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from typing import Any
from urllib.parse import quote

from aiohttp import web

from sandbox.state import Chat, User
from sandbox.web.host import PlaygroundHost
from sandbox.web.views import chat_view, chats_of

HOST_KEY = web.AppKey("playground_host", PlaygroundHost)
# How long a button press waits for the bot's answer (Telegram's spinner lasts as long).
ANSWER_WAIT = 5.0
KEEPALIVE = 15.0
LANGUAGES = ("zh", "en")


def build_web_app(host: PlaygroundHost) -> web.Application:
    """The page at /, its API under /play/."""
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[HOST_KEY] = host
    static = resources.files("sandbox.web").joinpath("static")
    app.router.add_get("/", _page)
    app.router.add_static("/static/", path=str(static), append_version=True)
    app.router.add_get("/play/font.otf", _font)
    app.router.add_get("/play/setup", _setup)
    app.router.add_get("/play/chats", _chats)
    app.router.add_get("/play/chat", _chat)
    app.router.add_post("/play/send", _send)
    app.router.add_post("/play/press", _press)
    app.router.add_post("/play/location", _location)
    app.router.add_post("/play/photo", _photo)
    app.router.add_get("/play/file/{file_id}", _file)
    app.router.add_get("/play/events", _events)
    app.router.add_get("/play/training", _training)
    app.router.add_post("/play/clock", _advance)
    app.router.add_post("/play/reset", _reset)
    return app


def _host(request: web.Request) -> PlaygroundHost:
    return request.app[HOST_KEY]


def _json(value: Any, status: int = 200) -> web.Response:
    return web.json_response(
        value, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False)
    )


def _person(request: web.Request, body: dict[str, Any]) -> User:
    host = _host(request)
    try:
        user_id = int(body.get("user", ""))
    except ValueError:
        raise web.HTTPBadRequest(text="user expected") from None
    if user_id not in {p.user_id for p in host.people()}:
        raise web.HTTPBadRequest(text="not one of the playground's people")
    user = host.sandbox.world.user(user_id)
    if user is None:
        raise web.HTTPBadRequest(text="unknown user")
    return user


def _chat_for(request: web.Request, body: dict[str, Any], user: User) -> Chat:
    sb = _host(request).sandbox
    try:
        chat_id = int(body.get("chat", ""))
    except ValueError:
        raise web.HTTPBadRequest(text="chat expected") from None
    if chat_id == user.id:
        return sb.world.private_chat(user)
    chat = sb.world.chats.get(chat_id)
    if chat is None or not chat.is_group or chat.members.get(user.id) is None:
        raise web.HTTPNotFound(text="no such chat for this person")
    return chat


def _language(request: web.Request) -> str:
    language = request.query.get("lang", "zh")
    return language if language in LANGUAGES else "zh"


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="JSON body expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="JSON object expected")
    return body


async def _page(request: web.Request) -> web.Response:
    page = resources.files("sandbox.web").joinpath("static", "index.html")
    return web.Response(text=page.read_text("utf-8"), content_type="text/html")


async def _font(request: web.Request) -> web.StreamResponse:
    path = _host(request).font_path()
    if path is None or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "max-age=86400"})


async def _setup(request: web.Request) -> web.Response:
    host = _host(request)
    return _json(
        {
            "people": [p.to_json() for p in host.people()],
            "points": [p.to_json() for p in host.points()],
            "ui": host.ui_texts(),
            "bot": host.sandbox.bot.to_api(),
            "generation": host.generation,
            "clock": await host.clock(),
        }
    )


async def _chats(request: web.Request) -> web.Response:
    user = _person(request, dict(request.query))
    return _json(chats_of(_host(request).sandbox, user))


async def _chat(request: web.Request) -> web.Response:
    body = dict(request.query)
    user = _person(request, body)
    chat = _chat_for(request, body, user)
    return _json(chat_view(_host(request).sandbox, chat, user, _language(request)))


async def _send(request: web.Request) -> web.Response:
    body = await _body(request)
    user = _person(request, body)
    chat = _chat_for(request, body, user)
    text = str(body.get("text") or "").strip()
    if not text:
        raise web.HTTPBadRequest(text="empty message")
    reply_to = body.get("reply_to")
    sb = _host(request).sandbox
    try:
        sent = sb.send_text(user, chat, text, reply_to=int(reply_to) if reply_to else None)
    except (KeyError, ValueError) as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return _json({"message_id": sent.message_id})


async def _press(request: web.Request) -> web.Response:
    body = await _body(request)
    user = _person(request, body)
    chat = _chat_for(request, body, user)
    sb = _host(request).sandbox
    try:
        pressed = sb.press(user, chat, int(body["message_id"]), str(body["data"]))
    except (KeyError, ValueError) as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    query_id = pressed.query_id
    assert query_id is not None

    def answered() -> tuple[dict[str, Any]] | None:
        answer = sb.callback_answer(query_id)  # {} for a plain answer (no text)
        return None if answer is None else (answer,)

    try:
        (answer,) = await sb.wait_for(answered, ANSWER_WAIT)
    except TimeoutError:
        return _json({"answer": None})
    return _json({"answer": answer})


async def _location(request: web.Request) -> web.Response:
    body = await _body(request)
    user = _person(request, body)
    chat = _chat_for(request, body, user)
    try:
        latitude, longitude = float(body["lat"]), float(body["lon"])
    except (KeyError, ValueError):
        raise web.HTTPBadRequest(text="lat and lon expected") from None
    sent = _host(request).sandbox.send_location(user, chat, latitude, longitude)
    return _json({"message_id": sent.message_id})


async def _photo(request: web.Request) -> web.Response:
    form = await request.post()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    user = _person(request, fields)
    chat = _chat_for(request, fields, user)
    upload = form.get("photo")
    if not isinstance(upload, web.FileField):
        raise web.HTTPBadRequest(text="photo expected")
    data = upload.file.read()
    caption = fields.get("caption") or None
    reply_to = int(fields["reply_to"]) if fields.get("reply_to") else None
    sb = _host(request).sandbox
    sent = sb.send_photo(user, chat, caption=caption, data=data, reply_to=reply_to)
    return _json({"message_id": sent.message_id})


async def _file(request: web.Request) -> web.Response:
    stored = _host(request).sandbox.world.files.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound()
    headers = {}
    if stored.file_name:
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stored.file_name)}"
    return web.Response(
        body=stored.data,
        content_type=stored.mime_type or "application/octet-stream",
        headers=headers,
    )


async def _events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: a tick after every change in the sandbox (messages, edits, pins)."""
    host = _host(request)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    sent: tuple[int, int] | None = None
    while True:
        notifier = host.sandbox.world.notifier
        state = (host.generation, notifier.version)
        if state != sent:
            payload = json.dumps({"generation": state[0], "version": state[1]})
            await response.write(f"data: {payload}\n\n".encode())
            sent = state
        else:
            await response.write(b": keepalive\n\n")
        changed = notifier.changed()
        try:
            await asyncio.wait_for(changed, KEEPALIVE)
        except TimeoutError:
            pass
        # Several changes in a burst (a reply, its edit, a pin) make one refresh.
        await asyncio.sleep(0.05)


async def _training(request: web.Request) -> web.Response:
    user = _person(request, dict(request.query))
    tasks = await _host(request).training(user.id, _language(request))
    return _json({"tasks": tasks, "clock": await _host(request).clock()})


async def _advance(request: web.Request) -> web.Response:
    body = await _body(request)
    try:
        hours = float(body["hours"])
    except (KeyError, ValueError):
        raise web.HTTPBadRequest(text="hours expected") from None
    if not 0 < hours <= 24 * 14:
        raise web.HTTPBadRequest(text="between 0 and 14 days")
    return _json({"clock": await _host(request).advance(hours)})


async def _reset(request: web.Request) -> web.Response:
    await _host(request).reset()
    return _json({"generation": _host(request).generation})
