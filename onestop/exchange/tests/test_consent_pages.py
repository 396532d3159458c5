"""The person's authorisations page (issue 25): the requester's stated purposes offered,
an unstated purpose refused, and revoking only after a confirmation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onestop.audit.models import Entry
from onestop.common.errors import ServiceError
from onestop.exchange import algorithms, gateway, services
from onestop.exchange.models import Consent, Consumer, ConsumerKind, Grant, Resource

pytestmark = pytest.mark.django_db

PROOF = "hrss.proof_of_insurance"


@pytest.fixture
def bank(world: Any) -> Consumer:
    _, public = algorithms.keypair(algorithms.ED25519)
    consumer = Consumer.objects.create(
        code="bank-xian",
        name="西安某银行",
        kind=ConsumerKind.THIRD_PARTY,
        algorithm=algorithms.ED25519,
        public_key=public,
    )
    resource = Resource.objects.get(code=PROOF)
    gateway.grant_approve(
        actor=None, consumer=consumer, resource=resource, purpose="loan", valid_until=None
    )
    # A grant that ended and a revoked one are not offered.
    gateway.grant_approve(
        actor=None,
        consumer=consumer,
        resource=resource,
        purpose="pension_transfer",
        valid_until=timezone.localdate() - dt.timedelta(days=1),
    )
    gateway.grant_approve(
        actor=None,
        consumer=consumer,
        resource=resource,
        purpose="benefit_eligibility",
        valid_until=None,
    )
    Grant.objects.filter(purpose="benefit_eligibility").update(revoked_at=timezone.now())
    return consumer


def signed_in(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf(client: Client, url: str) -> str:
    found = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode()
    )
    assert found is not None
    return found.group(1)


def test_only_the_requesters_stated_purposes_in_force_are_offered(world: Any, bank: Any) -> None:
    offers = services.consent_offers()
    assert [(o.consumer, o.resource, o.purpose) for o in offers] == [("bank-xian", PROOF, "loan")]
    page = signed_in(world.alice.user).get("/me/consents/").content.decode()
    assert 'value="bank-xian/hrss.proof_of_insurance/loan"' in page
    assert "pension_transfer" not in page and "benefit_eligibility" not in page


def test_a_purpose_the_requester_did_not_state_is_refused(world: Any, bank: Any) -> None:
    """Through the API: 400 naming the stated purposes; nothing stored or journaled."""
    client = Client()
    client.force_login(world.alice.user)
    response = client.post(
        "/api/v1/me/consents",
        {"consumer": "bank-xian", "purpose": "pension_transfer", "days": 30},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "purpose"
    assert body["message_zh"] == "西安某银行未申明以该用途查询这项数据；它申明的用途：贷款审核。"
    assert body["message_en"].endswith("its stated purposes: loan.")
    assert not Consent.objects.exists()
    assert not Entry.objects.filter(action="exchange.consent.granted").exists()
    with pytest.raises(ServiceError):
        services.consent_grant(
            actor=world.alice.user,
            consumer_code="bank-xian",
            resource_code=PROOF,
            purpose="benefit_eligibility",
            days=30,
        )
    offers = client.get("/api/v1/me/consents/offers").json()
    assert [(o["consumer"], o["purpose"], o["purpose_name"]) for o in offers] == [
        ("bank-xian", "loan", "贷款审核")
    ]


def test_the_page_grants_the_chosen_offer(world: Any, bank: Any) -> None:
    client = signed_in(world.alice.user)
    response = client.post(
        "/me/consents/",
        {
            "csrfmiddlewaretoken": csrf(client, "/me/consents/"),
            "offer": "bank-xian/hrss.proof_of_insurance/loan",
            "days": "30",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.consumer, consent.resource.code, consent.purpose) == (bank, PROOF, "loan")
    # An offer that is not on the list is a form error, not a consent.
    client.post(
        "/me/consents/",
        {
            "csrfmiddlewaretoken": csrf(client, "/me/consents/"),
            "offer": "bank-xian/hrss.proof_of_insurance/pension_transfer",
            "days": "30",
        },
    )
    assert Consent.objects.count() == 1


def test_revoking_asks_first(world: Any, bank: Any) -> None:
    """The revoke link opens a page naming the authorisation; only its POST revokes."""
    consent = services.consent_grant(
        actor=world.alice.user,
        consumer_code="bank-xian",
        resource_code=PROOF,
        purpose="loan",
        days=30,
    )
    client = signed_in(world.alice.user)
    url = f"/me/consents/{consent.pk}/revoke/"
    assert f'href="{url}"' in client.get("/me/consents/").content.decode()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # In English: the purpose's English name; the requester's Chinese one (it has no other).
    assert "西安某银行" in page and "loan assessment" in page and "贷款审核" not in page
    # Which data: the resource's English name, not its Chinese one.
    resource = Resource.objects.get(code=PROOF)
    assert resource.name_en in page and resource.name not in page
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert resource.name in chinese and resource.name_en not in chinese
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert client.post(url, {"csrfmiddlewaretoken": csrf(client, url)}).status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert client.get(url).status_code == 404  # nothing left to revoke
    # Another person's authorisation is not found.
    other = signed_in(world.bob.user)
    assert other.get(url).status_code == 404


def test_granting_again_replaces_the_grant_in_force(world: Any, bank: Any) -> None:
    """The same party, data and purpose granted twice: one grant in force (the newer, with
    its period), the older revoked and named in the journal; revoking it leaves none."""
    client = Client(enforce_csrf_checks=False)
    client.force_login(world.alice.user)
    body = {"consumer": "bank-xian", "purpose": "loan", "days": 30}
    first = client.post("/api/v1/me/consents", body, content_type="application/json")
    second = client.post(
        "/api/v1/me/consents", {**body, "days": 90}, content_type="application/json"
    )
    assert first.status_code == second.status_code == 201, second.content
    in_force = Consent.objects.filter(revoked_at__isnull=True)
    assert list(in_force.values_list("pk", flat=True)) == [second.json()["id"]]
    assert in_force.get().valid_until == timezone.localdate() + dt.timedelta(days=90)
    granted = Entry.objects.filter(action="exchange.consent.granted").order_by("pk").last()
    assert granted is not None and granted.changes["replaces"] == [first.json()["id"]]
    services.consent_revoke(actor=world.alice.user, consent_id=second.json()["id"])
    assert not Consent.objects.filter(revoked_at__isnull=True).exists()


def test_the_requesters_name_is_shown_in_one_language_at_a_time(world: Any, bank: Any) -> None:
    """A consumer keeps its Chinese and English names apart: the consents page, the offer
    and the revocation page show the reader's one; the API gives both."""
    Consumer.objects.filter(pk=bank.pk).update(
        name="西安某银行（演示）", name_en="Demo bank, Xi'an"
    )
    services.consent_grant(
        actor=world.alice.user,
        consumer_code="bank-xian",
        resource_code=PROOF,
        purpose="loan",
        days=30,
    )
    client = signed_in(world.alice.user)
    english = client.get("/me/consents/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/me/consents/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Demo bank, Xi&#x27;an" in english and "西安某银行" not in english
    assert "西安某银行（演示）" in chinese and "Demo bank" not in chinese
    assert "loan assessment" in english and "贷款审核" in chinese
    offers = client.get("/api/v1/me/consents/offers").json()
    assert [(o["consumer_name"], o["consumer_name_en"]) for o in offers] == [
        ("西安某银行（演示）", "Demo bank, Xi'an")
    ]


def test_the_migration_splits_names_stored_in_both_languages(world: Any) -> None:
    """Rows stored before the English name had its field: "中文 English" is split once; a
    name in one language stays as it is."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("onestop.exchange.migrations.0016_consumer_name_en")
    _, public = algorithms.keypair(algorithms.ED25519)
    both = Consumer.objects.create(
        code="old-bank",
        name="西安某银行（演示） Demo bank, Xi'an",
        kind=ConsumerKind.THIRD_PARTY,
        public_key=public,
    )
    one = Consumer.objects.create(
        code="old-registry", name="省民政厅", kind=ConsumerKind.REGISTRY, public_key=public
    )
    migration.split_names(apps, None)
    both.refresh_from_db()
    one.refresh_from_db()
    assert (both.name, both.name_en) == ("西安某银行（演示）", "Demo bank, Xi'an")
    assert (one.name, one.name_en) == ("省民政厅", "")


@pytest.mark.django_db(transaction=True)
def test_revocations_sent_at_once_are_journaled_once(world: Any, bank: Any) -> None:
    """Hostile pass L4: four revocations of one consent at the same moment (PostgreSQL
    threads through the API): each answers 200, the journal holds one revocation."""
    import threading

    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string

    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (DATABASE_URL)")
    consent = services.consent_grant(
        actor=world.alice.user,
        consumer_code="bank-xian",
        resource_code=PROOF,
        purpose="loan",
        days=30,
    )
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def revoke() -> None:
        try:
            client = Client(enforce_csrf_checks=True)
            client.force_login(world.alice.user)
            client.cookies["csrftoken"] = _get_new_csrf_string()
            barrier.wait(timeout=10)
            answer = client.post(
                f"/api/v1/me/consents/{consent.pk}/revoke",
                {},
                content_type="application/json",
                headers={"X-CSRFToken": client.cookies["csrftoken"].value},
            )
            statuses.append(answer.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=revoke) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == [200] * 4
    assert Entry.objects.filter(action="exchange.consent.revoked").count() == 1
