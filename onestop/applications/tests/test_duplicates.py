"""One open case at a time where a second would be a duplicate (the item's
``x-one-open-case``): by API, by the online form's double submit, and by filers racing on
PostgreSQL. A withdrawn or decided case lets the person file again."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onestop.applications import services
from onestop.applications.models import Application, Draft, Status
from onestop.catalogue import seed
from onestop.catalogue import selectors as catalogue
from onestop.catalogue.models import ServiceItem
from onestop.identity.models import User

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


@pytest.fixture(autouse=True)
def one_open_case(world: Any) -> None:
    """The shipped rule, which the test world lifts for fixtures with many cases."""
    shipped = next(i for i in seed.ITEMS if i["code"] == "SX-SI-006")["form_schema"]
    assert shipped["x-one-open-case"] == ["applicant"]
    item = catalogue.item_get(code="SX-SI-006")
    ServiceItem.objects.filter(pk=item.pk).update(
        form_schema={**item.form_schema, "x-one-open-case": shipped["x-one-open-case"]}
    )


def browser(user: User) -> Client:
    """A signed-in browser: CSRF enforced, the token sent as the page's script sends it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def file(client: Client) -> Any:
    return client.post(
        "/api/v1/applications",
        {"item_code": "SX-SI-006", "answers": ANSWERS},
        content_type="application/json",
    )


@pytest.mark.django_db
def test_a_second_open_retirement_case_is_refused_naming_the_first(world: Any) -> None:
    alice = browser(world.alice.user)
    first = file(alice)
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    again = file(alice)
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "open_case"
    assert number in body["message_zh"] and number in body["message_en"]
    assert Application.objects.count() == 1
    # Withdrawn, it no longer stands in the way.
    services.application_withdraw(
        actor=world.alice.user, application=Application.objects.get(number=number)
    )
    assert file(alice).status_code == 201
    assert Application.objects.filter(status=Status.SUBMITTED).count() == 1


@pytest.mark.django_db
def test_an_item_without_the_rule_is_not_limited(world: Any) -> None:
    """The proof of insurance (no ``x-one-open-case``) may be asked for as often as needed."""
    assert "x-one-open-case" not in catalogue.item_get(code="SX-SI-004").form_schema
    alice = browser(world.alice.user)
    for _ in range(2):
        answer = alice.post(
            "/api/v1/applications",
            {"item_code": "SX-SI-004", "answers": {}},
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content


@pytest.mark.django_db
def test_the_form_submitted_twice_files_once(world: Any) -> None:
    """A double click on "submit" (or a second tab): the second post finds the draft gone
    and files nothing, not even a fresh pre-fill the person never checked."""
    alice = browser(world.alice.user)
    url = "/services/SX-SI-006/apply/"
    assert alice.get(url).status_code == 200
    assert not Draft.objects.exists()  # looking writes nothing
    Draft.objects.create(applicant=world.alice, item_code="SX-SI-006", answers=ANSWERS, page=1)
    first = alice.post(url, {"action": "submit"})
    case = Application.objects.get()
    assert first["Location"] == f"/applications/{case.number}/"
    second = alice.post(url, {"action": "submit"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert second.status_code == 302 and second["Location"] == "/me/applications/"
    assert Application.objects.count() == 1
    assert not Draft.objects.exists()
    page = alice.get("/me/applications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已经提交" in page


@pytest.mark.django_db
def test_a_draft_submitted_when_none_is_left_is_refused(world: Any) -> None:
    item = catalogue.item_get(code="SX-SI-006")
    with pytest.raises(services.AlreadyFiled) as refused:
        services.draft_submit(actor=world.alice.user, item=item)
    assert refused.value.status == 409 and not Application.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_filers_racing_on_postgresql_file_one_case(world: Any) -> None:
    """Eight requests of one person at the same instant, each on its own connection
    through the real middleware: exactly one case, seven 409s."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")
    alice = browser(world.alice.user)
    cookies = {name: morsel.value for name, morsel in alice.cookies.items()}
    barrier = threading.Barrier(8)
    answers: list[int] = []
    failures: list[BaseException] = []

    def post() -> None:
        try:
            client = Client(enforce_csrf_checks=True)
            for name, value in cookies.items():
                client.cookies[name] = value
            client.defaults["HTTP_X_CSRFTOKEN"] = cookies["csrftoken"]
            barrier.wait()
            answers.append(file(client).status_code)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[:3]
    assert sorted(answers) == [201] + [409] * 7
    assert Application.objects.count() == 1
