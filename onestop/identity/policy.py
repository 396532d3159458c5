"""Authorization in one place: role permissions, region scope and ownership.

Every service, selector, view and API endpoint asks ``allows(user, perm, obj)``, directly or
through Django's ``user.has_perm`` (the ``PolicyBackend`` below), so contexts that must not
import identity can still ask.

* Staff hold one role; the role grants permission names; object permissions also need the
  object's region inside the staff member's region scope.
* Citizens hold no role; they are granted permissions on objects they own: their own Person,
  and the employers they act for (by their employer role).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.db.models.expressions import Col

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

VIEW_PERSON = "identity.view_person"
REVEAL_PERSON = "identity.reveal_person"
VIEW_EMPLOYER = "identity.view_employer"
MANAGE_EMPLOYER_ROLES = "identity.manage_employer_roles"
MANAGE_STAFF = "identity.manage_staff"
USE_ADMIN = "identity.use_admin"
SEARCH_JOURNAL = "audit.search_journal"
EXPORT_JOURNAL = "audit.export_journal"
EDIT_CONTENT = "portal.edit_content"
PUBLISH_CONTENT = "portal.publish_content"
DECLARE = "contributions.declare"
VIEW_CONTRIBUTIONS = "contributions.view"
#: The employer's own users download its employees' names and full resident IDs (the
#: pre-filled declaration template), journaled. Staff see them through a reveal instead.
EXPORT_EMPLOYEES = "contributions.export_employees"
REASSIGN_CASES = "applications.reassign"
SUPERVISE = "supervision.view"
RUN_PAYROLL = "pensions.run_payroll"
REGISTER_UNEMPLOYMENT = "unemployment.register"

#: Model permissions that the Django admin asks for, granted to the system administrator.
_CONFIG_MODELS = (
    "identity.region",
    "identity.agency",
    "parameters.provinceparameters",
    "parameters.bookrate",
    "catalogue.serviceitem",
    "catalogue.bundle",
    "workflow.processversion",
    "exchange.resource",
    "exchange.consumer",
    "exchange.grant",
)
_ADMIN_MODEL_PERMS = frozenset(
    f"{model.split('.')[0]}.{verb}_{model.split('.')[1]}"
    for model in _CONFIG_MODELS
    for verb in ("view", "add", "change", "delete")
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    StaffRole.CASE_WORKER: frozenset(
        {
            VIEW_PERSON,
            REVEAL_PERSON,
            VIEW_EMPLOYER,
            DECLARE,
            VIEW_CONTRIBUTIONS,
            REGISTER_UNEMPLOYMENT,
        }
    ),
    StaffRole.REVIEWER: frozenset(
        {VIEW_PERSON, REVEAL_PERSON, VIEW_EMPLOYER, VIEW_CONTRIBUTIONS, RUN_PAYROLL}
    ),
    StaffRole.SUPERVISOR: frozenset(
        {
            VIEW_PERSON,
            VIEW_EMPLOYER,
            VIEW_CONTRIBUTIONS,
            REASSIGN_CASES,
            SUPERVISE,
            PUBLISH_CONTENT,
        }
    ),
    StaffRole.CONTENT_EDITOR: frozenset({EDIT_CONTENT, PUBLISH_CONTENT}),
    StaffRole.SYSTEM_ADMIN: frozenset({USE_ADMIN}) | _ADMIN_MODEL_PERMS,
    StaffRole.SECURITY_ADMIN: frozenset({MANAGE_STAFF}),
    StaffRole.AUDIT_ADMIN: frozenset({SEARCH_JOURNAL, EXPORT_JOURNAL}),
}

#: What each employer role lets a person do for that employer.
EMPLOYER_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    EmployerRoleKind.LEGAL_REPRESENTATIVE: frozenset(
        {VIEW_EMPLOYER, MANAGE_EMPLOYER_ROLES, DECLARE, VIEW_CONTRIBUTIONS, EXPORT_EMPLOYEES}
    ),
    EmployerRoleKind.AGENT: frozenset(
        {VIEW_EMPLOYER, DECLARE, VIEW_CONTRIBUTIONS, EXPORT_EMPLOYEES}
    ),
    # The agent who registered the employer on the platform (SX-SI-001) administers its users.
    EmployerRoleKind.ADMINISTRATOR: frozenset(
        {VIEW_EMPLOYER, MANAGE_EMPLOYER_ROLES, DECLARE, VIEW_CONTRIBUTIONS, EXPORT_EMPLOYEES}
    ),
}

#: What a signed-in citizen may do on their own Person.
OWNER_PERSON_PERMISSIONS = frozenset(
    {VIEW_PERSON, REVEAL_PERSON, VIEW_CONTRIBUTIONS, REGISTER_UNEMPLOYMENT}
)


def staff_profile(user: Any) -> StaffProfile | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.staff_profile  # type: ignore[no-any-return]
    except StaffProfile.DoesNotExist:
        return None


#: Agencies of the HRSS system itself; staff of other departments (civil affairs, medical
#: insurance, ...) take part in joint reviews but run none of its business lines.
HRSS_AGENCY_KINDS = frozenset({"si_agency", "hrss_bureau"})


def hrss_staff(user: Any) -> StaffProfile | None:
    """The staff profile of ``user`` when they work for an HRSS agency, else None."""
    profile = staff_profile(user)
    if profile is None or profile.agency.kind not in HRSS_AGENCY_KINDS:
        return None
    return profile


#: The HRSS system's own business: insured persons' records, identifiers and money, employers
#: and their declarations, the unemployment register and the payrolls. Staff of other
#: departments hold none of it whatever their role; they see a case only through the joint
#: review steps they act on (``applications.selectors.application_for``).
HRSS_BUSINESS = frozenset(
    {
        VIEW_PERSON,
        REVEAL_PERSON,
        VIEW_EMPLOYER,
        DECLARE,
        VIEW_CONTRIBUTIONS,
        EXPORT_EMPLOYEES,
        REGISTER_UNEMPLOYMENT,
        RUN_PAYROLL,
    }
)


def permissions_of(profile: StaffProfile | None) -> frozenset[str]:
    """What a staff member's role grants where they work: the role's permissions, less the
    HRSS business outside an HRSS agency."""
    if profile is None:
        return frozenset()
    granted = ROLE_PERMISSIONS.get(profile.role, frozenset())
    if profile.agency.kind not in HRSS_AGENCY_KINDS:
        return granted - HRSS_BUSINESS
    return granted


def is_staff_member(user: Any) -> bool:
    return staff_profile(user) is not None


def may_search_cases(user: Any) -> bool:
    """May ``user`` open the case search (staff who may view a person's record)? Pages link to
    it only then."""
    return is_staff_member(user) and allows(user, VIEW_PERSON)


def role_of(user: Any) -> str:
    """The staff role, ``citizen`` for a signed-in non-staff user, ``anonymous`` otherwise."""
    profile = staff_profile(user)
    if profile is not None:
        return str(profile.role)
    return "citizen" if getattr(user, "is_authenticated", False) else "anonymous"


def region_of(obj: Any) -> Region | None:
    """The region an object belongs to, for scope checks."""
    if isinstance(obj, Region):
        return obj
    if isinstance(obj, Person | Employer | Agency):
        return obj.region
    if isinstance(obj, StaffProfile):
        return obj.region
    if isinstance(obj, User):
        profile = staff_profile(obj)
        if profile is not None:
            return profile.region
        person = getattr(obj, "person", None)
        return person.region if person is not None else None
    return None


def in_scope(profile: StaffProfile, region: Region | None) -> bool:
    if region is None:
        return False
    return region.code.startswith(profile.region.scope_prefix)


def active_employer_role(user: Any, employer: Employer) -> str | None:
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    if person is None:
        return None
    role = (
        EmployerRole.objects.filter(employer=employer, person=person, revoked_at__isnull=True)
        .values_list("role", flat=True)
        .first()
    )
    return role


def allows(user: Any, perm: str, obj: Any = None) -> bool:
    """May ``user`` use ``perm``, on ``obj`` when given?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    profile = staff_profile(user)
    if profile is not None:
        if perm not in permissions_of(profile):
            return False
        if obj is None:
            return True
        return in_scope(profile, region_of(obj))
    if obj is None:
        return False
    if isinstance(obj, Person):
        return obj.user_id == user.pk and perm in OWNER_PERSON_PERMISSIONS
    if isinstance(obj, Employer):
        role = active_employer_role(user, obj)
        return role is not None and perm in EMPLOYER_ROLE_PERMISSIONS.get(role, frozenset())
    return False


class PolicyBackend:
    """Django authorization backend that answers ``has_perm`` from this module's policy."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> User | None:
        """The signed-in user of a session, when active, with what nearly every request asks
        next (the staff profile, its region and agency for role, scope and lanes, the person
        of a citizen and its region) in the same query; a missing profile or person is
        remembered as missing, not asked again. An inactive user is nobody (the session's
        hash, with its generation, is checked by Django after this)."""
        return signed_in_user(user_id)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return allows(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        profile = staff_profile(user_obj)
        if profile is None:
            return False
        return any(p.startswith(f"{app_label}.") for p in permissions_of(profile))


@dataclass(frozen=True)
class _Part:
    """One model's columns in the signed-in user's row: where they are, how to convert them."""

    model: type[Model]
    attnames: tuple[str, ...]
    start: int
    converters: tuple[tuple[int, Col, tuple[Any, ...]], ...]

    def build(self, row: tuple[Any, ...], alias: str, connection: Any) -> Any:
        values = list(row[self.start : self.start + len(self.attnames)])
        if values[0] is None:  # the primary key is first: no such row (a LEFT JOIN's NULLs)
            return None
        for index, column, converters in self.converters:
            value = values[index]
            for converter in converters:
                value = converter(value, column, connection)
            values[index] = value
        return self.model.from_db(alias, self.attnames, values)


#: The signed-in user's query per database alias and lead (the user's id, or a bearer token's
#: prefix): SQL and column layout, compiled once per process (the ORM compiled the same
#: five- or six-table ``select_related`` on every request).
_USER_QUERY: dict[tuple[str, bool], tuple[str, tuple[_Part, ...]]] = {}

#: (alias, model, joined on) - the user, its staff profile with region and agency, its person
#: with region; every join a LEFT JOIN on a unique key, so the query returns one row or none.
_USER_JOINS: tuple[tuple[str, type[Model], str], ...] = (
    ("u", User, ""),
    ("sp", StaffProfile, '"sp"."user_id" = "u"."id"'),
    ("sr", Region, '"sr"."id" = "sp"."region_id"'),
    ("ag", Agency, '"ag"."id" = "sp"."agency_id"'),
    ("p", Person, '"p"."user_id" = "u"."id"'),
    ("pr", Region, '"pr"."id" = "p"."region_id"'),
)


def _user_query(alias: str, by_token: bool) -> tuple[str, tuple[_Part, ...]]:
    compiled = _USER_QUERY.get((alias, by_token))
    if compiled is not None:
        return compiled
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns: list[str] = []
    parts: list[_Part] = []
    tables: list[str] = []
    joins = _USER_JOINS
    if by_token:  # the token first, its user joined (an inner join: a token has one)
        joins = (("t", ApiToken, ""), ("u", User, '"u"."id" = "t"."user_id"'), *joins[1:])
    for table_alias, model, on in joins:
        fields = [model._meta.pk, *(f for f in model._meta.concrete_fields if not f.primary_key)]
        converters = []
        for index, f in enumerate(fields):
            column = Col(table_alias, f)
            found = (
                *connection.ops.get_db_converters(column),
                *f.get_db_converters(connection),
            )
            if found:
                converters.append((index, column, found))
        parts.append(
            _Part(model, tuple(f.attname for f in fields), len(columns), tuple(converters))
        )
        columns += [f"{quote(table_alias)}.{quote(str(f.column))}" for f in fields]
        table = f"{quote(model._meta.db_table)} {quote(table_alias)}"
        join = "INNER JOIN" if table_alias == "u" else "LEFT OUTER JOIN"
        tables.append(f"{join} {table} ON ({on})" if on else table)
    # Table and column names from the models; the id or prefix goes as a parameter.
    lead = '"t"."prefix"' if by_token else '"u"."id"'
    where = f'WHERE {lead} = %s AND "u"."is_active"'
    sql = f"SELECT {', '.join(columns)} FROM {' '.join(tables)} {where}"  # noqa: S608
    _USER_QUERY[(alias, by_token)] = compiled = (sql, tuple(parts))
    return compiled


def signed_in_user(user_id: Any) -> User | None:
    """The active user ``user_id`` with staff profile (region, agency) and person (region),
    as ``User.objects.select_related(...)`` would build them, from one query compiled once
    per process."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    return _signed_in(pk, by_token=False)[1]


def token_with_user(prefix: str) -> ApiToken | None:
    """The bearer token of ``prefix`` when its user is active, with the user as
    :func:`signed_in_user` builds it (``token.user``), from one query compiled once per
    process. The caller checks the secret, expiry and revocation."""
    token, user = _signed_in(prefix, by_token=True)
    if token is not None:
        ApiToken._meta.get_field("user").set_cached_value(token, user)
    return token  # type: ignore[no-any-return]


def _signed_in(key: Any, *, by_token: bool) -> tuple[Any, User | None]:
    alias = router.db_for_read(User)
    connection = connections[alias]
    sql, parts = _user_query(alias, by_token)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None, None
    built = [part.build(row, alias, connection) for part in parts]
    token = built.pop(0) if by_token else None
    user, profile, profile_region, agency, person, person_region = built
    profile_user = StaffProfile._meta.get_field("user")
    person_user = Person._meta.get_field("user")
    profile_user.remote_field.set_cached_value(user, profile)
    person_user.remote_field.set_cached_value(user, person)
    if profile is not None:
        profile_user.set_cached_value(profile, user)
        StaffProfile._meta.get_field("region").set_cached_value(profile, profile_region)
        StaffProfile._meta.get_field("agency").set_cached_value(profile, agency)
    if person is not None:
        person_user.set_cached_value(person, user)
        Person._meta.get_field("region").set_cached_value(person, person_region)
    return token, user
