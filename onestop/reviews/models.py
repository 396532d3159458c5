"""Good/bad reviews (好差评) of completed cases, and the rectification a bad one opens."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.identity.fields import EncryptedTextField


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("very satisfied")
    SATISFIED = 4, _("satisfied")
    BASIC = 3, _("basically satisfied")
    DISSATISFIED = 2, _("dissatisfied")
    VERY_DISSATISFIED = 1, _("very dissatisfied")


#: The standard dimensions, each rated on the same five levels.
DIMENSIONS = {
    "satisfaction": _("overall satisfaction"),
    "efficiency": _("efficiency"),
    "guide": _("accuracy of the service guide"),
    "convenience": _("convenience"),
    "attitude": _("staff attitude"),
}


class ReviewChannel(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("mobile app (API)")
    TABLET = "tablet", _("counter tablet")
    QR = "qr", _("QR code on the result")


class Visit(models.Model):
    """A counter visit that ended without a case (a consultation, a query answered, papers
    checked): the visitor rates it on the counter tablet, or later with the number and code
    printed on the visit slip. The phone, when given, is for the call back of a bad rating."""

    number = models.CharField(max_length=24, unique=True)
    code = models.CharField(max_length=8)
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("identity.Agency", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField(max_length=40, blank=True)
    topic = models.CharField(max_length=200)
    phone = EncryptedTextField(blank=True, default="")
    ended_at = models.DateTimeField()

    class Meta:
        ordering = ["-ended_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class Review(models.Model):
    """One rating of one case, or of one counter visit without a case: ``round`` 1 after
    completion, 2 after a rectification. The public sees only aggregates; staff see the case
    or visit it belongs to."""

    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    round = models.PositiveSmallIntegerField(default=1)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    scores = models.JSONField(default=dict)  # dimension -> 1..5
    comment = models.TextField(blank=True, max_length=500)
    channel = models.CharField(max_length=8, choices=ReviewChannel.choices)
    # Copied from the case so that disclosure aggregates need no join.
    item_code = models.CharField(max_length=40)
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    # Excluded from the public figures once a supervisor upholds an appeal (malicious review).
    excluded = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="review_once_per_round"),
            models.UniqueConstraint(fields=["visit", "round"], name="visit_review_once_per_round"),
            models.CheckConstraint(
                condition=models.Q(application__isnull=False, visit__isnull=True)
                | models.Q(application__isnull=True, visit__isnull=False),
                name="review_of_a_case_or_a_visit",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="review_level_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["item_code", "created_at"], name="review_item")]

    def __str__(self) -> str:
        return f"Review {self.pk} of {self.application_id or self.visit_id}"

    @property
    def bad(self) -> bool:
        return self.level <= 2

    @property
    def number(self) -> str:
        """The case number, or the visit number."""
        subject = self.application if self.application_id else self.visit
        return subject.number if subject is not None else ""

    @property
    def subject_name(self) -> str:
        """The service the case was for, or what the visit was about."""
        if self.application_id and self.application is not None:
            return self.application.item_name
        return self.visit.topic if self.visit is not None else ""


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("open: call the applicant back")
    CALLED_BACK = "called_back", _("called back: rectify")
    RECTIFIED = "rectified", _("rectified: awaiting the applicant's new review")
    CLOSED = "closed", _("closed")
    APPEALED = "appealed", _("appealed to a supervisor")
    VOIDED = "voided", _("voided: the review was found malicious")


class Rectification(models.Model):
    """Opened by a bad review: call back within 1 working day, rectify within 15, both on
    the clock; the applicant may review once more; staff may appeal a malicious review."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="rectification")
    status = models.CharField(
        max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    opened_at = models.DateTimeField()
    callback_due = models.DateField()
    rectify_due = models.DateField()
    called_back_at = models.DateTimeField(null=True, blank=True)
    callback_note = models.TextField(blank=True)
    rectified_at = models.DateTimeField(null=True, blank=True)
    rectify_note = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_reason = models.TextField(blank=True)
    appealed_from = models.CharField(max_length=16, blank=True)  # the status it left
    appeal_decided_by = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_note = models.TextField(blank=True)
    re_review = models.OneToOneField(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["callback_due", "pk"]

    def __str__(self) -> str:
        return f"Rectification {self.pk}"
