"""Message catalogs: every key in every language, same placeholders, escaping."""

import re
from pathlib import Path

from bot.texts import LANGUAGES, Html, Texts, load_catalog, placeholders

ROOT = Path(__file__).resolve().parents[2]


def test_every_key_exists_in_every_language() -> None:
    catalogs = {lang: load_catalog(lang) for lang in LANGUAGES}
    keys = {lang: set(c) for lang, c in catalogs.items()}
    for lang in LANGUAGES:
        for other in LANGUAGES:
            missing = keys[other] - keys[lang]
            assert not missing, f"missing in {lang}: {sorted(missing)}"


def test_placeholders_agree_between_languages() -> None:
    zh, en = load_catalog("zh"), load_catalog("en")
    for key, template in zh.items():
        assert placeholders(template) == placeholders(en[key]), key


def test_interpolated_values_are_escaped() -> None:
    texts = Texts("zh", {"zh": {"a.b": "<b>{name}</b>"}, "en": {"a.b": "<b>{name}</b>"}})
    assert texts.get("zh", "a.b", name="<script>&") == "<b>&lt;script&gt;&amp;</b>"
    assert texts.get("zh", "a.b", name=Html("<i>x</i>")) == "<b><i>x</i></b>"


def test_every_key_used_in_code_exists() -> None:
    """Literal keys passed to a catalog in the code are all defined."""
    known = set(load_catalog("zh"))
    pattern = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    missing = []
    for folder in ("bot", "handlers", "services", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in pattern.findall(path.read_text(encoding="utf-8")):
                if key not in known:
                    missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, missing


def test_refusal_keys_exist() -> None:
    known = set(load_catalog("zh"))
    pattern = re.compile(r"""Refusal\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    missing = []
    for folder in ("bot", "handlers", "services", "models", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            missing += [
                k for k in pattern.findall(path.read_text(encoding="utf-8")) if k not in known
            ]
    assert not missing, missing
