"""Loading a new process version: validated, numbered n+1, journaled."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from onestop.audit.services import record
from onestop.common.errors import NotPermitted, ServiceError
from onestop.workflow import engine
from onestop.workflow.models import ProcessVersion

LOAD = "workflow.add_processversion"
MAX_BYTES = 512 * 1024


def process_version_load(*, actor: Any, name: str, xml: bytes, note: str) -> ProcessVersion:
    """Load ``xml`` as the next version of process ``name`` (new cases start on it)."""
    if actor is not None and not actor.has_perm(LOAD):
        raise NotPermitted()
    if not name.endswith(".bpmn") or "/" in name or "\\" in name:
        raise ServiceError(
            "流程名称须形如 retirement.bpmn。",
            "The process name looks like retirement.bpmn.",
            code="name",
        )
    if not note.strip():
        raise ServiceError("请写明本版本的原因。", "Give the reason for this version.", code="note")
    if len(xml) > MAX_BYTES:
        raise ServiceError("文件超过 512 KB。", "The file is larger than 512 KB.", code="size")
    try:
        tasks = engine.validate(file_name=name, xml=xml)
        text = xml.decode("utf-8")
    except (engine.WorkflowError, UnicodeDecodeError) as exc:
        raise ServiceError(
            f"流程文件无效：{exc}", f"The process file is not valid: {exc}", code="bpmn"
        ) from exc
    with transaction.atomic():
        latest = ProcessVersion.objects.select_for_update().filter(name=name).order_by("-version")
        previous = latest.first()
        try:
            loaded = ProcessVersion.objects.create(
                name=name,
                version=(previous.version if previous else 0) + 1,
                bpmn_xml=text,
                sha256=engine.digest(xml),
                user_tasks=tasks,
                note=note.strip()[:200],
                created_by=actor.get_username() if actor is not None else "system",
            )
        except IntegrityError as exc:
            raise ServiceError(
                "版本冲突，请重试。", "Version conflict: retry.", code="conflict"
            ) from exc
        record(
            actor=actor,
            action="workflow.process.loaded",
            target=loaded,
            changes={"name": name, "version": loaded.version, "sha256": loaded.sha256},
        )
    return loaded
