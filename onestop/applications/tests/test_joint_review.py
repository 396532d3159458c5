"""The death case's joint review is really parallel: civil affairs (cheng), medical insurance
(mei) and the HRSS case worker (carol) each claim, act on and complete their own branch, in
any order and at the same time; one department's claim never hides another's task; the join
waits for all three; a refusal sends the case to the reviewer's rejection. The kinship proof
is never asked of the survivors: civil affairs confirms the family from its own records at
its step."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from onestop.applications import selectors, services
from onestop.applications.models import Application, OpenStep, Status, Step
from onestop.applications.services.materials import materials_to_upload
from onestop.catalogue import selectors as catalogue
from onestop.common.errors import NotPermitted, ServiceError

JOINT = ("civil_affairs_review", "hrss_review", "medical_insurance_review")
WHO = {"civil_affairs_review": "cheng", "medical_insurance_review": "mei", "hrss_review": "carol"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def death_case(world: Any, *, kinship: bool = True) -> Application:
    """bob claims for alice at carol's counter (the case goes where she was insured; the
    claim is open online only to the relative who registered the death); carol accepts."""
    case = services.application_submit(
        actor=world.carol,
        item_code="SX-SI-008",
        applicant=world.bob,
        answers={"deceased_resident_id": world.alice.resident_id, "relation": "parent"},
        channel="counter",
        consent=True,
    ).application
    if kinship:
        services.material_upload(
            actor=world.bob.user,
            application=case,
            name="亲属关系证明",
            file_name="户口簿.pdf",
            data=PDF,
        )
    return services.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )


def holders(case: Application) -> dict[str, str | None]:
    return {
        s.name: s.assignee.username if s.assignee else None
        for s in OpenStep.objects.filter(application=case).select_related("assignee")
    }


def confirm(world: Any, case: Application, task: str) -> Application:
    who = world.user(WHO[task])
    services.application_claim(actor=who, application=case, task=task)
    return services.application_act(actor=who, application=case, task=task, decision="confirm")


@pytest.mark.django_db
def test_one_departments_claim_hides_no_other_task(world: Any) -> None:
    case = death_case(world)
    assert holders(case) == dict.fromkeys(JOINT)
    services.application_claim(actor=world.cheng, application=case)  # his own branch
    assert holders(case) == {**dict.fromkeys(JOINT), "civil_affairs_review": "cheng"}
    # mei and carol still see their tasks, with their forms, in the queue and on the page.
    for login, task in (("mei", "medical_insurance_review"), ("carol", "hrss_review")):
        user = world.user(login)
        [queued] = selectors.queue_for(actor=user)
        assert [s.name for s in queued.my_steps] == [task]  # type: ignore[attr-defined]
        page = Client()
        page.force_login(user)
        html = page.get(f"/applications/{case.number}/").content.decode()
        assert f'action="/applications/{case.number}/tasks/{task}/"' in html
        assert "/tasks/civil_affairs_review/" not in html
    # mei acts without claiming; her submission counts and cheng's claim stands.
    case = services.application_act(
        actor=world.mei, application=case, task="medical_insurance_review", decision="confirm"
    )
    assert holders(case) == {"civil_affairs_review": "cheng", "hrss_review": None}
    # Nobody acts on another department's branch, nor on a branch another holds.
    with pytest.raises(NotPermitted):
        services.application_act(
            actor=world.mei, application=case, task="civil_affairs_review", decision="confirm"
        )
    with pytest.raises(NotPermitted):
        services.application_claim(actor=world.carol, application=case, task="civil_affairs_review")


@pytest.mark.django_db
@pytest.mark.parametrize("order", list(itertools.permutations(JOINT)))
def test_the_departments_finish_in_any_order_and_the_join_waits(
    world: Any, order: tuple[str, ...]
) -> None:
    case = death_case(world)
    for done, task in enumerate(order, start=1):
        case = confirm(world, case, task)
        if done < 3:
            assert sorted(holders(case)) == sorted(order[done:])
            assert all(h is None for h in holders(case).values())
            assert case.status == Status.IN_REVIEW
    assert [r[:2] for r in case.ready] == [["decide", "reviewer"]]
    actions = list(
        Step.objects.filter(application=case, task__in=JOINT).values_list("task", "action")
    )
    assert [t for t, a in actions if a == "confirm"] == list(order)
    # No death is registered for alice: nothing to pay; rita rejects with the reason.
    case = services.application_act(
        actor=world.rita, application=case, task="decide", decision="reject", note="无死亡登记"
    )
    assert case.status == Status.REJECTED and holders(case) == {}


@pytest.mark.django_db
def test_a_refusal_waits_for_the_join_and_the_reviewer_rejects(world: Any) -> None:
    case = death_case(world)
    with pytest.raises(ServiceError) as reasons:
        services.application_act(
            actor=world.mei, application=case, task="medical_insurance_review", decision="refuse"
        )
    assert reasons.value.code == "note"
    case = services.application_act(
        actor=world.mei,
        application=case,
        task="medical_insurance_review",
        decision="refuse",
        note="医保待遇尚未结清 medical insurance not settled",
    )
    assert sorted(holders(case)) == ["civil_affairs_review", "hrss_review"]
    case = confirm(world, case, "hrss_review")
    case = confirm(world, case, "civil_affairs_review")
    assert [r[:2] for r in case.ready] == [["reject_refused", "reviewer"]]
    with pytest.raises(ServiceError):
        services.application_act(
            actor=world.rita, application=case, task="reject_refused", decision="approve"
        )
    case = services.application_act(
        actor=world.rita,
        application=case,
        task="reject_refused",
        decision="reject",
        note="医保部门不予确认 medical insurance refused",
    )
    assert case.status == Status.REJECTED and case.completed_at is not None


@pytest.mark.django_db
def test_the_kinship_proof_is_never_asked_civil_affairs_confirms_it(world: Any) -> None:
    """The guide says the platform obtains the kinship proof; the case page agrees: it is
    not among the materials to upload (nor in the upload form's list), it reads as
    confirmed by civil affairs at its review, and civil affairs confirms the family without
    any file; then the page reads it as obtained."""
    guide = Client().get("/services/SX-SI-008/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    replaced = guide[guide.index('id="replaced"') :]
    replaced = replaced[: replaced.index("</ul>")]
    assert (
        "Proof of family relation — obtained from the other department&#x27;s data" in (replaced)
        or "Proof of family relation — obtained from the other department's data" in replaced
    )
    to_upload = guide[guide.index('id="to-upload"') :]
    assert "Proof of family relation" not in to_upload[: to_upload.index("</")]
    case = death_case(world, kinship=False)
    item = catalogue.item_get(code=case.item_code, version=case.item_version)
    assert "亲属关系证明" not in [m["name"] for m in materials_to_upload(case, item.materials)]
    page = Client()
    page.force_login(world.bob.user)
    text = page.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = text[text.index('id="material-status"') :]
    row = row[row.index("Proof of family relation") :]
    row = row[: row.index("</tr>")]
    assert "the department confirms it from its own records at “Confirm the death and the " in (row)
    upload = text[text.index('id="upload-form"') :]
    assert "亲属关系证明" not in upload[: upload.index("</form>")]
    case = services.application_act(
        actor=world.cheng, application=case, task="civil_affairs_review", decision="confirm"
    )
    assert "civil_affairs_review" not in holders(case)
    assert not case.materials.exists()
    text = page.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = text[text.index("Proof of family relation") :]
    assert 'data-supply="obtained"' in text[: text.index("Proof of family relation")][-80:]
    assert "confirmed at “Confirm the death and the family”" in row[: row.index("</tr>")]


@pytest.mark.django_db(transaction=True)
def test_the_three_departments_at_the_same_time(world: Any) -> None:
    """On PostgreSQL, three threads claim and complete the three branches at once: every
    submission counts, and the join opens the decision exactly once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL (DATABASE_URL)")
    case = death_case(world)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def work(task: str) -> None:
        try:
            who = world.user(WHO[task])
            barrier.wait(timeout=10)
            services.application_claim(actor=who, application=case, task=task)
            services.application_act(actor=who, application=case, task=task, decision="confirm")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(t,)) for t in JOINT]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    case.refresh_from_db()
    assert [r[:2] for r in case.ready] == [["decide", "reviewer"]]
    assert holders(case) == {"decide": None}
    assert sorted(
        Step.objects.filter(application=case, action="confirm").values_list("task", flat=True)
    ) == sorted(JOINT)


@pytest.mark.django_db
def test_the_api_claims_one_branch_and_shows_each_steps_holder(world: Any) -> None:
    case = death_case(world)
    api = Client()
    api.force_login(world.mei)
    response = api.post(f"/api/v1/applications/{case.number}/claim?task=medical_insurance_review")
    assert response.status_code == 200
    holders_out = {t["name"]: t["holder"] for t in response.json()["ready"]}
    assert holders_out == {
        "hrss_review": None,
        "civil_affairs_review": None,
        "medical_insurance_review": "mei",
    }
    assert response.json()["clock"] == "green"
    # Another department's branch is not hers to claim: refused, nothing changed.
    refused = api.post(f"/api/v1/applications/{case.number}/claim?task=civil_affairs_review")
    assert refused.status_code == 403
    assert holders(case)["civil_affairs_review"] is None


@pytest.mark.django_db
def test_another_department_sees_its_joint_review_case_and_no_other(world: Any) -> None:
    """cheng (civil affairs) opens the death case whose branch is his, before and after he
    confirms it, and comments on it; not alice's own record (403) nor a case with no step of
    his (not found)."""
    case = death_case(world)
    other = services.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2026-05", "bank_account": "6222020200112233446"},
    ).application
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.cheng)
    assert client.get(f"/applications/{case.number}/").status_code == 200  # sets the CSRF cookie
    commented = client.post(
        f"/applications/{case.number}/comments/",
        {"comment-body": "户籍已核", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert commented.status_code == 302
    assert case.comments.get().author == world.cheng
    confirm(world, case, "civil_affairs_review")
    assert client.get(f"/applications/{case.number}/").status_code == 200
    assert client.get(f"/applications/{other.number}/").status_code == 404
    assert client.get(f"/staff/persons/{world.alice.pk}/").status_code == 403
    assert client.get("/staff/persons/").status_code == 403
