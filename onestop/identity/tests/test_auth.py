"""Sign-in: identifiers, lockout, the second factor for staff, idle timeout."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pyotp
import pytest
from django.test import Client
from django.utils import timezone, translation

from conftest import PASSWORD
from onestop.audit.models import Entry
from onestop.identity import services
from onestop.identity.middleware import LAST_SEEN
from onestop.identity.models import User

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def login(client: Client, identifier: str, password: str = PASSWORD) -> Any:
    return client.post("/login/", {"identifier": identifier, "password": password})


def signed_in_user(client: Client) -> Any:
    return client.get("/api/v1/me").json().get("username")


def full_width(text: str) -> str:
    """As a Chinese input method in full-width mode types it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in text)


@pytest.mark.parametrize(
    "how",
    ["resident_id", "resident_id_lower", "phone", "full_width_id", "full_width_phone"],
)
def test_citizen_signs_in_with_id_or_phone(world: Any, client: Client, how: str) -> None:
    identifier = {
        "resident_id": world.alice.resident_id,
        "resident_id_lower": world.alice.resident_id.lower(),
        "phone": "13800000001",
        "full_width_id": full_width(
            world.alice.resident_id[:6] + " " + world.alice.resident_id[6:]
        ),
        "full_width_phone": full_width("138 0000 0001"),
    }[how]
    response = login(client, identifier)
    assert response.status_code == 302
    assert signed_in_user(client) == world.alice.user.username


def test_wrong_password_is_refused_and_counted(world: Any, client: Client) -> None:
    response = login(client, "13800000001", "wrong-password-1")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=world.alice.user.pk).failed_logins == 1
    assert Entry.objects.filter(action="identity.login.failed", outcome="denied").count() == 1


def test_five_failures_lock_the_account_even_for_the_right_password(
    world: Any, client: Client
) -> None:
    for _ in range(5):
        login(client, "13800000001", "wrong-password-1")
    user = User.objects.get(pk=world.alice.user.pk)
    assert user.locked_until is not None
    assert user.locked_until - timezone.now() > dt.timedelta(minutes=29)
    response = login(client, "13800000001")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert Entry.objects.filter(action="identity.login.refused_locked").count() == 1


def test_lock_expires_after_thirty_minutes(world: Any, client: Client) -> None:
    User.objects.filter(pk=world.alice.user.pk).update(
        failed_logins=5, locked_until=timezone.now() - dt.timedelta(seconds=1)
    )
    login(client, "13800000001")
    assert signed_in_user(client) == world.alice.user.username
    assert User.objects.get(pk=world.alice.user.pk).failed_logins == 0


def test_unknown_identifier_is_refused_without_a_journal_target(world: Any, client: Client) -> None:
    before = Entry.objects.count()
    response = login(client, "nobody-here")
    assert response.status_code == 200
    assert Entry.objects.count() == before


def test_staff_password_alone_does_not_sign_in(world: Any, client: Client) -> None:
    services.totp_enrolment_secret(user=world.carol)
    world.carol.refresh_from_db()
    assert world.carol.totp_confirmed_at is None
    response = login(client, "carol")
    assert response.status_code == 302
    assert response["Location"] == "/login/mfa/enrol/"
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/persons/").status_code == 302


def enrol(client: Client, user: User) -> str:
    login(client, user.username)
    page = client.get("/login/mfa/enrol/")
    assert page.status_code == 200
    secret = str(User.objects.get(pk=user.pk).totp_secret)
    assert secret in page.content.decode()
    return secret


def test_staff_enrols_then_signs_in_with_a_code(world: Any, client: Client) -> None:
    secret = enrol(client, world.carol)
    response = client.post("/login/mfa/enrol/", {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post("/login/mfa/enrol/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert signed_in_user(client) == "carol"
    assert User.objects.get(pk=world.carol.pk).totp_confirmed_at is not None
    assert Entry.objects.filter(action="identity.mfa.enrolled").count() == 1


def test_enrolled_staff_need_a_fresh_code(world: Any) -> None:
    secret = SECRET
    User.objects.filter(pk=world.rita.pk).update(totp_confirmed_at=timezone.now())
    world.rita.totp_secret = secret
    world.rita.save(update_fields=["totp_secret"])
    first, second = Client(), Client()
    assert login(first, "rita")["Location"] == "/login/mfa/"
    code = pyotp.TOTP(secret).now()
    assert first.post("/login/mfa/", {"code": code}).status_code == 302
    assert signed_in_user(first) == "rita"
    # The same code cannot be replayed by someone who saw it.
    login(second, "rita")
    response = second.post("/login/mfa/", {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in second.session


def test_wrong_codes_count_towards_lockout(world: Any, client: Client) -> None:
    User.objects.filter(pk=world.rita.pk).update(totp_confirmed_at=timezone.now())
    world.rita.totp_secret = SECRET
    world.rita.save(update_fields=["totp_secret"])
    login(client, "rita")
    for _ in range(5):
        client.post("/login/mfa/", {"code": "000001"})
    assert User.objects.get(pk=world.rita.pk).locked_until is not None
    response = client.post("/login/mfa/", {"code": pyotp.TOTP(SECRET).now()})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_pending_second_factor_expires(world: Any, client: Client) -> None:
    login(client, "carol")
    session = client.session
    session["onestop_pending_mfa"]["at"] = time.time() - 301
    session.save()
    assert client.get("/login/mfa/enrol/")["Location"] == "/login/"


def test_staff_idle_timeout(world: Any, client: Client, settings: Any) -> None:
    client.force_login(world.carol)
    assert client.get("/staff/persons/").status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - settings.STAFF_IDLE_TIMEOUT_SECONDS - 1
    session.save()
    response = client.get("/staff/persons/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_citizens_have_no_idle_timeout_of_staff_length(
    world: Any, client: Client, settings: Any
) -> None:
    client.force_login(world.alice.user)
    session = client.session
    session[LAST_SEEN] = time.time() - settings.STAFF_IDLE_TIMEOUT_SECONDS - 1
    session.save()
    assert client.get("/api/v1/me").status_code == 200


def test_open_redirect_is_ignored(world: Any, client: Client) -> None:
    response = client.post(
        "/login/",
        {"identifier": "13800000001", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_password_policy() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "onlyletterslong", "1234567890123", "password123"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Horse-battery-7")


def test_password_change_is_journaled_and_checked(world: Any, client: Client) -> None:
    client.force_login(world.alice.user)
    weak = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 200
    assert not Entry.objects.filter(action="identity.password.changed").exists()
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Horse-battery-7",
            "new_password2": "Horse-battery-7",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.alice.user.pk).check_password("Horse-battery-7")
    assert Entry.objects.filter(action="identity.password.changed").count() == 1


def test_security_admin_creates_staff_in_scope_through_the_page(world: Any, client: Client) -> None:
    client.force_login(world.sean)
    response = client.post(
        "/security/staff/",
        {
            "username": "nina",
            "display_name": "倪娜",
            "agency": world.agencies["610302-si"].pk,
            "role": "case_worker",
            "region": world.regions["610302"].pk,
            "password": "Horse-battery-7",
        },
    )
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert (nina.staff_profile.role, nina.staff_profile.region.code) == ("case_worker", "610302")
    taken = client.post(
        "/security/staff/",
        {
            "username": "nina",
            "display_name": "x",
            "agency": world.agencies["610302-si"].pk,
            "role": "case_worker",
            "region": world.regions["610302"].pk,
            "password": "Horse-battery-7",
        },
    )
    assert taken.status_code == 200
    assert "用户名已存在" in taken.content.decode() or "taken" in taken.content.decode()


def test_registration_and_the_validators_read_full_width_forms(world: Any) -> None:
    """Typed in full width, an ID, a credit code and a phone are the same values; a fault that
    remains is named (not "the check character is wrong")."""
    from onestop.common.errors import ServiceError

    number = "11010519491231002X"
    person = services.person_register(
        actor=None,
        name="全角",
        resident_id=full_width(number),
        region=world.regions["610113"],
        phone=full_width("139-0000-0009"),
    )
    assert (person.resident_id, person.phone) == (number, "13900000009")
    client = Client()
    answer = client.get("/api/v1/validate/resident-id", {"value": full_width(number)}).json()
    assert (answer["valid"], answer["normalized"], answer["region"]) == (
        True,
        number,
        "110105 北京市朝阳区",
    )
    wrong_id = {"value": full_width("11010519491231O02X")}
    zh = "第15位“O”不允许：应为数字。"
    en = "Character 15 ('O') is not allowed: a digit expected."
    for language, reason in (("zh-hans", zh), ("en", en)):
        wrong = client.get(
            "/api/v1/validate/resident-id", wrong_id, headers={"Accept-Language": language}
        ).json()
        # One language in ``reason``; each in its own field.
        assert (wrong["reason"], wrong["reason_zh"], wrong["reason_en"]) == (reason, zh, en)
    code = client.get("/api/v1/validate/credit-code", {"value": full_width("N2610113MF00000124")})
    assert code.json() == {
        "valid": True,
        "normalized": "N2610113MF00000124",
        "region": "610113 陕西省西安市雁塔区",
        "region_history": [],
        "reason": None,
        "reason_zh": None,
        "reason_en": None,
    }
    with pytest.raises(ServiceError) as error:
        services.person_register(
            actor=None,
            name="电话",
            resident_id="110105194912310062",
            region=world.regions["610113"],
            phone="1390000000l",
        )
    assert (error.value.code, error.value.zh) == (
        "phone",
        "手机号码无效：第11位“L”不允许：应为数字。",
    )


def test_region_pickers_show_the_name_in_the_pages_language_with_the_code_as_a_hint(
    world: Any,
) -> None:
    """The security administrator's staff form and the admin's agency form list regions by
    their name in the page's language, the code after it as a hint (never "code name");
    a region reads as its name alone elsewhere."""
    import re

    yanta = world.regions["610113"]
    assert yanta.name_en, "the seeded region has an English name"
    sean = Client()
    sean.force_login(world.sean)
    adam = Client()
    adam.force_login(world.adam)
    for client, url in ((sean, "/security/staff/"), (adam, "/admin/identity/agency/add/")):
        for language, name in (("zh-hans", yanta.name), ("en", yanta.name_en)):
            page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            select = re.search(r'<select name="region"[^>]*>(.*?)</select>', page, re.S)
            assert select is not None, url
            option = re.search(rf'<option value="{yanta.pk}"[^>]*>([^<]*)</option>', select[1])
            assert option is not None and option[1] == f"{name} (610113)", (url, language)
            assert f">610113 {yanta.name}<" not in page
    with translation.override("zh-hans"):
        assert str(yanta) == yanta.name
    with translation.override("en"):
        assert str(yanta) == yanta.name_en
