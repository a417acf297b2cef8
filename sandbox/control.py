"""HTTP control API under /sandbox/ for driving the sandbox from another process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.files import UploadedFile
from sandbox.state import Call, Chat, User

if TYPE_CHECKING:
    from sandbox.driver import Sandbox

Route = Callable[["Sandbox", dict[str, Any]], Any]


def _user(sb: Sandbox, body: dict[str, Any], key: str = "user_id") -> User:
    user = sb.world.user(int(body[key]))
    if user is None:
        raise KeyError(f"unknown user {body[key]}")
    return user


def _chat_of(chat: Chat) -> dict[str, Any]:
    data = chat.to_api()
    data["bot_status"] = chat.bot_status
    data["members"] = {str(k): v for k, v in chat.members.items()}
    if chat.migrated_to is not None:
        data["migrated_to"] = chat.migrated_to
    return data


def _json_safe(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {"filename": value.filename, "content_type": value.content_type, "size": value.size}
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _call_of(index: int, call: Call) -> dict[str, Any]:
    return {
        "index": index,
        "method": call.method,
        "params": _json_safe(call.params),
        "response": call.response,
        "time": call.wall_time,
    }


def add_user(sb: Sandbox, body: dict[str, Any]) -> Any:
    """POST /sandbox/users {first_name, username?, language_code?, started?}."""
    user = sb.add_user(body["first_name"], body.get("username"), body.get("language_code"))
    if body.get("started"):
        sb.start_bot(user)
    return user.to_api()


def add_group(sb: Sandbox, body: dict[str, Any]) -> Any:
    """POST /sandbox/groups {title, member_ids, admin_ids?, supergroup?, bot_admin?}."""
    members = [_user(sb, {"id": i}, "id") for i in body.get("member_ids", [])]
    admins = [_user(sb, {"id": i}, "id") for i in body.get("admin_ids", [])]
    chat = sb.add_group(
        body["title"],
        members=members,
        admins=admins,
        supergroup=bool(body.get("supergroup")),
        members_can_pin=body.get("members_can_pin", True),
        bot_status="administrator" if body.get("bot_admin") else "member",
    )
    return _chat_of(chat)


def start_bot(sb: Sandbox, body: dict[str, Any]) -> Any:
    """POST /sandbox/start_bot {user_id}."""
    sb.start_bot(_user(sb, body))
    return True


def send_text(sb: Sandbox, body: dict[str, Any]) -> Any:
    """POST /sandbox/send_text {user_id, chat_id?, text, reply_to?}."""
    user = _user(sb, body)
    chat = body.get("chat_id", user.id)
    return sb.send_text(user, chat, body["text"], reply_to=body.get("reply_to")).as_dict()


def press(sb: Sandbox, body: dict[str, Any]) -> Any:
    """POST /sandbox/press {user_id, chat_id, message_id, data}."""
    user = _user(sb, body)
    return sb.press(user, body["chat_id"], int(body["message_id"]), body["data"]).as_dict()


def messages(sb: Sandbox, body: dict[str, Any]) -> Any:
    """GET /sandbox/messages?chat_id=N."""
    return sb.messages(int(body["chat_id"]))


def calls(sb: Sandbox, body: dict[str, Any]) -> Any:
    """GET /sandbox/calls?method=&since=N."""
    since = int(body.get("since", 0))
    method = (body.get("method") or "").lower()
    return [
        _call_of(i, c)
        for i, c in enumerate(sb.calls)
        if i >= since and (not method or c.method.lower() == method)
    ]


def state(sb: Sandbox, body: dict[str, Any]) -> Any:
    """GET /sandbox/state: users, chats and pending update count."""
    return {
        "bot": sb.bot.to_api(),
        "users": [u.to_api() for u in sb.world.users.values()],
        "chats": [_chat_of(c) for c in sb.world.chats.values()],
        "pending_updates": len(sb.world.updates.pending),
    }


async def wait_bot_message(sb: Sandbox, body: dict[str, Any]) -> Any:
    """GET /sandbox/wait_bot_message?chat_id=N&after=M&contains=S&timeout=T."""
    after = int(body["after"]) if body.get("after") not in (None, "") else None
    timeout = float(body.get("timeout", 10))
    return await sb.wait_bot_message(int(body["chat_id"]), after, body.get("contains"), timeout)


def add_fault(sb: Sandbox, body: dict[str, Any]) -> Any:
    """POST /sandbox/faults {method, kind, count?, retry_after?, description?, seconds?}."""
    sb.inject_fault(
        body["method"],
        str(body["kind"]),
        int(body.get("count", 1)),
        int(body.get("retry_after", 5)),
        str(body.get("description", "")),
        float(body.get("seconds", 30.0)),
    )
    return sb.world.faults.waiting()


def faults(sb: Sandbox, body: dict[str, Any]) -> Any:
    """GET /sandbox/faults: the faults not yet used."""
    return sb.world.faults.waiting()


def clear_faults(sb: Sandbox, body: dict[str, Any]) -> Any:
    """DELETE /sandbox/faults?method=M: forget waiting faults (all without a method)."""
    sb.clear_faults(body.get("method") or None)
    return sb.world.faults.waiting()


def _group(sb: Sandbox, body: dict[str, Any]) -> Chat:
    chat = sb.world.find_chat(int(body["chat_id"]))
    if chat is None or not chat.is_group:
        raise KeyError(f"unknown group {body['chat_id']}")
    return chat


def privacy(sb: Sandbox, body: dict[str, Any]) -> Any:
    """POST /sandbox/privacy {enabled}: @BotFather's group privacy setting."""
    sb.set_privacy_mode(bool(body["enabled"]))
    return True


def pin_right(sb: Sandbox, body: dict[str, Any]) -> Any:
    """POST /sandbox/pin_right {chat_id, allowed}: grant or withdraw the bot's pin right."""
    chat = _group(sb, body)
    if body["allowed"]:
        sb.grant_pin_right(chat)
    else:
        sb.withdraw_pin_right(chat)
    return _chat_of(chat)


def remove_bot(sb: Sandbox, body: dict[str, Any]) -> Any:
    """POST /sandbox/remove_bot {chat_id, user_id}: a member removes the bot from a group."""
    return sb.remove_bot_from_group(_user(sb, body), _group(sb, body)).as_dict()


ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "faults"): add_fault,
    ("GET", "faults"): faults,
    ("DELETE", "faults"): clear_faults,
    ("POST", "privacy"): privacy,
    ("POST", "pin_right"): pin_right,
    ("POST", "remove_bot"): remove_bot,
    ("POST", "users"): add_user,
    ("POST", "groups"): add_group,
    ("POST", "start_bot"): start_bot,
    ("POST", "send_text"): send_text,
    ("POST", "press"): press,
    ("GET", "messages"): messages,
    ("GET", "calls"): calls,
    ("GET", "state"): state,
    ("GET", "wait_bot_message"): wait_bot_message,
}


def _endpoint(sb: Sandbox, route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        body: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            body.update(await request.json())
        try:
            result = route(sb, body)
            if asyncio.iscoroutine(result):
                result = await result
        except TimeoutError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=408)
        except (KeyError, ValueError, TypeError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": True, "result": result})

    return handle


def add_control_routes(app: web.Application, sb: Sandbox) -> None:
    """Register /sandbox/<name> endpoints for every control route."""
    for (verb, name), route in ROUTES.items():
        app.router.add_route(verb, f"/sandbox/{name}", _endpoint(sb, route))
