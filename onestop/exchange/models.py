"""E-certificates issued by the platform."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    PROOF_OF_INSURANCE = "proof_of_insurance", _("proof of insurance")
    DECISION_NOTICE = "decision_notice", _("decision notice")


class Certificate(models.Model):
    """A signed statement of facts; the payload and signature never change once issued."""

    number = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=32, choices=CertificateKind.choices)
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField()
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=16)
    code_hash = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    valid_until = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("e-certificate")
        verbose_name_plural = _("e-certificates")

    def __str__(self) -> str:
        return self.number
