"""Notices as outbox rows: private notices to staff (with the group as the fallback), and
posting rows inside the transaction of the change that causes them.

A worker who never opened the bot (or blocked it) cannot be written to privately: when
Telegram answers 403 the sender posts the row's fallback instead, a mention in their
micro-grid's group, and the item waits in their /tasks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.runtime import GridContext
from bot.texts import Html, Lang
from handlers.common import language_for
from models.outbox import Notice, Recipient
from models.text_limits import MAX_CAPTION, shorten_html
from models.units import Staff
from services import groups
from services import notices as service


@dataclass(frozen=True)
class Card:
    """What one staff member is sent: text, buttons, and a photo when there is one."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    photo_file_id: str | None = None
    # Bot API calls (method, parameters without the chat) sent right after the card: the
    # report's recording and location, re-sent by file_id and coordinates.
    follow: tuple[tuple[str, dict[str, object]], ...] = ()


Render = Callable[[Staff, Lang], Awaitable[Card]]


def message(
    key: str,
    chat_id: int,
    text: str,
    recipient: Recipient,
    subject: str = "",
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    staff_id: int | None = None,
    fallback: Notice | None = None,
) -> Notice:
    """A sendMessage notice."""
    params: dict[str, object] = {"text": text}
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    if reply_to is not None:
        params["reply_to_message_id"] = reply_to
        params["allow_sending_without_reply"] = True
    return Notice(key, "sendMessage", chat_id, params, recipient, subject, staff_id, fallback)


def card_notice(
    key: str, chat_id: int, card: Card, subject: str, staff_id: int, fallback: Notice | None
) -> Notice:
    """A staff member's copy of a case: a message, or a photo with the text as its caption."""
    if card.photo_file_id is None:
        return message(
            key, chat_id, card.text, Recipient.STAFF, subject, card.markup, None, staff_id, fallback
        )
    params: dict[str, object] = {
        "photo": card.photo_file_id,
        "caption": shorten_html(card.text, MAX_CAPTION),
    }
    if card.markup is not None:
        params["reply_markup"] = card.markup.to_dict()
    return Notice(key, "sendPhoto", chat_id, params, Recipient.STAFF, subject, staff_id, fallback)


async def staff_notices(
    context: GridContext,
    key: str,
    subject: str,
    staff: list[Staff],
    render: Render,
    micro_grid_id: int | None,
    mention_key: str,
    number: str,
) -> list[Notice]:
    """One notice per linked staff member (in their language), each with a mention in the
    micro-grid's group (text `mention_key`) as its fallback."""
    notices = []
    for person in staff:
        if person.tg_user_id is None:
            continue
        t = await language_for(context, person.tg_user_id)
        mention = await mention_notice(
            context,
            f"{key}:mention:{person.id}",
            subject,
            micro_grid_id,
            person,
            mention_key,
            number,
        )
        card = await render(person, t)
        notices.append(
            card_notice(
                f"{key}:staff:{person.id}", person.tg_user_id, card, subject, person.id, mention
            )
        )
        # After the card in the same chat: the outbox keeps a chat's order.
        for n, (method, params) in enumerate(card.follow):
            notices.append(
                Notice(
                    f"{key}:staff:{person.id}:with{n}",
                    method,
                    person.tg_user_id,
                    params,
                    Recipient.STAFF,
                    subject,
                )
            )
    return notices


async def mention_notice(
    context: GridContext,
    key: str,
    subject: str,
    micro_grid_id: int | None,
    person: Staff,
    text_key: str,
    number: str,
) -> Notice | None:
    """A mention of `person` in the micro-grid's active group, or None without one."""
    if micro_grid_id is None:
        return None
    group = await groups.group_of_micro_grid(context.rt.db, micro_grid_id)
    if group is None or not group.active:
        return None
    t = context.rt.lang(None)
    # The mention is markup already: it must not be escaped a second time.
    names = Html(t("reports.mention", user_id=person.tg_user_id, name=person.name))
    return message(
        key, group.chat_id, t(text_key, names=names, number=number), Recipient.GROUP, subject
    )


async def post(context: GridContext, notices: list[Notice | None]) -> None:
    """Enqueue notices in the current transaction and wake the sender (which reads them
    once the transaction commits)."""
    rt = context.rt
    await service.enqueue(rt.db, rt.clock, notices)
    rt.outbox.wake()
