"""HTTP-level behaviour: routing, request decoding, schema validation, long polling."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from sandbox import Sandbox
from tests.sandbox.conftest import TOKEN, Api


async def test_get_me_and_case_insensitive_method(api: Api) -> None:
    status, body = await api("GETME")
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["id"] == 123456
    assert body["result"]["is_bot"] is True
    assert body["result"]["username"] == "gridbot_bot"


async def test_wrong_token_and_unknown_method(api: Api, sb: Sandbox) -> None:
    status, body = await api("getMe", token="999:WRONG")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await api("sendTelepathy")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert [c.error_code for c in sb.errors()] == [401, 404]


async def test_missing_and_unknown_parameters(api: Api, sb: Sandbox) -> None:
    user = sb.add_user("甲")
    sb.start_bot(user)
    status, body = await api("sendMessage", chat_id=user.id)
    assert status == 400
    assert body["description"] == 'Bad Request: parameter "text" is required'
    status, body = await api("sendMessage", chat_id=user.id, text="hi", colour="red")
    assert body["description"] == 'Bad Request: unknown parameter "colour"'


async def test_wrong_nested_types(api: Api, sb: Sandbox) -> None:
    user = sb.add_user("乙")
    sb.start_bot(user)
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": 5}]]}
    status, body = await api("sendMessage", chat_id=user.id, text="x", reply_markup=markup)
    assert status == 400
    assert body["description"] == (
        'Bad Request: field "reply_markup.inline_keyboard[0][0].callback_data" '
        "must be of type String"
    )
    status, body = await api("sendMessage", chat_id=user.id, text="x", disable_notification="y")
    assert (
        body["description"] == 'Bad Request: field "disable_notification" must be of type Boolean'
    )
    scope = {"type": "chat"}
    status, body = await api("setMyCommands", commands=[], scope=scope)
    assert body["description"] == 'Bad Request: field "scope.chat_id" is required'
    status, body = await api("setMyCommands", commands=[{"command": "a"}])
    assert body["description"] == 'Bad Request: field "commands[0].description" is required'


async def test_form_encoding_keeps_string_fields(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    user = sb.add_user("丙")
    sb.start_bot(user)
    markup = json.dumps({"inline_keyboard": [[{"text": "go", "callback_data": "1"}]]})
    form = {"chat_id": str(user.id), "text": "123", "reply_markup": markup}
    async with http.post(f"{sb.url}/bot{TOKEN}/sendMessage", data=form) as response:
        body = await response.json()
    assert body["ok"] is True
    assert body["result"]["text"] == "123"
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1"
    assert sb.calls[-1].params["chat_id"] == user.id


async def test_multipart_upload_and_download(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    user = sb.add_user("丁")
    sb.start_bot(user)
    form = aiohttp.FormData()
    form.add_field("chat_id", str(user.id))
    form.add_field("caption", "报表")
    form.add_field("document", b"a,b\n1,2\n", filename="r.csv", content_type="text/csv")
    async with http.post(f"{sb.url}/bot{TOKEN}/sendDocument", data=form) as response:
        body = await response.json()
    document = body["result"]["document"]
    assert document["file_name"] == "r.csv"
    assert sb.document(body["result"]) == b"a,b\n1,2\n"
    async with http.post(
        f"{sb.url}/bot{TOKEN}/getFile", json={"file_id": document["file_id"]}
    ) as r:
        path = (await r.json())["result"]["file_path"]
    async with http.get(f"{sb.base_file_url}{TOKEN}/{path}") as response:
        assert await response.read() == b"a,b\n1,2\n"


async def test_attach_uri_upload(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    user = sb.add_user("戊")
    sb.start_bot(user)
    form = aiohttp.FormData()
    form.add_field("chat_id", str(user.id))
    form.add_field("photo", "attach://pic")
    form.add_field("pic", b"GIF89a\x10\x00\x08\x00", filename="p.gif", content_type="image/gif")
    async with http.post(f"{sb.url}/bot{TOKEN}/sendPhoto", data=form) as response:
        body = await response.json()
    sizes = body["result"]["photo"]
    assert (sizes[-1]["width"], sizes[-1]["height"]) == (16, 8)


async def test_long_polling_and_offset(sb: Sandbox, api: Api) -> None:
    user = sb.add_user("己")
    poll = asyncio.create_task(api("getUpdates", timeout=5))
    await sb.wait_for(lambda: sb.world.updates.waiters == 1)
    injected = sb.send_text(user, None, "/start")
    _, body = await poll
    assert [u["update_id"] for u in body["result"]] == [injected.update_id]
    assert sb.pending_updates() != []
    _, body = await api("getUpdates", offset=injected.update_id + 1, timeout=0)
    assert body["result"] == []
    await sb.wait_updates_consumed(timeout=1)
    assert sb.pending_updates() == []


async def test_get_updates_limit_and_timeout(sb: Sandbox, api: Api) -> None:
    user = sb.add_user("庚")
    for i in range(3):
        sb.send_text(user, None, f"m{i}")
    _, body = await api("getUpdates", limit=2)
    assert len(body["result"]) == 2
    _, body = await api("getUpdates", offset=body["result"][-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in body["result"]] == ["m2"]
    loop = asyncio.get_running_loop()
    start = loop.time()
    _, body = await api("getUpdates", offset=body["result"][-1]["update_id"] + 1, timeout=1)
    assert body["result"] == [] and loop.time() - start >= 0.9


async def test_allowed_updates_remembered(sb: Sandbox, api: Api) -> None:
    owner = sb.add_user("辛")
    newcomer = sb.add_user("壬")
    group = sb.add_group("群", members=[owner], bot_status="administrator")
    assert sb.join(newcomer, group).updates[-1].get("chat_member") is None
    await api("getUpdates", allowed_updates=["message", "chat_member"])
    joined = sb.leave(newcomer, group)
    assert "chat_member" in joined.updates[-1]
    await api("getUpdates", allowed_updates=[])
    assert all("chat_member" not in u for u in sb.join(newcomer, group).updates)


async def test_webhook_blocks_get_updates(api: Api) -> None:
    await api("setWebhook", url="https://example.com/hook")
    status, _ = await api("getUpdates")
    assert status == 409
    _, info = await api("getWebhookInfo")
    assert info["result"]["url"] == "https://example.com/hook"
    await api("deleteWebhook")
    status, _ = await api("getUpdates")
    assert status == 200


async def test_generic_methods(api: Api, sb: Sandbox) -> None:
    user = sb.add_user("癸")
    group = sb.add_group("g", members=[user])
    status, body = await api("setChatTitle", chat_id=group.id, title="new")
    assert body == {"ok": True, "result": True}
    status, body = await api("sendDice", chat_id=group.id)
    assert status == 400
    assert body["description"] == "Bad Request: method not supported by the sandbox"
    assert sb.calls_to("setchattitle")[0].params == {"chat_id": group.id, "title": "new"}


async def test_control_api(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    async def post(name: str, **body: object) -> dict:
        async with http.post(f"{sb.url}/sandbox/{name}", json=body) as response:
            return await response.json()

    user = (await post("users", first_name="远程", started=True))["result"]
    group = (await post("groups", title="远程群", member_ids=[user["id"]]))["result"]
    sent = await post("send_text", user_id=user["id"], chat_id=group["id"], text="/help")
    sent = sent["result"]
    assert sent["update_id"] == 1
    async with http.get(f"{sb.url}/sandbox/messages", params={"chat_id": group["id"]}) as r:
        assert [m["text"] for m in (await r.json())["result"]] == ["/help"]
    async with http.get(f"{sb.url}/sandbox/state") as r:
        assert (await r.json())["result"]["pending_updates"] == 1
    bad = await post("send_text", user_id=999, text="x")
    assert bad["ok"] is False


async def test_legacy_reply_parameters(api: Api, sb: Sandbox) -> None:
    user = sb.add_user("子")
    asked = sb.send_text(user, None, "问")
    status, body = await api("sendMessage", chat_id=user.id, text="答", reply_to_message_id=99)
    assert (status, body["description"]) == (400, "Bad Request: message to be replied not found")
    _, body = await api(
        "sendMessage",
        chat_id=user.id,
        text="答",
        reply_to_message_id=99,
        allow_sending_without_reply=True,
    )
    assert "reply_to_message" not in body["result"]
    _, body = await api("sendMessage", chat_id=user.id, text="答", reply_to_message_id=1)
    assert body["result"]["reply_to_message"]["message_id"] == asked.message_id
