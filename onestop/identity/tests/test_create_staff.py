"""``onestop create-staff`` makes the first security administrator of a fresh database."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onestop.audit.models import Entry
from onestop.identity.models import Agency, Region, StaffProfile, User

pytestmark = pytest.mark.django_db


def create(*args: str, password: str = "Another-horse-2026") -> str:
    out = io.StringIO()
    stdin = io.StringIO(password + "\n")
    import sys

    real, sys.stdin = sys.stdin, stdin
    try:
        call_command("create_staff", *args, "--password-stdin", stdout=out)
    finally:
        sys.stdin = real
    return out.getvalue()


def test_bootstraps_the_province_and_its_first_security_administrator() -> None:
    """A database without regions gets the province and its HRSS department, then the account."""
    assert not Region.objects.exists()
    out = create(
        "sean", "--role", "security_admin", "--province", "610000", "--province-name", "陕西省"
    )
    assert "Created sean (security_admin, 610000-hrss, region 610000)" in out
    user = User.objects.get(username="sean")
    assert user.check_password("Another-horse-2026") and not user.totp_secret
    assert StaffProfile.objects.get(user=user).role == "security_admin"
    assert Agency.objects.get(code="610000-hrss").region.code == "610000"
    assert set(Entry.objects.values_list("action", flat=True)) >= {
        "identity.bootstrap",
        "identity.staff.created",
    }
    # A second account finds the province's department by itself.
    assert "Created audrey" in create("audrey", "--role", "audit_admin")


def test_refusals_change_nothing() -> None:
    """A weak password, an unknown agency or a missing province: a clear error, no account."""
    with pytest.raises(CommandError, match="no region"):
        create("sean", "--role", "security_admin")
    with pytest.raises(CommandError, match="province-name"):
        create("sean", "--role", "security_admin", "--province", "610000")
    with pytest.raises(CommandError, match="six-digit"):
        create("sean", "--role", "security_admin", "--province", "61", "--province-name", "x")
    create("sean", "--role", "security_admin", "--province", "610000", "--province-name", "陕西省")
    with pytest.raises(CommandError):
        create("weak", "--role", "security_admin", password="short")
    with pytest.raises(CommandError, match="No agency"):
        create("nobody", "--role", "case_worker", "--agency", "999999-si")
    with pytest.raises(CommandError, match="taken"):
        create("sean", "--role", "audit_admin")
    assert list(User.objects.values_list("username", flat=True)) == ["sean"]
