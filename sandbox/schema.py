"""Bot API schema loading, form-value decoding and recursive request validation."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sandbox.errors import bad_request
from sandbox.files import UploadedFile

_SCALARS = {"Integer", "Float", "String", "Boolean", "True", "InputFile"}
_LEGACY: dict[str, list[dict[str, Any]]] = {
    "reply_parameters": [
        {"name": "reply_to_message_id", "types": ["Integer"], "required": False},
        {"name": "allow_sending_without_reply", "types": ["Boolean"], "required": False},
    ],
    "link_preview_options": [
        {"name": "disable_web_page_preview", "types": ["Boolean"], "required": False},
    ],
}
# Parameters PTB's Defaults add to every message method (Bot._send_message); Telegram ignores
# them where the method has no such parameter, e.g. parse_mode on editMessageReplyMarkup.
_MESSAGE_EXTRAS = frozenset(
    {
        "parse_mode", "disable_notification", "protect_content", "link_preview_options",
        "message_thread_id", "message_effect_id", "direct_messages_topic_id",
        "suggested_post_parameters", "allow_paid_broadcast",
    }
)  # fmt: skip
_MESSAGE_METHODS = ("send", "edit", "stop", "forward", "copy", "setgamescore")
_DISCRIMINATOR = re.compile(r'(?:always|must be) "?([a-z_]+)"?')


@dataclass(frozen=True)
class Mismatch:
    """Where and why a value does not fit its schema type."""

    path: str
    message: str


class Schema:
    """The Bot API description from api.min.json with lookup and validation helpers."""

    def __init__(self, data: dict[str, Any]):
        self.methods: dict[str, dict[str, Any]] = data["methods"]
        self.types: dict[str, dict[str, Any]] = data["types"]
        self.version: str = data.get("version", "")
        self._lower = {name.lower(): name for name in self.methods}
        self._fields: dict[str, dict[str, dict[str, Any]]] = {}
        self._unions: dict[str, dict[tuple[str, str], str]] = {}

    @classmethod
    def load(cls) -> Schema:
        """Read the schema shipped inside the sandbox package."""
        text = resources.files("sandbox").joinpath("api.min.json").read_text("utf-8")
        return cls(json.loads(text))

    def method_name(self, name: str) -> str | None:
        """Return the canonical spelling of a method name, matched case-insensitively."""
        return self._lower.get(name.lower())

    def returns(self, method: str) -> list[str]:
        """Return the schema return types of a method."""
        return list(self.methods[method].get("returns", []))

    def fields(self, owner: str) -> dict[str, dict[str, Any]]:
        """Return the fields of a method or type, keyed by name (with legacy method params)."""
        cached = self._fields.get(owner)
        if cached is None:
            spec = self.methods.get(owner) or self.types.get(owner) or {}
            cached = {f["name"]: f for f in spec.get("fields", [])}
            if owner in self.methods:
                for modern, legacy in _LEGACY.items():
                    if modern in cached:
                        cached.update({f["name"]: f for f in legacy})
            self._fields[owner] = cached
        return cached

    def decode_form(self, method: str, raw: dict[str, Any]) -> dict[str, Any]:
        """Turn form values (JSON-encoded unless plain strings) into typed values."""
        fields = self.fields(method)
        decoded: dict[str, Any] = {}
        for name, value in raw.items():
            spec = fields.get(name)
            if spec is None or not isinstance(value, str):
                decoded[name] = value
            else:
                decoded[name] = self._decode_value(spec["types"], value)
        return decoded

    def _decode_value(self, types: list[str], raw: str) -> Any:
        if types == ["String"]:
            return raw
        try:
            value = json.loads(raw)
        except ValueError:
            if "Boolean" in types and raw.lower() in ("true", "false"):
                return raw.lower() == "true"
            return raw
        if isinstance(value, str) or value is None:
            return raw
        if "String" in types:
            others = [t for t in types if t != "String"]
            if not others or self.check(others, value, "") is not None:
                return raw
        return value

    def validate(self, method: str, params: dict[str, Any]) -> None:
        """Raise a 400 ApiError when params do not match the method's schema."""
        fields = self.fields(method)
        extras_ok = method.lower().startswith(_MESSAGE_METHODS)
        for name in params:
            if name not in fields and not (extras_ok and name in _MESSAGE_EXTRAS):
                raise bad_request(f'unknown parameter "{name}"')
        for name, spec in fields.items():
            if spec.get("required") and params.get(name) is None:
                raise bad_request(f'parameter "{name}" is required')
        for name, value in params.items():
            if value is None or name not in fields:
                continue
            mismatch = self.check(fields[name]["types"], value, name)
            if mismatch is not None:
                raise bad_request(mismatch.message)

    def check(self, types: list[str], value: Any, path: str) -> Mismatch | None:
        """Check a value against alternative types; None when one of them fits."""
        found: list[Mismatch] = []
        for type_name in types:
            mismatch = self._check_one(type_name, value, path)
            if mismatch is None:
                return None
            found.append(mismatch)
        deeper = [m for m in found if m.path != path or m.message]
        if deeper:
            return max(deeper, key=_relevance)
        return Mismatch(path, f'field "{path}" must be of type {" or ".join(types)}')

    def _check_one(self, type_name: str, value: Any, path: str) -> Mismatch | None:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return Mismatch(path, "")
            inner = type_name[len("Array of ") :]
            for index, item in enumerate(value):
                mismatch = self.check([inner], item, f"{path}[{index}]")
                if mismatch is not None:
                    return mismatch
            return None
        if type_name in _SCALARS:
            return None if _scalar_fits(type_name, value) else Mismatch(path, "")
        spec = self.types.get(type_name)
        if spec is None:
            return None
        if not isinstance(value, dict):
            return Mismatch(path, "")
        if "subtypes" in spec:
            return self._check_union(type_name, spec["subtypes"], value, path)
        return self._check_object(type_name, value, path)

    def _check_union(
        self, type_name: str, subtypes: list[str], value: dict[str, Any], path: str
    ) -> Mismatch | None:
        mapping = self._union_map(type_name, subtypes)
        for (key, tag), subtype in mapping.items():
            if value.get(key) == tag:
                return self.check([subtype], value, path)
        if not mapping:
            return self.check(subtypes, value, path)
        key = next(iter(mapping))[0]
        sub = f"{path}.{key}"
        if value.get(key) is None:
            return Mismatch(sub, f'field "{sub}" is required')
        tags = ", ".join(f'"{tag}"' for _, tag in mapping)
        return Mismatch(sub, f'field "{sub}" must be one of {tags}')

    def _union_map(self, type_name: str, subtypes: list[str]) -> dict[tuple[str, str], str]:
        cached = self._unions.get(type_name)
        if cached is None:
            cached = {}
            for subtype in subtypes:
                for field in self.types.get(subtype, {}).get("fields", [])[:1]:
                    match = _DISCRIMINATOR.search(field.get("description", ""))
                    if match:
                        cached[(field["name"], match.group(1))] = subtype
            self._unions[type_name] = cached
        return cached

    def _check_object(self, type_name: str, value: dict[str, Any], path: str) -> Mismatch | None:
        fields = self.fields(type_name)
        for key in value:
            if key not in fields:
                return Mismatch(f"{path}.{key}", f'unknown field "{path}.{key}"')
        for name, spec in fields.items():
            sub = f"{path}.{name}"
            if value.get(name) is None:
                if spec.get("required"):
                    return Mismatch(sub, f'field "{sub}" is required')
                continue
            mismatch = self.check(spec["types"], value[name], sub)
            if mismatch is not None:
                return mismatch
        return None


def _relevance(mismatch: Mismatch) -> tuple[bool, int]:
    return (not mismatch.message.startswith("unknown field"), len(mismatch.path))


def _scalar_fits(type_name: str, value: Any) -> bool:
    if type_name == "Integer":
        return type(value) is int
    if type_name == "Float":
        return type(value) in (int, float)
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "True":
        return value is True
    return isinstance(value, UploadedFile)
