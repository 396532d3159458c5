"""Transfers of the pension relation (D6): in from another province through the hub (the
information form posted to the ledger, or a temporary account), out to another province
through the gateway (the account and 12% of the bases leave), inside the province, and the
place that pays."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from onestop.applications import services as applications
from onestop.audit.models import Entry
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import selectors as ledger
from onestop.contributions import services as contributions
from onestop.contributions.models import LedgerEntry
from onestop.contributions.services import DeclaredRow
from onestop.exchange import algorithms, gateway, signing
from onestop.exchange.models import Consumer, ConsumerKind, Message, Resource
from onestop.identity import demo
from onestop.identity import services as identity
from onestop.pensions import transfers
from onestop.pensions.models import Transfer
from onestop.pensions.tests.conftest import (
    HENAN,
    bring_in,
    file_and_accept,
    henan_record,
    pay_every_bill,
)

pytestmark = pytest.mark.django_db

PURPOSE = "pension_transfer"


def newcomer(world: Any, born: dt.date, *, male: bool, issued_in: str = "410102") -> Any:
    return identity.person_register(
        actor=None,
        name="韩新来",
        resident_id=demo.resident_id(random.Random(born.toordinal()), issued_in, born, male=male),
        region=world.regions["610113"],
        phone="13800000099",
        password="Correct-horse-42",
    )


def test_a_transfer_in_posts_the_months_the_account_and_the_pooled_funds(
    world: Any, hub: Any
) -> None:
    case = bring_in(world, world.alice, hub)
    assert case.status == "approved"
    transfer = Transfer.objects.get()
    assert (transfer.direction, transfer.counterpart, transfer.temporary) == ("in", HENAN, False)
    # 12% of 168 months at 5000.00 = 100800.00; the account as Henan kept it.
    assert (transfer.months_count, transfer.account_amount, transfer.pooled_amount) == (
        168,
        Decimal("67200.00"),
        Decimal("100800.00"),
    )
    statement = ledger.statement_of(person=world.alice)
    assert (statement.contribution_months, statement.account_balance) == (168, Decimal("67200.00"))
    assert statement.months[0].period == "2010-01" and statement.months[0].base == Decimal("5000")
    assert (statement.months[0].source, statement.months[0].label) == ("transfer", "从外省转入")
    pooled = LedgerEntry.objects.filter(source_type="transfer_pool").aggregate(s=Sum("amount"))
    assert pooled["s"] == Decimal("100800.00")
    assert ledger.ledger_verify() == []
    out = Message.objects.get(direction="out", resource="hrss.pension_transfer")
    assert (out.party, out.outcome, out.person_id) == (
        "province:410000",
        "answered",
        world.alice.pk,
    )
    assert Entry.objects.filter(action="pensions.transfer.in").count() == 1


def test_a_man_over_50_not_moving_home_gets_a_temporary_account(world: Any, hub: Any) -> None:
    person = newcomer(world, dt.date(1972, 5, 1), male=True)  # 54, registered in Henan
    bring_in(world, person, hub)
    transfer = Transfer.objects.get()
    assert (transfer.temporary, transfer.account_amount, transfer.months_count) == (
        True,
        Decimal("0.00"),
        0,
    )
    assert not LedgerEntry.objects.filter(person=person).exists()  # the relation stayed


def test_no_record_there_means_no_approval_and_nothing_posted(world: Any, hub: Any) -> None:
    case = file_and_accept(world, world.alice)
    assert "not insured in that province" in case.facts["transfer_error"]
    with pytest.raises(ServiceError) as refused:
        applications.application_act(
            actor=world.rita, application=case, task="review", decision="approve"
        )
    assert refused.value.code == "info"
    assert not Transfer.objects.exists() and not LedgerEntry.objects.exists()
    case.refresh_from_db()
    assert case.status == "in_review"


def test_a_forged_information_form_is_refused(world: Any, hub: Any) -> None:
    Consumer.objects.filter(code=f"province-{HENAN}").update(
        public_key=algorithms.keypair(algorithms.ED25519)[1]
    )
    hub.province_put(HENAN, world.alice.resident_id, henan_record())
    case = file_and_accept(world, world.alice)
    assert "signature" in case.facts["transfer_error"]
    assert (
        Message.objects.get(direction="out", resource="hrss.pension_transfer").outcome
        == "bad_signature"
    )


def test_the_form_only_takes_another_province(world: Any) -> None:
    for bad in ("610000", "999999", ""):
        with pytest.raises(ServiceError):
            applications.application_submit(
                actor=world.alice.user,
                item_code="SX-SI-007",
                applicant=world.alice,
                answers={"from_province": bad},
            )


# -- out, through the gateway ------------------------------------------------------------


def employed_2024(world: Any) -> None:
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("7450"),
    )
    for month in range(1, 13):
        contributions.declaration_submit(
            actor=None,
            employer=world.acme,
            period=202400 + month,
            rows=[DeclaredRow(2, world.alice.resident_id, "7450")],
            today=dt.date(2026, 11, 23),
        )
    pay_every_bill()


class Province:
    def __init__(self, code: str = HENAN, kind: str = ConsumerKind.PROVINCE) -> None:
        self.private, public = algorithms.keypair(algorithms.ED25519)
        self.consumer = Consumer.objects.create(
            code=f"province-{code}" if kind == ConsumerKind.PROVINCE else "bank-xian",
            name=code,
            kind=kind,
            algorithm=algorithms.ED25519,
            public_key=public,
        )
        gateway.grant_approve(
            actor=None,
            consumer=self.consumer,
            resource=Resource.objects.get(code="hrss.pension_transfer"),
            purpose=PURPOSE,
            valid_until=None,
        )

    def ask(self, subject: str, **params: Any) -> dict[str, Any]:
        raw = signing.canonical(
            {
                "consumer": self.consumer.code,
                "resource": "hrss.pension_transfer",
                "purpose": PURPOSE,
                "subject": subject,
                "fields": ["temporary", "account", "pooled", "months"],
                "params": params,
                "timestamp": timezone.now().isoformat(),
                "nonce": secrets.token_hex(8),
            }
        )
        signature = algorithms.sign(algorithms.ED25519, self.private, raw)
        return gateway.gateway_query(body=raw, signature=signature)


def test_a_transfer_out_sends_the_account_and_12_percent_of_the_bases(world: Any) -> None:
    employed_2024(world)
    henan = Province()
    answer = henan.ask(world.alice.resident_id, to_hukou_place=True)
    data = answer["response"]["data"]
    assert signing.verify(answer["response"], answer["signature"])
    # 12 * 596.00 in the account; 12% of 12 * 7450.00 = 10728.00 pooled.
    assert (data["temporary"], data["account"], data["pooled"]) == (False, "7152.00", "10728.00")
    assert data["months"][0] == ["2024-01", "7450.00", "7450.00"] and len(data["months"]) == 12
    assert ledger.statement_of(person=world.alice).account_balance == Decimal("0.00")
    assert ledger.ledger_verify() == []
    transfer = Transfer.objects.get()
    assert (transfer.direction, transfer.counterpart, transfer.by) == (
        "out",
        HENAN,
        "province-410000",
    )
    assert Entry.objects.filter(action="pensions.transfer.out").count() == 1
    # Asked again: the relation is gone, nothing moves twice.
    with pytest.raises(gateway.Refused) as again:
        henan.ask(world.alice.resident_id, to_hukou_place=True)
    assert (again.value.status, again.value.code) == (422, "transferred")
    assert Transfer.objects.count() == 1
    assert Message.objects.filter(outcome="refused:transferred").count() == 1


def test_a_woman_over_40_moving_away_from_home_keeps_her_relation_here(world: Any) -> None:
    employed_2024(world)
    answer = Province().ask(world.alice.resident_id, to_hukou_place=False)  # alice is 60
    assert answer["response"]["data"] == {
        "temporary": True,
        "account": "0.00",
        "pooled": "0.00",
        "months": [],
    }
    assert ledger.statement_of(person=world.alice).account_balance == Decimal("7152.00")
    assert Transfer.objects.get().temporary is True


def test_only_a_province_may_ask_for_a_transfer_and_nothing_moves_otherwise(world: Any) -> None:
    employed_2024(world)
    bank = Province(kind=ConsumerKind.THIRD_PARTY)
    with pytest.raises(gateway.Refused) as refused:
        bank.ask(world.alice.resident_id, to_hukou_place=True)
    assert (refused.value.status, refused.value.code) == (422, "party")
    assert ledger.statement_of(person=world.alice).account_balance == Decimal("7152.00")
    assert not Transfer.objects.exists()
    with pytest.raises(gateway.Refused) as nobody:
        Province("420000").ask(world.dave.resident_id, to_hukou_place=True)  # nothing here
    assert nobody.value.code == "no_relation"


# -- inside the province, and who pays ----------------------------------------------------


def test_a_case_worker_moves_a_relation_inside_the_province(world: Any) -> None:
    employed_2024(world)
    before = Entry.objects.count()
    for actor in (world.sam, world.cheng, world.alice.user, world.adam):
        with pytest.raises(NotPermitted):
            transfers.transfer_internal(
                actor=actor, person=world.alice, region=world.regions["610103"]
            )
    world.alice.refresh_from_db()
    assert (world.alice.region.code, Entry.objects.count()) == ("610113", before)
    with pytest.raises(ServiceError):
        transfers.transfer_internal(
            actor=world.carol, person=world.alice, region=world.regions["610000"]
        )
    moved = transfers.transfer_internal(
        actor=world.carol, person=world.alice, region=world.regions["610103"]
    )
    world.alice.refresh_from_db()
    assert world.alice.region.code == "610103"
    assert (moved.direction, moved.account_amount, moved.months_count, moved.pooled_amount) == (
        "internal",
        Decimal("7152.00"),
        12,
        Decimal("0"),
    )
    assert ledger.statement_of(person=world.alice).account_balance == Decimal("7152.00")
    # carol's scope is Yanta: alice is now out of it.
    with pytest.raises(NotPermitted):
        transfers.transfer_internal(
            actor=world.carol, person=world.alice, region=world.regions["610113"]
        )


def test_the_place_with_ten_years_pays_when_home_is_elsewhere(world: Any, hub: Any) -> None:
    young = newcomer(world, dt.date(1990, 3, 1), male=True)  # 36: no temporary account
    bring_in(world, young, hub)
    # Henan: registration place and 168 months; here: nothing yet. D6 art. 8 rule 1 does not
    # fit (the relation is here, not at home); rule 2 neither (< 10 years here); rule 3:
    # Henan, the latest earlier place with 10 years.
    assert transfers.payer_of(young) == {
        "place": HENAN,
        "place_name": "河南省 Henan",
        "rule": 3,
        "hukou": HENAN,
        "hukou_source": "resident_id",
    }
    assert transfers.payer_of(world.alice)["place"] == "610000"  # at home: rule 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_requests_move_the_account_once(world: Any) -> None:
    """Ten copies of the other province's request at once (on PostgreSQL, each in its own
    connection): the account's balance leaves once, the others are refused, verify holds."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")
    employed_2024(world)
    henan = Province()
    barrier = threading.Barrier(10)
    answers: list[Any] = []
    failures: list[BaseException] = []

    def ask() -> None:
        try:
            barrier.wait()
            answers.append(henan.ask(world.alice.resident_id, to_hukou_place=True))
        except gateway.Refused as refused:
            answers.append(refused)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[:3]
    moved = [a for a in answers if isinstance(a, dict)]
    assert len(moved) == 1 and len(answers) == 10
    assert moved[0]["response"]["data"]["account"] == "7152.00"
    assert Transfer.objects.filter(direction="out").count() == 1
    assert LedgerEntry.objects.filter(kind="transfer_out").count() == 2  # account, pooled
    assert ledger.statement_of(person=world.alice).account_balance == Decimal("0.00")
    assert ledger.ledger_verify() == []


def test_the_transfers_page_masks_names_and_reveals_through_the_journaled_person_page(
    world: Any,
) -> None:
    """rita (Xi'an) sees alice's internal transfer with her name masked as in the queue; the
    link goes to the person's page, where the full name is a journaled read and the
    identifiers a journaled reveal (CSRF enforced)."""
    from django.test import Client

    from onestop.identity.masking import mask_name

    employed_2024(world)
    transfers.transfer_internal(
        actor=world.carol, person=world.alice, region=world.regions["610103"]
    )
    rita = Client(enforce_csrf_checks=True)
    rita.force_login(world.rita)
    page = rita.get("/staff/transfers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert world.alice.name not in page and world.alice.resident_id not in page
    link = f'<a href="/staff/persons/{world.alice.pk}/">{mask_name(world.alice.name)}</a>'
    assert link in page
    # The place in the page's language only (kept in each, never one text of both).
    region = world.regions["610103"]
    assert f"<td>{region.name_en}</td>" in page and region.name not in page
    chinese = rita.get("/staff/transfers/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"<td>{region.name}</td>" in chinese and region.name_en not in chinese
    viewed = Entry.objects.filter(action="identity.person.viewed").count()
    person = rita.get(f"/staff/persons/{world.alice.pk}/").content.decode()
    assert world.alice.name in person and world.alice.resident_id not in person
    assert Entry.objects.filter(action="identity.person.viewed").count() == viewed + 1
    revealed = rita.post(
        f"/staff/persons/{world.alice.pk}/reveal/",
        {"csrfmiddlewaretoken": rita.cookies["csrftoken"].value},
    ).content.decode()
    assert world.alice.resident_id in revealed
    assert (
        Entry.objects.filter(action="identity.person.revealed", actor_id=str(world.rita.pk)).count()
        == 1
    )


# -- no channel: refused when filed, never a dead end ---------------------------------------


def _post(
    client: Any, url: str, data: dict[str, str], language: str, page: str | None = None
) -> Any:
    client.get(page or url, HTTP_ACCEPT_LANGUAGE=language)
    return client.post(
        url,
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, **data},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("zh-hans", "未配置与北京市的转移接续通道"),
        ("en", "No transfer channel with Beijing is configured"),
    ],
)
def test_a_province_without_a_channel_is_not_offered_and_cannot_be_filed(
    world: Any, hub: Any, language: str, reason: str
) -> None:
    """The form offers Henan only (the one channel); a transfer from Beijing posted anyway
    is refused when filed, with the reason in the person's language, and nothing is filed."""
    from django.test import Client

    from onestop.applications.models import Application

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    url = "/services/SX-SI-007/apply/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'value="{HENAN}"' in page and 'value="110000"' not in page
    assert ("河南省" if language == "zh-hans" else "Henan") in page
    _post(client, url, {"page": "0", "from_province": "110000"}, language)
    assert not Application.objects.exists()
    # A submission not through the form (the API, a stale draft) is refused the same way.
    with pytest.raises(ServiceError) as refused:
        applications.application_submit(
            actor=world.alice.user,
            item_code="SX-SI-007",
            applicant=world.alice,
            answers={"from_province": "110000"},
        )
    assert refused.value.code == "transfer_unavailable"
    assert reason in (refused.value.zh if language == "zh-hans" else refused.value.en)
    assert not Application.objects.exists()


def test_with_no_channel_at_all_the_form_says_so_and_files_nothing(
    world: Any, settings: Any
) -> None:
    from django.test import Client

    from onestop.applications.models import Application

    settings.ONESTOP_TRANSFER_HUB_URL = ""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    url = "/services/SX-SI-007/apply/"
    for language, text in (
        ("zh-hans", "未配置与任何省份的转移接续通道"),
        ("en", "No transfer channel"),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert text in page
    _post(client, url, {"page": "0", "from_province": HENAN}, "en")
    assert not Application.objects.exists()


def test_a_case_filed_before_the_channel_went_away_reads_clearly_and_can_be_rejected(
    world: Any, hub: Any
) -> None:
    """The channel is withdrawn after filing: the case page gives the reason in one
    language under a label (never the key ``transfer_error``), approving says to reject,
    and rita rejects it with that reason."""
    from django.test import Client

    case = applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-007",
        applicant=world.alice,
        answers={"from_province": HENAN},
    ).application
    Consumer.objects.filter(code=f"province-{HENAN}").update(active=False)
    case = applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )
    rita = Client(enforce_csrf_checks=True)
    rita.force_login(world.rita)
    url = f"/applications/{case.number}/"
    for language, label, reason, other in (
        ("zh-hans", "转出地未发来信息表的原因", "未配置与河南省的转移接续通道", "No transfer"),
        ("en", "Why the other province sent no information form", "No transfer channel", "未配置"),
    ):
        page = rita.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "transfer_error" not in page
        assert label in page and reason in page and other not in page
    act = f"/applications/{case.number}/tasks/review/"
    approve = _post(
        rita, act, {"review-decision": "approve", "review-note": ""}, "en", page=url
    ).content.decode()
    assert "reject it giving this reason: No transfer channel with Henan" in approve
    case.refresh_from_db()
    assert case.status == "in_review"
    with pytest.raises(ServiceError) as refused:
        applications.application_act(
            actor=world.rita, application=case, task="review", decision="approve"
        )
    assert "请以该理由作出不予批准的决定：未配置与河南省" in refused.value.zh
    _post(
        rita,
        act,
        {"review-decision": "reject", "review-note": "未配置转移通道"},
        "zh-hans",
        page=url,
    )
    case.refresh_from_db()
    assert case.status == "rejected"
