"""Plain Bot API calls send exactly what PTB's methods send, with PTB's errors and limiter."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import BaseRateLimiter, Defaults, ExtBot
from telegram.request import BaseRequest, RequestData

from bot import api_calls
from bot.attempts import snake_case
from bot.config import OutboxSection
from bot.outbox import Sender

MESSAGE = {"message_id": 9, "date": 0, "chat": {"id": -100, "type": "group"}, "text": "x"}
MARKUP = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("受理", callback_data="r:acc:1")],
        [InlineKeyboardButton("看看", url="https://example.org/a?b=1")],
    ]
).to_dict()


class Recording(BaseRequest):
    """A transport that records each call's form fields and answers with `answer`."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.answer: tuple[int, dict[str, Any]] = (200, {"ok": True, "result": MESSAGE})

    @property
    def read_timeout(self) -> float | None:
        """No default read timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Record the call; answer as told."""
        assert request_data is not None
        self.seen.append((url.rsplit("/", 1)[1], request_data.json_parameters))
        status, body = self.answer
        return status, json.dumps(body).encode()


class Counting(BaseRateLimiter[int]):
    """A rate limiter that lets every call through and counts them by chat."""

    def __init__(self) -> None:
        self.chats: list[Any] = []

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(  # type: ignore[override]
        self, callback: Any, args: Any, kwargs: Any, endpoint: str, data: Any, rate_limit_args: Any
    ) -> Any:
        """Count, then call."""
        self.chats.append((endpoint, data.get("chat_id")))
        return await callback(*args, **kwargs)


def bot_on(request: Recording, limiter: Counting | None = None) -> ExtBot[None]:
    return ExtBot(
        "1:TEST",
        request=request,
        get_updates_request=Recording(),
        defaults=Defaults(parse_mode=ParseMode.HTML),
        rate_limiter=limiter,
    )


NOTICES: list[tuple[str, dict[str, Any]]] = [
    ("sendMessage", {"text": "<b>已登记</b> 路灯"}),
    (
        "sendMessage",
        {
            "text": "问题 #3",
            "reply_markup": MARKUP,
            "reply_to_message_id": 4,
            "allow_sending_without_reply": True,
        },
    ),
    (
        "sendMessage",
        {"text": "没有可回复的", "reply_to_message_id": None, "allow_sending_without_reply": True},
    ),
    ("sendMessage", {"text": "x", "reply_to_message_id": 4, "allow_sending_without_reply": False}),
    ("sendMessage", {"text": "请回复", "reply_markup": ForceReply(selective=True).to_dict()}),
    ("sendPhoto", {"photo": "AgACAgFILE", "caption": "<i>照片</i>", "reply_markup": MARKUP}),
    ("editMessageText", {"message_id": 4, "text": "已受理", "reply_markup": MARKUP}),
    ("editMessageText", {"message_id": 4, "text": "已受理", "reply_markup": None}),
    ("editMessageCaption", {"message_id": 4, "caption": "已受理"}),
    ("editMessageReplyMarkup", {"message_id": 4, "reply_markup": MARKUP}),
    ("editMessageReplyMarkup", {"message_id": 4}),
    (
        "editMessageReplyMarkup",
        {"message_id": 4, "reply_markup": InlineKeyboardMarkup([]).to_dict()},
    ),
]


async def test_a_button_press_is_answered_as_ptb_answers_it() -> None:
    for params in (
        {"callback_query_id": "77", "text": None},
        {"callback_query_id": "77", "text": "好"},
    ):
        theirs, ours = Recording(), Recording()
        theirs.answer = ours.answer = (200, {"ok": True, "result": True})
        await bot_on(theirs).answer_callback_query(params["callback_query_id"], params["text"])
        assert await api_calls.call(bot_on(ours), "answerCallbackQuery", None, params) is True
        assert ours.seen == theirs.seen


@pytest.mark.parametrize(("method", "params"), NOTICES)
async def test_a_plain_call_sends_what_ptb_sends(method: str, params: dict[str, Any]) -> None:
    assert api_calls.plain(method, params)
    theirs, ours = Recording(), Recording()
    kwargs = {k: v for k, v in params.items() if v is not None}
    if isinstance(kwargs.get("reply_markup"), dict) and "inline_keyboard" in kwargs["reply_markup"]:
        kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(kwargs["reply_markup"], None)
    await getattr(bot_on(theirs), snake_case(method))(chat_id=-100, **kwargs)
    result = await api_calls.call(bot_on(ours), method, -100, params)
    assert ours.seen == theirs.seen
    assert result == MESSAGE


def test_files_and_other_methods_are_left_to_ptb() -> None:
    assert not api_calls.plain("sendPhoto", {"photo": b"\x89PNG"})
    assert not api_calls.plain("sendVoice", {"voice": "AwACFILE"})
    assert api_calls.plain("sendMessage", {"text": "x", "reply_markup": None})


async def test_a_plain_call_goes_through_the_rate_limiter() -> None:
    limiter = Counting()
    await api_calls.call(bot_on(Recording(), limiter), "sendMessage", -100, {"text": "x"})
    assert limiter.chats == [("sendMessage", -100)]


@pytest.mark.parametrize(
    ("status", "description", "error"),
    [
        (403, "Forbidden: bot was blocked by the user", Forbidden),
        (400, "Bad Request: chat not found", BadRequest),
        (429, "Too Many Requests: retry after 3", RetryAfter),
    ],
)
async def test_a_plain_call_raises_ptbs_errors(
    status: int, description: str, error: type[Exception]
) -> None:
    request = Recording()
    answer: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if status == 429:
        answer["parameters"] = {"retry_after": 3}
    request.answer = (status, answer)
    with pytest.raises(error):
        await api_calls.call(bot_on(request), "sendMessage", 5, {"text": "x"})


async def test_the_sender_delivers_plainly_and_reads_the_message_id() -> None:
    request = Recording()
    sender = Sender(bot_on(request), db=None, clock=None, config=OutboxSection())  # type: ignore[arg-type]
    attempt = await sender.call("sendMessage", -100, {"text": "x"}, plain=True)
    assert attempt.ok and attempt.message_id == 9 and attempt.result == MESSAGE
    request.answer = (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: message is not modified"},
    )
    edit = {"message_id": 9, "text": "x"}
    assert (await sender.call("editMessageText", -100, edit, plain=True)).ok
    request.answer = (403, {"ok": False, "error_code": 403, "description": "Forbidden: blocked"})
    blocked = await sender.call("sendMessage", 5, {"text": "x"}, plain=True)
    assert not blocked.ok and isinstance(blocked.error, Forbidden)
