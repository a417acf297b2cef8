"""What the bot keeps of an incoming update: never a whole ID number typed by mistake."""

from __future__ import annotations

from typing import Any

from models.id_numbers import ID_PLACEHOLDER, carries_id_number

# Fields of an update that carry what a person typed (or a link they sent).
_TYPED = frozenset({"text", "caption", "query", "quote", "url"})


def without_id_numbers(data: Any) -> Any:
    """A copy of an update's JSON with every typed text that carries a whole ID number
    replaced by the placeholder (which is refused and deleted like the number itself)."""
    if isinstance(data, dict):
        return {
            key: (
                ID_PLACEHOLDER
                if key in _TYPED and isinstance(value, str) and carries_id_number(value)
                else without_id_numbers(value)
            )
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [without_id_numbers(item) for item in data]
    return data
