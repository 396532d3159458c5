"""Regions, agencies, users, persons, employers, staff and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.common.models import TimeStamped
from onestop.identity.fields import EncryptedTextField, NameIndexField


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county or district")


def _shown(name: str, name_en: str) -> str:
    from django.utils.translation import get_language

    english = not (get_language() or "zh").startswith("zh")
    return (name_en or name) if english else name


class Region(models.Model):
    """An administrative division with its GB/T 2260 code."""

    code = models.CharField(verbose_name=_("code"), max_length=6, unique=True)
    name = models.CharField(verbose_name=_("Chinese name"), max_length=64)
    name_en = models.CharField(verbose_name=_("English name"), max_length=64, blank=True)
    level = models.CharField(verbose_name=_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name in the current language (the Chinese one where no English is recorded)."""
        return _shown(self.name, self.name_en)

    @property
    def province_code(self) -> str:
        """The code of the province this region lies in (GB/T 2260: its first two digits,
        then ``0000``), the key of the province's published parameters."""
        return self.code[:2] + "0000"

    @property
    def picker_label(self) -> str:
        """A staff picker's option: the name in the current language, then the code as a
        hint (one name may stand for several regions: 市辖区, 新城区)."""
        return f"{self.shown_name} ({self.code})"

    @property
    def scope_prefix(self) -> str:
        """The code prefix shared by this region and everything under it (61, 6101, 610113)."""
        if self.level == RegionLevel.PROVINCE:
            return self.code[:2]
        if self.level == RegionLevel.CITY:
            return self.code[:4]
        return self.code


class AgencyKind(models.TextChoices):
    HRSS_BUREAU = "hrss_bureau", _("HRSS bureau")
    SI_AGENCY = "si_agency", _("social insurance handling agency")
    CIVIL_AFFAIRS = "civil_affairs", _("civil affairs")
    PUBLIC_SECURITY = "public_security", _("public security")
    TAX = "tax", _("tax")
    MARKET_REGULATION = "market_regulation", _("market regulation")
    MEDICAL_INSURANCE = "medical_insurance", _("medical insurance")


class Agency(models.Model):
    code = models.CharField(verbose_name=_("code"), max_length=32, unique=True)
    name = models.CharField(verbose_name=_("Chinese name"), max_length=128)
    name_en = models.CharField(verbose_name=_("English name"), max_length=128, blank=True)
    kind = models.CharField(
        verbose_name=_("agency type"), max_length=32, choices=AgencyKind.choices
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return _shown(self.name, self.name_en)


class User(AbstractUser):
    """A login. Citizens and employer users are linked to a Person; staff have a StaffProfile."""

    # A citizen's display name is their name: encrypted like the person's.
    display_name = EncryptedTextField(_("display name"), blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = EncryptedTextField(blank=True, default="")
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    totp_last_step = models.BigIntegerField(default=0)
    # Raised whenever trust in the account ends (password, authenticator, role or scope
    # change, lockout, deactivation); it is part of the session hash, so every session
    # signed in before the change fails Django's per-request hash check, in any backend.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """HMAC of the password hash and the session generation (Django checks it per request)."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "onestop.identity.User.session_auth_hash",
            f"{self.password}|{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def audit_label(self) -> str:
        return self.username

    @property
    def audit_role(self) -> str:
        profile = getattr(self, "staff_profile", None)
        if profile is not None:
            return str(profile.role)
        return "citizen"


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class Person(TimeStamped):
    """An insured person (参保人). Identifiers are encrypted; look-ups use the blind index."""

    # Names are personal data too: encrypted, found by exact name through the blind index,
    # shown masked (张*) to roles that do not need them in full.
    name = EncryptedTextField(_("name"))
    # The blind indexes are matched exactly, never by prefix: their indexes are declared in
    # Meta, so that PostgreSQL does not add a ``varchar_pattern_ops`` (``_like``) twin to
    # each, as it does for ``db_index``/``unique`` on a CharField: a quarter of a person's
    # bytes on disk, and of the index work of every person written, for no query.
    name_index = NameIndexField(source="name")
    resident_id = EncryptedTextField(_("resident ID"))
    resident_id_index = models.CharField(max_length=64, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="persons", verbose_name=_("region")
    )
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        permissions = [
            ("reveal_person", "Can see a person's identifiers in full"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["resident_id_index"], name="person_resident_id_once")
        ]
        indexes = [
            models.Index(fields=["name_index"], name="person_name_index"),
            models.Index(fields=["phone_index"], name="person_phone_index"),
        ]

    def __str__(self) -> str:
        return f"Person {self.pk}"


class Employer(TimeStamped):
    """An employer (参保单位), identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=128)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="employers", verbose_name=_("region")
    )
    # People's names: encrypted (the employer's own name and code are public registry data).
    legal_representative = EncryptedTextField(_("legal representative"))
    contact_name = EncryptedTextField(_("contact"), blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self) -> str:
        return self.name


class EmployerRoleKind(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("legal representative")
    AGENT = "agent", _("agent (handles social insurance)")
    ADMINISTRATOR = "administrator", _("administrator (manages the employer's users)")


class EmployerRole(models.Model):
    """A person acting for an employer; one person may act for several employers."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="roles")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employer_roles")
    role = models.CharField(max_length=32, choices=EmployerRoleKind.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "person"],
                condition=Q(revoked_at__isnull=True),
                name="employer_role_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.employer_id}:{self.role}"


class StaffRole(models.TextChoices):
    CASE_WORKER = "case_worker", _("case worker")
    REVIEWER = "reviewer", _("reviewer")
    SUPERVISOR = "supervisor", _("supervisor")
    CONTENT_EDITOR = "content_editor", _("content editor")
    SYSTEM_ADMIN = "system_admin", _("system administrator")
    SECURITY_ADMIN = "security_admin", _("security administrator")
    AUDIT_ADMIN = "audit_admin", _("audit administrator")


class StaffProfile(models.Model):
    """A staff account's one role, its agency and the region it may see.

    One role per account keeps the three administrator roles apart: nobody holds two.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=32, choices=StaffRole.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Region scope: this region and everything under it."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user.username} ({self.role})"


class ApiToken(models.Model):
    """A machine client's bearer token. Only a hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
