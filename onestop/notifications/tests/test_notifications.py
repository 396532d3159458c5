"""Notifications: inbox rows in the caller's transaction, e-mail and SMS copies after commit,
once per channel; a failing gateway is recorded; nobody reads another's inbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from onestop.notifications import services
from onestop.notifications.models import Delivery, Notification
from onestop.notifications.templates import TEMPLATES

pytestmark = pytest.mark.django_db

CONTEXT = {"number": "SX20261124000001", "item": "退休申请", "deadline": "2026-12-08"}


class RecordingGateway:
    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> str:
        self.sent.append((phone, text))
        return "msg-1"


class BrokenGateway:
    def send(self, *, phone: str, text: str) -> str:
        raise ConnectionError("gateway down")


def test_notify_writes_the_inbox_and_sends_copies_once(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ONESTOP_SMS_GATEWAY = f"{__name__}.RecordingGateway"
    RecordingGateway.sent = []
    world.carol.email = "carol@example.org"
    world.carol.save()
    with django_capture_on_commit_callbacks(execute=True):
        made = services.notify(
            recipients=[world.alice.user, world.carol, world.alice.user, None],
            event="applications.submitted",
            context=CONTEXT,
            link="/applications/SX20261124000001/",
        )
    assert [n.recipient_id for n in made] == [world.alice.user.pk, world.carol.pk]
    alice = Notification.objects.get(recipient=world.alice.user)
    assert alice.title_zh == "申请已提交：退休申请"
    assert alice.body_en == (
        "Your application SX20261124000001 (退休申请) has been filed; it is due by 2026-12-08."
    )
    # alice has a phone, no e-mail; carol (staff) an e-mail, no phone.
    assert RecordingGateway.sent == [("13800000001", f"【人社一网通办】{alice.body_zh}")]
    assert [m.to for m in mail.outbox] == [["carol@example.org"]]
    rows = set(
        Delivery.objects.values_list(
            "notification__recipient__username", "channel", "status", "address"
        )
    )
    assert rows == {
        (world.alice.user.username, "sms", "sent", "138****0001"),
        (world.alice.user.username, "email", "no_address", ""),
        ("carol", "email", "sent", "c***@example.org"),
        ("carol", "sms", "no_address", ""),
    }
    services.notifications_deliver(ids=[n.pk for n in made])  # a retried task
    assert len(RecordingGateway.sent) == 1 and len(mail.outbox) == 1
    assert Delivery.objects.count() == 4


def test_a_failing_gateway_is_recorded_not_raised(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ONESTOP_SMS_GATEWAY = f"{__name__}.BrokenGateway"
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[world.alice.user], event="applications.accepted", context=CONTEXT
        )
    failed = Delivery.objects.get(channel="sms")
    assert (failed.status, failed.detail) == ("failed", "ConnectionError")


def test_every_template_fills_in_both_languages() -> None:
    names = ["number", "item", "deadline", "note", "task", "due", "region", "amount", "start"]
    names += ["month", "name", "days", "place", "account", "latest"]
    names += ["date", "total", "funeral", "survivor"]
    names += ["actor", "role", "count", "minutes", "route", "target"]
    names += ["reason", "months", "base", "reason_zh", "reason_en", "employer", "retirement"]
    values = dict.fromkeys(names, "X")
    for zh_title, en_title, zh_body, en_body in TEMPLATES.values():
        for text in (zh_title, en_title, zh_body, en_body):
            assert "{" not in text.format(**values)


def test_inbox_page_and_api_are_ones_own(world: Any) -> None:
    services.notify(
        recipients=[world.alice.user],
        event="applications.accepted",
        context=CONTEXT,
        link="/applications/SX20261124000001/",
    )
    mine = Notification.objects.get()
    other = Client()
    other.force_login(world.bob.user)
    assert other.post(f"/me/inbox/{mine.pk}/read/").status_code == 404
    assert other.post(f"/api/v1/inbox/{mine.pk}/read").status_code == 404
    assert other.get("/api/v1/inbox").json() == []
    mine.refresh_from_db()
    assert mine.read_at is None
    client = Client()
    client.force_login(world.alice.user)
    page = client.get("/me/inbox/").content.decode()
    assert "Application accepted: 退休申请" in page or "申请已受理：退休申请" in page
    assert [n["id"] for n in client.get("/api/v1/inbox?unread=true").json()] == [mine.pk]
    response = client.post(f"/me/inbox/{mine.pk}/read/")
    assert response.status_code == 302 and response["Location"] == mine.link
    assert client.get("/api/v1/inbox?unread=true").json() == []


def test_an_outside_link_is_never_followed(world: Any) -> None:
    services.notify(
        recipients=[world.alice.user],
        event="applications.accepted",
        context=CONTEXT,
        link="https://evil.example/",
    )
    client = Client()
    client.force_login(world.alice.user)
    response = client.post(f"/me/inbox/{Notification.objects.get().pk}/read/")
    assert response["Location"] == "/me/inbox/"


def test_each_language_is_filled_with_values_read_in_that_language(world: Any) -> None:
    """A lazy value (a step's label, an item's name) is read once per language: the Chinese
    message names the step in Chinese, the English one in English — never one for both."""
    from django.utils.functional import lazy
    from django.utils.translation import gettext_lazy

    from onestop.catalogue.selectors import item_name

    made = services.notify(
        recipients=[world.carol],
        event="applications.task",
        context={
            "number": "SX20261124000001",
            "item": lazy(item_name, str)(code="SX-SI-006"),
            "task": gettext_lazy("Accept the application"),
            "due": "2026-12-08",
        },
    )
    note = made[0]
    assert "基本养老金申领（退休）" in note.body_zh and "受理申请" in note.body_zh
    assert "Accept the application" not in note.body_zh
    assert note.body_en == (
        "The step 'Accept the application' of case SX20261124000001 (Retirement pension "
        "application) is yours; it is due by 2026-12-08."
    )
