"""Writes in the identity context. Each checks the policy and journals in its transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.audit.services import record
from onestop.common.digests import sm3_hex
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.identity import policy
from onestop.identity.auth import (
    normalise_phone,
    note_failure,
    note_success,
    phone_index,
    resident_id_index,
    totp_match,
    totp_new_secret,
)
from onestop.identity.models import (
    Agency,
    ApiToken,
    Employer,
    EmployerRole,
    EmployerRoleKind,
    Person,
    Region,
    StaffProfile,
    StaffRole,
    User,
)
from onestop.identity.selectors import employer_roles_of, person_by_resident_id
from onestop.rules.identifiers import check_credit_code, check_mobile, check_resident_id

#: Each scope and what it lets a token do (shown, translated, on /account/tokens/).
TOKEN_SCOPES: dict[str, Any] = {
    "profile:read": _(
        "Read the signed-in user's own profile and records (statement, account, pension, "
        "benefits, bills, licences, consents)"
    ),
    "persons:read": _("Read persons (masked) within the user's permissions"),
    "persons:reveal": _("See persons' identifiers in full (journaled)"),
    "employers:read": _("Read employers within the user's permissions"),
    "audit:read": _("Search and verify the audit journal"),
    "contributions:read": _("Read registrations, employees, bills and statements"),
    "contributions:write": _("Register insurances, add or remove employees, declare wages"),
    "applications:read": _("Read one's cases, or the cases in one's work queue"),
    "applications:write": _("File cases and act on their tasks"),
    "consents:write": _("Grant and revoke one's own data-sharing authorisations"),
    "quality:read": _("Read data-quality findings and scores in the user's scope"),
    "quality:write": _("Resolve, dismiss or correct data-quality findings"),
    "dashboards:read": _("Read the decision makers' dashboard figures in the user's scope"),
    "notifications:read": _("Read one's own inbox"),
    "notifications:write": _("Mark one's own notifications read"),
}
MAX_TOKEN_DAYS = 366

_EVERYONE = {"profile:read", "notifications:read", "notifications:write"}
_HRSS_STAFF = _EVERYONE | {
    "persons:read",
    "employers:read",
    "contributions:read",
    "applications:read",
    "applications:write",
    "quality:read",
    "quality:write",
}
#: The scopes a token of each role may carry: only what the role can use (a citizen's token
#: cannot hold ``audit:read`` or ``quality:read``; ``persons:reveal`` only while the citizen
#: acts for an employer whose pre-filled declaration template, with full IDs, they may take).
ROLE_TOKEN_SCOPES: dict[str, frozenset[str]] = {
    "citizen": frozenset(
        _EVERYONE
        | {
            "persons:read",
            "employers:read",
            "contributions:read",
            "contributions:write",
            "applications:read",
            "applications:write",
            "consents:write",
        }
    ),
    StaffRole.CASE_WORKER: frozenset(_HRSS_STAFF | {"persons:reveal", "contributions:write"}),
    StaffRole.REVIEWER: frozenset(_HRSS_STAFF | {"persons:reveal"}),
    StaffRole.SUPERVISOR: frozenset(_HRSS_STAFF | {"dashboards:read"}),
    StaffRole.CONTENT_EDITOR: frozenset(_EVERYONE),
    StaffRole.SYSTEM_ADMIN: frozenset(_EVERYONE),
    StaffRole.SECURITY_ADMIN: frozenset(_EVERYONE),
    StaffRole.AUDIT_ADMIN: frozenset(_EVERYONE | {"audit:read"}),
}


def token_scopes_for(*, user: Any) -> list[str]:
    """The scopes ``user``'s role can use, sorted (the choices of the token form)."""
    role = policy.role_of(user)
    scopes = set(ROLE_TOKEN_SCOPES.get(role, frozenset()))
    if role == "citizen" and any(
        policy.EXPORT_EMPLOYEES in policy.EMPLOYER_ROLE_PERMISSIONS.get(r.role, frozenset())
        for r in employer_roles_of(user=user)
    ):
        scopes.add("persons:reveal")
    return sorted(scopes)


def _password_errors(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(
            "密码不符合要求：" + "；".join(str(m) for m in exc.messages),
            "The password does not meet the policy: " + "; ".join(str(m) for m in exc.messages),
            code="weak_password",
        ) from exc


def person_register(
    *,
    actor: Any,
    name: str,
    resident_id: str,
    region: Region,
    phone: str = "",
    password: str | None = None,
) -> Person:
    """Register an insured person; sex and birth date come from the resident ID.

    With ``password`` the person also gets a login (ID number or phone plus password).
    """
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ServiceError(
            "姓名不能为空且不超过64个字符。",
            "The name is required and at most 64 characters.",
            code="name",
        )
    check = check_resident_id(resident_id, today=timezone.localdate())
    if not check.valid or check.reason is not None:
        reason = check.reason
        raise ServiceError(
            f"公民身份号码无效：{reason.zh if reason else ''}",
            f"Invalid resident ID: {reason.en if reason else ''}",
            code="resident_id",
        )
    mobile = check_mobile(phone) if phone else None
    if mobile is not None and mobile.reason is not None:
        raise ServiceError(
            f"手机号码无效：{mobile.reason.zh}",
            f"Invalid mobile number: {mobile.reason.en}",
            code="phone",
        )
    phone = mobile.normalized if mobile is not None else ""
    index = resident_id_index(check.normalized)
    with transaction.atomic():
        if Person.objects.filter(resident_id_index=index).exists():
            raise ServiceError(
                "该公民身份号码已登记。",
                "This resident ID is already registered.",
                code="duplicate",
            )
        user = None
        if password is not None:
            user = User(username=f"p{index[:20]}", display_name=name)
            _password_errors(password, user)
            user.set_password(password)
            user.save()
        assert check.sex is not None and check.birth_date is not None
        person = Person.objects.create(
            name=name,
            resident_id=check.normalized,
            resident_id_index=index,
            phone=phone,
            phone_index=phone_index(phone) if phone else "",
            sex=check.sex.value,
            birth_date=check.birth_date,
            region=region,
            user=user,
        )
        record(
            actor=actor,
            action="identity.person.registered",
            target=person,
            changes={"region": region.code, "has_login": user is not None},
        )
    return person


def employer_register(
    *,
    actor: Any,
    name: str,
    credit_code: str,
    region: Region,
    legal_representative: str,
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
) -> Employer:
    """Register an employer with a valid unified social credit code."""
    check = check_credit_code(credit_code)
    if not check.valid or check.reason is not None:
        reason = check.reason
        raise ServiceError(
            f"统一社会信用代码无效：{reason.zh if reason else ''}",
            f"Invalid unified social credit code: {reason.en if reason else ''}",
            code="credit_code",
        )
    if not name.strip() or not legal_representative.strip():
        raise ServiceError(
            "单位名称和法定代表人不能为空。",
            "Name and legal representative are required.",
            code="required",
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                employer = Employer.objects.create(
                    name=name.strip(),
                    credit_code=check.normalized,
                    region=region,
                    legal_representative=legal_representative.strip(),
                    contact_name=contact_name.strip(),
                    contact_phone=normalise_phone(contact_phone) if contact_phone else "",
                    address=address.strip(),
                )
        except IntegrityError as exc:
            raise ServiceError(
                "该统一社会信用代码已登记。",
                "This credit code is already registered.",
                code="duplicate",
            ) from exc
        record(
            actor=actor,
            action="identity.employer.registered",
            target=employer,
            changes={"credit_code": employer.credit_code, "region": region.code},
        )
    return employer


def employer_role_grant(
    *, actor: Any, employer: Employer, person: Person, role: str
) -> EmployerRole:
    """Let ``person`` act for ``employer``. The legal representative or system grants it."""
    if actor is not None and not policy.allows(actor, policy.MANAGE_EMPLOYER_ROLES, employer):
        raise NotPermitted()
    with transaction.atomic():
        grant, created = EmployerRole.objects.get_or_create(
            employer=employer, person=person, revoked_at__isnull=True, defaults={"role": role}
        )
        if not created and grant.role != role:
            before = grant.role
            grant.role = role
            grant.save(update_fields=["role"])
            record(
                actor=actor,
                action="identity.employer_role.changed",
                target=grant,
                changes={"before": before, "after": role},
            )
        elif created:
            record(
                actor=actor,
                action="identity.employer_role.granted",
                target=grant,
                changes={"employer": employer.pk, "person": person.pk, "role": role},
            )
    return grant


def employer_user_add(
    *, actor: Any, employer: Employer, resident_id: str, role: str = EmployerRoleKind.AGENT
) -> EmployerRole:
    """The employer's legal representative or administrator lets a registered person act for
    it (an agent, or another administrator)."""
    if not policy.allows(actor, policy.MANAGE_EMPLOYER_ROLES, employer):
        raise NotPermitted()
    if role not in (EmployerRoleKind.AGENT, EmployerRoleKind.ADMINISTRATOR):
        raise ServiceError(
            "只能添加经办人或管理员。", "Add an agent or an administrator.", code="role"
        )
    person = person_by_resident_id(resident_id)
    if person is None or person.user_id is None:
        raise ServiceError(
            "该公民身份号码没有平台账号（须先以本人身份注册登录）。",
            "No platform account has this resident ID (the person registers and signs in first).",
            code="unknown_person",
        )
    if EmployerRole.objects.filter(
        employer=employer, person=person, revoked_at__isnull=True
    ).exists():
        raise ServiceError(
            "该人员已是本单位用户。", "This person already acts for the employer.", code="exists"
        )
    return employer_role_grant(actor=actor, employer=employer, person=person, role=role)


def employer_user_remove(*, actor: Any, employer: Employer, grant_id: int) -> EmployerRole:
    """End a person's right to act for the employer (kept, with the time it ended). The
    legal representative's own grant is not removed here (the registry names them), nor may
    one remove oneself."""
    if not policy.allows(actor, policy.MANAGE_EMPLOYER_ROLES, employer):
        raise NotPermitted()
    with transaction.atomic():
        grant = (
            EmployerRole.objects.select_for_update()
            .filter(pk=grant_id, employer=employer, revoked_at__isnull=True)
            .first()
        )
        if grant is None:
            raise NotFound()
        if grant.role == EmployerRoleKind.LEGAL_REPRESENTATIVE or grant.person_id == getattr(
            getattr(actor, "person", None), "pk", None
        ):
            raise ServiceError(
                "不能移除法定代表人或您自己。",
                "The legal representative and you yourself cannot be removed here.",
                code="protected",
            )
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record(
            actor=actor,
            action="identity.employer_role.revoked",
            target=grant,
            changes={"employer": employer.pk, "person": grant.person_id, "role": grant.role},
        )
    return grant


def staff_create(
    *,
    actor: Any,
    username: str,
    display_name: str,
    password: str,
    agency: Agency,
    role: str,
    region: Region | None = None,
) -> User:
    """Create a staff account with one role. Only the security administrator does this."""
    region = region or agency.region
    if actor is not None:
        profile = policy.staff_profile(actor)
        if (
            not policy.allows(actor, policy.MANAGE_STAFF)
            or profile is None
            or not policy.in_scope(profile, region)
        ):
            raise NotPermitted()
    if role not in StaffRole.values:
        raise ServiceError("未知角色。", "Unknown role.", code="role")
    user = User(username=username.strip(), display_name=display_name.strip())
    _password_errors(password, user)
    user.set_password(password)
    user.is_staff = role == StaffRole.SYSTEM_ADMIN  # Django admin access
    with transaction.atomic():
        if User.objects.filter(username=user.username).exists():
            raise ServiceError("用户名已存在。", "This user name is taken.", code="duplicate")
        user.save()
        StaffProfile.objects.create(user=user, agency=agency, role=role, region=region)
        record(
            actor=actor,
            action="identity.staff.created",
            target=user,
            changes={"role": role, "agency": agency.code, "region": region.code},
        )
    return user


def _managed_staff(actor: Any, user: User) -> StaffProfile:
    actor_profile = policy.staff_profile(actor)
    target = StaffProfile.objects.select_related("region").filter(user=user).first()
    if (
        actor_profile is None
        or target is None
        or not policy.allows(actor, policy.MANAGE_STAFF, target)
    ):
        raise NotPermitted()
    return target


#: Why trust in an account ended; each ends every session of the account at once.
TRUST_ENDED_REASONS = frozenset(
    {"password_changed", "mfa_reset", "role_changed", "locked", "deactivated"}
)


def sessions_end(*, user: User, reason: str, revoke_tokens: bool = True) -> int:
    """End every session of ``user`` at once; returns the new session generation.

    Raises the user's session generation, which is part of the hash Django keeps in each
    session and checks on every request, so sessions in any backend (database, cache,
    Redis) stop working without being found one by one. Unless ``revoke_tokens`` is false,
    the user's live API tokens are revoked too. Call it inside the transaction that changes
    the account; the caller journals the change, this journals the sessions' end.
    """
    if reason not in TRUST_ENDED_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    from django.db.models import F

    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        user.refresh_from_db(fields=["session_generation"])
        revoked = 0
        if revoke_tokens:
            revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        record(
            actor=None,
            action="identity.sessions.ended",
            target=user,
            changes={
                "reason": reason,
                "generation": user.session_generation,
                "tokens_revoked": revoked,
            },
        )
    return int(user.session_generation)


def password_change(*, user: User, password: str) -> None:
    """Set a new password for ``user`` and end every session and token they had.

    The caller (the password page) signs the current browser back in with the new hash.
    """
    _password_errors(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(actor=user, action="identity.password.changed", target=user)
        sessions_end(user=user, reason="password_changed")


def account_unlock(*, actor: Any, user: User) -> None:
    """Clear a lockout and the failure count (security administrator)."""
    _managed_staff(actor, user)
    with transaction.atomic():
        before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        record(
            actor=actor, action="identity.account.unlocked", target=user, changes={"before": before}
        )


def mfa_reset(*, actor: Any, user: User) -> None:
    """Remove a staff member's authenticator, so their next login enrols a new one."""
    _managed_staff(actor, user)
    with transaction.atomic():
        user.totp_secret = ""
        user.totp_confirmed_at = None
        user.totp_last_step = 0
        user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
        record(actor=actor, action="identity.mfa.reset", target=user)
        sessions_end(user=user, reason="mfa_reset")


def staff_change(
    *,
    actor: Any,
    user: User,
    role: str | None = None,
    agency: Agency | None = None,
    region: Region | None = None,
) -> StaffProfile:
    """Change a staff account's role, agency or region scope (security administrator).

    The new region must lie inside the administrator's own scope. A change ends every
    session and token of the account, so the old permissions stop at once.
    Raises ``NotPermitted`` out of scope, ``ServiceError(code="role")`` for an unknown role.
    """
    profile = _managed_staff(actor, user)
    if user.pk == getattr(actor, "pk", None):
        raise NotPermitted(
            "不能修改自己的角色或范围。", "You cannot change your own role or scope."
        )
    actor_profile = policy.staff_profile(actor)
    assert actor_profile is not None
    new_role = role if role is not None else profile.role
    new_agency = agency if agency is not None else profile.agency
    new_region = region if region is not None else profile.region
    if new_role not in StaffRole.values:
        raise ServiceError("未知角色。", "Unknown role.", code="role")
    if not policy.in_scope(actor_profile, new_region) or not policy.in_scope(
        actor_profile, new_agency.region
    ):
        raise NotPermitted()
    before = {"role": profile.role, "agency": profile.agency.code, "region": profile.region.code}
    after = {"role": new_role, "agency": new_agency.code, "region": new_region.code}
    if before == after:
        return profile
    with transaction.atomic():
        profile.role, profile.agency, profile.region = new_role, new_agency, new_region
        profile.save(update_fields=["role", "agency", "region"])
        is_admin = new_role == StaffRole.SYSTEM_ADMIN
        if user.is_staff != is_admin:
            user.is_staff = is_admin
            user.save(update_fields=["is_staff"])
        record(
            actor=actor,
            action="identity.staff.changed",
            target=user,
            changes={"before": before, "after": after},
        )
        sessions_end(user=user, reason="role_changed")
    return profile


def account_deactivate(*, actor: Any, user: User) -> None:
    """Deactivate a staff account (see ``staff_deactivate``): its sessions end at once."""
    staff_deactivate(actor=actor, user=user)


def account_reactivate(*, actor: Any, user: User) -> None:
    """Let a deactivated staff account sign in again (see ``staff_reactivate``)."""
    staff_reactivate(actor=actor, user=user)


#: What other contexts do when a staff account is deactivated, in the deactivation's
#: transaction: ``hook(user, actor)``. Registered when those contexts load (applications
#: releases the person's claimed steps), so identity needs to know none of them.
DEACTIVATION_HOOKS: list[Any] = []
#: Checks before a staff account is deactivated: ``check(user) -> [problem, ...]``, each
#: problem a short text naming what nobody else could do (an open case step whose only
#: eligible person this is). Any problem refuses the deactivation.
DEACTIVATION_CHECKS: list[Any] = []


def on_staff_deactivated(hook: Any, check: Any = None) -> None:
    if hook not in DEACTIVATION_HOOKS:
        DEACTIVATION_HOOKS.append(hook)
    if check is not None and check not in DEACTIVATION_CHECKS:
        DEACTIVATION_CHECKS.append(check)


def staff_deactivate(*, actor: Any, user: User, note: str = "") -> None:
    """Deactivate a staff account (the security administrator, in scope): it can no longer
    sign in or act, and whatever it held goes back to its team (the hooks). Idempotent."""
    _managed_staff(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise ServiceError(
            "不能停用自己的账号。", "You cannot deactivate your own account.", code="self"
        )
    with transaction.atomic():
        target = User.objects.select_for_update().get(pk=user.pk)
        if not target.is_active:
            return
        problems = [p for check in DEACTIVATION_CHECKS for p in check(target)]
        if problems:
            listed = "; ".join(problems[:10]) + (" …" if len(problems) > 10 else "")
            raise ServiceError(
                f"停用后以下待办无人可办，请先调配人员：{listed}",
                f"Nobody else could act on these open steps; staff them first: {listed}",
                code="last_one",
            )
        target.is_active = False
        target.save(update_fields=["is_active"])
        for hook in DEACTIVATION_HOOKS:
            hook(target, actor)
        record(
            actor=actor,
            action="identity.staff.deactivated",
            target=target,
            changes={"note": note[:200]},
        )
        sessions_end(user=target, reason="deactivated")
    user.is_active = False


def staff_reactivate(*, actor: Any, user: User) -> None:
    """Let a deactivated staff account sign in again (security administrator, in scope)."""
    _managed_staff(actor, user)
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
        if updated:
            record(actor=actor, action="identity.staff.reactivated", target=user)
    user.is_active = True


def totp_enrolment_secret(*, user: User) -> str:
    """A new, unconfirmed authenticator secret for a user who has none confirmed."""
    if user.totp_confirmed_at is not None:
        raise ServiceError(
            "已绑定身份验证器。", "An authenticator is already enrolled.", code="enrolled"
        )
    secret = totp_new_secret()
    user.totp_secret = secret
    user.save(update_fields=["totp_secret"])
    return secret


def totp_confirm(*, user: User, code: str, now: dt.datetime | None = None) -> bool:
    """Check a code against the user's secret; the first good code confirms enrolment.

    A code is accepted once: replaying it in the same time step fails.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        step = totp_match(locked.totp_secret, code, after_step=locked.totp_last_step, now=now)
        if step is None:
            note_failure(locked, action="identity.mfa.failed")
            return False
        note_success(locked)
        enrolling = locked.totp_confirmed_at is None
        locked.totp_last_step = step
        if enrolling:
            locked.totp_confirmed_at = timezone.now()
        locked.save(update_fields=["totp_last_step", "totp_confirmed_at"])
        if enrolling:
            record(actor=locked, action="identity.mfa.enrolled", target=locked)
    user.refresh_from_db()
    return True


def person_reveal(*, actor: Any, person: Person) -> dict[str, str]:
    """The person's identifiers in full, for a role that needs them; every call is journaled."""
    if not policy.allows(actor, policy.REVEAL_PERSON, person):
        raise NotPermitted()
    with transaction.atomic():
        record(
            actor=actor,
            action="identity.person.revealed",
            target=person,
            changes={"fields": ["resident_id", "phone"]},
        )
    return {"resident_id": person.resident_id, "phone": person.phone}


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _token_hash(secret: str) -> str:
    return sm3_hex(secret.encode("ascii"))


def token_create(*, actor: User, name: str, scopes: list[str], days: int) -> IssuedToken:
    """Issue a bearer token for ``actor``'s own machine client."""
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted()
    unknown = sorted(set(scopes) - set(TOKEN_SCOPES))
    if not scopes or unknown:
        raise ServiceError(
            f"未知或缺少的权限范围：{', '.join(unknown)}",
            f"Unknown or missing scopes: {', '.join(unknown)}",
            code="scopes",
        )
    beyond = sorted(set(scopes) - set(token_scopes_for(user=actor)))
    if beyond:
        raise ServiceError(
            f"您的角色不能使用这些权限范围：{', '.join(beyond)}",
            f"Your role cannot use these scopes: {', '.join(beyond)}",
            code="scopes",
        )
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ServiceError(
            f"有效期应为1至{MAX_TOKEN_DAYS}天。",
            f"Validity must be 1 to {MAX_TOKEN_DAYS} days.",
            code="days",
        )
    name = name.strip()[:64]
    if not name:
        raise ServiceError("名称不能为空。", "A name is required.", code="name")
    prefix = secrets.token_hex(6)
    secret = f"ost_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=prefix,
            secret_hash=_token_hash(secret),
            scopes=sorted(set(scopes)),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record(
            actor=actor,
            action="identity.token.created",
            target=token,
            changes={"scopes": token.scopes, "expires_at": token.expires_at},
        )
    return IssuedToken(token=token, secret=secret)


def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise NotPermitted()
    with transaction.atomic():
        # Only the update that changed the row journals (revocations sent at once: one).
        now = timezone.now()
        if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            token.revoked_at = now
            record(actor=actor, action="identity.token.revoked", target=token)


def token_authenticate(secret: str) -> ApiToken | None:
    """The live token a bearer secret belongs to, or None."""
    parts = (secret or "").split("_")
    if len(parts) < 3 or parts[0] != "ost":
        return None
    # The caller as a session's (``PolicyBackend.get_user``): one query, an active user.
    token = policy.token_with_user(parts[1])
    if token is None or not secrets.compare_digest(token.secret_hash, _token_hash(secret)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def session_expired(last_seen: float, now: float) -> bool:
    return now - last_seen > settings.STAFF_IDLE_TIMEOUT_SECONDS
