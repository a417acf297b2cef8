"""Answer rules of the questionnaire, the policy search, and the pension input rules."""

from __future__ import annotations

import tomllib

import pytest

from models.pension import IdRefused, id_tail, person_name
from models.policy import HandbookError, parse_handbook, search
from models.questionnaire import (
    BadAnswer,
    finish_multiple,
    next_index,
    parse_typed,
    report_of,
    toggle,
)
from models.questionnaire_file import parse_questionnaire
from services.town_files import HANDBOOK, _read
from tests.unit.test_questionnaire_file import CATEGORIES, VALID

Q = parse_questionnaire(tomllib.loads(VALID), "test.toml", CATEGORIES)


def _question(question_id: str):
    found = Q.question(question_id)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("qid", "typed", "value"),
    [
        ("mood", "4", 4),
        ("mood", "５", 5),
        ("mood", "3分", 3),
        ("ok", "是", "yes"),
        ("ok", "No", "no"),
        ("ok", "没有", "no"),
        ("fruit", "2", "pear"),
        ("fruit", "苹果", "apple"),
        ("fruit", "Apple", "apple"),
        ("people", "3", 3),
        ("people", " 1 ", 1),
        ("people", "2.5", 2.5),
        ("what", "  路灯坏了 ", "路灯坏了"),
    ],
)
def test_typed_answers_that_fit(qid: str, typed: str, value: object) -> None:
    assert parse_typed(_question(qid), typed) == value


@pytest.mark.parametrize(
    ("qid", "typed", "reason"),
    [
        ("mood", "6", "rating"),
        ("mood", "很好", "rating"),
        ("ok", "也许", "yes_no"),
        ("fruit", "香蕉", "choice"),
        ("fruit", "3", "choice"),
        ("crops", "水稻", "use_buttons"),
        ("people", "三", "number"),
        ("people", "0", "range"),
        ("people", "21", "range"),
        ("what", "   ", "text_empty"),
        ("what", "长" * 51, "text_long"),
    ],
)
def test_typed_answers_that_do_not(qid: str, typed: str, reason: str) -> None:
    with pytest.raises(BadAnswer) as caught:
        parse_typed(_question(qid), typed)
    assert caught.value.reason == reason


def test_show_if_skips_questions_whose_condition_fails() -> None:
    assert next_index(Q, {"mood": 3}, 0) == 1
    assert next_index(Q, {"fruit": "apple"}, 1) == 2  # crops shown for apple
    assert next_index(Q, {"ok": "yes"}, 4) is None  # kind and what skipped
    assert next_index(Q, {"ok": "no"}, 4) == 5


def test_multiple_choice_toggles_and_done() -> None:
    crops = _question("crops")
    picked = toggle(crops, [], 1)
    picked = toggle(crops, picked, 0)
    assert picked == ["rice", "tea"]
    assert toggle(crops, picked, 0) == ["tea"]
    assert finish_multiple(crops, []) is None  # optional: skipped
    required = crops.model_copy(update={"required": True})
    with pytest.raises(BadAnswer):
        finish_multiple(required, [])


def test_the_report_is_asked_for_only_when_its_condition_holds() -> None:
    assert report_of(Q, {"ok": "yes"}) is None
    assert report_of(Q, {"ok": "no", "kind": "policy", "what": "补贴"}) == ("policy", "补贴")


HANDBOOK_DATA, _ = _read("", HANDBOOK)
BOOK = parse_handbook(HANDBOOK_DATA, "shipped")


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("医保怎么报销", "medical-reimbursement"),
        ("我妈的养老金停了怎么办", "pension-authentication"),
        ("宅基地申请", "self-built-housing"),
        ("房子漏雨了", "dilapidated-housing"),
        ("耕地补贴什么时候发", "farmland-subsidy"),
        ("农机购置补贴", "farm-machinery"),
        ("farm machinery subsidies", "farm-machinery"),
        ("How do I get my hospital bill reimbursed?", "medical-reimbursement"),
        ("pension authentication", "pension-authentication"),
    ],
)
def test_search_in_chinese_without_spaces_and_in_english(question: str, first: str) -> None:
    found = search(BOOK, question)
    assert found and found[0].id == first, [e.id for e in found]
    assert len(found) <= 5


def test_search_finds_nothing_for_unrelated_words() -> None:
    assert search(BOOK, "今天天气怎么样") == []
    assert search(BOOK, "football results") == []
    assert search(BOOK, "好") == []


def test_search_returns_at_most_the_limit() -> None:
    assert len(search(BOOK, "补贴", limit=5)) == 5
    assert len(search(BOOK, "补贴", limit=2)) == 2


def test_the_shipped_handbook_has_a_dozen_entries_in_both_languages() -> None:
    assert len(BOOK.entries) == 12
    assert all({"zh", "en"} <= set(e.title) and e.keywords.get("en") for e in BOOK.entries)


def test_handbook_mistakes_are_named() -> None:
    with pytest.raises(HandbookError) as caught:
        parse_handbook(
            {
                "entries": [
                    {
                        "id": "x",
                        "title": {"zh": "标题"},
                        "keywords": {},
                        "body": {"en": "b"},
                        "date": "2025",
                    }
                ]
            },
            "h.toml",
        )
    text = "\n".join(caught.value.problems)
    assert 'entry "x" (#1), field "title.en": missing' in text
    assert 'field "body.zh": missing' in text and 'field "source"' in text
    assert 'field "keywords"' in text


@pytest.mark.parametrize("typed", ["1234", "021X", "021x", " 0 2 1 3 "])
def test_the_last_four_of_an_id_number(typed: str) -> None:
    assert id_tail(typed) == typed.replace(" ", "").upper()


@pytest.mark.parametrize(
    "typed",
    [
        "430124193301011234",
        "43012419330101123X",
        "430124330101123",
        "4301 2419 3301 0112 34",
        "12345",
    ],
)
def test_a_whole_id_number_is_refused_as_such(typed: str) -> None:
    with pytest.raises(IdRefused) as caught:
        id_tail(typed)
    assert caught.value.whole_id is True
    assert str(caught.value) == "whole id number"  # the number itself is never kept


@pytest.mark.parametrize("typed", ["123", "12a4", "X123", "", "一二三四"])
def test_other_bad_last_fours(typed: str) -> None:
    with pytest.raises(IdRefused) as caught:
        id_tail(typed)
    assert caught.value.whole_id is False


def test_names() -> None:
    assert person_name(" 李桂英 ") == "李桂英"
    assert person_name("李1") is None and person_name("") is None
    assert person_name("长" * 21) is None
