"""E-certificates issued by the platform."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.identity.fields import EncryptedJSONField


class CertificateKind(models.TextChoices):
    PROOF_OF_INSURANCE = "proof_of_insurance", _("proof of insurance")
    DECISION_NOTICE = "decision_notice", _("decision notice")
    CONTRIBUTION_STATEMENT = "contribution_statement", _("contribution statement")
    RETIREMENT_CERTIFICATE = "retirement_certificate", _("retirement certificate")
    PENSION_STATEMENT = "pension_statement", _("pension payment statement")
    ACCEPTANCE_RECEIPT = "acceptance_receipt", _("acceptance receipt")
    SUPPLEMENT_NOTICE = "supplement_notice", _("one-time notice of missing materials")


class Certificate(models.Model):
    """A signed statement of facts; the payload and signature never change once issued."""

    number = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=32, choices=CertificateKind.choices)
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    payload = EncryptedJSONField()  # names the person: encrypted at rest, signed as JSON
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


def _shown(name: str, name_en: str) -> str:
    """The name in the current language (the Chinese one where no English is recorded)."""
    from django.utils.translation import get_language

    english = not (get_language() or "zh").startswith("zh")
    return (name_en or name) if english else name


class Resource(models.Model):
    """A shared data resource in the catalogue: who provides it, which fields, on what law."""

    # e.g. civil_affairs.deaths
    code = models.CharField(verbose_name=_("code"), max_length=64, unique=True)
    name = models.CharField(verbose_name=_("Chinese name"), max_length=120)
    name_en = models.CharField(verbose_name=_("English name"), max_length=160)
    # An agency kind, or "hrss" for the platform.
    provider = models.CharField(verbose_name=_("provider"), max_length=32)
    fields = models.JSONField(verbose_name=_("fields"), default=list)
    legal_basis = models.TextField(verbose_name=_("legal basis"))
    needs_consent = models.BooleanField(verbose_name=_("needs the person's consent"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("shared data resource")
        verbose_name_plural = _("shared data resources")

    def __str__(self) -> str:
        return _shown(self.name, self.name_en)


class ConsumerKind(models.TextChoices):
    REGISTRY = "registry", _("registry of another department")
    THIRD_PARTY = "third_party", _("third party (bank, employer...)")
    PROVINCE = "province", _("another province's pension system")


class Consumer(models.Model):
    """A system registered with the gateway, with the public key it signs with."""

    code = models.CharField(verbose_name=_("code"), max_length=64, unique=True)
    name = models.CharField(verbose_name=_("name"), max_length=120)
    name_en = models.CharField(verbose_name=_("name (English)"), max_length=120, blank=True)
    kind = models.CharField(
        verbose_name=_("consumer type"), max_length=16, choices=ConsumerKind.choices
    )
    algorithm = models.CharField(
        verbose_name=_("signature algorithm"), max_length=8, default="ed25519"
    )
    public_key = models.CharField(verbose_name=_("public key"), max_length=160)
    active = models.BooleanField(verbose_name=_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("gateway consumer")
        verbose_name_plural = _("gateway consumers")

    def __str__(self) -> str:
        """The name in the active language (the Chinese one when no English one is kept)."""
        from onestop.common.templatetags.one_language import pick

        return str(pick(self, "name"))


class Purpose(models.Model):
    """Why data is shared: a code the parties send (``loan``) with a label in each language
    for people (the person's consent and data-use pages, the admin)."""

    code = models.SlugField(verbose_name=_("code"), max_length=64, unique=True)
    name = models.CharField(verbose_name=_("Chinese name"), max_length=120)
    name_en = models.CharField(verbose_name=_("English name"), max_length=160)

    class Meta:
        ordering = ["code"]
        verbose_name = _("purpose of data sharing")
        verbose_name_plural = _("purposes of data sharing")

    def __str__(self) -> str:
        return _shown(self.name, self.name_en)


class Grant(models.Model):
    """Access to one resource for one purpose, approved by the provider. For a registry that
    pushes events, the grant is to push that resource's events for the purpose."""

    consumer = models.ForeignKey(
        Consumer, verbose_name=_("consumer"), on_delete=models.PROTECT, related_name="grants"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="grants"
    )
    purpose = models.CharField(verbose_name=_("purpose"), max_length=64)  # a Purpose code
    approved_by = models.CharField(verbose_name=_("approved by"), max_length=150)
    approved_at = models.DateTimeField(verbose_name=_("approved at"))
    valid_until = models.DateField(verbose_name=_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(verbose_name=_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "resource", "purpose"], name="grant_once_per_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consumer} · {self.resource}"


class Nonce(models.Model):
    """A request nonce seen from a consumer: a second request with it is a replay."""

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consumer", "value"], name="nonce_once")]

    def __str__(self) -> str:
        return f"{self.consumer_id} {self.value}"


class Message(models.Model):
    """One exchange through the gateway, in or out: the message log and, for a person, the
    data-use log they see."""

    at = models.DateTimeField()
    direction = models.CharField(max_length=8)  # "in" (a consumer asked), "out" (we asked)
    party = models.CharField(max_length=120)  # the consumer, registry or staff who asked
    resource = models.CharField(max_length=64)
    purpose = models.CharField(max_length=200)
    person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fields = models.JSONField(default=list)
    outcome = models.CharField(max_length=32)
    request_digest = models.CharField(max_length=64, blank=True)
    response_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "at"], name="data_use_by_person")]

    def __str__(self) -> str:
        return f"{self.at} {self.party} {self.resource} {self.outcome}"


class Consent(models.Model):
    """A person's authorisation for a third party to query a resource for a purpose."""

    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    consumer = models.ForeignKey(Consumer, on_delete=models.PROTECT, related_name="consents")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=64)  # a Purpose code
    valid_until = models.DateField()
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person_id} -> {self.consumer_id} {self.purpose}"


class TrustGrade(models.TextChoices):
    A = "A", _("A: issued or confirmed by the issuing authority's system")
    B = "B", _("B: from a registry through the gateway")
    C = "C", _("C: verified copy")
    D = "D", _("D: applicant's own statement")


class ELicence(models.Model):
    """An electronic licence held in the library: issuer, trust grade, validity, content."""

    holder = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(max_length=64)  # blind index of the ID it is about
    licence_type = models.CharField(max_length=32)
    number = models.CharField(max_length=64)
    title = models.CharField(max_length=120)
    title_en = models.CharField(max_length=160, blank=True)
    issuer = models.CharField(max_length=120)
    issuer_en = models.CharField(max_length=160, blank=True)
    trust_grade = models.CharField(max_length=1, choices=TrustGrade.choices)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=64)
    content = EncryptedJSONField(default=dict)
    obtained_at = models.DateTimeField()

    class Meta:
        ordering = ["licence_type", "-obtained_at"]
        verbose_name = _("e-licence")
        verbose_name_plural = _("e-licences")
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "number"], name="licence_once")
        ]
        # A person's own licences page reads by subject, in this order.
        indexes = [
            models.Index(fields=["subject", "licence_type", "-obtained_at"], name="licence_subject")
        ]

    def __str__(self) -> str:
        return f"{self.licence_type} {self.number}"


class InboxEvent(models.Model):
    """An event a registry pushed (at least once); handled once, keyed by its id."""

    event_id = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=64)
    kind = models.CharField(max_length=64)
    payload = EncryptedJSONField()
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.event_id}"


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    DELIVERED = "delivered", _("acknowledged by the department")
    FAILED = "failed", _("not delivered yet, to retry")


class OutboundMessage(models.Model):
    """The outbox: a message the platform owes another department, written in the same
    transaction as the business change that produced it and delivered after commit by the
    ``exchange.outbox_deliver`` task (retried by ``exchange.outbox_retry`` until the
    department acknowledges it). ``key`` names the message at the receiver too, so a second
    delivery of the same message is recognised there and applied once."""

    key = models.CharField(max_length=120, unique=True)
    registry = models.CharField(max_length=32)  # the receiving department, e.g. medical_insurance
    dataset = models.CharField(max_length=32)  # what it receives, e.g. contributions
    purpose = models.CharField(max_length=200)
    payload = EncryptedJSONField()  # names people: encrypted at rest
    count = models.PositiveIntegerField(default=0)  # lines in the payload, for screens
    status = models.CharField(
        max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True)
    acknowledgement = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.key} {self.status}"
