"""The playground page in a real browser: a report loop by three people, by clicking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from PIL import Image
from playwright.async_api import Page, expect

from bot.playground import Playground
from bot.texts import Texts
from tests.browser.conftest import PHONE

t = Texts().lang("zh")
DESKTOP = {"width": 1280, "height": 800}


async def open_page(browser: Any, url: str, viewport: dict[str, int]) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport=viewport, accept_downloads=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(url)
    await page.wait_for_selector("body[data-ready]")
    return page, errors


async def be(page: Page, role: str) -> None:
    await page.select_option("#person", role)


async def open_chat(page: Page, title: str) -> None:
    await page.locator("#chats li", has_text=title).first.click()
    await expect(page.locator("#chat-title")).to_have_text(title)


async def say(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def press(page: Page, label: str) -> None:
    button = page.locator("#messages .keyboard button", has_text=label).last
    await expect(button).to_be_enabled()
    await button.click()


async def task_done(page: Page, key: str) -> None:
    await expect(page.locator(f'#tasks li[data-task="{key}"]')).to_have_class("done")


async def screenshot(page: Page, path: Path) -> None:
    await page.evaluate("document.fonts.ready")
    await page.locator("#toast").evaluate("node => { node.hidden = true; }")
    await page.screenshot(path=str(path))
    with Image.open(path) as image:
        assert image.size == (page.viewport_size["width"], page.viewport_size["height"])
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, f"{path} looks blank"


async def test_report_loop_by_three_people_on_a_phone(
    playground: tuple[Playground, str], browser: Any, shots: Path
) -> None:
    pg, url = playground
    group = t("playground.group_title", name=pg.plan.micro_grid.name)
    page, errors = await open_page(browser, url, PHONE)
    await expect(page.locator("#person")).to_contain_text(t("playground.role_resident"))
    await screenshot(page, shots / "playground-chats.png")

    # The resident files a report in the group; the description is a forced reply.
    await open_chat(page, group)
    await expect(page.locator("#pinned")).to_be_visible()
    await say(page, "/report")
    await press(page, pg.stage.rt.config.categories[0].zh)
    await expect(page.locator("#reply-bar")).to_be_visible()
    await say(page, "村口的路灯坏了，晚上很黑")
    await expect(page.locator("#messages .msg.mine").last).to_contain_text("路灯")
    await page.locator("#back").click()
    await task_done(page, "file_report")

    # The micro-grid worker escalates it to the grid worker.
    await be(page, "l4")
    await open_chat(page, pg.sandbox.bot.first_name)
    await press(page, t("reports.button_escalate"))

    # The grid worker accepts and resolves it, answering the forced reply for the note.
    await be(page, "l3")
    await open_chat(page, pg.sandbox.bot.first_name)
    await press(page, t("reports.button_accept"))
    await press(page, t("reports.button_resolve"))
    await expect(page.locator("#reply-bar")).to_be_visible()
    await say(page, "已联系电工换了灯泡")
    await page.locator("#back").click()
    await task_done(page, "accept_escalated")

    # The resident confirms in the group.
    await be(page, "resident")
    await open_chat(page, group)
    await press(page, t("reports.button_confirm"))
    await expect(page.locator("#messages .msg").last).to_contain_text("#1")
    await screenshot(page, shots / "playground-phone.png")
    await page.locator("#back").click()
    await task_done(page, "confirm")

    assert await pg.stage.db.scalar("SELECT status FROM reports WHERE id = 1") == "closed"
    assert await page.evaluate("document.fonts.check('16px \"Noto Sans SC Web\"', '网格')")
    assert errors == []
    # The bot refreshes staff cards whose buttons did not change and ignores Telegram's answer.
    refused = [c for c in pg.sandbox.errors() if "not modified" not in (c.description or "")]
    assert refused == []


async def test_menu_export_location_and_reset_on_a_desktop(
    playground: tuple[Playground, str], browser: Any, shots: Path, tmp_path: Path
) -> None:
    pg, url = playground
    page, errors = await open_page(browser, url, DESKTOP)

    # The town cadre has only the private chat; the command menu comes from setMyCommands.
    await be(page, "l1")
    await expect(page.locator("#person")).to_contain_text(t("playground.role_l1"))
    await expect(page.locator("#chats li")).to_have_count(1)
    await page.locator("#chats li").first.click()
    await page.locator("#menu-button").click()
    await page.locator("#menu button", has_text="/export").click()
    await press(page, t("export.button_xlsx"))
    document = page.locator("#messages a.doc").last
    await expect(document).to_be_visible()
    async with page.expect_download() as waiting:
        await document.click()
    download = await waiting.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert "问题" in workbook.sheetnames

    # The grid worker checks in by sharing one of the fixed points with the reply keyboard.
    await be(page, "l3")
    await page.locator("#chats li").first.click()
    await say(page, "/checkin")
    await page.locator("#reply-keyboard button").first.click()
    await page.locator("#places button").first.click()
    await task_done(page, "checkin")
    await screenshot(page, shots / "playground-desktop.png")

    # Reset: a new town, nothing done.
    page.on("dialog", lambda dialog: dialog.accept())
    await page.locator("#reset").click()
    await page.wait_for_selector('body[data-ready="1"]')
    assert pg.generation == 1
    await expect(page.locator('#tasks li[data-task="checkin"]')).not_to_have_class("done")
    assert await pg.stage.db.scalar("SELECT COUNT(*) FROM checkins") == 0
    assert errors == []
