"""Service items as versioned rows (a case keeps the version it was filed under), bundles."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.common.models import AppendOnly


class ItemKind(models.TextChoices):
    PAYMENT = "administrative_payment", _("administrative payment")
    CONFIRMATION = "administrative_confirmation", _("administrative confirmation")
    PUBLIC_SERVICE = "public_service", _("public service")
    OTHER = "other_administrative_power", _("other administrative power")


class Level(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county or district")


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    COUNTER = "counter", _("counter")
    MOBILE = "mobile", _("mobile app")
    KIOSK = "kiosk", _("self-service kiosk")


class ServiceItem(AppendOnly):
    """One version of a service item's implementation list entry (实施清单)."""

    append_only_noun = "A service item version"

    code = models.CharField(_("item code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=40, choices=ItemKind.choices)
    agency_kind = models.CharField(_("responsible agency"), max_length=32, default="si_agency")
    level = models.CharField(_("handled at"), max_length=16, choices=Level.choices)
    legal_basis = models.TextField(_("legal basis"))
    legal_basis_en = models.TextField(_("legal basis (English)"), blank=True)
    conditions = models.TextField(_("conditions"))
    conditions_en = models.TextField(_("conditions (English)"), blank=True)
    materials = models.JSONField(
        _("materials"),
        default=list,
        help_text=_(
            "A JSON list of materials, each with its Chinese and English name, whether it is "
            "required, the number of copies, what can replace it (shared data or an "
            "e-licence), the licence type and the steps that need it."
        ),
    )
    legal_limit_days = models.PositiveSmallIntegerField(
        _("legal time limit (working days)"), validators=[MaxValueValidator(365)]
    )
    promised_limit_days = models.PositiveSmallIntegerField(
        _("promised time limit (working days)"), validators=[MaxValueValidator(365)]
    )
    visits_required = models.PositiveSmallIntegerField(
        _("visits required"), validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    channels = models.JSONField(_("channels"), default=list)
    fee = models.CharField(_("fee"), max_length=120, default="不收费")
    fee_en = models.CharField(
        _("fee (English)"), max_length=160, default="Free of charge", blank=True
    )
    form_schema = models.JSONField(_("form definition (JSON)"), default=dict, blank=True)
    process = models.CharField(_("process (BPMN file)"), max_length=120, blank=True)
    step_limits = models.JSONField(
        _("step time limits (working days)"),
        default=dict,
        blank=True,
        help_text=_(
            "Working days per step, in JSON by the step's id; a step without one runs to "
            "the case deadline."
        ),
    )
    clock_excluded_steps = models.JSONField(
        _("steps outside the time limit"),
        default=list,
        blank=True,
        help_text=_(
            "The ids of the steps during which the clock pauses, in JSON (the applicant's "
            "steps always pause it)."
        ),
    )
    published = models.BooleanField(_("published"), default=True)
    note = models.CharField(_("reason for this version"), max_length=200, blank=True)
    created_by = models.CharField(
        verbose_name=_("created by"), max_length=150, blank=True, editable=False
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="service_item_version"),
            models.CheckConstraint(
                condition=models.Q(promised_limit_days__lte=models.F("legal_limit_days")),
                name="promised_within_legal_limit",
            ),
        ]

    def get_channels_display(self) -> str:
        """The channels as their labels, in the current language."""
        from django.utils.translation import get_language

        labels = dict(Channel.choices)
        shown = [str(labels.get(code, code)) for code in self.channels]
        return ("、" if (get_language() or "zh").startswith("zh") else ", ").join(shown)

    def __str__(self) -> str:
        from django.utils.translation import get_language

        english = not (get_language() or "zh").startswith("zh")
        return (
            f"{self.code} v{self.version} {(self.name_en or self.name) if english else self.name}"
        )


class Bundle(models.Model):
    """ "One thing handled once" (一件事): several items behind one form and one case."""

    code = models.CharField(verbose_name=_("code"), max_length=40, unique=True)
    name = models.CharField(verbose_name=_("Chinese name"), max_length=120)
    name_en = models.CharField(verbose_name=_("English name"), max_length=160)
    description = models.TextField(verbose_name=_("Chinese description"))
    description_en = models.TextField(verbose_name=_("English description"), blank=True)
    item_codes = models.JSONField(verbose_name=_("service item codes"), default=list)

    class Meta:
        ordering = ["code"]
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        english = not (get_language() or "zh").startswith("zh")
        return (self.name_en or self.name) if english else self.name
