"""Known devices: strangers guessing a person's password cannot lock the person out.

OWASP "device cookies": five wrong passwords from unknown clients lock the account for unknown
clients only; the owner's browser, which signed in before, still signs in and counts its own
failures; the per-identifier throttle does not apply to it either.

Every client here enforces CSRF as a browser meets it: each form is fetched first and posted
with its token.
"""

from __future__ import annotations

import re
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


def browser(**defaults: Any) -> Client:
    """A client that, like a browser, is refused a post without the form's CSRF token."""
    return Client(enforce_csrf_checks=True, **defaults)


def form_token(client: Client, page: str) -> str:
    """The CSRF token of the form on ``page``."""
    form = client.get(page)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())
    assert found, f"{page} has no form with a CSRF token"
    return found.group(1)


def submit(client: Client, page: str, action: str, data: dict[str, str]) -> Any:
    """Fetch ``page``, then post ``data`` to ``action`` with the CSRF token of its form."""
    return client.post(action, {**data, "csrfmiddlewaretoken": form_token(client, page)})


def login(client: Client, identifier: str = PHONE, password: str = PASSWORD) -> Any:
    return submit(client, "/login/", "/login/", {"identifier": identifier, "password": password})


def logout(client: Client) -> Any:
    return submit(client, "/", "/logout/", {})


def mfa(client: Client, code: str, token: str = "") -> Any:
    """Post a second-factor code with the token of the code form (fetched unless given)."""
    token = token or form_token(client, "/login/mfa/")
    return client.post("/login/mfa/", {"code": code, "csrfmiddlewaretoken": token})


def signed_in(client: Client) -> str | None:
    response = client.get("/api/v1/me")
    return response.json().get("username") if response.status_code == 200 else None


def owner_browser(world: Any) -> Client:
    """alice's own browser: it signed in once, then signed out (the device cookie stays)."""
    own = browser()
    login(own)
    assert signed_in(own) == world.alice.user.username
    assert devices.COOKIE in own.cookies
    logout(own)
    assert signed_in(own) is None
    return own


def test_strangers_lock_out_strangers_not_the_owner(world: Any) -> None:
    own = owner_browser(world)
    stranger = browser()
    for _ in range(5):
        login(stranger, password="wrong-password-1")
    assert User.objects.get(pk=world.alice.user.pk).locked_until is not None
    # The stranger is locked out even with the right password ...
    login(stranger)
    assert signed_in(stranger) is None
    # ... the owner's browser is not, and its sign-in leaves the strangers' lockout in place.
    login(own)
    assert signed_in(own) == world.alice.user.username
    assert User.objects.get(pk=world.alice.user.pk).locked_until is not None
    fresh = browser()
    login(fresh)
    assert signed_in(fresh) is None


def test_a_known_device_counts_its_own_failures(world: Any) -> None:
    own = owner_browser(world)
    for _ in range(5):
        login(own, password="wrong-password-1")
    login(own)
    assert signed_in(own) is None
    # Only that device: the account is not locked for anyone else.
    assert User.objects.get(pk=world.alice.user.pk).locked_until is None
    elsewhere = browser()
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
    own = owner_browser(world)
    stranger = browser(REMOTE_ADDR="203.0.113.9")
    statuses = [login(stranger, password="wrong-password-1").status_code for _ in range(11)]
    assert statuses[-1] == 429
    assert login(browser(REMOTE_ADDR="198.51.100.7")).status_code == 429
    login(own)
    assert signed_in(own) == world.alice.user.username


def test_guessing_does_not_sign_the_owner_out(world: Any) -> None:
    open_session = browser()
    login(open_session)
    stranger = browser()
    for _ in range(5):
        login(stranger, password="wrong-password-1")
    assert User.objects.get(pk=world.alice.user.pk).locked_until is not None
    assert signed_in(open_session) == world.alice.user.username


@pytest.mark.parametrize("cookie", ["forged", "other_account", "tampered"])
def test_a_cookie_for_someone_else_or_forged_is_an_unknown_client(world: Any, cookie: str) -> None:
    bob_browser = browser()
    login(bob_browser, "13800000002" if cookie == "other_account" else PHONE)
    value = {
        "forged": signing.dumps({str(world.alice.user.pk): "x"}, salt="another-salt"),
        "other_account": bob_browser.cookies[devices.COOKIE].value,
        "tampered": bob_browser.cookies[devices.COOKIE].value[:-2] + "AA",
    }[cookie]
    stranger = browser()
    for _ in range(5):
        login(stranger, password="wrong-password-1")
    stranger.cookies[devices.COOKIE] = value
    login(stranger)
    assert signed_in(stranger) is None


def test_staff_on_a_known_device_pass_a_lockout_by_strangers(world: Any) -> None:
    User.objects.filter(pk=world.rita.pk).update(totp_confirmed_at=timezone.now())
    world.rita.totp_secret = SECRET
    world.rita.save(update_fields=["totp_secret"])
    desk = browser()
    login(desk, "rita")
    mfa(desk, pyotp.TOTP(SECRET).now())
    assert signed_in(desk) == "rita"
    logout(desk)
    User.objects.filter(pk=world.rita.pk).update(totp_last_step=0)
    stranger = browser()
    for _ in range(5):
        login(stranger, "rita", "wrong-password-1")
    assert User.objects.get(pk=world.rita.pk).locked_until is not None
    assert login(desk, "rita")["Location"] == "/login/mfa/"
    # Wrong codes on the desk count against the desk too: five lock it.
    token = form_token(desk, "/login/mfa/")
    for _ in range(5):
        mfa(desk, "000001", token)
    response = mfa(desk, pyotp.TOTP(SECRET).now(), token)
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert signed_in(desk) is None


def test_the_address_limit_spares_the_owner_too(world: Any) -> None:
    """Sixty attempts at made-up numbers from the owner's own (office) address exhaust the
    address's limit for unknown clients; the owner's known browser still signs in."""
    own = owner_browser(world)
    stranger = browser()
    for n in range(61):
        login(stranger, f"139{n:08d}", "wrong-password-1")
    assert login(browser(), password="wrong-password-1").status_code == 429
    login(own)
    assert signed_in(own) == world.alice.user.username


def test_a_sign_in_without_the_forms_token_is_refused_and_not_counted(world: Any) -> None:
    """A post to /login/ without the form's CSRF token: 403, no failure counted or
    journaled against the account."""
    stranger = browser()
    response = stranger.post("/login/", {"identifier": PHONE, "password": "wrong-password-1"})
    assert response.status_code == 403
    assert User.objects.get(pk=world.alice.user.pk).failed_logins == 0
    assert not Entry.objects.filter(action__startswith="identity.login.").exists()


def test_a_password_change_forgets_every_other_device(world: Any) -> None:
    """Someone who knew alice's old password signed in from their browser (a known device).
    alice changes her password in her own browser: strangers then lock the account and the
    other browser is locked out with them, even with the new password; hers still signs in.
    A cookie bound to the old password, copied into a fresh client, is no better."""
    new = "Horse-battery-7"
    other = owner_browser(world)
    old_cookie = other.cookies[devices.COOKIE].value
    own = browser()
    login(own)
    changed = submit(
        own,
        "/account/password/",
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert changed.status_code == 302
    logout(own)
    alice = User.objects.get(pk=world.alice.user.pk)
    for _ in range(5):
        login(browser(), password="wrong-password-1")
    assert User.objects.get(pk=alice.pk).locked_until is not None
    login(other, password=new)
    assert signed_in(other) is None
    copied = browser()
    copied.cookies[devices.COOKIE] = old_cookie
    login(copied, password=new)
    assert signed_in(copied) is None
    login(own, password=new)
    assert signed_in(own) == alice.username
