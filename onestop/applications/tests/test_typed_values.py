"""Values typed as people write them: a resident ID with spaces or hyphens, a wage with
thousands separators or full-width digits. The form keeps what was typed whole; the
platform reads it as the standard (GB 11643-1999, python-stdnum's cn.ric) or the one money
grammar (``parse_amount``) writes it."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
from django.test import Client

from onestop.applications.models import Draft
from onestop.identity import demo

pytestmark = pytest.mark.django_db

URL = "/services/SX-SI-002/apply/"


def _employee_id() -> str:
    return demo.resident_id(random.Random(9274), "610113", dt.date(2002, 4, 9), True)


def _fill(world: Any, language: str, **typed: str) -> tuple[Client, Any]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bob.user)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    answers = {
        "employer_credit_code": world.acme.credit_code,
        "employee_name": "王新",
        "employee_resident_id": _employee_id(),
        "start_month": "2026-11",
        "wage": "6000",
        "post_category": "general",
        **typed,
    }
    response = client.post(
        URL,
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, "page": "0", **answers},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )
    return client, (page, response.content.decode())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "spacing",
    [
        lambda n: f"{n[:6]} {n[6:14]} {n[14:]}",
        lambda n: f"{n[:6]}-{n[6:14]}-{n[14:]}",
        lambda n: "".join(chr(ord(c) + 0xFEE0) for c in n),  # full-width digits
    ],
)
def test_a_resident_id_typed_with_separators_is_kept_whole(
    world: Any, language: str, spacing: Any
) -> None:
    """bob types the new employee's ID with spaces, hyphens or full-width digits: the box
    does not cut it (no maxlength of 18), and the draft holds the 18 characters."""
    typed = spacing(_employee_id())
    _client, (form, after) = _fill(world, language, employee_resident_id=typed)
    box = re.search(r'<input[^>]*name="employee_resident_id"[^>]*>', form)
    assert box is not None and 'maxlength="18"' not in box.group(0)
    draft = Draft.objects.get(item_code="SX-SI-002")
    assert draft.answers["employee_resident_id"] == _employee_id()
    assert "长度应为18位" not in after and "Must be 18 characters" not in after


@pytest.mark.parametrize(
    ("language", "reason"),
    [("zh-hans", "校验"), ("en", "check")],
)
def test_a_resident_id_with_a_wrong_check_digit_is_refused_on_its_page(
    world: Any, language: str, reason: str
) -> None:
    number = _employee_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    _client, (_form, after) = _fill(
        world, language, employee_resident_id=f"{wrong[:6]} {wrong[6:14]} {wrong[14:]}"
    )
    assert not Draft.objects.exists()
    assert reason in after.lower()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("typed", "stored"),
    [("6,000", "6000.00"), ("６０００", "6000.00"), ("6,000.50", "6000.50"), ("6000", "6000")],
)
def test_a_wage_in_the_money_grammar_is_accepted(
    world: Any, language: str, typed: str, stored: str
) -> None:
    """bob types the wage as the XLSX declaration takes it ("6,000", full-width digits)."""
    _fill(world, language, wage=typed)
    assert Draft.objects.get(item_code="SX-SI-002").answers["wage"] == stored


@pytest.mark.parametrize(
    ("language", "reason"),
    [("zh-hans", "千位分隔符只能每三位一组"), ("en", "thousands separators must group three")],
)
def test_a_wage_out_of_the_grammar_says_why(world: Any, language: str, reason: str) -> None:
    _client, (_form, after) = _fill(world, language, wage="60,00")
    assert not Draft.objects.exists()
    assert reason in after


def test_chinese_labels_end_with_a_full_width_colon(world: Any) -> None:
    """核对填写内容：, not an ASCII colon in Chinese text; English keeps ": "."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bob.user)
    chinese = client.get(f"{URL}?page=review", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "核对填写内容：" in chinese and "核对填写内容: " not in chinese
    english = client.get(f"{URL}?page=review", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Check your answers: " in english
