"""What the bot keeps per person between updates in `user_data` (persisted by
bot/persistence.py, JSON only): the step-by-step flow in progress. (Who asked last is in
the pending questions' store, services.questions.)"""

from __future__ import annotations

from typing import Any

from bot.clock import to_ts
from bot.runtime import Runtime

Scratch = dict[str, Any]
# The flow in progress (handlers.flows.common).
SCRATCH = "flow"
# Set when a flow ends during an update, so that the end is written through too.
ENDED = "flow_ended"
# The pending question's flow when a step-by-step flow asked (services.questions).
FLOW_ASKED = "flow"


def now_ts(rt: Runtime) -> int:
    """The runtime's clock, as stored."""
    return to_ts(rt.clock.now())


def drop_flow(data: dict[Any, Any]) -> None:
    """Forget the flow in progress."""
    data.pop(SCRATCH, None)


def idle(rt: Runtime, scratch: Scratch) -> bool:
    """Whether a flow's last step is older than the configured timeout."""
    limit = int(rt.config.flows.timeout.total_seconds())
    return now_ts(rt) - int(scratch.get("at", 0)) > limit
