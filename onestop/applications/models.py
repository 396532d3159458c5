"""Cases and their timelines."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.common.models import AppendOnly
from onestop.identity.fields import EncryptedJSONField, EncryptedTextField


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted, awaiting acceptance")
    SUPPLEMENT = "supplement", _("waiting for the applicant's supplement")
    IN_REVIEW = "in_review", _("accepted, in review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    WITHDRAWN = "withdrawn", _("withdrawn")


FINAL = {Status.APPROVED, Status.REJECTED, Status.NOT_ACCEPTED, Status.WITHDRAWN}


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    COUNTER = "counter", _("counter")
    API = "api", _("app or kiosk (API)")


class Application(models.Model):
    number = models.CharField(max_length=24, unique=True)
    code_hash = models.CharField(max_length=64)
    item_code = models.CharField(max_length=40)
    item_version = models.PositiveIntegerField()
    item_name = models.CharField(max_length=120)
    applicant = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, related_name="applications"
    )
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    filed_by = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    consent_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    # Answers and the process state carry identifiers, bank accounts and names: encrypted.
    answers = EncryptedJSONField(default=dict)
    workflow_state = EncryptedTextField()
    ready = models.JSONField(default=list)  # [[task name, lane, task id, title], ...]
    submitted_at = models.DateTimeField()
    deadline = models.DateField()
    deadline_provisional = models.BooleanField(default=False)
    paused_since = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Escalated a level up: staff below this region no longer act on the case.
    escalated_to = models.ForeignKey(
        "identity.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The current staff step's clock (None while the case waits for the applicant).
    step_started = models.DateField(null=True, blank=True)
    step_deadline = models.DateField(null=True, blank=True)
    process_version = models.PositiveIntegerField(default=0)  # 0: the file shipped
    # Facts the process's service tasks gathered from platform records (tell us once).
    facts = EncryptedJSONField(default=dict, blank=True)
    # Materials satisfied from e-licences or shared data: which licence, from where.
    licences = EncryptedJSONField(default=list, blank=True)
    # What makes a second open case of the item a duplicate (the item's
    # ``x-one-open-case``): an HMAC of the item and those values, or None (no limit).
    # NULL, not "": keyless cases must never collide in the unique constraint below.
    open_key = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["region", "status"], name="application_queue"),
            # The staff case search: newest first, narrowed by item or applicant.
            models.Index(fields=["submitted_at"], name="application_filed"),
            models.Index(fields=["item_code", "submitted_at"], name="application_item_filed"),
            models.Index(fields=["applicant", "submitted_at"], name="application_person_filed"),
            models.Index(fields=["channel", "submitted_at"], name="application_channel_filed"),
        ]
        constraints = [
            # At most one open case per key (a double submit, two tabs, a second filer).
            models.UniqueConstraint(
                fields=["open_key"],
                condition=models.Q(status__in=["submitted", "supplement", "in_review"]),
                name="application_one_open",
            ),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.number

    @property
    def holders(self) -> str:
        """Display names of the staff holding its open steps ("" when none is claimed)."""
        return ", ".join(str(s.assignee) for s in self.open_steps.all() if s.assignee)


class OpenStep(models.Model):
    """One open staff step of a case (a ready user task outside the applicant's lane), with
    its holder. Parallel steps (a joint review) are separate rows, so each department claims,
    acts on and completes its own. Rows follow ``Application.ready``: written whenever it
    changes, removed when the step completes."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="open_steps"
    )
    task_id = models.CharField(max_length=64)  # the workflow task's id
    name = models.CharField(max_length=64)  # BPMN id, e.g. "accept"
    lane = models.CharField(max_length=32)
    title = models.CharField(max_length=200, blank=True)
    # Claimed by one staff member; others see the step as held until it is released.
    assignee = models.ForeignKey(
        "identity.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_steps",
    )
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "task_id"], name="open_step_once"),
            models.UniqueConstraint(fields=["application", "name"], name="open_step_name_once"),
        ]
        indexes = [models.Index(fields=["lane"], name="open_step_lane")]
        verbose_name = _("open step")
        verbose_name_plural = _("open steps")

    def __str__(self) -> str:
        return f"{self.application_id} {self.name}"


class Step(AppendOnly):
    """One line of a case's timeline; never changed."""

    append_only_noun = "A timeline step"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField()
    actor_label = models.CharField(max_length=150)
    role = models.CharField(max_length=32)
    action = models.CharField(max_length=32)
    task = models.CharField(max_length=64, blank=True)
    note = EncryptedTextField(blank=True)  # free text: may name or identify people
    #: The platform's own note in English, ``note`` holding its Chinese; empty for a note a
    #: person wrote (shown as written in either language).
    note_en = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class Comment(AppendOnly):
    """A staff member's note on a case, seen by staff only; never changed."""

    append_only_noun = "A comment"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    body = EncryptedTextField()  # free text: may name or identify people

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} comment {self.pk}"


class Material(AppendOnly):
    """An uploaded material (PDF, JPEG or PNG by content), with its SM3 checksum."""

    append_only_noun = "An uploaded material"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="materials")
    name = models.CharField(max_length=120)  # the item's material it stands for
    file = models.FileField(upload_to="materials/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64)  # SM3, hex
    uploaded_by = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.name}"

    @property
    def download_name(self) -> str:
        """The stored file's own name (case number, checksum prefix, type by content)."""
        return str(self.file.name or "material").rsplit("/", 1)[-1]


class Draft(models.Model):
    """An online application being filled in, one per person and item; saved page by page so
    the applicant can come back to it. Filing it turns it into an Application."""

    applicant = models.ForeignKey(
        "identity.Person", on_delete=models.CASCADE, related_name="application_drafts"
    )
    item_code = models.CharField(max_length=40)
    answers = EncryptedJSONField(default=dict)
    page = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "item_code"], name="one_draft_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.item_code} draft"
