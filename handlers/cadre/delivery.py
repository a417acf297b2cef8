"""Delivering announcements: one at a time (a second one waits its turn), every send through
the Application's rate limiter, each group claimed in the send ledger just before its send and
its outcome stored as soon as it is known, and a progress message edited as it goes. A stop
leaves the rest pending; start-up resumes it, and a group whose send was under way at a stop
is never sent it again (at most once)."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram.error import TelegramError

from bot.runtime import RUNTIME_KEY, GridApp, Runtime
from bot.texts import Html, Lang
from handlers.common import pick_language
from models.outbox import Fault
from services import announcements as service
from services import groups as group_service
from services import people
from services.announcements import Announcement

log = logging.getLogger(__name__)

TASK_NAME = "announcement-delivery"
RESUME_PAUSE = 1.5  # seconds: longer than Telegram's one-second overall window


def header(t: Lang, unit_name: str) -> str:
    """The line that opens every announcement."""
    return t("announce.header", unit=unit_name)


def announcement_text(t: Lang, unit_name: str, body_html: str) -> str:
    """The announcement as groups receive it (the body is the cadre's own formatted text)."""
    return header(t, unit_name) + "\n\n" + Html(body_html)


async def resume_announcements(app: GridApp) -> None:
    """Make sure queued or interrupted announcements are being delivered."""
    rt: Runtime = app.bot_data[RUNTIME_KEY]
    run = rt.announcements
    run.wake = True
    if run.task is not None and not run.task.done():
        return
    run.task = app.create_task(_deliver_all(app, rt), name=TASK_NAME)


async def _deliver_all(app: GridApp, rt: Runtime) -> None:
    while app.running:
        rt.announcements.wake = False
        found = await service.next_to_deliver(rt.db, rt.clock)
        if found is None:
            if rt.announcements.wake:
                continue  # one was queued while we were looking
            return
        await _deliver(app, rt, found)


async def _cadre_lang(rt: Runtime, tg_user_id: int) -> Lang:
    code = await people.language_of(rt.db, tg_user_id)
    return rt.lang(pick_language(rt, code))


async def _send_one(
    app: GridApp, rt: Runtime, chat_id: int, text: str, photo: str | None
) -> tuple[bool, str, int | None]:
    """Send to one group: (delivered, why not, the message's id)."""
    if photo:
        attempt = await rt.outbox.send("sendPhoto", chat_id, {"photo": photo, "caption": text})
    else:
        attempt = await rt.outbox.send("sendMessage", chat_id, {"text": text})
    if attempt.moved_to is not None:
        await group_service.migrated(rt.db, rt.clock, chat_id, attempt.moved_to)
    if attempt.ok:
        return True, "", attempt.message_id
    if attempt.fault is Fault.FORBIDDEN:
        return False, service.GONE, None
    if attempt.fault is Fault.BAD_REQUEST and "chat not found" in attempt.detail.lower():
        return False, service.GONE, None
    if attempt.fault is Fault.FLOOD:
        return False, "flood", None
    return False, attempt.detail[:200], None


async def _edit(app: GridApp, chat_id: int, message_id: int | None, text: str) -> None:
    if message_id is None:
        return
    try:
        await app.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
    except TelegramError as exc:
        log.debug("progress message not edited: %s", exc)


async def _deliver(app: GridApp, rt: Runtime, ann: Announcement) -> None:
    unit = await service.unit_of(rt.db, ann)
    t, mine = rt.lang(None), await _cadre_lang(rt, ann.chat_id)
    text = announcement_text(t, unit.name if unit else "", ann.body_html)
    unknown = await service.recover(rt.db, ann.id, rt.process)
    if unknown:
        log.warning(
            "announcement %s: %d group sends were under way at a stop; not resent", ann.id, unknown
        )
    counts = await service.progress(rt.db, ann.id)
    done = counts["done"]
    progress_id = ann.progress_message_id
    if progress_id is None:
        try:
            message = await app.bot.send_message(
                ann.chat_id, mine("announce.progress", done=done, total=ann.total)
            )
            progress_id = message.message_id
            await service.remember_progress_message(rt.db, ann.id, progress_id)
        except TelegramError as exc:
            log.info("no progress message for announcement %s: %s", ann.id, exc)
    if done:
        # Resumed after a restart: the previous process may have used up this second's
        # allowance, and the new rate limiter does not know it, so let one window pass.
        await asyncio.sleep(RESUME_PAUSE)
    log.info(
        "announcement %s delivering to %d groups (%d done before)",
        ann.id,
        counts["pending"],
        done,
    )
    interval = rt.config.cadre.announcements.progress_every.total_seconds()
    last_edit = time.monotonic()

    async def worker() -> None:
        # Each sender claims the next group (each town's next in turn), sends, records: a
        # stop leaves at most the sends in flight with an unknown outcome, never resent.
        nonlocal done, last_edit
        while app.running:
            target = await service.claim_next(rt.db, rt.clock, ann.id, rt.process)
            if target is None:
                return
            assert target.chat_id is not None
            ok, error, message_id = await _send_one(
                app, rt, target.chat_id, text, ann.photo_file_id
            )
            await service.record(rt.db, rt.clock, target, ok, error, message_id)
            done += 1
            if time.monotonic() - last_edit >= interval and done < ann.total:
                last_edit = time.monotonic()
                log.info("announcement %s progress %d/%d", ann.id, done, ann.total)
                await _edit(
                    app,
                    ann.chat_id,
                    progress_id,
                    mine("announce.progress", done=done, total=ann.total),
                )

    workers = rt.config.cadre.announcements.parallel_sends
    await asyncio.gather(*(worker() for _ in range(workers)))
    if not app.running:
        log.info("announcement %s paused at %d/%d (stopping)", ann.id, done, ann.total)
        return
    final = await service.finish(rt.db, rt.clock, ann.id)
    log.info(
        "announcement %s done: %d/%d delivered, %d failed, %d unknown (under way at a stop), "
        "%d groups marked inactive",
        ann.id,
        final["sent"],
        ann.total,
        final["failed"],
        final["unknown"],
        final["gone"],
    )
    summary = mine(
        "announce.done",
        sent=final["sent"],
        total=ann.total,
        failed=final["failed"],
        gone=final["gone"],
    )
    if final["unknown"]:
        summary += "\n" + mine("send_once.unknown_groups", unknown=final["unknown"])
    await _edit(
        app, ann.chat_id, progress_id, mine("announce.progress", done=ann.total, total=ann.total)
    )
    try:
        await app.bot.send_message(ann.chat_id, summary)
    except TelegramError as exc:
        log.info("announcement %s summary not delivered: %s", ann.id, exc)
