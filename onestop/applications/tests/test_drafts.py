"""Online forms page by page: drafts, pre-filling from the record, page-level validation,
check-your-answers and filing."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from onestop.applications import services
from onestop.applications.models import Application, Draft
from onestop.catalogue import selectors as catalogue
from onestop.catalogue.services import item_publish
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import services as contributions

pytestmark = pytest.mark.django_db

GROUPED = {
    "type": "object",
    "required": ["retirement_month", "bank_account"],
    "x-groups": [
        {"title": "退休", "title_en": "Retirement", "fields": ["retirement_month"]},
        {"title": "发放", "title_en": "Payment", "fields": ["bank_account"]},
    ],
    "properties": {
        "retirement_month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "title": "月份"},
        "bank_account": {"type": "string", "pattern": "^[0-9]{12,19}$", "title": "账号"},
        "note": {"type": "string", "maxLength": 500, "title": "备注"},
    },
}


def henan_channel(settings: Any) -> None:
    """A transfer channel with Henan: a hub address and Henan's key registered."""
    from onestop.exchange import algorithms
    from onestop.exchange.models import Consumer, ConsumerKind

    settings.ONESTOP_TRANSFER_HUB_URL = "http://127.0.0.1:9"
    Consumer.objects.create(
        code="province-410000",
        name="河南省社会保险经办系统",
        kind=ConsumerKind.PROVINCE,
        algorithm=algorithms.ED25519,
        public_key=algorithms.keypair(algorithms.ED25519)[1],
    )


def test_form_groups() -> None:
    assert services.form_groups(GROUPED) == [
        ("退休", ["retirement_month"]),
        ("发放", ["bank_account"]),
        ("", ["note"]),  # not placed by a group: a page of its own
    ]
    assert services.form_groups({"properties": {"a": {}, "b": {}}}) == [("", ["a", "b"])]
    assert services.form_groups({}) == [("", [])]


def test_pages_are_checked_one_at_a_time_then_filed_whole(world: Any) -> None:
    item = item_publish(actor=None, code="SX-SI-006", values={"form_schema": GROUPED}, note="x")
    alice = world.alice.user
    with pytest.raises(ServiceError) as bad:
        services.draft_save(actor=alice, item=item, page=0, answers={"retirement_month": "May"})
    assert bad.value.code == "form"
    assert bad.value.zh == "“月份”填写有误：应写成“年-月”，例如2027-03。"  # never the pattern
    assert [d.answers for d in Draft.objects.all()] == []  # nothing kept of a bad page
    draft = services.draft_save(
        actor=alice, item=item, page=0, answers={"retirement_month": "2026-05", "x": "ignored"}
    )
    assert (draft.answers, draft.page) == ({"retirement_month": "2026-05"}, 1)
    with pytest.raises(ServiceError):  # filing now: the bank account is still missing
        services.draft_submit(actor=alice, item=item)
    assert not Application.objects.exists() and Draft.objects.count() == 1
    services.draft_save(
        actor=alice, item=item, page=1, answers={"bank_account": "6222020200112233446"}
    )
    with pytest.raises(ServiceError):
        services.draft_save(actor=alice, item=item, page=5, answers={})
    filed = services.draft_submit(actor=alice, item=item)
    assert filed.application.answers == {
        "retirement_month": "2026-05",
        "bank_account": "6222020200112233446",
    }
    assert not Draft.objects.exists()


def test_staff_have_no_drafts(world: Any) -> None:
    item = catalogue.item_get(code="SX-SI-006")
    for actor in (world.carol, world.sam):
        with pytest.raises(NotPermitted):
            services.draft_open(actor=actor, item=item)
    assert not Draft.objects.exists()


def test_prefill_tells_us_once(world: Any) -> None:
    item = catalogue.item_get(code="SX-SI-006")
    # bob, a man born 1975-03: 60 years and 31 months (D1), so 2037-10; no month can be
    # filed before that year's parameters are published, so none is offered.
    assert services.draft_open(actor=world.bob.user, item=item).answers == {}
    # alice (born 1966-01) held a cadre post through 2020: the women-55 schedule, delay 0
    # -> 2021-01, after her covered employment...
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202001
    )
    employment = contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202001,
        wage=Decimal("5000"),
        post_category="cadre",
    )
    contributions.employment_end(
        actor=None, employment=employment, end_period=202012, reason="退休 retirement"
    )
    assert services.draft_open(actor=world.alice.user, item=item).answers == {
        "retirement_month": "2021-01"
    }
    Draft.objects.all().delete()
    # ...and the bank account she gave on an earlier case is offered again.
    services.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2021-02", "bank_account": "6222020200112233446"},
    )
    assert services.draft_open(actor=world.alice.user, item=item).answers == {
        "retirement_month": "2021-02",
        "bank_account": "6222020200112233446",
    }


def test_the_pages_walk_through_to_a_filed_case(world: Any) -> None:
    item_publish(actor=None, code="SX-SI-006", values={"form_schema": GROUPED}, note="x")
    client = Client()
    client.force_login(world.alice.user)
    url = "/services/SX-SI-006/apply/"
    assert "第 1 步，共 3 步" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    response = client.post(url, {"page": "0", "retirement_month": "2026-13x"})
    assert response.status_code == 200 and not Draft.objects.exists()  # a bad page keeps none
    response = client.post(url, {"page": "0", "retirement_month": "2026-05"})
    assert response["Location"] == f"{url}?page=1"
    response = client.post(
        url, {"page": "1", "bank_account": "6222020200112233446", "action": "save"}
    )
    assert response["Location"] == "/me/applications/"
    mine = client.get("/me/applications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "SX-SI-006 · " not in mine and f">{catalogue.item_name(code='SX-SI-006')}</a>" in mine
    response = client.post(url, {"page": "2", "note": ""})
    assert response["Location"] == f"{url}?page=review"
    review = client.get(f"{url}?page=review").content.decode()
    # The account is masked even on the person's own check-your-answers page.
    assert "6222020200112233446" not in review and "*" * 15 + "3446" in review
    assert "2026-05" in review
    response = client.post(url, {"action": "submit"})
    case = Application.objects.get()
    assert response["Location"] == f"/applications/{case.number}/"
    assert not Draft.objects.exists()
    client.get(url)
    response = client.post(url, {"action": "discard"})
    assert response["Location"] == "/me/applications/" and not Draft.objects.exists()


def test_prefill_offers_only_what_may_be_filed_and_fills_every_form(
    world: Any, settings: Any
) -> None:
    """The statutory month when it may be filed, else the allowed month nearest to it; an
    earlier answer outside the window is not offered again; the transfer form starts from
    the province of the ID's address code when a channel to it is configured (nothing
    otherwise); the survivors' form from the death registered."""
    import datetime as dt
    import random

    from onestop.identity import demo
    from onestop.identity import services as identity
    from onestop.pensions.testing import worked_elsewhere

    man = identity.person_register(
        actor=None,
        name="贺南",
        # Born 1967-01 with a Henan (41) address code: statutory 2027-08 (60y7m).
        resident_id=demo.resident_id(random.Random(7), "410102", dt.date(1967, 1, 10), True),
        region=world.regions["610113"],
        phone="13900000099",
        password="Onestop2026demo",
    )
    worked_elsewhere(man, months=200)
    assert man.user is not None
    retirement = catalogue.item_get(code="SX-SI-006")
    assert services.draft_open(actor=man.user, item=retirement).answers == {
        "retirement_month": "2027-08"
    }
    Draft.objects.all().delete()
    # An earlier answer the window now refuses (2029-01: beyond published parameters) is
    # replaced by the allowed month nearest the statutory one; the bank account is kept.
    from onestop.applications.models import Application as Case

    Case.objects.create(
        number="SX20250101000001",
        code_hash="x",
        item_code="SX-SI-006",
        item_version=1,
        item_name="x",
        applicant=man,
        region=man.region,
        channel="online",
        filed_by=man.user,
        answers={"retirement_month": "2029-01", "bank_account": "6222020200112233446"},
        submitted_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        deadline=dt.date(2025, 1, 15),
    )
    assert services.draft_open(actor=man.user, item=retirement).answers == {
        "retirement_month": "2027-08",
        "bank_account": "6222020200112233446",
    }
    transfer = catalogue.item_get(code="SX-SI-007")
    assert services.draft_open(actor=man.user, item=transfer).answers == {}
    Draft.objects.filter(item_code="SX-SI-007").delete()
    henan_channel(settings)
    assert services.draft_open(actor=man.user, item=transfer).answers == {"from_province": "410000"}
    # alice's ID is from Shaanxi itself: nothing to guess.
    assert services.draft_open(actor=world.alice.user, item=transfer).answers == {}


def test_the_review_page_shows_options_by_their_labels(world: Any) -> None:
    """Check-your-answers reads 按季, not the stored code ``quarterly``."""
    Draft.objects.create(
        applicant=world.alice,
        item_code="SX-SI-005",
        answers={"base": "5000", "frequency": "quarterly", "start_month": "2026-11"},
        page=9,
    )
    client = Client()
    client.force_login(world.alice.user)
    page = client.get(
        "/services/SX-SI-005/apply/?page=review", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "按季" in page and "quarterly" not in page


def test_looking_at_forms_keeps_no_draft_and_the_list_names_the_item(world: Any) -> None:
    """alice opens ten apply pages (each page of the form, the review too) and saves
    nothing: no draft is kept, and My applications lists none. Her first page saved keeps
    one, listed by the item's name in her language, never the code."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    codes = ["SX-SI-004", "SX-SI-005", "SX-SI-006", "SX-SI-007", "SX-SI-008", "SX-SI-009"]
    for code in codes:
        url = f"/services/{code}/apply/"
        assert client.get(url).status_code == 200, code
        assert client.get(f"{url}?page=review").status_code == 200, code
    assert not Draft.objects.exists()
    mine = client.get("/me/applications/").content.decode()
    assert 'id="drafts"' not in mine
    url = "/services/SX-SI-005/apply/"
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        url,
        {
            "csrfmiddlewaretoken": token.group(1),
            "page": "0",
            "action": "save",
            "base": "5000",
            "frequency": "quarterly",
            "start_month": "2026-11",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Draft.objects.values_list("item_code", flat=True)) == ["SX-SI-005"]
    item = catalogue.item_get(code="SX-SI-005")
    for language, name in (("zh-hans", item.name), ("en", item.name_en)):
        mine = client.get("/me/applications/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        listed = re.search(r'<ul id="drafts"><li><a href="[^"]+">([^<]+)</a>', mine)
        assert listed is not None and listed.group(1) == name, language


@pytest.mark.parametrize(
    ("language", "shown", "absent"), [("zh-hans", "配偶", "spouse"), ("en", "Spouse", "配偶")]
)
def test_the_survivors_relation_reads_as_words_on_form_review_and_case(
    world: Any, language: str, shown: str, absent: str
) -> None:
    """The relation to the deceased reads 配偶 (Spouse) on the form, on check-your-answers
    and on the case page, never the stored code ``spouse`` nor the other language."""
    Draft.objects.create(
        applicant=world.bob,
        item_code="SX-SI-008",
        answers={"deceased_resident_id": world.alice.resident_id, "relation": "spouse"},
        page=9,
    )
    client = Client()
    client.force_login(world.bob.user)
    url = "/services/SX-SI-008/apply/"
    form = client.get(f"{url}?page=0", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<option value="spouse" selected>{shown}</option>' in form
    assert ">spouse<" not in form and ">child<" not in form and ">parent<" not in form
    review = client.get(f"{url}?page=review", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert shown in review and absent not in review
    case = services.application_submit(  # at a counter: online, only the death's declarant
        actor=world.carol,
        item_code="SX-SI-008",
        applicant=world.bob,
        answers={"deceased_resident_id": world.alice.resident_id, "relation": "spouse"},
        channel="counter",
        consent=True,
    ).application
    page = client.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE=language)
    assert shown in page.content.decode() and absent not in page.content.decode()


def test_the_form_says_pre_filled_only_for_what_it_filled(world: Any) -> None:
    """The retirement form proposes the statutory month and says so; it claims no bank
    account until one is on record (an earlier answer), and then fills that in too. A page
    the person already saved, or an item the record fills nothing of, claims nothing."""
    import datetime as dt
    import random

    from onestop.identity import demo
    from onestop.identity import services as identity
    from onestop.pensions.testing import worked_elsewhere

    man = identity.person_register(
        actor=None,
        name="贺南",
        # Born 1967-01: statutory 2027-08 (60y7m).
        resident_id=demo.resident_id(random.Random(7), "610113", dt.date(1967, 1, 10), True),
        region=world.regions["610113"],
        phone="13900000099",
        password="Onestop2026demo",
    )
    worked_elsewhere(man, months=200)
    assert man.user is not None
    client = Client()
    client.force_login(man.user)
    url = "/services/SX-SI-006/apply/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="2027-08" selected>' in page
    assert "已按您的记录填入：退休月份。如有误请修改。" in page
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Filled in from your record: Retirement month (YYYY-MM). Change" in english
    # An account on record (the one an earlier case named) is filled in and said so.
    Draft.objects.all().delete()
    Application.objects.create(
        number="SX20250101000001",
        code_hash="x",
        item_code="SX-SI-009",
        item_version=1,
        item_name="x",
        applicant=man,
        region=man.region,
        channel="online",
        filed_by=man.user,
        answers={"bank_account": "6222020200112233446"},
        submitted_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        deadline=dt.date(2025, 1, 15),
    )
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已按您的记录填入：退休月份、养老金发放银行账号。" in page  # the form's order
    assert 'value="6222020200112233446"' in page
    # Once the person saved the page, what stands there is theirs (a GET keeps no draft:
    # the saved one is made here as the first save would).
    Draft.objects.create(
        applicant=man,
        item_code="SX-SI-006",
        answers={"retirement_month": "2027-08", "bank_account": "6222020200112233446"},
        page=1,
    )
    page = client.get(f"{url}?page=0", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="prefilled"' not in page
    proof = client.get("/services/SX-SI-004/apply/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert 'id="prefilled"' not in proof.content.decode()


def test_every_form_asks_its_fields_in_the_declared_order(world: Any, settings: Any) -> None:
    """The apply page lists each item's fields in the order the catalogue declares them, on
    every database (PostgreSQL's jsonb keeps the keys of ``properties`` in its own order);
    the list is stored with the form (``x-order``)."""
    henan_channel(settings)  # the transfer-in form is offered only with a channel
    from onestop.catalogue.seed import ITEMS

    client = Client()
    client.force_login(world.alice.user)
    forms = [i for i in ITEMS if i.get("form_schema", {}).get("properties")]
    assert len(forms) >= 8
    for declared in forms:
        code, wanted = declared["code"], list(declared["form_schema"]["properties"])
        assert catalogue.item_get(code=code).form_schema["x-order"] == wanted
        page = client.get(f"/services/{code}/apply/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 200, code
        names = re.findall(
            r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', page.content.decode()
        )
        assert [n for n in names if n in wanted] == wanted, code


def test_a_published_form_keeps_the_order_it_was_given_in(world: Any) -> None:
    """A form published without ``x-order`` gets the order its fields were written in; an
    ``x-order`` that misses or repeats a field is refused, nothing published."""
    schema = {
        "type": "object",
        "properties": {
            "zeta": {"type": "string", "title": "最后", "x-title-en": "Zeta"},
            "bank_account": {"type": "string", "title": "账号", "x-title-en": "Account"},
            "alpha": {"type": "string", "title": "甲", "x-title-en": "Alpha"},
        },
    }
    item = item_publish(actor=None, code="SX-SI-006", values={"form_schema": schema}, note="x")
    item.refresh_from_db()
    assert item.form_schema["x-order"] == ["zeta", "bank_account", "alpha"]
    assert services.form_groups(item.form_schema) == [("", ["zeta", "bank_account", "alpha"])]
    for order in (["zeta", "alpha"], ["zeta", "alpha", "alpha", "bank_account"], "zeta"):
        with pytest.raises(ServiceError) as bad:
            item_publish(
                actor=None,
                code="SX-SI-006",
                values={"form_schema": {**schema, "x-order": order}},
                note="x",
            )
        assert "x-order" in bad.value.en
    assert catalogue.item_get(code="SX-SI-006").version == item.version


def test_prefill_never_carries_free_text_across_services(world: Any) -> None:
    """alice's note on her retirement case is not offered on the unemployment registration
    form (page or draft): free text of one service says nothing about another. Her bank
    account, a recorded fact, is still offered on the unemployment benefit claim."""
    services.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={
            "retirement_month": "2021-02",
            "bank_account": "6222020200112233446",
            "note": "worked in Zhengzhou 2010-2020",
        },
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    page = client.get("/services/SX-EMP-001/apply/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert "worked in Zhengzhou" not in html and 'id="prefilled"' not in html
    item = catalogue.item_get(code="SX-EMP-001")
    assert "note" not in services.draft_open(actor=world.alice.user, item=item).answers
    claim = catalogue.item_get(code="SX-SI-009")
    answers = services.draft_open(actor=world.alice.user, item=claim).answers
    assert answers.get("bank_account") == "6222020200112233446" and "note" not in answers


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("zh-hans", "银行卡号的校验位不正确，请逐位核对卡号"),
        ("en", "the card number&#x27;s check digit is wrong; check each digit"),
    ],
)
def test_a_card_number_with_a_wrong_check_digit_is_refused_on_its_page(
    world: Any, language: str, reason: str
) -> None:
    """The retirement form's bank account field refuses a UnionPay card number whose Luhn
    check digit is wrong, on the page where it is typed (shown as typed, not masked), in the
    reader's language; nothing is saved and no case is filed. The API refuses it too."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    url = "/services/SX-SI-006/apply/"
    client.get(url)
    response = client.post(
        url,
        {
            "page": "0",
            "retirement_month": "2021-01",
            "bank_account": "6222020000000000001",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert reason in html and 'value="6222020000000000001"' in html
    assert not Draft.objects.exists() and not Application.objects.exists()
    with pytest.raises(ServiceError) as refused:
        services.application_submit(
            actor=world.alice.user,
            item_code="SX-SI-006",
            applicant=world.alice,
            answers={"retirement_month": "2021-01", "bank_account": "6222020000000000001"},
        )
    assert "check digit" in refused.value.en and not Application.objects.exists()
