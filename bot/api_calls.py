"""Bot API calls made with the parameters as the Bot API names them, answered as plain JSON.

PTB's methods build objects on the way out (the buttons from a stored dict, then back to
JSON) and on the way back (a `Message` from every answer); on the hot path (the outbox, the
update loop) nothing reads those objects, and building them was a good part of a filed
report's cost. These calls go through the same parts as PTB's: the bot's request objects
(the transport, which turns Telegram's errors into PTB's: RetryAfter, Forbidden,
BadRequest, ChatMigrated …), the bot's rate limiter, and the wire format PTB sends — the
default parse mode inserted where PTB would insert it, `reply_to_message_id` sent as
`reply_parameters`. Only the methods listed in `PLAIN` go this way; any other method, or a
parameter that is not plain JSON (a file to upload), takes PTB's own method.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

# PTB's conversion of one parameter to its wire form (str as is, anything else as JSON),
# the same as its own methods use; PTB exports RequestData but builds it from these.
from telegram.request._requestparameter import RequestParameter

# Methods sent plainly, and whether PTB inserts the default parse mode into them (it does
# even into editMessageReplyMarkup, which goes through the same code as a send).
PLAIN: dict[str, bool] = {
    "sendMessage": True,
    "sendPhoto": True,
    "editMessageText": True,
    "editMessageCaption": True,
    "editMessageReplyMarkup": True,
    "answerCallbackQuery": False,
}
_JSON = (str, int, float, bool, dict, list)


def plain(method: str, params: Mapping[str, object]) -> bool:
    """Whether this call can be made plainly (a listed method, JSON parameters only)."""
    return method in PLAIN and all(
        value is None or isinstance(value, _JSON) for value in params.values()
    )


def wire_params(bot: ExtBot[Any], method: str, params: Mapping[str, object]) -> dict[str, Any]:
    """The parameters PTB's method would send for these (None values dropped)."""
    data = {key: value for key, value in params.items() if value is not None}
    defaults = bot.defaults
    parse_mode = defaults.parse_mode if defaults is not None else None
    if PLAIN.get(method) and "parse_mode" not in data and parse_mode is not None:
        data["parse_mode"] = parse_mode
    # Without a message to reply to, PTB drops allow_sending_without_reply.
    allow = data.pop("allow_sending_without_reply", None)
    if "reply_to_message_id" in data:
        # As PTB's ReplyParameters has it (its fields in order, the default parse mode for
        # a quote inserted).
        reply: dict[str, Any] = {}
        if allow is not None:
            reply["allow_sending_without_reply"] = allow
        reply["message_id"] = data.pop("reply_to_message_id")
        if parse_mode is not None:
            reply["quote_parse_mode"] = parse_mode
        data["reply_parameters"] = reply
    return data


def request_data(params: Mapping[str, object]) -> RequestData:
    """The form PTB's transports send for these parameters."""
    return RequestData([RequestParameter.from_input(key, value) for key, value in params.items()])


async def post(
    request: BaseRequest, base_url: str, method: str, params: Mapping[str, object], **timeouts: Any
) -> Any:
    """One call through a request object; the answer's `result` as JSON, or PTB's error."""
    return await request.post(f"{base_url}/{method}", request_data(params), **timeouts)


async def call(
    bot: ExtBot[Any],
    method: str,
    chat_id: int | None,
    params: Mapping[str, object],
    **timeouts: Any,
) -> Any:
    """Make one listed call (see `plain`) as PTB's method would, through the bot's rate
    limiter when it has one; returns the answer's `result` as JSON. `chat_id` None: a call
    that names no chat (answerCallbackQuery)."""
    data = wire_params(bot, method, params)
    if chat_id is not None:
        data = {"chat_id": chat_id, **data}
    limiter = bot.rate_limiter
    if limiter is None:
        return await post(bot.request, bot.base_url, method, data, **timeouts)
    return await limiter.process_request(
        callback=post,
        args=(bot.request, bot.base_url, method, data),
        kwargs=timeouts,
        endpoint=method,
        data=data,
        rate_limit_args=None,
    )
