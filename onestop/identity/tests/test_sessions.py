"""Sessions end when trust ends: every session of the account, in every session backend."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from onestop.audit.models import Entry
from onestop.common.errors import NotPermitted
from onestop.identity import services
from onestop.identity.models import ApiToken, User

pytestmark = pytest.mark.django_db


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["db", "cache-locmem", "cache-redis"])
def session_engine(request: Any, settings: Any) -> Iterator[str]:
    """Run each test with database sessions, cache sessions and Redis cache sessions."""
    if request.param == "cache-redis":
        if not _redis_up():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "onestop.common.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/14",
                "KEY_PREFIX": "onestop-test-sessions",
            }
        }
    if request.param.startswith("cache"):
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    yield request.param
    if request.param == "cache-redis":
        from django.core.cache import cache

        cache.clear()


def who(client: Client) -> str | None:
    """The user name a client's session acts as, through the API (None when signed out)."""
    response = client.get("/api/v1/me")
    return response.json().get("username") if response.status_code == 200 else None


def two_sessions(user: User) -> tuple[Client, Client]:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(user)
    second.force_login(user)
    assert who(first) == who(second) == user.username
    return first, second


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    """A form post with the CSRF token the page hands out, as a browser sends it."""
    client.get("/")
    token = client.cookies["csrftoken"].value
    return client.post(path, {**(data or {}), "csrfmiddlewaretoken": token})


def test_authenticator_reset_ends_every_session_of_adam_admin_included(
    world: Any, session_engine: str
) -> None:
    """sean resets adam's authenticator: both of adam's sessions, the admin too, stop."""
    first, second = two_sessions(world.adam)
    assert first.get("/admin/").status_code == 200
    sean = Client(enforce_csrf_checks=True)
    sean.force_login(world.sean)
    response = post(sean, f"/security/staff/{world.adam.pk}/reset-mfa/")
    assert response.status_code == 302
    assert who(first) is None and who(second) is None
    admin = second.get("/admin/")
    assert admin.status_code == 302 and "/login/" in admin["Location"]
    assert who(sean) == "sean"  # the administrator's own session goes on
    ended = Entry.objects.get(action="identity.sessions.ended", target_id=str(world.adam.pk))
    assert ended.changes["reason"] == "mfa_reset"


def test_password_change_ends_the_other_sessions_and_tokens(
    world: Any, session_engine: str
) -> None:
    """alice changes her password in one browser: the other browser and her token stop."""
    alice = world.alice.user
    here, elsewhere = two_sessions(alice)
    issued = services.token_create(actor=alice, name="cli", scopes=["profile:read"], days=30)
    bearer = {"Authorization": f"Bearer {issued.secret}"}
    assert Client().get("/api/v1/me", headers=bearer).status_code == 200
    response = post(
        here,
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Horse-battery-7",
            "new_password2": "Horse-battery-7",
        },
    )
    assert response.status_code == 302
    assert who(elsewhere) is None
    assert who(here) == alice.username
    assert Client().get("/api/v1/me", headers=bearer).status_code == 401
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None


def test_role_change_ends_every_session(world: Any, session_engine: str) -> None:
    """sean makes carol a reviewer in Xi'an: both her sessions end, the change is journaled."""
    first, second = two_sessions(world.carol)
    assert first.get("/staff/persons/").status_code == 200
    sean = Client(enforce_csrf_checks=True)
    sean.force_login(world.sean)
    page = sean.get(f"/security/staff/{world.carol.pk}/change/")
    assert page.status_code == 200
    response = post(
        sean,
        f"/security/staff/{world.carol.pk}/change/",
        {
            "role": "reviewer",
            "agency": world.agencies["610100-si"].pk,
            "region": world.regions["610100"].pk,
        },
    )
    assert response.status_code == 302
    carol = User.objects.get(pk=world.carol.pk)
    assert (carol.staff_profile.role, carol.staff_profile.region.code) == ("reviewer", "610100")
    assert who(first) is None and who(second) is None
    changed = Entry.objects.get(action="identity.staff.changed")
    assert changed.changes["before"]["role"] == "case_worker"
    assert changed.changes["after"] == {
        "role": "reviewer",
        "agency": "610100-si",
        "region": "610100",
    }


def test_scope_change_alone_ends_every_session(world: Any, session_engine: str) -> None:
    first, second = two_sessions(world.rita)
    services.staff_change(actor=world.sean, user=world.rita, region=world.regions["610113"])
    assert who(first) is None and who(second) is None


def test_unchanged_role_keeps_the_sessions(world: Any, session_engine: str) -> None:
    first, _ = two_sessions(world.rita)
    services.staff_change(actor=world.sean, user=world.rita, role="reviewer")
    assert who(first) == "rita"
    assert not Entry.objects.filter(action="identity.sessions.ended").exists()


def test_wrong_passwords_lock_out_but_do_not_sign_out(world: Any, session_engine: str) -> None:
    """Five wrong passwords for alice's account lock unknown clients out; her two open
    sessions go on (a stranger who knows her phone number must not be able to end them)."""
    first, second = two_sessions(world.alice.user)
    guesser = Client()
    for _ in range(5):
        guesser.post("/login/", {"identifier": "13800000001", "password": "wrong-password-1"})
    assert User.objects.get(pk=world.alice.user.pk).locked_until is not None
    assert who(first) == who(second) == world.alice.user.username


def test_wrong_codes_lock_out_and_end_every_session(world: Any, session_engine: str) -> None:
    """Wrong second-factor codes come from someone who knows rita's password: the lockout
    ends her open sessions too."""
    import pyotp
    from django.utils import timezone

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    User.objects.filter(pk=world.rita.pk).update(
        totp_confirmed_at=timezone.now(), totp_secret=secret
    )
    first, second = two_sessions(world.rita)
    guesser = Client()
    guesser.post("/login/", {"identifier": "rita", "password": PASSWORD})
    for _ in range(5):
        guesser.post(
            "/login/mfa/", {"code": "000001" if pyotp.TOTP(secret).now() != "000001" else "000002"}
        )
    assert User.objects.get(pk=world.rita.pk).locked_until is not None
    assert who(first) is None and who(second) is None


def test_deactivation_ends_every_session_and_sign_in(world: Any, session_engine: str) -> None:
    first, second = two_sessions(world.rita)
    sean = Client(enforce_csrf_checks=True)
    sean.force_login(world.sean)
    assert post(sean, f"/security/staff/{world.rita.pk}/deactivate/").status_code == 302
    assert who(first) is None and who(second) is None
    assert not User.objects.get(pk=world.rita.pk).is_active
    again = Client()
    again.post("/login/", {"identifier": "rita", "password": PASSWORD})
    assert who(again) is None
    assert post(sean, f"/security/staff/{world.rita.pk}/reactivate/").status_code == 302
    assert User.objects.get(pk=world.rita.pk).is_active


def test_out_of_scope_administrator_changes_nothing(world: Any) -> None:
    """A security administrator cannot change their own role; nothing changes, no session ends."""
    first, _ = two_sessions(world.sean)
    with pytest.raises(NotPermitted):
        services.staff_change(actor=world.sean, user=world.sean, role="system_admin")
    assert User.objects.get(pk=world.sean.pk).staff_profile.role == "security_admin"
    assert who(first) == "sean"
    carol = Client()
    carol.force_login(world.carol)
    response = post(carol, f"/security/staff/{world.rita.pk}/deactivate/")
    assert response.status_code == 403
    assert User.objects.get(pk=world.rita.pk).is_active
