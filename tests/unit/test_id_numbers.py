"""The one detector of whole ID numbers in free text."""

from __future__ import annotations

import pytest

from models.id_numbers import carries_id_number


@pytest.mark.parametrize(
    "text",
    [
        "430124193301011234",
        "43012419330101123X",
        "43012419330101123x",
        "430124330101123",  # the legacy 15 digits
        "4301 2419 3301 0112 34",
        "430124-19330101-1234",
        "４３０１２４１９３３０１０１１２３４",  # full-width digits
        "我的身份证430124193301011234，麻烦查一下",
        "身份证 430124 19330101 123X",
        "4301241933010112345",  # one digit too many still shows the number
        "430124193301011235",  # a wrong check digit still identifies the person
    ],
)
def test_whole_numbers_are_spotted(text: str) -> None:
    assert carries_id_number(text)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "13800001111",
        "0731-87654321",
        "13800001111 13900002222",  # two phones in a row
        "6222021234567890123",  # a bank card
        "12345",
        "0213",
        "第 178 号，2026-06-10 报修",
        "990124193301011234",  # no such region
        "430124193313011234",  # no 13th month
    ],
)
def test_other_numbers_are_not(text: str | None) -> None:
    assert not carries_id_number(text)
