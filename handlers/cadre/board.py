"""/board: a village's problem list and rectification status, a page at a time."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.runtime import GridApp, GridContext, Runtime
from bot.texts import Html, Lang
from handlers.callback_data import BadCallbackData, number, pack, pattern, unpack
from handlers.common import current_actor, edit_pressed, is_group, refuse, reply, texts_for
from handlers.format import local_time, role_name
from handlers.reports.render import category_label, status_label
from handlers.reports.supervision_render import board_mark, supervise_button
from models.errors import Refusal
from models.text_limits import shorten
from models.units import Unit
from services import board as service
from services.board import Board
from services.reports.attachments import markers

PREFIX = "bd"


def render_board(rt: Runtime, t: Lang, board: Board) -> str:
    """The board's text; descriptions and owners only for reports the reader may see."""
    lines = [
        t(
            "board.title",
            village=board.village.name,
            total=board.total,
            page=board.page + 1,
            pages=board.pages,
        ),
        t("board.as_of", when=local_time(rt, board.at)),
    ]
    if not board.rows:
        lines.append(t("board.empty"))
    for row in board.rows:
        days = (board.at - row.created_at).days
        age = t("board.age_days", n=days) if days > 0 else t("board.age_today")
        late = t("board.overdue") if row.overdue else ""
        if row.supervision_wanted:
            late += " " + t("satisfaction.card_supervision")
        marks = markers(t, board.attachments.get(row.id, []))
        late += f" {marks}" if marks else ""
        lines.append(
            t(
                "board.line",
                number=board.number(row),
                category=category_label(rt.config, t, row.category),
                place=row.micro_grid,
                age=age,
                level=role_name(t, row.level),
                status=status_label(t, row.status),
                late=Html(late + board_mark(t, board.marks.get(row.id))),
            )
        )
        if row.id in board.detailed:
            owner = t("board.owner", name=row.owner) if row.owner else ""
            text = shorten(row.description, 40)
            lines.append(t("board.detail", text=text, owner=Html(owner)))
    return "\n".join(lines)


def board_buttons(t: Lang, board: Board) -> InlineKeyboardMarkup | None:
    """督办 for each report the reader may supervise, then previous / next page buttons."""
    numbers = {r.id: board.number(r) for r in board.rows}
    rows = [
        [supervise_button(t, i, numbers[i]) for i in board.supervisable[j : j + 3]]
        for j in range(0, len(board.supervisable), 3)
    ]
    row = []
    if board.page > 0:
        row.append(
            InlineKeyboardButton(
                t("board.previous"), callback_data=pack(PREFIX, board.village.id, board.page - 1)
            )
        )
    if board.page + 1 < board.pages:
        row.append(
            InlineKeyboardButton(
                t("board.next"), callback_data=pack(PREFIX, board.village.id, board.page + 1)
            )
        )
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows) if rows else None


def village_buttons(villages: list[Unit]) -> InlineKeyboardMarkup:
    """One button per village to open its board."""
    buttons = [InlineKeyboardButton(v.name, callback_data=pack(PREFIX, v.id, 0)) for v in villages]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def _load(
    update: Update, context: GridContext, village_id: int | None, page: int
) -> Board | list[Unit]:
    rt, chat = context.rt, update.effective_chat
    assert chat is not None
    if is_group(update):
        return await service.group_board(rt.db, rt.clock, chat.id, page, village_id)
    actor = await current_actor(context, update)
    return await service.staff_board(rt.db, rt.clock, actor, village_id, page)


async def board(update: Update, context: GridContext) -> None:
    """Show the village's board (the group's own village; staff choose among theirs)."""
    t = texts_for(context, update)
    try:
        found = await _load(update, context, None, 0)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if isinstance(found, list):
        await reply(update, t("board.choose"), reply_markup=village_buttons(found))
        return
    await reply(update, render_board(context.rt, t, found), reply_markup=board_buttons(t, found))


async def turn(update: Update, context: GridContext) -> None:
    """A page or village button: show that page in place."""
    query = update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        village_id, page = (number(p) for p in unpack(query.data, PREFIX, 2))
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    try:
        found = await _load(update, context, village_id, page)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await query.answer()
    if isinstance(found, list):
        # A town chosen (by a county cadre): its villages.
        await edit_pressed(query.message, t("board.choose"), village_buttons(found))
        return
    await edit_pressed(query.message, render_board(context.rt, t, found), board_buttons(t, found))


def register(app: GridApp) -> None:
    """Add /board and its page buttons."""
    app.add_handler(CommandHandler("board", board))
    app.add_handler(CallbackQueryHandler(turn, pattern=pattern(PREFIX)))
