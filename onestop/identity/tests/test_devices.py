"""Known devices: strangers guessing a person's password cannot lock the person out.

OWASP "device cookies": five wrong passwords from unknown clients lock the account for unknown
clients only; the owner's browser, which signed in before, still signs in and counts its own
failures; the per-identifier throttle does not apply to it either.
"""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from onestop.audit.models import Entry
from onestop.identity import devices
from onestop.identity.models import User

pytestmark = pytest.mark.django_db

PHONE = "13800000001"  # alice
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def login(client: Client, identifier: str = PHONE, password: str = PASSWORD) -> Any:
    return client.post("/login/", {"identifier": identifier, "password": password})


def signed_in(client: Client) -> str | None:
    response = client.get("/api/v1/me")
    return response.json().get("username") if response.status_code == 200 else None


def owner_browser(world: Any) -> Client:
    """alice's own browser: it signed in once, then signed out (the device cookie stays)."""
    browser = Client()
    login(browser)
    assert signed_in(browser) == world.alice.user.username
    assert devices.COOKIE in browser.cookies
    browser.post("/logout/")
    assert signed_in(browser) is None
    return browser


def test_strangers_lock_out_strangers_not_the_owner(world: Any) -> None:
    browser = owner_browser(world)
    stranger = Client()
    for _ in range(5):
        login(stranger, password="wrong-password-1")
    assert User.objects.get(pk=world.alice.user.pk).locked_until is not None
    # The stranger is locked out even with the right password ...
    login(stranger)
    assert signed_in(stranger) is None
    # ... the owner's browser is not, and its sign-in leaves the strangers' lockout in place.
    login(browser)
    assert signed_in(browser) == world.alice.user.username
    assert User.objects.get(pk=world.alice.user.pk).locked_until is not None
    fresh = Client()
    login(fresh)
    assert signed_in(fresh) is None


def test_a_known_device_counts_its_own_failures(world: Any) -> None:
    browser = owner_browser(world)
    for _ in range(5):
        login(browser, password="wrong-password-1")
    login(browser)
    assert signed_in(browser) is None
    # Only that device: the account is not locked for anyone else.
    assert User.objects.get(pk=world.alice.user.pk).locked_until is None
    elsewhere = Client()
    login(elsewhere)
    assert signed_in(elsewhere) == world.alice.user.username
    failed = Entry.objects.filter(
        action="identity.login.failed", target_id=str(world.alice.user.pk)
    )
    assert failed.count() == 5
    assert all(e.changes.get("client") == "known device" for e in failed)
    assert Entry.objects.filter(
        action="identity.login.refused_locked", changes__client="known device"
    ).exists()


def test_the_identifier_throttle_spares_the_owner(world: Any) -> None:
    browser = owner_browser(world)
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [login(stranger, password="wrong-password-1").status_code for _ in range(11)]
    assert statuses[-1] == 429
    assert login(Client(REMOTE_ADDR="198.51.100.7")).status_code == 429
    login(browser)
    assert signed_in(browser) == world.alice.user.username


def test_guessing_does_not_sign_the_owner_out(world: Any) -> None:
    open_session = Client()
    login(open_session)
    stranger = Client()
    for _ in range(5):
        login(stranger, password="wrong-password-1")
    assert User.objects.get(pk=world.alice.user.pk).locked_until is not None
    assert signed_in(open_session) == world.alice.user.username


@pytest.mark.parametrize("cookie", ["forged", "other_account", "tampered"])
def test_a_cookie_for_someone_else_or_forged_is_an_unknown_client(world: Any, cookie: str) -> None:
    bob_browser = Client()
    login(bob_browser, "13800000002" if cookie == "other_account" else PHONE)
    value = {
        "forged": signing.dumps({str(world.alice.user.pk): "x"}, salt="another-salt"),
        "other_account": bob_browser.cookies[devices.COOKIE].value,
        "tampered": bob_browser.cookies[devices.COOKIE].value[:-2] + "AA",
    }[cookie]
    stranger = Client()
    for _ in range(5):
        login(stranger, password="wrong-password-1")
    stranger.cookies[devices.COOKIE] = value
    login(stranger)
    assert signed_in(stranger) is None


def test_staff_on_a_known_device_pass_a_lockout_by_strangers(world: Any) -> None:
    User.objects.filter(pk=world.rita.pk).update(totp_confirmed_at=timezone.now())
    world.rita.totp_secret = SECRET
    world.rita.save(update_fields=["totp_secret"])
    desk = Client()
    login(desk, "rita")
    desk.post("/login/mfa/", {"code": pyotp.TOTP(SECRET).now()})
    assert signed_in(desk) == "rita"
    desk.post("/logout/")
    User.objects.filter(pk=world.rita.pk).update(totp_last_step=0)
    stranger = Client()
    for _ in range(5):
        login(stranger, "rita", "wrong-password-1")
    assert User.objects.get(pk=world.rita.pk).locked_until is not None
    assert login(desk, "rita")["Location"] == "/login/mfa/"
    # Wrong codes on the desk count against the desk too: five lock it.
    for _ in range(5):
        desk.post("/login/mfa/", {"code": "000001"})
    response = desk.post("/login/mfa/", {"code": pyotp.TOTP(SECRET).now()})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert signed_in(desk) is None


def test_the_address_limit_spares_the_owner_too(world: Any) -> None:
    """Sixty attempts at made-up numbers from the owner's own (office) address exhaust the
    address's limit for unknown clients; the owner's known browser still signs in."""
    browser = owner_browser(world)
    stranger = Client()
    for n in range(61):
        login(stranger, f"139{n:08d}", "wrong-password-1")
    assert login(Client(), password="wrong-password-1").status_code == 429
    login(browser)
    assert signed_in(browser) == world.alice.user.username
