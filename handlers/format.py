"""Formatting shared by several features: times, roles, people."""

from __future__ import annotations

from datetime import datetime

from bot.runtime import Runtime
from bot.texts import Html, Lang
from models.units import Level, Staff
from services.groups import ContactCard


def local_time(rt: Runtime, when: datetime) -> str:
    """A time in the town's zone, as people there read it."""
    return when.astimezone(rt.config.tz).strftime("%Y-%m-%d %H:%M")


def role_name(t: Lang, level: Level) -> str:
    """The name of a staff level's role."""
    if level is Level.COUNTY:
        return t("county.role_l0")
    return t(f"common.role_l{int(level)}")


def _people(t: Lang, staff: list[Staff]) -> str:
    if not staff:
        return t("card.nobody")
    return t("card.separator").join(t("card.person", name=s.name, phone=s.phone) for s in staff)


def render_card(t: Lang, card: ContactCard) -> str:
    """The contact card (网格联系卡) of a micro-grid."""
    lines = [t("card.title", name=card.micro_grid.name)]
    if card.village is not None:
        lines.append(
            t(
                "card.place",
                village=card.village.name,
                grid=card.grid.name if card.grid else "",
                micro_grid=card.micro_grid.name,
            )
        )
    lines.append(t("card.worker", people=Html(_people(t, card.workers))))
    lines.append(t("card.grid_worker", people=Html(_people(t, card.grid_workers))))
    lines.append(t("card.village_office", people=Html(_people(t, card.village_cadres))))
    lines.append(t("card.footer"))
    return "\n".join(lines)
