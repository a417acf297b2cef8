"""What the bot keeps per person between updates in `user_data` (persisted by
bot/persistence.py, JSON only): the step-by-step flow in progress and who asked last."""

from __future__ import annotations

from typing import Any

from bot.clock import to_ts
from bot.runtime import Runtime

Scratch = dict[str, Any]
# The flow in progress (handlers.flows.common).
SCRATCH = "flow"
# Set when a flow ends during an update, so that the end is written through too.
ENDED = "flow_ended"
# Who asked this person for a text last (handlers.private_text), and whether that changed.
ASKED = "asked"
ASKED_CHANGED = "asked_changed"
# The value of ASKED when a flow asked last.
FLOW_ASKED = "flow"


def now_ts(rt: Runtime) -> int:
    """The runtime's clock, as stored."""
    return to_ts(rt.clock.now())


def drop_flow(data: dict[Any, Any]) -> None:
    """Forget the flow in progress, and that it asked for a text."""
    data.pop(SCRATCH, None)
    if data.get(ASKED) == FLOW_ASKED:
        data.pop(ASKED)


def idle(rt: Runtime, scratch: Scratch) -> bool:
    """Whether a flow's last step is older than the configured timeout."""
    limit = int(rt.config.flows.timeout.total_seconds())
    return now_ts(rt) - int(scratch.get("at", 0)) > limit
