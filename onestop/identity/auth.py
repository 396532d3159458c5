"""Authentication: resident ID, phone or user name plus password, with lockout; TOTP for staff.

``IdentifierBackend`` is the one Django backend: it authenticates and, through the policy,
answers ``has_perm``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import pyotp
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onestop.audit.models import Outcome
from onestop.audit.services import record
from onestop.identity import crypto, devices
from onestop.identity.models import Person, User
from onestop.identity.policy import PolicyBackend, is_staff_member
from onestop.rules.identifiers import check_mobile, check_resident_id

TOTP_STEP = 30


def normalise_phone(value: str) -> str:
    """The ASCII digits of a typed number (NFKC first: full-width digits count), its last 11."""
    digits = "".join(c for c in unicodedata.normalize("NFKC", value) if "0" <= c <= "9")
    return digits[-11:] if len(digits) >= 11 else digits


def resident_id_index(normalized: str) -> str:
    return crypto.blind_index(normalized, purpose="resident_id")


def resident_id_indexer() -> Callable[[str], str]:
    """``resident_id_index`` for the many IDs of one bulk load (the key read once)."""
    return crypto.blind_indexer(purpose="resident_id")


def resident_id_indexes() -> Callable[[Iterable[str]], list[str]]:
    """``resident_id_index`` of many normalised IDs at a time (``crypto.blind_indexes``)."""
    return crypto.blind_indexes(purpose="resident_id")


def phone_index(normalized: str) -> str:
    return crypto.blind_index(normalized, purpose="phone")


def find_login_user(identifier: str) -> User | None:
    """The user an identifier names: a resident ID, an 11-digit mobile number or a user name."""
    # As typed on a Chinese keyboard: full-width digits and ideographic spaces count.
    identifier = unicodedata.normalize("NFKC", identifier or "").strip()
    if not identifier:
        return None
    check = check_resident_id(identifier, today=timezone.localdate())
    person: Person | None = None
    if check.valid:
        person = (
            Person.objects.select_related("user")
            .filter(resident_id_index=resident_id_index(check.normalized))
            .first()
        )
    elif (mobile := check_mobile(identifier)).valid:
        person = (
            Person.objects.select_related("user")
            .filter(phone_index=phone_index(mobile.normalized))
            .first()
        )
    if person is not None:
        return person.user
    return User.objects.filter(username=identifier).first()


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return user.locked_until is not None and user.locked_until > now


def note_failure(
    user: User, *, action: str, now: dt.datetime | None = None, end_sessions: bool = True
) -> None:
    """Count a failed password or code; lock the account at the configured limit.

    ``end_sessions``: whether a lockout ends what is signed in. A wrong second-factor code
    comes from someone who knows the password, so it does; wrong passwords from unknown
    clients do not (anyone could otherwise sign a person out of every device at will).
    """
    now = now or timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        changes: dict[str, Any] = {"failed_logins": user.failed_logins}
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            user.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.save(update_fields=["locked_until"])
            changes["locked_until"] = user.locked_until
        record(actor=None, action=action, target=user, outcome=Outcome.DENIED, changes=changes)
        if "locked_until" in changes and end_sessions:
            # Someone holds the password and is guessing the code: whatever is signed in
            # ends too. Tokens stay, since guesses say nothing about a token's secret.
            from onestop.identity.services import sessions_end

            sessions_end(user=user, reason="locked", revoke_tokens=False)


def note_success(user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None


def _journal_refusal(user: User, *, action: str, changes: dict[str, Any] | None = None) -> None:
    """Journal a refused sign-in (``identity.login.*``) in its own transaction."""
    with transaction.atomic():
        record(actor=None, action=action, target=user, outcome=Outcome.DENIED, changes=changes)


class IdentifierBackend(PolicyBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: Any,
        identifier: str | None = None,
        password: str | None = None,
        username: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        identifier = identifier or username
        if not identifier or not password:
            return None
        user = find_login_user(identifier)
        if user is None:
            # Spend the same time as a real check so that timing does not reveal accounts.
            User().set_password(password)
            return None
        if not user.is_active:
            return None
        device = devices.device_of(request, user)
        if device is not None:
            return self._from_known_device(request, user, password, device)
        now = timezone.now()
        if is_locked(user, now):
            _journal_refusal(user, action="identity.login.refused_locked")
            return None
        if not user.check_password(password):
            note_failure(user, action="identity.login.failed", now=now, end_sessions=False)
            return None
        if not is_staff_member(user):
            # Staff succeed only after the second factor (identity.views).
            note_success(user)
        return user

    @staticmethod
    def _from_known_device(request: Any, user: User, password: str, device: str) -> User | None:
        """A browser that signed in to this account before: its own failures count, the
        account's lockout by unknown clients does not (onestop.identity.devices)."""
        client = {"client": "known device"}
        if devices.is_locked(device):
            _journal_refusal(user, action="identity.login.refused_locked", changes=client)
            return None
        if not user.check_password(password):
            failures = devices.note_failure(device)
            _journal_refusal(
                user, action="identity.login.failed", changes={**client, "failed_logins": failures}
            )
            return None
        devices.note_success(device)
        request.onestop_device = device
        return user


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.TOTP_ISSUER)


def totp_match(
    secret: str, code: str, *, after_step: int, now: dt.datetime | None = None
) -> int | None:
    """The time step a code belongs to (one step of clock drift either way), if it is new."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6) or not secret:
        return None
    totp = pyotp.TOTP(secret)
    moment = now or timezone.now()
    for drift in (0, -1, 1):
        at = moment + dt.timedelta(seconds=drift * TOTP_STEP)
        step = totp.timecode(at)
        if step > after_step and totp.at(at) == code:
            return int(step)
    return None
