"""Declaration files received through the page: stored, checked, confirmed, posted.

A file up to ``ONESTOP_DECLARATION_SYNC_BYTES`` is checked (and posted) within the request;
a larger one, which takes more than about a second, by a background job
(``contributions.declaration_upload``: Celery in production, a thread of the process in the
embedded default, ``onestop.common.jobs``) that writes its progress on the upload for the
page to poll. Either way the whole file goes through ``services.declaration_submit``, so it
is accepted or refused as one with row-level reasons, and posted at most once: the form's
one-time token finds the same upload on a double submit, the upload's own idempotency key
makes a job run twice replay the first answer, and a confirmation is taken once.

States: ``queued`` -> ``running`` -> ``accepted`` | ``refused`` | ``to_confirm`` (bases
raised to the floor or lowered to the cap, waiting for the employer) -> (confirmed)
``queued`` -> ... ; ``failed`` when the job itself broke (nothing posted: the posting is one
transaction).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from onestop.audit.services import record
from onestop.common import jobs
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import files, services
from onestop.contributions.models import DeclarationKind, DeclarationUpload, UploadStatus
from onestop.contributions.periods import month_of
from onestop.rules.values import RuleError

log = logging.getLogger(__name__)

TASK = "contributions.declaration_upload"
#: Errors kept on a refused upload for its report (the page lists the first 200).
MAX_ERRORS_KEPT = 10_000
#: Share of the progress bar per phase: reading the file, checking rows, saving.
PHASES = {"reading": (0, 45), "checking": (45, 75), "saving": (75, 99)}
#: At most one progress write per this many seconds (each is a small UPDATE).
PROGRESS_INTERVAL = 0.25


def sync_max_bytes() -> int:
    """Files up to this size are handled within the request (see docs/performance.md)."""
    return int(getattr(settings, "ONESTOP_DECLARATION_SYNC_BYTES", 16 * 1024))


def upload_receive(
    *,
    actor: Any,
    employer: Any,
    period: int,
    kind: str,
    name: str,
    content: bytes,
    token: str = "",
) -> tuple[DeclarationUpload, bool]:
    """Store a declaration file for ``employer``; returns the upload and whether it is new.

    The same ``token`` (the form's, one per page shown) from the same user returns the
    upload already received, so a double submit checks and posts once."""
    if actor is None or not actor.has_perm(services.DECLARE, employer):
        raise NotPermitted()
    files.check_size(len(content))
    files.check_format(name)
    month_of(period)
    if kind not in DeclarationKind.values:
        raise ServiceError("申报类型无效。", "Unknown declaration kind.", code="kind")
    token = (token or "").strip()[:64] or secrets.token_hex(16)
    found = DeclarationUpload.objects.filter(
        employer=employer, created_by=actor, token=token
    ).first()
    if found is not None:
        return found, False
    suffix = name.lower().rsplit(".", 1)[-1]
    try:
        with transaction.atomic():
            upload = DeclarationUpload(
                employer=employer,
                created_by=actor,
                token=token,
                period=period,
                kind=kind,
                file_name=name[-200:],
                size=len(content),
                background=len(content) > sync_max_bytes(),
            )
            upload.file.save(f"{secrets.token_hex(16)}.{suffix}", ContentFile(content), save=False)
            upload.save()
            record(
                actor=actor,
                action="contributions.declaration.uploaded",
                target=upload,
                changes={"period": period, "kind": kind, "bytes": len(content)},
            )
    except IntegrityError:
        # The same token posted twice at once: the other request stored it.
        found = DeclarationUpload.objects.get(employer=employer, created_by=actor, token=token)
        return found, False
    return upload, True


def upload_start(*, upload: DeclarationUpload) -> None:
    """Check the upload now when it is small, else in a background job."""
    if upload.background:
        jobs.enqueue(TASK, upload.pk)
    else:
        upload_run(upload_id=upload.pk)


def upload_resume(*, upload: DeclarationUpload) -> bool:
    """Enqueue again a background upload whose job was lost (the embedded default's
    process restarted while its thread ran); True when it was. Harmless if the job has
    just ended: the run is idempotent."""
    busy = upload.status in (UploadStatus.QUEUED, UploadStatus.RUNNING)
    if not (busy and upload.background and jobs.in_process()) or jobs.running(TASK, upload.pk):
        return False
    jobs.enqueue(TASK, upload.pk)
    return True


def upload_confirm(*, actor: Any, upload: DeclarationUpload) -> bool:
    """The employer confirms the adjusted bases: the upload is posted (now or by a job).
    False when it was not waiting for a confirmation (a second click)."""
    if actor is None or not actor.has_perm(services.DECLARE, upload.employer):
        raise NotPermitted()
    with transaction.atomic():
        taken = DeclarationUpload.objects.filter(
            pk=upload.pk, status=UploadStatus.TO_CONFIRM
        ).update(status=UploadStatus.QUEUED, confirmed=True, phase="", done=0, total=0)
        if taken:
            record(
                actor=actor,
                action="contributions.declaration.confirmed",
                target=upload,
                changes={"adjusted": upload.reply.get("adjustment_count", 0)},
            )
    if taken:
        upload.refresh_from_db()
        upload_start(upload=upload)
    return bool(taken)


class _Reporter:
    """Writes the job's progress on the upload, at most every ``PROGRESS_INTERVAL``."""

    def __init__(self, upload_id: int) -> None:
        self.upload_id = upload_id
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL and phase != "saving":
            return
        self.last = now
        try:
            # In a savepoint: the job's own transaction goes on whatever happens here.
            with transaction.atomic():
                DeclarationUpload.objects.filter(pk=self.upload_id).update(
                    phase=phase, done=done, total=total
                )
        except OperationalError:
            # Progress is advisory; the outcome is written when the job ends. A page reading
            # the upload at that instant may hold it locked (SQLite's shared in-memory test
            # database answers "table is locked" at once instead of waiting): skip one update
            # rather than fail the declaration.
            return


def upload_run(*, upload_id: int) -> None:
    """Read, check and (unless bases wait for confirmation) post an upload; idempotent."""
    claimed = DeclarationUpload.objects.filter(
        pk=upload_id, status__in=[UploadStatus.QUEUED, UploadStatus.RUNNING]
    ).update(status=UploadStatus.RUNNING, phase="reading", done=0, total=0)
    if not claimed:
        return  # done already, or waiting for the employer
    upload = DeclarationUpload.objects.select_related("employer__region", "created_by").get(
        pk=upload_id
    )
    report = _Reporter(upload.pk) if upload.background else None
    fields: dict[str, Any] = {"errors": []}
    try:
        with upload.file.open("rb") as stream:
            content = stream.read()
        rows = files.parse(
            upload.file_name,
            content,
            (lambda done, total: report("reading", done, total)) if report else None,
        )
        result = services.declaration_submit(
            actor=upload.created_by,
            employer=upload.employer,
            period=upload.period,
            rows=rows,
            kind=upload.kind,
            idempotency_key=f"upload:{upload.pk}",
            confirm_adjustments=upload.confirmed,
            progress=report,
        )
    except (ServiceError, RuleError) as exc:
        error = services.RowError(0, "file", exc.zh, exc.en, exc.code)
        fields.update(
            status=UploadStatus.REFUSED,
            reply=services.rejection_reply([error]),
            errors=[error.as_dict()],
        )
    except Exception:
        log.exception("declaration upload %s failed", upload_id)
        fields.update(
            status=UploadStatus.FAILED,
            reply={
                "message_zh": "处理出错，未入账。请重新上传。",
                "message_en": "Processing failed and nothing was posted. Please upload again.",
            },
        )
    else:
        if result.accepted:
            status = UploadStatus.ACCEPTED
        elif result.to_confirm:
            status = UploadStatus.TO_CONFIRM
        else:
            status = UploadStatus.REFUSED
        fields.update(
            status=status,
            reply=result.reply,
            errors=[e.as_dict() for e in result.errors[:MAX_ERRORS_KEPT]],
            declaration=result.declaration,
        )
    DeclarationUpload.objects.filter(pk=upload.pk).update(
        phase="", finished_at=timezone.now(), **fields
    )


def percent(upload: DeclarationUpload) -> int:
    """How far the job is, 0-100, for the progress bar."""
    if upload.status not in (UploadStatus.QUEUED, UploadStatus.RUNNING):
        return 100
    start, end = PHASES.get(upload.phase, (0, 0))
    if upload.total <= 0:
        return start
    return start + (end - start) * min(upload.done, upload.total) // upload.total
