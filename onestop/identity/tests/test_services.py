"""Identity services: registration rules, separation of duties, reveal, tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import ALICE_ID, PASSWORD
from onestop.audit.models import Entry
from onestop.common.errors import NotPermitted, ServiceError
from onestop.identity import services
from onestop.identity.models import ApiToken, Person, StaffRole, User

pytestmark = pytest.mark.django_db


def test_person_register_derives_sex_and_birth(world: Any) -> None:
    assert world.alice.sex == "female"
    assert world.alice.birth_date == dt.date(1966, 1, 15)
    assert (
        Entry.objects.filter(
            action="identity.person.registered", target_id=str(world.alice.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"resident_id": "610113196601157724"}, "resident_id"),
        ({"resident_id": ALICE_ID}, "duplicate"),
        ({"name": ""}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"password": "short"}, "weak_password"),
    ],
)
def test_person_register_refuses_bad_input_and_keeps_nothing(
    world: Any, fields: dict[str, Any], code: str
) -> None:
    before = (Person.objects.count(), User.objects.count(), Entry.objects.count())
    args = {
        "actor": None,
        "name": "测试",
        "resident_id": "11010519491231002X",
        "region": world.regions["610113"],
        "phone": "",
        **fields,
    }
    with pytest.raises(ServiceError) as error:
        services.person_register(**args)
    assert error.value.code == code
    assert error.value.zh and error.value.en
    assert (Person.objects.count(), User.objects.count(), Entry.objects.count()) == before


def test_employer_register_refuses_bad_credit_code(world: Any) -> None:
    with pytest.raises(ServiceError) as error:
        services.employer_register(
            actor=None,
            name="x",
            credit_code="91110000600037341M",
            region=world.regions["610113"],
            legal_representative="y",
        )
    assert error.value.code == "credit_code"
    with pytest.raises(ServiceError) as error:
        services.employer_register(
            actor=None,
            name="x",
            credit_code=world.acme.credit_code,
            region=world.regions["610113"],
            legal_representative="y",
        )
    assert error.value.code == "duplicate"


@pytest.mark.parametrize("actor", ["adam", "audrey", "carol", "sam"])
def test_only_the_security_admin_creates_staff(world: Any, actor: str) -> None:
    before = User.objects.count()
    with pytest.raises(NotPermitted):
        services.staff_create(
            actor=getattr(world, actor),
            username="newbie",
            display_name="n",
            password=PASSWORD,
            agency=world.agencies["610113-si"],
            role=StaffRole.CASE_WORKER,
        )
    assert User.objects.count() == before


def test_security_admin_creates_staff_with_one_role(world: Any) -> None:
    user = services.staff_create(
        actor=world.sean,
        username="newbie",
        display_name="n",
        password=PASSWORD,
        agency=world.agencies["610113-si"],
        role=StaffRole.CASE_WORKER,
    )
    assert user.staff_profile.region.code == "610113"
    assert not user.is_staff
    entry = Entry.objects.get(action="identity.staff.created", target_id=str(user.pk))
    assert entry.actor_label == "sean" and entry.role == "security_admin"


def test_administrators_cannot_do_each_others_work(world: Any) -> None:
    """System, security and audit administrators hold disjoint permissions."""
    from onestop.identity.policy import ROLE_PERMISSIONS

    admin_roles = [StaffRole.SYSTEM_ADMIN, StaffRole.SECURITY_ADMIN, StaffRole.AUDIT_ADMIN]
    for i, a in enumerate(admin_roles):
        for b in admin_roles[i + 1 :]:
            assert not ROLE_PERMISSIONS[a] & ROLE_PERMISSIONS[b]
    for role in admin_roles:
        assert not ROLE_PERMISSIONS[role] & ROLE_PERMISSIONS[StaffRole.CASE_WORKER]


def test_unlock_and_mfa_reset(world: Any) -> None:
    User.objects.filter(pk=world.carol.pk).update(
        failed_logins=5,
        locked_until=timezone.now() + dt.timedelta(minutes=10),
        totp_confirmed_at=timezone.now(),
    )
    carol = User.objects.get(pk=world.carol.pk)
    with pytest.raises(NotPermitted):
        services.account_unlock(actor=world.adam, user=carol)
    assert User.objects.get(pk=carol.pk).locked_until is not None
    services.account_unlock(actor=world.sean, user=carol)
    services.mfa_reset(actor=world.sean, user=carol)
    carol.refresh_from_db()
    assert (carol.failed_logins, carol.locked_until, carol.totp_confirmed_at) == (0, None, None)


def test_reveal_is_journaled(world: Any) -> None:
    full = services.person_reveal(actor=world.carol, person=world.alice)
    assert full == {"resident_id": world.alice.resident_id, "phone": "13800000001"}
    entry = Entry.objects.get(action="identity.person.revealed")
    assert (entry.actor_label, entry.target_id) == ("carol", str(world.alice.pk))


def test_tokens_are_hashed_scoped_expiring_and_revocable(world: Any) -> None:
    issued = services.token_create(
        actor=world.carol, name="kiosk", scopes=["persons:read"], days=30
    )
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret not in (token.secret_hash, token.prefix)
    assert issued.secret.startswith(f"ost_{token.prefix}_")
    assert services.token_authenticate(issued.secret) == token
    assert services.token_authenticate(issued.secret + "x") is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert services.token_authenticate(issued.secret) is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(NotPermitted):
        services.token_revoke(actor=world.rita, token=token)
    services.token_revoke(actor=world.carol, token=token)
    assert services.token_authenticate(issued.secret) is None


@pytest.mark.parametrize(
    ("scopes", "days"), [([], 30), (["root"], 30), (["persons:read"], 0), (["persons:read"], 400)]
)
def test_token_create_refuses_bad_requests(world: Any, scopes: list[str], days: int) -> None:
    with pytest.raises(ServiceError):
        services.token_create(actor=world.carol, name="x", scopes=scopes, days=days)
    assert ApiToken.objects.count() == 0
