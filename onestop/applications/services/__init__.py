"""Writes on cases: filing and acting (``cases``), the work queue (``queue``), uploaded
materials (``materials``). Callers import from here."""

from onestop.applications.services.cases import (
    DECISIONS,
    Filed,
    application_act,
    application_submit,
    application_withdraw,
    case_facts,
    case_link,
    clock_update,
    eligible_staff,
    may_act,
    nearest_staff,
    on_approved,
    on_submit,
    overdue,
)
from onestop.applications.services.drafts import (
    draft_discard,
    draft_open,
    draft_save,
    draft_submit,
    form_groups,
)
from onestop.applications.services.materials import (
    MAX_BYTES,
    material_read,
    material_upload,
    may_upload,
)
from onestop.applications.services.queue import (
    application_claim,
    application_comment,
    application_escalate,
    application_reassign,
    application_release,
    application_transfer,
    may_reassign,
    may_work_on,
)
from onestop.applications.services.results import decision_facts, decision_notice_pdf

__all__ = [
    "DECISIONS",
    "MAX_BYTES",
    "Filed",
    "application_act",
    "application_claim",
    "application_comment",
    "application_escalate",
    "application_reassign",
    "application_release",
    "application_submit",
    "application_transfer",
    "application_withdraw",
    "case_facts",
    "case_link",
    "clock_update",
    "decision_facts",
    "decision_notice_pdf",
    "draft_discard",
    "draft_open",
    "draft_save",
    "draft_submit",
    "eligible_staff",
    "form_groups",
    "material_read",
    "material_upload",
    "may_act",
    "may_reassign",
    "may_upload",
    "may_work_on",
    "nearest_staff",
    "on_approved",
    "on_submit",
    "overdue",
]
