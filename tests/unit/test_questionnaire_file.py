"""The questionnaire file: a valid one of every type, and each kind of mistake named clearly."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, config_from_dict
from models.questionnaire import QuestionType
from models.questionnaire_file import QuestionnaireError, parse_questionnaire
from services.town_files import load_town_files

CATEGORIES = [
    ("infrastructure", {"zh": "民生基础设施建设", "en": "Infrastructure"}),
    ("policy", {"zh": "政策咨询", "en": "Policy"}),
]

VALID = """
id = "all-types"
title = { zh = "全部题型", en = "Every type" }

[[questions]]
id = "mood"
type = "rating"
text = { zh = "心情如何？", en = "How are you?" }

[[questions]]
id = "fruit"
type = "single"
text = "最喜欢的水果？"
options = [{ value = "apple", zh = "苹果", en = "Apple" }, { value = "pear", zh = "梨" }]

[[questions]]
id = "crops"
type = "multiple"
required = false
text = { zh = "种了什么？" }
options = [{ value = "rice", zh = "水稻" }, { value = "tea", zh = "茶叶" }]
show_if = { fruit = ["apple", "pear"] }

[[questions]]
id = "people"
type = "number"
min = 1
max = 20
text = { zh = "家里几口人？" }

[[questions]]
id = "ok"
type = "yes_no"
text = { zh = "还好吗？" }

[[questions]]
id = "kind"
type = "single"
options_from = "categories"
show_if = { ok = "no" }
text = { zh = "哪类问题？" }

[[questions]]
id = "what"
type = "text"
max_length = 50
show_if = { ok = "no" }
text = { zh = "说说看" }
invalid = { zh = "写几句话，50 字以内。" }

[report]
when = { ok = "no" }
category = "kind"
description = "what"
"""


def _data() -> dict[str, Any]:
    return tomllib.loads(VALID)


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(data, "test.toml", CATEGORIES)
    return caught.value.problems


def test_a_valid_file_with_every_type() -> None:
    q = parse_questionnaire(_data(), "test.toml", CATEGORIES)
    assert [x.type for x in q.questions] == [
        QuestionType.RATING,
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
        QuestionType.NUMBER,
        QuestionType.YES_NO,
        QuestionType.SINGLE,
        QuestionType.TEXT,
    ]
    assert q.questions[1].text == {"zh": "最喜欢的水果？"}
    assert q.questions[2].show_if is not None and q.questions[2].show_if.values == ("apple", "pear")
    assert [o.value for o in q.questions[5].options] == ["infrastructure", "policy"]
    assert q.questions[3].min == 1 and q.questions[3].max == 20
    assert q.report is not None and q.report.description == "what"


def test_the_shipped_default_loads_with_the_four_ratings_and_the_problem() -> None:
    files = load_town_files(config_from_dict({}))
    ids = [q.id for q in files.questionnaire.questions]
    assert ids[:4] == ["satisfaction", "happiness", "gain", "security"]
    assert all(q.type is QuestionType.RATING for q in files.questionnaire.questions[:4])
    assert files.questionnaire.report is not None


def _mutate(path: tuple[Any, ...], value: Any, delete: bool = False) -> dict[str, Any]:
    data = copy.deepcopy(_data())
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            ("questions", 0, "type"),
            "stars",
            'question "mood" (#1), field "type": expected one of single, multiple',
        ),
        (("questions", 0, "colour"), "red", 'question "mood" (#1), field "colour": unknown field'),
        (("questions", 1, "id"), "mood", 'question "mood" (#2), field "id": used by an earlier'),
        (("questions", 1, "id"), "Bad Id", 'question "Bad Id" (#2), field "id": expected a short'),
        (
            ("questions", 0, "text"),
            {"en": "How?"},
            'question "mood" (#1), field "text.zh": missing',
        ),
        (("questions", 0, "text"), {"zh": "好", "fr": "bien"}, 'field "text.fr": unknown language'),
        (
            ("questions", 1, "options"),
            [],
            'question "fruit" (#2), field "options": expected a list',
        ),
        (
            ("questions", 1, "options"),
            [{"value": "apple", "zh": "苹果"}, {"value": "apple", "zh": "又是苹果"}],
            "field \"options[2].value\": 'apple' is used twice",
        ),
        (
            ("questions", 1, "options"),
            [{"value": "Apple!", "zh": "苹果"}],
            'field "options[1].value": expected a short Latin name',
        ),
        (
            ("questions", 0, "options"),
            [{"value": "a", "zh": "甲"}],
            'question "mood" (#1), field "options": only for single and multiple',
        ),
        (("questions", 3, "min"), 30, 'question "people" (#4), field "max": smaller than min'),
        (("questions", 3, "max"), "many", 'question "people" (#4), field "max": expected a number'),
        (("questions", 0, "min"), 1, 'question "mood" (#1), field "min": only for number'),
        (("questions", 0, "max_length"), 10, 'field "max_length": only for text questions'),
        (
            ("questions", 2, "show_if"),
            {"later": "x"},
            'question "crops" (#3), field "show_if.later": no earlier question has this id',
        ),
        (
            ("questions", 2, "show_if"),
            {"fruit": "banana"},
            'field "show_if.fruit": expected one of apple, pear',
        ),
        (
            ("questions", 4, "show_if"),
            {"people": 3},
            'field "show_if.people": conditions can only follow',
        ),
        (("questions", 2, "required"), "yes", 'field "required": expected true or false'),
        (("report", "category"), "what", 'report, field "category": expected the id of a single'),
        (("report", "when"), {"ok": "maybe"}, 'report, field "when.ok": expected one of no, yes'),
        (("title",), None, 'field "title": missing; write it at least in zh'),
        (("id",), "", 'field "id": expected a short Latin name'),
        (("questions",), [], 'field "questions": expected at least one'),
    ],
)
def test_each_kind_of_mistake_names_questionnaire_question_and_field(
    path: tuple[Any, ...], value: Any, expected: str
) -> None:
    data = _mutate(path, value, delete=value is None)
    problems = _problems(data)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith('questionnaire "') and "(test.toml)" in p for p in problems)


def test_report_categories_must_be_configured_ones() -> None:
    data = _mutate(
        ("questions", 5),
        {
            "id": "kind",
            "type": "single",
            "text": {"zh": "哪类"},
            "show_if": {"ok": "no"},
            "options": [{"value": "weather", "zh": "天气"}],
        },
    )
    assert any("are not report categories" in p for p in _problems(data))


def test_every_mistake_is_listed_at_once() -> None:
    data = _mutate(("questions", 0, "type"), "stars")
    data["questions"][3]["min"] = "one"
    assert len(_problems(data)) >= 2


def test_a_broken_file_stops_start_up_with_its_name(tmp_path: Path) -> None:
    broken = tmp_path / "q.toml"
    broken.write_text(
        'id = "x"\ntitle = "t"\n[[questions]]\nid = "a"\ntype = "stars"\ntext = "?"\n',
        encoding="utf-8",
    )
    config = config_from_dict({"flows": {"survey": {"file": str(broken)}}})
    with pytest.raises(
        ConfigError,
        match=r'questionnaire "x" \(.*q.toml\), question "a" \(#1\), '
        r'field "type"',
    ):
        load_town_files(config)
    broken.write_text("id = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_town_files(config)
    missing = config_from_dict({"flows": {"survey": {"file": str(tmp_path / "none.toml")}}})
    with pytest.raises(ConfigError, match="cannot read"):
        load_town_files(missing)


def test_town_files_next_to_the_config_file_are_found(tmp_path: Path) -> None:
    from bot.config import load_config

    (tmp_path / "q.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / "config.toml").write_text('[flows.survey]\nfile = "q.toml"\n', encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    assert config.flows.survey.file == str(tmp_path / "q.toml")
    assert load_town_files(config).questionnaire.id == "all-types"
