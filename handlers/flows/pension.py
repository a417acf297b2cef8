"""/pension: pension-authentication help in private, step by step.

For whom → the name → the ID number's last 4 → a phone → can the person travel? Self-service
and service-point answers show the town's guide; "cannot travel" files a home-visit request
for the micro-grid's worker (see handlers/flows/pension_staff.py).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.runtime import GridContext
from bot.texts import Lang
from handlers.callback_data import BadCallbackData, pack, pattern, unpack_any
from handlers.common import display_name, texts_for
from handlers.flows.common import END, Scratch, begin, card_markup, drop_buttons, step
from handlers.flows.content import town_files
from handlers.flows.pension_notify import handler_names, tell_staff
from handlers.format import local_time
from handlers.privacy import forget_id_number
from handlers.private_text import Owner, asked, owner
from models.errors import Refusal
from models.pension import IdRefused, Mode, id_tail, person_name
from models.questionnaire import localized
from services import pension
from services.pension import Details

NAME = "pension"
WHO, PERSON, ID, PHONE = "pension:who", "pension:name", "pension:id", "pension:phone"
TRAVEL, PLACE, CONFIRM = "pension:travel", "pension:place", "pension:confirm"
PREFIX = "pf"
GOES = {"home": Mode.HOME_VISIT, "self": Mode.SELF_SERVICE, "point": Mode.SERVICE_POINT}


def _buttons(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def _ask(update: Update, context: GridContext, t: Lang, scratch: Scratch, state: str) -> str:
    """Send the question of `state` and remember it; returns the state."""
    markup = None
    if state == WHO:
        text = t("pension.intro") + "\n\n" + t("pension.ask_who")
        markup = _buttons(
            [
                (t("pension.button_self"), pack(PREFIX, "who", "self")),
                (t("pension.button_family"), pack(PREFIX, "who", "family")),
            ]
        )
    elif state == PERSON:
        text = t("pension.ask_name_self" if scratch.get("for_self") else "pension.ask_name")
    elif state == ID:
        text = t("pension.ask_id")
    elif state == PHONE:
        text = t("pension.ask_phone")
    elif state == TRAVEL:
        text = t("pension.ask_travel")
        markup = _buttons(
            [(t("pension.button_home"), pack(PREFIX, "go", "home"))],
            [(t("pension.button_self_service"), pack(PREFIX, "go", "self"))],
            [(t("pension.button_point"), pack(PREFIX, "go", "point"))],
        )
    elif state == PLACE:
        text = t("pension.ask_place")
        markup = _buttons(
            *[[(title, pack(PREFIX, "at", unit_id))] for unit_id, title, _ in scratch["choices"]]
        )
    else:
        text = t(
            "pension.confirm",
            who=_who(t, scratch),
            name=scratch["person"],
            id4=scratch["id4"],
            phone=scratch["phone"],
            place=scratch["place_name"],
        )
        markup = _buttons(
            [
                (t("pension.button_submit"), pack(PREFIX, "ok")),
                (t("pension.button_redo"), pack(PREFIX, "redo")),
            ]
        )
    chat = update.effective_chat
    assert chat is not None
    sent = await context.bot.send_message(chat.id, text, reply_markup=markup)
    scratch["msg"], scratch["step"] = sent.message_id, state
    await asked(update, context, Owner.FLOW, message_id=sent.message_id)
    return state


def _who(t: Lang, scratch: Scratch) -> str:
    return t("pension.who_self") if scratch.get("for_self") else t("pension.who_family")


async def start(update: Update, context: GridContext) -> object:
    """Begin (or begin again) pension-authentication help."""
    t = texts_for(context, update)
    scratch = begin(context, NAME, msg=None, step=WHO)
    return await _ask(update, context, t, scratch, WHO)


async def _chosen(update: Update, t: Lang, answer: str) -> None:
    """Mark a button question as answered: its text with the answer, no more buttons."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if isinstance(query.message, Message) and query.message.text is not None:
        await query.message.edit_text(
            t("pension.chosen", question=query.message.text, answer=answer)
        )


def _parts(update: Update, scratch: Scratch) -> list[str] | None:
    """The pressed button's parts, when it belongs to the question asked now."""
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, Message) or query.message.message_id != scratch.get("msg"):
        return None
    try:
        return unpack_any(query.data, PREFIX, 1, 2)
    except BadCallbackData:
        return None


@step(NAME)
async def pressed(update: Update, context: GridContext, scratch: Scratch) -> object:
    """A button of the question asked now."""
    t = texts_for(context, update)
    query = update.callback_query
    assert query is not None
    parts = _parts(update, scratch)
    state = scratch.get("step")
    if parts is None:
        await query.answer(t("flows.stale_step"), show_alert=True)
        return state
    if state == WHO and parts[:1] == ["who"] and parts[1:] in (["self"], ["family"]):
        scratch["for_self"] = parts[1] == "self"
        await _chosen(update, t, _who(t, scratch))
        return await _ask(update, context, t, scratch, PERSON)
    if state == TRAVEL and parts[:1] == ["go"] and len(parts) == 2 and parts[1] in GOES:
        return await _travel(update, context, t, scratch, GOES[parts[1]])
    if state == PLACE and parts[:1] == ["at"] and len(parts) == 2:
        choice = next((c for c in scratch["choices"] if str(c[0]) == parts[1]), None)
        if choice is not None:
            await _chosen(update, t, choice[1])
            scratch["place"], _, scratch["place_name"] = choice
            return await _ask(update, context, t, scratch, CONFIRM)
    if state == CONFIRM and parts == ["redo"]:
        await _chosen(update, t, t("pension.button_redo"))
        return await _ask(update, context, t, scratch, WHO)
    if state == CONFIRM and parts == ["ok"]:
        return await _submit(update, context, t, scratch)
    await query.answer(t("flows.stale_step"), show_alert=True)
    return state


async def _travel(
    update: Update, context: GridContext, t: Lang, scratch: Scratch, mode: Mode
) -> object:
    rt, query, user = context.rt, update.callback_query, update.effective_user
    assert query is not None and user is not None and isinstance(query.message, Message)
    label = {
        Mode.HOME_VISIT: "pension.button_home",
        Mode.SELF_SERVICE: "pension.button_self_service",
        Mode.SERVICE_POINT: "pension.button_point",
    }[mode]
    await _chosen(update, t, t(label))
    if mode is not Mode.HOME_VISIT:
        guide = town_files(rt).guide
        text = guide.self_service if mode is Mode.SELF_SERVICE else guide.service_point
        await pension.guided(
            rt.db,
            rt.clock,
            _details(scratch),
            mode,
            (user.id, display_name(user)),
            (query.message.chat.id, query.message.message_id),
        )
        key = "pension.guide_self" if mode is Mode.SELF_SERVICE else "pension.guide_point"
        await query.message.chat.send_message(
            t(key, text=localized(text, t.code)) + "\n\n" + t("pension.guide_footer"),
            reply_markup=card_markup(t),
        )
        return END
    places = await pension.places(rt.db, user.id)
    if not places:
        await query.message.chat.send_message(t("pension.no_place"))
        return END
    scratch["choices"] = [
        [p.micro_grid.id, p.group_title or p.micro_grid.name, p.micro_grid.name] for p in places
    ]
    if len(places) == 1:
        scratch["place"], _, scratch["place_name"] = scratch["choices"][0]
        return await _ask(update, context, t, scratch, CONFIRM)
    return await _ask(update, context, t, scratch, PLACE)


def _details(scratch: Scratch) -> Details:
    return Details(
        for_self=bool(scratch.get("for_self")),
        person_name=scratch["person"],
        id_last4=scratch["id4"],
        phone=scratch["phone"],
    )


async def _submit(update: Update, context: GridContext, t: Lang, scratch: Scratch) -> object:
    rt, query, user = context.rt, update.callback_query, update.effective_user
    assert query is not None and user is not None and isinstance(query.message, Message)
    try:
        made = await pension.request_visit(
            rt.db,
            rt.clock,
            rt.config,
            _details(scratch),
            int(scratch["place"]),
            (user.id, display_name(user)),
            (query.message.chat.id, query.message.message_id),
            then=lambda made: tell_staff(context, made[0], made[1].staff),
        )
    except Refusal as refusal:
        await query.answer(t(refusal.key, **refusal.values), show_alert=True)
        return END
    await _chosen(update, t, t("pension.button_submit"))
    if made is None:
        return END
    request, route = made
    await query.message.chat.send_message(
        t(
            "pension.submitted",
            number=request.number,
            handler=handler_names(t, route),
            due=local_time(rt, request.due_at) if request.due_at else "—",
        ),
        reply_markup=card_markup(t),
    )
    return END


@step(NAME)
async def typed(update: Update, context: GridContext, scratch: Scratch) -> object:
    """A typed answer: the name, the ID number's last 4, or the phone."""
    message = update.effective_message
    assert message is not None and message.text is not None
    state = scratch.get("step")
    if await owner(update, context) is not Owner.FLOW:
        return state
    t = texts_for(context, update)
    text = message.text
    if state == ID:
        try:
            scratch["id4"] = id_tail(text)
        except IdRefused as refused:
            if refused.whole_id:  # more digits than a tail: maybe part of the whole number
                await forget_id_number(message, t)
            else:
                await message.reply_text(t("pension.bad_id"))
            return await _ask(update, context, t, scratch, ID)
        return await _ask(update, context, t, scratch, PHONE)
    if state == PERSON:
        name = person_name(text)
        if name is None:
            await message.reply_text(t("pension.bad_name"))
            return await _ask(update, context, t, scratch, PERSON)
        scratch["person"] = name
        return await _ask(update, context, t, scratch, ID)
    if state == PHONE:
        try:
            scratch["phone"] = pension.check_phone(text)
        except Refusal as refusal:
            await message.reply_text(t(refusal.key))
            return await _ask(update, context, t, scratch, PHONE)
        return await _ask(update, context, t, scratch, TRAVEL)
    # A question answered with buttons: point to them, and ask again below.
    await drop_buttons(context, message.chat.id, scratch.get("msg"))
    await message.reply_text(t("flows.use_buttons"))
    return await _ask(update, context, t, scratch, str(state))


def handlers() -> dict[str, list[BaseHandler[Update, GridContext, object]]]:
    """The handlers of each state of the pension flow."""
    text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    buttons: BaseHandler[Update, GridContext, object] = CallbackQueryHandler(
        pressed, pattern=pattern(PREFIX)
    )
    typing: BaseHandler[Update, GridContext, object] = MessageHandler(text, typed)
    return {state: [buttons, typing] for state in (WHO, PERSON, ID, PHONE, TRAVEL, PLACE, CONFIRM)}
