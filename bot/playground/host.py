"""The running playground: the real bot against a sandbox, the sample people, training, reset.

Time: the bot runs on a controllable clock that starts at the real time and moves only when
the page moves it (+1 hour, +1 day); each move runs the sweeps and the calendar jobs that fell
due meanwhile (bot/playground/clock.py), so a trainee sees an unanswered report escalate, a
reminder arrive or Monday's digest with its chart without waiting for them.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.demo.stage import Stage
from bot.playground.cast import ROLES, CastPlan, choose_cast
from bot.playground.clock import due_jobs
from bot.storage import grid
from bot.texts import LANGUAGES, Texts
from sandbox.driver import Sandbox
from sandbox.state import User
from sandbox.web import Person, Point
from services import training
from services.roster import Roster

# A point this far north of the town's centre is well outside every unit.
FAR_AWAY_DEGREES = 0.5


class Playground:
    """One playground town; `reset()` builds it again from the roster on a new database."""

    def __init__(
        self,
        folder: Path,
        roster: Roster,
        settings: dict[str, Any] | None = None,
        start: datetime | None = None,
        language: str = "zh",
    ) -> None:
        self.folder = folder
        self.roster = roster
        self.settings = settings or {}
        self.start = start
        self.language = language
        self.plan: CastPlan = choose_cast(roster)
        self.texts = Texts()
        self._stage: Stage | None = None
        self._generation = 0
        self._builds = 0
        self._cast: list[tuple[str, User, int | None]] = []  # role, user, staff id
        self._lock = asyncio.Lock()

    # --- life cycle ---------------------------------------------------------------------

    async def open(self) -> Playground:
        """Build the town and start the bot."""
        self._stage, self._cast = await self._build()
        return self

    async def close(self) -> None:
        """Stop the bot and the sandbox."""
        if self._stage is not None:
            await self._stage.close()
            self._stage = None

    async def reset(self) -> None:
        """Put the town back to the start: a new sandbox and a new database.

        The new town is built beside the old one and then swapped in, so a page asking
        meanwhile still gets answers.
        """
        async with self._lock:
            fresh, cast = await self._build()
            old, self._stage, self._cast = self._stage, fresh, cast
            self._generation += 1
            if old is not None:
                old.sb.world.notifier.notify()  # wakes live pages still waiting on it
                await old.close()
                shutil.rmtree(old.tmp, ignore_errors=True)

    async def _build(self) -> tuple[Stage, list[tuple[str, User, int | None]]]:
        self._builds += 1
        folder = self.folder / f"town-{self._builds}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        start = self.start or datetime.now(UTC).replace(second=0, microsecond=0)
        stage = Stage(folder, self.roster, settings=self.settings, start=start)
        await stage.open()
        try:
            return stage, await self._populate(stage)
        except BaseException:
            await stage.close()
            raise

    async def _populate(self, stage: Stage) -> list[tuple[str, User, int | None]]:
        plan = self.plan
        # The stage knows people by name: two of the cast with one name stay two people.
        taken: set[str] = {plan.resident.head_name}
        resident = stage.user(plan.resident.head_name, self.language)
        cast: list[tuple[str, User, int | None]] = [("resident", resident, None)]
        for role in ROLES[1:]:
            record = plan.staff[role]
            name = record.name if record.name not in taken else f"{record.name} {record.code}"
            taken.add(name)
            stage.user(name, self.language)
            user = await stage.staff(record.code, name)
            staff = await grid.staff_by_code(stage.db, record.code)
            cast.append((role, user, staff.id if staff else None))
        people = {role: user for role, user, _ in cast}
        t = self.texts.lang(self.language)
        own = set(plan.staff["l4"].unit_codes)
        # The resident's micro-grid last, so its group is the newest chat, on top.
        units = sorted(plan.group_units, key=lambda u: u.code == plan.micro_grid.code)
        for unit in units:
            members = [people["l2"]]
            binder = people["l2"]
            if unit.parent_code == plan.grid.code:
                members.insert(0, people["l3"])
                binder = people["l3"]
            if unit.code in own:
                members.insert(0, people["l4"])
                binder = people["l4"]
            if unit.code == plan.micro_grid.code:
                members.insert(0, resident)
            title = t("playground.group_title", name=unit.name)
            await stage.group(title, members, bind_code=unit.code, by=binder)
        return cast

    # --- what the page asks -------------------------------------------------------------

    @property
    def stage(self) -> Stage:
        """The current stage (bot, sandbox, database)."""
        assert self._stage is not None, "the playground is not open"
        return self._stage

    @property
    def sandbox(self) -> Sandbox:
        """The sandbox the bot talks to now."""
        return self.stage.sb

    @property
    def generation(self) -> int:
        """How many resets so far."""
        return self._generation

    def people(self) -> list[Person]:
        """The five people, resident first."""
        return [
            Person(user.id, user.first_name, role, self._labels(f"playground.role_{role}"))
            for role, user, _ in self._cast
        ]

    def person(self, role: str) -> User:
        """The sandbox user playing a role."""
        return next(user for each, user, _ in self._cast if each == role)

    def points(self) -> list[Point]:
        """The centres of the grid's micro-grids, and somewhere far outside the town."""
        found = [
            Point({lang: unit.name for lang in LANGUAGES}, unit.lat, unit.lon)
            for unit in self.plan.group_units
            if unit.parent_code == self.plan.grid.code
            and unit.lat is not None
            and unit.lon is not None
        ]
        plan = self.plan
        centres = [u for u in (plan.town, plan.village, plan.grid, plan.micro_grid) if u.lat]
        if centres and centres[0].lat is not None and centres[0].lon is not None:
            far = centres[0].lat + FAR_AWAY_DEGREES
            found.append(Point(self._labels("playground.point_far"), far, centres[0].lon))
        return found

    def ui_texts(self) -> dict[str, dict[str, str]]:
        """The page's words in every language."""
        prefix = "playground.ui."
        return {
            lang: {k[len(prefix) :]: v for k, v in catalog.items() if k.startswith(prefix)}
            for lang, catalog in self.texts.catalogs.items()
        }

    def font_path(self) -> Path | None:
        """The configured chart font, else the shipped Noto Sans SC."""
        configured = self.stage.rt.config.cadre.digest.chart_font
        if configured:
            return Path(configured)
        import pylopdf_fonts_zh_cn

        return Path(pylopdf_fonts_zh_cn.sans_path())

    async def training(self, user_id: int, language: str) -> list[dict[str, Any]]:
        """The person's tasks, ticked from the database."""
        role, staff_id = next(((r, s) for r, u, s in self._cast if u.id == user_id), ("", None))
        done = await training.progress(self.stage.db, role, user_id, staff_id)
        return [
            {"key": key, "text": self.texts.get(language, f"playground.task_{key}"), "done": ok}
            for key, ok in done
        ]

    async def clock(self) -> str:
        """The bot's time in the town's zone."""
        local = self.stage.clock.now().astimezone(self.stage.rt.config.tz)
        return local.strftime("%Y-%m-%d %H:%M")

    async def advance(self, hours: float) -> str:
        """Move the clock; the sweeps run, and the calendar jobs that fell due in between."""
        async with self._lock:
            stage = self.stage
            assert stage.app is not None and stage.app.job_queue is not None
            before = stage.clock.now()
            after = before + timedelta(hours=hours)
            due = due_jobs(stage.app.job_queue, before, after)
            for when, name in due.timed:
                stage.clock.set(when)
                await stage.run_job(name)
            stage.clock.set(after)
            for name in due.sweeps:
                await stage.run_job(name)
        return await self.clock()

    def _labels(self, key: str) -> dict[str, str]:
        return {lang: self.texts.get(lang, key) for lang in LANGUAGES}
