"""One employer pays a person's pension for a month (SIL arts. 10, 12; 人社部发〔2013〕34号).

alice works for acme and, a concurrent employment confirmed at enrolment, for a Baoji
employer. Whoever declares her month first pays her pension for it; the other's declaration
listing her is refused whole, with the rule on her row, by every channel (service, API, file,
supplementary). Leaving her out is then not "missing an employee". On PostgreSQL two
employers declaring her at once end with exactly one.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from conftest import World
from onestop.contributions import files, services
from onestop.contributions.models import (
    ContributionDetail,
    Declaration,
    LedgerEntry,
    PensionMonth,
)
from onestop.contributions.services import DeclaredRow
from onestop.contributions.verify import ledger_verify
from onestop.identity import demo
from onestop.identity import services as identity
from onestop.identity.masking import mask_name, mask_resident_id
from onestop.identity.models import Employer

TODAY = dt.date(2026, 11, 23)
PERIOD = 202610
RULE_ZH = "同一人同一月份的基本养老保险费只能由一个单位缴纳"
RULE_EN = "Pension contributions for one person and month come from one employer only"


def concurrent_world(world: World) -> Employer:
    """acme employs alice and bob; baoji (bob its agent) employs alice (confirmed concurrent)
    and dave; both registered for pension and work injury since 2026-01."""
    baoji = identity.employer_register(
        actor=None,
        name="宝鸡秦川机械有限公司",
        credit_code=demo.credit_code(random.Random(5), "610302"),
        region=world.regions["610302"],
        legal_representative="白博文",
    )
    identity.employer_role_grant(actor=None, employer=baoji, person=world.bob, role="agent")
    for employer in (world.acme, baoji):
        services.insurance_register(
            actor=None,
            employer=employer,
            insurances=["pension", "work_injury"],
            since_period=202601,
            risk_class=2,
        )
    for employer, person in (
        (world.acme, world.alice),
        (world.acme, world.bob),
        (baoji, world.alice),
        (baoji, world.dave),
    ):
        services.employment_start(
            actor=None,
            employer=employer,
            resident_id=person.resident_id,
            start_period=202601,
            wage=Decimal("6000"),
            concurrent_confirmed=True,
        )
    return baoji


def declare(
    world: World,
    employer: Employer,
    people: list[Any],
    kind: str = "regular",
    wage: str = "7000",
) -> services.DeclarationResult:
    return services.declaration_submit(
        actor=world.bob.user,
        employer=employer,
        period=PERIOD,
        rows=[DeclaredRow(i + 2, p.resident_id, wage) for i, p in enumerate(people)],
        kind=kind,
        today=TODAY,
    )


def nothing_posted_for(employer: Employer) -> None:
    assert not Declaration.objects.filter(employer=employer).exists()
    assert not LedgerEntry.objects.filter(employer=employer).exists()
    assert not PensionMonth.objects.filter(employer=employer).exists()


@pytest.mark.django_db
def test_a_second_employer_declaring_the_month_is_refused_whole_with_the_rule(
    world: World,
) -> None:
    """acme declared alice's October: baoji's declaration of alice and dave is refused
    whole (dave is not posted either), alice's row naming acme and the rule in zh and en;
    even though the concurrent employment was confirmed at enrolment."""
    baoji = concurrent_world(world)
    assert declare(world, world.acme, [world.alice, world.bob]).accepted
    result = declare(world, baoji, [world.dave, world.alice])
    assert not result.accepted
    assert [(e.line, e.field, e.reason) for e in result.errors] == [
        (3, "resident_id", "pension_elsewhere")
    ]
    (error,) = result.errors
    assert error.zh == (
        f"该人员2026年10月的基本养老保险费已由{world.acme.name}申报。{RULE_ZH}；"
        "兼职用工可以同时参加工伤保险。请从本单位该月的申报中删除该人员。"
    )
    assert error.en.startswith(
        f"This person's basic pension for 2026-10 is already declared by {world.acme.name}. "
        f"{RULE_EN}"
    )
    assert result.reply["error_counts"] == {"pension_elsewhere": 1}
    nothing_posted_for(baoji)
    assert PensionMonth.objects.get(person=world.alice, period=PERIOD).employer == world.acme
    assert ledger_verify() == []


@pytest.mark.django_db
def test_leaving_the_person_out_is_accepted_and_a_supplementary_listing_her_is_refused(
    world: World,
) -> None:
    """baoji leaves alice out of October: she is not "missing" (her pension is acme's), dave
    is posted. A supplementary of baoji listing her is refused too; acme's own
    supplementary raising her month's wage is accepted."""
    baoji = concurrent_world(world)
    assert declare(world, world.acme, [world.alice, world.bob]).accepted
    accepted = declare(world, baoji, [world.dave])
    assert accepted.accepted, accepted.reply
    assert set(LedgerEntry.objects.filter(employer=baoji).values_list("person_id", flat=True)) == {
        world.dave.pk
    }
    supplementary = declare(world, baoji, [world.dave, world.alice], kind="supplementary")
    assert not supplementary.accepted
    assert [e.reason for e in supplementary.errors] == ["pension_elsewhere"]
    assert Declaration.objects.filter(employer=baoji).count() == 1
    raised = declare(world, world.acme, [world.alice, world.bob], kind="supplementary", wage="7500")
    assert raised.accepted, raised.reply
    assert ledger_verify() == []


@pytest.mark.django_db
def test_whoever_declares_first_holds_the_month(world: World) -> None:
    """baoji declares alice first: acme's declaration listing her is refused, and acme may
    leave her out. Another month is free again."""
    baoji = concurrent_world(world)
    assert declare(world, baoji, [world.alice, world.dave]).accepted
    refused = declare(world, world.acme, [world.alice, world.bob])
    assert [e.reason for e in refused.errors] == ["pension_elsewhere"]
    assert baoji.name in refused.errors[0].zh
    nothing_posted_for(world.acme)
    assert declare(world, world.acme, [world.bob]).accepted
    november = services.declaration_submit(
        actor=world.bob.user,
        employer=world.acme,
        period=PERIOD + 1,
        rows=[DeclaredRow(2, world.alice.resident_id, "7000")],
        kind="regular",
        today=TODAY,
    )
    assert not november.accepted  # bob is missing, alice's November is acme's to declare
    assert [e.field for e in november.errors] == ["rows"]


@pytest.mark.django_db
def test_the_api_and_the_file_refuse_the_row_with_422(world: World) -> None:
    """The JSON API and the file API answer 422 with alice's row and the rule; nothing of
    baoji's is posted."""
    baoji = concurrent_world(world)
    assert declare(world, world.acme, [world.alice, world.bob]).accepted
    client = Client()
    assert world.bob.user is not None
    client.force_login(world.bob.user)
    answer = client.post(
        f"/api/v1/employers/{baoji.pk}/declarations",
        {
            "period": "2026-10",
            "rows": [
                {"resident_id": world.dave.resident_id, "wage": "7000"},
                {"resident_id": world.alice.resident_id, "wage": "7000"},
            ],
        },
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    (row,) = answer.json()["errors"]
    assert row["line"] == 2 and RULE_ZH in row["message_zh"] and RULE_EN in row["message_en"]
    text = f"公民身份号码,姓名,月工资\n{world.alice.resident_id},李爱丽,7000\n"
    text += f"{world.dave.resident_id},丁大卫,7000\n"
    answer = client.post(
        f"/api/v1/employers/{baoji.pk}/declarations/file",
        {
            "period": "2026-10",
            "file": SimpleUploadedFile("wages.csv", text.encode()),
        },
    )
    assert answer.status_code == 422, answer.content
    assert [(e["line"], e["field"]) for e in answer.json()["errors"]] == [(2, "resident_id")]
    nothing_posted_for(baoji)


@pytest.mark.django_db
def test_verify_names_a_month_with_two_pension_payers(world: World) -> None:
    """A pension entry of another employer for a month acme holds (raw SQL past the
    services) is named by ``one_pension_payer``."""
    baoji = concurrent_world(world)
    assert declare(world, world.acme, [world.alice, world.bob]).accepted
    declaration = Declaration.objects.get(employer=world.acme)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, "
            "kind, account, amount, base, source_type, source_id, created_at) VALUES "
            "(%s, %s, %s, 'pension', 'employer_pooled', %s, 10.00, NULL, 'declaration', %s, "
            "CURRENT_TIMESTAMP)",
            [world.alice.pk, baoji.pk, PERIOD, False, declaration.pk + 1000],
        )
    findings = [f for f in ledger_verify() if f.rule == "one_pension_payer"]
    assert [f.detail for f in findings] == [
        f"person {world.alice.pk} 2026-10: pension declared or held by 2 employers "
        f"({min(world.acme.pk, baoji.pk)}..{max(world.acme.pk, baoji.pk)})"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_employers_declaring_the_same_person_at_once_end_with_one(world: World) -> None:
    """PostgreSQL: for each of six months acme and baoji declare alice at the same instant,
    each on its own connection. Exactly one of each pair is accepted, the other is refused
    with her row, and each month's pension has one payer (``ledger verify``)."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")
    baoji = concurrent_world(world)
    months = [202604, 202605, 202606, 202607, 202608, 202609]
    jobs = [
        (period, employer, [world.alice, world.bob if employer == world.acme else world.dave])
        for period in months
        for employer in (world.acme, baoji)
    ]
    barrier = threading.Barrier(len(jobs))
    results: dict[tuple[int, int], services.DeclarationResult] = {}
    failures: list[BaseException] = []

    def run(period: int, employer: Employer, people: list[Any]) -> None:
        try:
            barrier.wait()
            results[(period, employer.pk)] = services.declaration_submit(
                actor=world.bob.user,
                employer=employer,
                period=period,
                rows=[DeclaredRow(i + 2, p.resident_id, "7000") for i, p in enumerate(people)],
                today=TODAY,
            )
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[:3]
    for period in months:
        pair = [results[(period, world.acme.pk)], results[(period, baoji.pk)]]
        assert sorted(r.accepted for r in pair) == [False, True], period
        (refused,) = [r for r in pair if not r.accepted]
        assert [(e.line, e.reason) for e in refused.errors] == [(2, "pension_elsewhere")]
        payers = set(
            ContributionDetail.objects.filter(
                period=period, person=world.alice, pension_employer__isnull=False
            ).values_list("employer_id", flat=True)
        )
        holder = PensionMonth.objects.get(person=world.alice, period=period).employer_id
        assert payers == {holder}
    assert Declaration.objects.count() == len(months)
    assert ledger_verify() == []


@pytest.mark.django_db
def test_the_upload_page_refuses_the_file_with_the_row_reason(world: World) -> None:
    """baoji's file listing alice, uploaded on the declarations page, is refused whole and
    the page shows her row's reason; nothing of baoji's is posted."""
    baoji = concurrent_world(world)
    assert declare(world, world.acme, [world.alice, world.bob]).accepted
    client = Client()
    assert world.bob.user is not None
    client.force_login(world.bob.user)
    text = f"公民身份号码,姓名,月工资\n{world.dave.resident_id},丁大卫,7000\n"
    text += f"{world.alice.resident_id},李爱丽,7000\n"
    page = client.post(
        f"/employer/{baoji.pk}/declarations/",
        {
            "period": "2026-10",
            "kind": "regular",
            "file": SimpleUploadedFile("wages.csv", text.encode(), content_type="text/csv"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    body = page.content.decode()
    assert 'id="declaration-rejected"' in body
    assert f"already declared by {world.acme.name}" in body
    nothing_posted_for(baoji)


@pytest.mark.django_db
def test_the_declare_page_and_template_leave_out_whom_another_employer_pays(
    world: World,
) -> None:
    """acme declared alice's October: baoji's declare page lists only dave in its grid and
    names alice apart (masked) with the employer that pays her pension; the pre-filled
    template for October lists dave alone, and sent back as a supplementary (his wage
    corrected) it is accepted. acme's own page still lists her and names no one apart."""
    baoji = concurrent_world(world)
    assert declare(world, world.acme, [world.alice, world.bob]).accepted
    assert declare(world, baoji, [world.dave], wage="6000").accepted
    assert world.bob.user is not None
    bob = Client(enforce_csrf_checks=True)
    bob.force_login(world.bob.user)
    page = bob.get(
        f"/employer/{baoji.pk}/declarations/?period=2026-10", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    grid = page.split('id="grid-rows"')[1].split("</table>")[0]
    assert mask_resident_id(world.dave.resident_id) in grid
    assert mask_resident_id(world.alice.resident_id) not in grid
    apart = page.split('id="grid-elsewhere"')[1].split("</div>")[0]
    assert f"<li>{mask_name(world.alice.name)}：养老保险由{world.acme.name}缴纳</li>" in apart
    assert "2026-10 不在本单位申报的人员 1 人" in apart
    response = bob.get(f"/employer/{baoji.pk}/declarations/template.csv?period=2026-10")
    assert response.status_code == 200
    rows = files.parse("template.csv", response.content)
    assert [(r.resident_id, r.wage) for r in rows] == [(world.dave.resident_id, "6000.00")]
    result = services.declaration_submit(  # dave's October wage corrected
        actor=world.bob.user,
        employer=baoji,
        period=PERIOD,
        rows=[DeclaredRow(r.line, r.resident_id, "6500", r.name) for r in rows],
        kind="supplementary",
        today=TODAY,
    )
    assert result.accepted, result.reply
    own = bob.get(
        f"/employer/{world.acme.pk}/declarations/?period=2026-10", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert mask_resident_id(world.alice.resident_id) in own.split('id="grid-rows"')[1]
    assert 'id="grid-elsewhere"' not in own
    acme_rows = files.parse(
        "template.csv",
        bob.get(f"/employer/{world.acme.pk}/declarations/template.csv?period=2026-10").content,
    )
    assert sorted(r.resident_id for r in acme_rows) == sorted(
        [world.alice.resident_id, world.bob.resident_id]
    )
