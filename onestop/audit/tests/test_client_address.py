"""The client address behind proxies (hostile pass L1): the hop the trusted proxy appended
to X-Forwarded-For, counted from the right; never what the client wrote to its left, and
only an IP address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from onestop.audit.models import Entry
from onestop.common.middleware import client_address


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client wrote 1.2.3.4
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (1, '=HYPERLINK("http://x")', "10.0.0.2"),
        (2, "198.51.100.7", "10.0.0.2"),  # fewer hops than proxies: not forwarded here
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_trusted_hop_from_the_right(
    settings: Any, trusted: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == expected


@pytest.mark.django_db
def test_a_forged_hop_does_not_reach_the_journal(world: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = 1
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    client.get("/")
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else None
    client.post(
        "/logout/",
        {"csrfmiddlewaretoken": token or ""},
        HTTP_X_FORWARDED_FOR='=HYPERLINK("http://x"), 198.51.100.7',
    )
    addresses = set(Entry.objects.values_list("client_address", flat=True))
    assert not any(a and a.startswith("=") for a in addresses)
