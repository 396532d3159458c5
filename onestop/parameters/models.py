"""Versioned policy parameters. Rows are never updated: a change is a new version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.common.models import AppendOnly


def default_work_injury_rates() -> list[str]:
    """Base rates of the eight industry risk classes (employer only)."""
    return ["0.002", "0.004", "0.007", "0.009", "0.011", "0.013", "0.015", "0.019"]


def rate_field(label: Any, default: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        label,
        max_digits=6,
        decimal_places=5,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )


class InterestMethod(models.TextChoices):
    ANNUAL = "annual", _("annual (year-end)")
    MONTH_PRODUCT = "month_product", _("month-product")


class DivisorPolicy(models.TextChoices):
    WHOLE_AGE = "whole_age", _("whole age")
    INTERPOLATED = "interpolated", _("interpolated to 0.1")


class ProvinceParameters(AppendOnly):
    append_only_noun = "A parameter version"

    """One province's figures and rates for one year, as published; one row per version."""

    province = models.CharField(_("province code"), max_length=6)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    average_wage = models.DecimalField(
        _("average monthly wage used for contribution bases"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
    )
    benefit_base = models.DecimalField(
        _("benefit base (this year's average monthly wage, for retirements next year)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
    )
    pension_employer_rate = rate_field(_("employer pension rate"), "0.16")
    pension_individual_rate = rate_field(_("individual pension rate"), "0.08")
    flexible_rate = rate_field(_("flexible employment rate"), "0.20")
    flexible_account_rate = rate_field(_("flexible employment rate to the account"), "0.08")
    unemployment_employer_rate = rate_field(_("employer unemployment rate"), "0.005")
    unemployment_individual_rate = rate_field(_("individual unemployment rate"), "0.005")
    work_injury_rates = models.JSONField(
        _("work-injury rates by industry risk class 1-8"), default=default_work_injury_rates
    )
    base_floor_ratio = rate_field(_("base floor (share of the average wage)"), "0.6")
    base_ceiling_ratio = models.DecimalField(
        _("base ceiling (multiple of the average wage)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("3"),
    )
    late_daily_rate = rate_field(_("late payment surcharge per day"), "0.0005")
    interest_method = models.CharField(
        _("interest crediting method"),
        max_length=16,
        choices=InterestMethod.choices,
        default=InterestMethod.ANNUAL,
    )
    divisor_policy = models.CharField(
        _("divisor for ages with months"),
        max_length=16,
        choices=DivisorPolicy.choices,
        default=DivisorPolicy.INTERPOLATED,
    )
    transitional_coefficient = models.DecimalField(
        _("transitional pension coefficient k"),
        max_digits=6,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.014"))],
    )
    adjustment_percentage = models.DecimalField(
        _("annual adjustment percentage"), max_digits=6, decimal_places=5, null=True, blank=True
    )
    adjustment_fixed = models.DecimalField(
        _("annual adjustment fixed amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # Survivors' benefits (MOHRSS [2021] 18): the urban residents' monthly disposable income
    # per person of this year (used for deaths next year), and the province's schedule.
    residents_monthly_income = models.DecimalField(
        _("urban residents' monthly disposable income per person"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
    )
    funeral_grant_multiple = models.DecimalField(
        _("funeral grant, months of that income"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    survivor_months_min = models.PositiveSmallIntegerField(
        _("survivor benefit, fewest months"), default=6, validators=[MaxValueValidator(240)]
    )
    survivor_months_per_year = models.DecimalField(
        _("survivor benefit, months per whole contribution year"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("12"))],
    )
    survivor_months_max = models.PositiveSmallIntegerField(
        _("survivor benefit, most months"), default=24, validators=[MaxValueValidator(240)]
    )
    # Unemployment benefit (D10 art. 18, MOHRSS [2017] 71): a share of the minimum wage.
    minimum_wage = models.DecimalField(
        _("monthly minimum wage (first-tier areas)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
    )
    unemployment_benefit_share = models.DecimalField(
        _("unemployment benefit, share of the minimum wage"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.9"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
    )
    # The basic medical insurance contribution the unemployment fund pays each month for a
    # person drawing the benefit (D10 art. 19, D11 art. 48); None until published.
    unemployment_medical_contribution = models.DecimalField(
        _("medical insurance paid monthly for an unemployment benefit recipient"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    sources = models.TextField(_("sources"), help_text=_("Where each figure was published."))
    note = models.CharField(_("reason for this version"), max_length=200, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    created_by = models.CharField(
        verbose_name=_("created by"), max_length=150, blank=True, editable=False
    )

    class Meta:
        ordering = ["province", "-year", "-version"]
        verbose_name = _("provincial parameters")
        verbose_name_plural = _("provincial parameters")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "version"], name="province_parameters_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.year} v{self.version}"


class BookRate(AppendOnly):
    append_only_noun = "A book rate version"

    """The national book interest rate of a year; provisional until published."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    rate = models.DecimalField(
        _("rate"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.2"))],
    )
    provisional = models.BooleanField(_("provisional"), default=False)
    source = models.CharField(_("source"), max_length=300)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    created_by = models.CharField(
        verbose_name=_("created by"), max_length=150, blank=True, editable=False
    )

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("book interest rate")
        verbose_name_plural = _("book interest rates")
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="book_rate_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.rate} v{self.version}"
