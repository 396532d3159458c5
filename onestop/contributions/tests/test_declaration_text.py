"""A declaration's result in one language: insurances, fields and the whole-declaration line
named in words, not by the codes of the JSON reply (the newcomer's finding)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

REPLY = {
    "rows": 1,
    "period": "2026-12",
    "bills": [
        {"insurance": "pension", "employer": "1.00", "individual": "1.00"},
        {"insurance": "work_injury", "employer": "1.00", "individual": "0.00"},
    ],
    "total_due": "3.00",
}
ERRORS = [
    {"line": 0, "field": "period", "zh": "该月已申报。", "en": "Already declared."},
    {"line": 2, "field": "wage", "zh": "工资有误。", "en": "Bad wage."},
]


@pytest.mark.parametrize(
    ("language", "shown", "absent"),
    [
        (
            "zh-hans",
            ["基本养老保险", "工伤保险", "所属期", "工资", "整份申报"],
            ["Already", ">wage<"],
        ),
        ("en", ["basic pension", "work injury", "month", "wage", "whole declaration"], ["该月"]),
    ],
)
def test_the_result_names_insurances_and_fields_in_one_language(
    language: str, shown: list[str], absent: list[str]
) -> None:
    with translation.override(language):
        html = render_to_string(
            "contributions/_declaration_result.html",
            {"reply": REPLY, "errors": ERRORS, "error_count": 2, "error_report": "#"},
        )
    for text in shown:
        assert text in html
    # (In English the label of ``wage`` is the word itself.)
    for raw in (">pension<", ">work_injury<", ">period<", ">0<", *absent):
        assert raw not in html
