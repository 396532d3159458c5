"""Materials uploaded to a case: type checked by content, size and count limited, each kept
with its SM3 checksum. The applicant uploads while the case is open; a case worker who may
act on it uploads at the counter on the applicant's behalf."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from onestop.applications.models import FINAL, Application, Material
from onestop.applications.services.cases import locked, may_act
from onestop.audit.services import record
from onestop.catalogue import selectors as catalogue
from onestop.common.digests import sm3_hex
from onestop.common.errors import NotPermitted, ServiceError
from onestop.exchange.licences import SOURCES

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_CASE = 20
#: Leading bytes of the accepted types; the name and the browser's claim are not trusted.
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


def sniff(data: bytes) -> tuple[str, str] | None:
    """The content type and extension of ``data`` by its signature, or None."""
    return next((found for sig, found in SIGNATURES.items() if data.startswith(sig)), None)


def checked_file(data: bytes) -> tuple[str, str, str]:
    """(content type, extension, SM3) of an uploaded file: not empty, at most 10 MB, a PDF,
    JPEG or PNG by its content; refused otherwise."""
    if not data:
        raise ServiceError("文件为空。", "The file is empty.", code="empty")
    if len(data) > MAX_BYTES:
        raise ServiceError("文件超过 10 MB。", "The file is larger than 10 MB.", code="too_large")
    kind = sniff(data)
    if kind is None:
        raise ServiceError(
            "仅接受 PDF、JPEG 或 PNG 文件（按文件内容判断）。",
            "Only PDF, JPEG or PNG files are accepted (judged by their content).",
            code="file_type",
        )
    return kind[0], kind[1], sm3_hex(data)


def may_upload(actor: Any, case: Application) -> bool:
    if case.status in FINAL:
        return False
    if may_act(actor, case, "applicant"):
        return True
    return any(may_act(actor, case, lane) for _, lane, _, _ in case.ready if lane != "applicant")


def material_upload(
    *, actor: Any, application: Application, name: str, file_name: str, data: bytes
) -> Material:
    """Attach one file as the item's material ``name``."""
    if not may_upload(actor, application):
        raise NotPermitted()
    item = catalogue.item_get(code=application.item_code, version=application.item_version)
    names = [m.get("name") for m in item.materials]
    if name not in names:
        raise ServiceError(
            "该事项没有这项材料。", "This service has no such material.", code="material"
        )
    content_type, extension, checksum = checked_file(data)
    with transaction.atomic():
        case = locked(application)
        if case.materials.count() >= MAX_PER_CASE:
            raise ServiceError(
                f"每个办件最多上传 {MAX_PER_CASE} 个文件。",
                f"A case takes at most {MAX_PER_CASE} files.",
                code="too_many",
            )
        material = Material(
            application=case,
            name=name,
            original_name=(file_name or "upload")[-200:],
            content_type=content_type,
            size=len(data),
            checksum=checksum,
            uploaded_by=actor,
            at=timezone.now(),
        )
        material.file.save(
            f"{case.number}-{checksum[:16]}.{extension}", ContentFile(data), save=False
        )
        material.save()
        record(
            actor=actor,
            action="applications.material.uploaded",
            target=case,
            changes={"material": name, "sm3": checksum, "size": len(data)},
        )
    return material


def material_read(*, material: Material) -> bytes:
    """The stored bytes, checked against the checksum taken at upload."""
    with material.file.open("rb") as handle:
        data: bytes = handle.read()
    if sm3_hex(data) != material.checksum:
        raise ServiceError(
            "文件校验失败，可能已被篡改。",
            "The file no longer matches its checksum.",
            code="checksum",
        )
    return data


#: Decisions on a step that do not confirm what it was asked to confirm.
NOT_CONFIRMED = ("refuse", "reject", "return")


def material_supply(case: Application, material: dict[str, Any], uploaded: set[str]) -> str:
    """How one of the item's materials reaches the case, as the service guide promised:
    ``obtained`` (an e-licence or registry answered, shared data the platform holds itself
    and no step asks a file for, or the department of the material's ``obtained_at`` step
    confirmed it), ``at_review`` (that department confirms it from its own records at that
    step: never asked of the applicant), ``uploaded``, ``not_found`` / ``unavailable`` (the
    issuing department had none or did not answer: upload it) or ``to_upload``."""
    name = material.get("name", "")
    step = material.get("obtained_at", "")
    if step and material.get("replaceable_by"):
        confirmed = (
            case.steps.filter(task=step).exclude(action__in=NOT_CONFIRMED).exists()
            if case.pk
            else False
        )
        return "obtained" if confirmed else "at_review"
    row = next((r for r in case.licences if r.get("material") == name), None)
    if row is not None and row.get("status") == "found":
        return "obtained"
    if name in uploaded:
        return "uploaded"
    if row is not None:
        return str(row.get("status", "to_upload"))
    if (
        material.get("replaceable_by")
        and material.get("licence_type", "") not in SOURCES
        and not material.get("needed_at")
    ):
        return "obtained"
    return "to_upload"


def materials_to_upload(case: Application, materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The materials the case may still be asked to upload: never those the platform
    obtains itself, nor those a department confirms at its review, unless the case waits
    for a supplement: then the case worker asked for them, whichever they are."""
    if case.status == "supplement":
        return list(materials)
    uploaded = set(case.materials.values_list("name", flat=True))
    return [
        m for m in materials if material_supply(case, m, uploaded) not in ("obtained", "at_review")
    ]
