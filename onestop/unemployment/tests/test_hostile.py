"""What a hostile tester found in the unemployment benefit: a bank account shown in full,
another person's account accepted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from onestop.applications import labels
from onestop.applications import services as applications
from onestop.common.errors import ServiceError
from onestop.unemployment import benefits
from onestop.unemployment.models import UnemploymentBenefit
from onestop.unemployment.tests.test_filing import (
    ACCOUNT,
    MONTHS,
    browser,
    claim,
    insured,
    register_online,
)

pytestmark = pytest.mark.django_db


def test_the_bank_account_is_masked_on_the_case_page(world: Any) -> None:
    """carol, rita, sam and alice read alice's claim: the account's last four digits only."""
    insured(world, MONTHS)
    register_online(world)
    case = claim(world)
    for user in (world.carol, world.rita, world.sam, world.alice.user):
        page = browser(user).get(f"/applications/{case.number}/")
        assert page.status_code == 200
        shown = page.content.decode()
        assert ACCOUNT not in shown
        assert "*" * 15 + ACCOUNT[-4:] in shown


def test_a_bank_account_fact_is_masked() -> None:
    assert labels.fact_value("bank_account", ACCOUNT) == "*" * 15 + ACCOUNT[-4:]
    assert labels.masked("note", ACCOUNT) == ACCOUNT
    assert labels.masked("payee", ACCOUNT, {"x-mask": "bank_account"}) == "*" * 15 + ACCOUNT[-4:]


def bob_claims(world: Any, account: str) -> Any:
    """bob files SX-SI-009 by API (the account is checked before anything else)."""
    return browser(world.bob.user).post(
        "/api/v1/applications",
        {"item_code": "SX-SI-009", "answers": {"bank_account": account}},
        content_type="application/json",
    )


def test_another_persons_account_is_refused(world: Any) -> None:
    """alice claimed with her account (open, then granted): bob's claim naming the same
    account is refused with a 400 in both languages, nothing filed."""
    from onestop.applications.models import Application

    insured(world, MONTHS)
    register_online(world)
    case = claim(world)
    filed = Application.objects.count()
    answer = bob_claims(world, ACCOUNT)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == "bank_account_taken"
    assert "他人" in body["message_zh"] and "another person" in body["message_en"]
    assert Application.objects.count() == filed
    # Once granted (the claim closed), the account is found on the active benefit.
    applications.application_act(
        actor=world.carol, application=case, task="review", decision="approve"
    )
    assert UnemploymentBenefit.objects.get().bank_account_index
    again = bob_claims(world, ACCOUNT)
    assert again.status_code == 400 and again.json()["code"] == "bank_account_taken"
    with pytest.raises(ServiceError):
        benefits.bank_account_check(world.bob, {"bank_account": ACCOUNT})
    benefits.bank_account_check(world.alice, {"bank_account": ACCOUNT})  # her own: fine
    # An account number that is not a UnionPay card (a passbook) has no Luhn digit to check.
    benefits.bank_account_check(world.alice, {"bank_account": "3100012345678901234"})


@pytest.mark.parametrize(
    "account",
    [
        "6222020200112233445",  # the check digit wrong (6 is right)
        "12345678901",
        "62220202001122334451234",
        "٦٢٢٢٠٢٠٢٠٠١١٢٢٣٣٤٤٦",  # Arabic-Indic digits (full-width ones read as ASCII)
        "6222 0202 0011 2233 44x",
    ],
)
def test_a_malformed_account_is_refused(world: Any, account: str) -> None:
    """A card number with a wrong check digit, too short, too long, not ASCII digits (after
    full-width digits are read as ASCII and separators dropped): 400."""
    insured(world, MONTHS)
    register_online(world)
    answer = browser(world.alice.user).post(
        "/api/v1/applications",
        {"item_code": "SX-SI-009", "answers": {"bank_account": account}},
        content_type="application/json",
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["message_zh"] and answer.json()["message_en"]


def test_the_separation_line_is_read_in_one_language(world: Any) -> None:
    """A free-text removal reason: the zh case page says 待认定 (never the code); a bad
    value names each choice in Chinese; once carol determined it, the line shows the decided
    separation, translated."""
    from onestop.unemployment.tests.test_separation import claim as claim_with

    insured(world, MONTHS, reason="moved to another city")
    register_online(world)
    case = claim_with(world)
    page = browser(world.carol).get(f"/applications/{case.number}/").content.decode()
    assert "TO BE DETERMINED" not in page and "待认定" in page
    with pytest.raises(ServiceError) as refused:
        applications.application_act(
            actor=world.carol,
            application=case,
            task="review",
            decision="approve",
            established={"separation_determined": "moved"},
        )
    assert "用人单位解除劳动合同（ended_by_employer）" in refused.value.zh
    assert refused.value.en.startswith("How the last employment ended: use one of")
    applications.application_act(
        actor=world.carol,
        application=case,
        task="review",
        decision="approve",
        established={"separation_determined": "ended_by_employer"},
    )
    page = browser(world.carol).get(f"/applications/{case.number}/").content.decode()
    assert "用人单位解除劳动合同" in page and "待认定" not in page
    english = browser(world.carol)
    english.cookies["django_language"] = "en"
    shown = english.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert b"contract ended by the employer" in shown


def test_refusals_and_the_stop_outcome_in_both_languages(world: Any) -> None:
    """A voluntary end's refusal reads as English; the stop reasons listed in Chinese; the
    stop's outcome in both languages."""
    from onestop.rules import unemployment as rules
    from onestop.unemployment.tests.test_filing import granted, in_month

    found = rules.eligibility(
        lifetime_contribution_months=24,
        separation=rules.Separation.RESIGNED,
        registered_unemployed=True,
    )
    assert (
        found.refusals[0].en
        == "The last employment ended as “resigned”: that is of the person's own will."
    )
    benefit = granted(world)
    with in_month(202612):
        bad = browser(world.carol).post(
            f"/api/v1/unemployment/benefits/{benefit.pk}/stop",
            {"reason": "x", "month": "2026-12"},
            content_type="application/json",
        )
        assert bad.status_code == 400
        assert "应征服兵役（enlisted）" in bad.json()["message_zh"]
        answer = browser(world.carol).post(
            f"/api/v1/unemployment/benefits/{benefit.pk}/stop",
            {"reason": "enlisted", "month": "2026-12"},
            content_type="application/json",
        )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["outcome_zh"] == "自2027-01起停发；应追回0.00元"
    assert body["outcome_en"] == "stopped from 2027-01; to recover 0.00"
    # ``outcome`` in the request's language (Chinese by default).
    assert body["outcome"] == body["outcome_zh"]


def test_no_payroll_for_a_month_nobody_is_owed(world: Any) -> None:
    """A staff run for a month before any benefit (2020-01), or more than 12 months back
    with nothing owed (2027-11, after alice's benefit ended in 2027-10), is a 400 with the
    reason and makes no run; a month owed runs as before."""
    from onestop.unemployment.models import BenefitPayrollRun
    from onestop.unemployment.tests.test_filing import granted, in_month

    with in_month(202611):
        empty = browser(world.rita).post(
            "/api/v1/unemployment/payroll/runs",
            {"period": "2020-01"},
            content_type="application/json",
        )
    assert empty.status_code == 400, empty.content
    assert empty.json()["code"] == "period_before_benefits"
    granted(world)
    with in_month(202901):
        for period, code in (("2020-01", "period_before_benefits"), ("2027-11", "period_past")):
            answer = browser(world.rita).post(
                "/api/v1/unemployment/payroll/runs",
                {"period": period},
                content_type="application/json",
            )
            assert answer.status_code == 400 and answer.json()["code"] == code
            assert answer.json()["message_zh"] and answer.json()["message_en"]
    assert not BenefitPayrollRun.objects.exists()
    with in_month(202611):
        assert benefits.payroll_run(actor=world.rita, period=202611).count == 1


def test_the_open_claim_check_is_one_query_at_scale(world: Any) -> None:
    """10,000 open claims of others: the account check reads no claim's answers, it is one
    indexed lookup, refusing the account of one of them and passing a new one."""
    import importlib

    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onestop.applications.models import Application
    from onestop.unemployment.models import ClaimAccount

    insured(world, MONTHS)
    register_online(world)
    case = claim(world)
    row = ClaimAccount.objects.get()
    assert (row.claim_id, row.person_id) == (case.pk, world.alice.pk)
    assert row.account_index == benefits.account_index(ACCOUNT)
    # Claims filed before the index: the migration's backfill gives them theirs.
    ClaimAccount.objects.all().delete()
    migration = importlib.import_module("onestop.unemployment.migrations.0006_claim_account_index")
    migration.forwards(apps, None)
    assert ClaimAccount.objects.get().account_index == benefits.account_index(ACCOUNT)

    template: dict[str, Any] = dict(Application.objects.values().get(pk=case.pk))
    for key in ("id", "number", "open_key"):
        template.pop(key)
    clones = Application.objects.bulk_create(
        Application(**template, number=f"SX{n:018d}") for n in range(10_000)
    )
    ClaimAccount.objects.bulk_create(
        ClaimAccount(
            claim=c, person=world.alice, account_index=benefits.account_index(f"3100{n:012d}")
        )
        for n, c in enumerate(clones)
    )
    with CaptureQueriesContext(connection) as queries, pytest.raises(ServiceError):
        benefits.bank_account_check(world.bob, {"bank_account": "3100000000009999"})
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        benefits.bank_account_check(world.bob, {"bank_account": "3100000000010000"})
    assert len(queries) == 1


def test_the_case_page_names_parameters_and_the_applicant_as_people_read_them(
    world: Any,
) -> None:
    """alice's claim page names the province figures it used ("陕西省 2026 年参数（第 1
    版）"), never their code ``610000/2026/v1``, and her timeline says "申请人", not her
    user name (a pseudonym nobody reads); the staff's steps name the role and the office,
    never the staff member's login."""
    import re

    insured(world, MONTHS)
    register_online(world)
    case = claim(world)
    applications.application_act(
        actor=world.carol, application=case, task="review", decision="approve"
    )
    for language, label, applicant, role in (
        ("zh-hans", "陕西省 2026 年参数（第 1 版）", "申请人", "经办人员"),
        ("en", "Shaanxi 2026 parameters, version 1", "Applicant", "case worker"),
    ):
        page = browser(world.alice.user).get(
            f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE=language
        )
        text = page.content.decode()
        assert label in text
        assert not re.search(r"\\d{6}/\\d{4}/v\\d+", text)
        timeline = text[text.index('id="timeline"') :]
        assert f"· {applicant}:" in timeline
        assert world.alice.user.username not in text
        assert world.carol.username not in timeline
        assert f"· {role} · " in timeline


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_refused_stop_is_told_on_the_page_and_by_the_api(world: Any, language: str) -> None:
    """attack1, finding 8: stopping a benefit twice. The HTML form redirects (302) to the
    benefits page, which tells the reason in the reader's language; the API gives a 400
    with the reason in both languages. Nothing changes the second time."""
    from onestop.unemployment.tests.test_filing import granted, in_month

    benefit = granted(world)
    lang = {"accept-language": language}
    with in_month(202612):
        carol = browser(world.carol)  # signed in at that time (a session ends)
        first = carol.post(
            f"/staff/unemployment/{benefit.pk}/stop/",
            {"reason": "enlisted", "month": "2026-12"},
            headers=lang,
        )
        assert first.status_code == 302
        benefit.refresh_from_db()
        stopped = (benefit.status, benefit.end_period)
        again = carol.post(
            f"/staff/unemployment/{benefit.pk}/stop/",
            {"reason": "enlisted", "month": "2026-12"},
            headers=lang,
            follow=True,
        )
        api = carol.post(
            f"/api/v1/unemployment/benefits/{benefit.pk}/stop",
            {"reason": "enlisted", "month": "2026-12"},
            content_type="application/json",
            headers=lang,
        )
    assert again.redirect_chain and again.redirect_chain[0][1] == 302
    shown = again.content.decode()
    error = shown[shown.index('class="messages"') :]
    error = error[: error.index("</ul>")]
    assert 400 <= api.status_code < 500
    body = api.json()
    if language == "en":
        assert body["message_en"] in error and body["message_zh"] not in error
    else:
        assert body["message_zh"] in error and body["message_en"] not in error
    benefit.refresh_from_db()
    assert (benefit.status, benefit.end_period) == stopped


# --- attack1, finding 9: bank accounts as typed ----------------------------------------------


def test_an_account_typed_with_spaces_or_dashes_is_one_account(world: Any) -> None:
    """alice types her card as printed, in groups with spaces: filed, recorded as its digits,
    its blind index that of the digits. bob giving the same card with dashes is refused as
    another person's account; nothing of his is filed."""
    from onestop.applications.models import Application
    from onestop.unemployment.models import ClaimAccount
    from onestop.unemployment.tests.test_filing import insured, register_online

    insured(world, MONTHS)
    register_online(world)
    spaced = " ".join(ACCOUNT[i : i + 4] for i in range(0, len(ACCOUNT), 4))
    filed = browser(world.alice.user).post(
        "/api/v1/applications",
        {"item_code": "SX-SI-009", "answers": {"bank_account": f" {spaced} "}},
        content_type="application/json",
    )
    assert filed.status_code == 201, filed.content
    case = Application.objects.get(number=filed.json()["number"])
    assert case.answers["bank_account"] == ACCOUNT
    assert ClaimAccount.objects.get().account_index == benefits.account_index(ACCOUNT)
    assert benefits.account_index(spaced) == benefits.account_index(ACCOUNT)
    before = Application.objects.count()
    dashed = "-".join(ACCOUNT[i : i + 4] for i in range(0, len(ACCOUNT), 4))
    answer = bob_claims(world, dashed)
    assert answer.status_code == 400 and answer.json()["code"] == "bank_account_taken"
    full_width = ACCOUNT.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert bob_claims(world, full_width).json()["code"] == "bank_account_taken"
    assert Application.objects.count() == before


@pytest.mark.parametrize("account", ["000000000000", "6666666666666666", "1111-1111-1111"])
def test_an_account_of_one_repeated_digit_is_refused(world: Any, account: str) -> None:
    """A placeholder number ("000000000000") is no account: 400 in both languages, nothing
    filed; the pension form (SX-SI-006) refuses it the same way."""
    from onestop.applications.models import Application

    answer = bob_claims(world, account)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert "同一个数字" in body["message_zh"] and "one digit repeated" in body["message_en"]
    pension = browser(world.alice.user).post(
        "/api/v1/applications",
        {
            "item_code": "SX-SI-006",
            "answers": {"retirement_month": "2026-05", "bank_account": account},
        },
        content_type="application/json",
    )
    assert pension.status_code == 400 and "one digit repeated" in pension.json()["message_en"]
    assert not Application.objects.exists()
    with pytest.raises(ServiceError):
        benefits.bank_account_check(world.bob, {"bank_account": account})


def both_insured(world: Any) -> None:
    """acme insures alice and bob (moved to alice's district, carol's) in ``MONTHS``, bills
    paid, and removes both at the last month; both register as unemployed online."""
    from onestop.identity.models import Person

    Person.objects.filter(pk=world.bob.pk).update(region=world.alice.region)
    world.bob.refresh_from_db()
    from onestop.contributions import services as contributions
    from onestop.contributions.models import Bill
    from onestop.contributions.services import DeclaredRow
    from onestop.unemployment.tests.test_filing import ENDED_BY_EMPLOYER

    contributions.insurance_register(
        actor=None,
        employer=world.acme,
        insurances=["pension", "unemployment"],
        since_period=MONTHS[0],
    )
    employments = [
        contributions.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=person.resident_id,
            start_period=MONTHS[0],
            wage=Decimal("6000"),
        )
        for person in (world.alice, world.bob)
    ]
    for period in MONTHS:
        assert contributions.declaration_submit(
            actor=None,
            employer=world.acme,
            period=period,
            rows=[
                DeclaredRow(2, world.alice.resident_id, "6000"),
                DeclaredRow(3, world.bob.resident_id, "6000"),
            ],
        ).accepted
    for bill in Bill.objects.filter(period__in=MONTHS):
        contributions.payment_record(
            actor=None,
            external_id=f"TAX-{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=bill.due_date,
        )
    for employment in employments:
        contributions.employment_end(
            actor=world.bob.user,
            employment=employment,
            end_period=MONTHS[-1],
            reason=ENDED_BY_EMPLOYER,
        )
    for person in (world.alice, world.bob):
        registered = browser(person.user).post(
            "/api/v1/applications",
            {"item_code": "SX-EMP-001", "answers": {"seeking_work": True}},
            content_type="application/json",
        )
        assert registered.status_code == 201, registered.content


def test_the_account_is_checked_again_in_the_filings_transaction(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two claims that both passed the early check (filed at the same instant): the filing's
    own transaction asks again under the account's lock, so bob's is refused with a 400 in
    both languages and nothing of it is saved."""
    from onestop.applications.models import Application
    from onestop.applications.services.cases import SUBMIT_CHECKS
    from onestop.unemployment.models import ClaimAccount

    both_insured(world)
    assert claim_by(world.alice, ACCOUNT).status_code == 201
    filed = Application.objects.count()
    monkeypatch.setitem(SUBMIT_CHECKS, "SX-SI-009", [])  # as if it ran before alice's commit
    answer = claim_by(world.bob, ACCOUNT)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == "bank_account_taken"
    assert "他人" in body["message_zh"] and "another person" in body["message_en"]
    assert Application.objects.count() == filed
    assert ClaimAccount.objects.count() == 1


def claim_by(person: Any, account: str) -> Any:
    return browser(person.user).post(
        "/api/v1/applications",
        {"item_code": "SX-SI-009", "answers": {"bank_account": account}},
        content_type="application/json",
    )


@pytest.mark.django_db(transaction=True)
def test_two_claims_racing_on_one_account_on_postgresql(world: Any) -> None:
    """alice and bob file SX-SI-009 naming one account at the same instant, each on its own
    connection through the real middleware: exactly one 201, the other a 400 in both
    languages; one claim and one account row."""
    import threading

    from django.db import connection

    from onestop.applications.models import Application
    from onestop.unemployment.models import ClaimAccount

    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")
    both_insured(world)
    clients = [browser(world.alice.user), browser(world.bob.user)]
    barrier = threading.Barrier(2)
    answers: list[Any] = []
    failures: list[BaseException] = []

    def post(client: Any) -> None:
        try:
            barrier.wait()
            answers.append(
                client.post(
                    "/api/v1/applications",
                    {"item_code": "SX-SI-009", "answers": {"bank_account": ACCOUNT}},
                    content_type="application/json",
                )
            )
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[:3]
    assert sorted(a.status_code for a in answers) == [201, 400]
    refused = next(a.json() for a in answers if a.status_code == 400)
    assert refused["code"] == "bank_account_taken"
    assert refused["message_zh"] and refused["message_en"]
    assert Application.objects.filter(item_code="SX-SI-009").count() == 1
    assert ClaimAccount.objects.count() == 1


def test_staff_are_warned_and_told_in_their_own_words(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two open claims naming one account (filed before the check was serialised): carol's
    page of each warns of the other claim (the applicant's page does not); once alice's is
    approved, approving bob's is refused in words for the case worker, not the applicant."""
    from onestop.applications.services.cases import SUBMIT_CHECKS

    both_insured(world)
    first = claim_by(world.alice, ACCOUNT).json()["number"]
    with monkeypatch.context() as patched:
        patched.setitem(SUBMIT_CHECKS, "SX-SI-009", [])
        patched.setattr(benefits, "bank_account_check", lambda *a, **k: None)
        second = claim_by(world.bob, ACCOUNT).json()["number"]
    page = browser(world.carol).get(f"/applications/{second}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    shown = page.content.decode()
    assert 'id="staff-warning-1"' in shown and first in shown and "他人未办结" in shown
    other = browser(world.carol).get(f"/applications/{first}/").content.decode()
    assert 'id="staff-warning-1"' in other and second in other
    mine = browser(world.bob.user).get(f"/applications/{second}/").content.decode()
    assert "staff-warning" not in mine
    from onestop.applications.models import Application

    applications.application_act(
        actor=world.carol,
        application=Application.objects.get(number=first),
        task="review",
        decision="approve",
    )
    with pytest.raises(ServiceError) as refused:
        applications.application_act(
            actor=world.carol,
            application=Application.objects.get(number=second),
            task="review",
            decision="approve",
        )
    assert refused.value.code == "bank_account_taken"
    assert "不能批准" in refused.value.zh and "请填写本人" not in refused.value.zh
    assert "cannot be approved" in refused.value.en and "give an account" not in refused.value.en
