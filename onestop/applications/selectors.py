"""Reading cases: one's own, a staff member's queue, a case, the public status query, and
the cases the time-limit clock watches."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from onestop.applications.models import (
    FINAL,
    Application,
    Comment,
    Draft,
    Material,
    OpenStep,
    Step,
)
from onestop.applications.services import clock_of, eligible_staff, may_act
from onestop.audit.services import record
from onestop.common.digests import code_hash
from onestop.common.errors import NotFound
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity.fields import name_index
from onestop.identity.models import User


def applications_of(*, actor: Any) -> QuerySet[Application]:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return Application.objects.none()
    return Application.objects.filter(applicant=person).order_by("-submitted_at")


def drafts_of(*, actor: Any) -> QuerySet[Draft]:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return Draft.objects.none()
    return Draft.objects.filter(applicant=person)


def _with_steps(cases: QuerySet[Application]) -> QuerySet[Application]:
    return cases.prefetch_related(
        Prefetch("open_steps", queryset=OpenStep.objects.select_related("assignee").order_by("pk"))
    )


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters (page and API): item, status, colour of the clock ("green",
    "yellow", "red"), channel, and ``age``: filed at least that many days ago."""

    item: str = ""
    status: str = ""
    colour: str = ""
    channel: str = ""
    age: int | None = None
    mine: bool = False


COLOURS = ("green", "yellow", "red")


def queue_for(
    *,
    actor: Any,
    mine: bool = False,
    supervising: bool = False,
    filters: QueueFilter | None = None,
) -> list[Application]:
    """Open cases with a ready step this staff member may do, oldest deadline first;
    ``mine``: only those with a step they have claimed; ``supervising`` (a supervisor): every
    open staff step in their scope, to assign. ``filters`` narrow it (``QueueFilter``). Each
    case carries ``my_steps``, the open steps (``OpenStep``) the actor may act on (or, when
    supervising, all of them), and ``clock``."""
    profile = policy.staff_profile(actor)
    if profile is None:
        return []
    filters = filters or QueueFilter()
    today = timezone.localdate()
    found_cases = (
        Application.objects.exclude(status__in=FINAL)
        .filter(region__code__startswith=profile.region.scope_prefix, open_steps__isnull=False)
        .distinct()
    )
    if filters.item:
        found_cases = found_cases.filter(item_code=filters.item[:SEARCH_MAX])
    if filters.status:
        found_cases = found_cases.filter(status=filters.status[:SEARCH_MAX])
    if filters.channel:
        found_cases = found_cases.filter(channel=filters.channel[:SEARCH_MAX])
    if filters.age is not None:
        found_cases = found_cases.filter(
            submitted_at__date__lte=today - dt.timedelta(days=filters.age)
        )
    cases = _with_steps(
        found_cases.select_related("applicant", "region", "escalated_to").order_by(
            "deadline", "submitted_at"
        )
    )
    if mine:
        cases = cases.filter(open_steps__assignee=actor)
    found = []
    for case in cases:
        steps = [
            s
            for s in case.open_steps.all()
            if (supervising and s.lane != "applicant") or may_act(actor, case, s.lane)
        ]
        if mine or filters.mine:
            steps = [s for s in steps if s.assignee_id == actor.pk]
        if not steps:
            continue
        case.clock = clock_of(case, today)  # type: ignore[attr-defined]
        if filters.colour and case.clock.colour != filters.colour:  # type: ignore[attr-defined]
            continue
        case.my_steps = steps  # type: ignore[attr-defined]
        found.append(case)
    return found


@dataclass(frozen=True)
class Stranded:
    """An open step nobody can act on, and why."""

    number: str
    region: str  # the region handling the case (its code), for the supervisors in scope
    task: str
    lane: str
    holder: str  # the holder's user name, "" when unclaimed
    reason: str  # "no_step_row", "holder_cannot_act", "nobody_eligible"


def steps_stranded() -> list[Stranded]:
    """Every open staff step of an open case that nobody can act on: its holder may not (no
    longer active, moved, below an escalation) or, unclaimed, no active staff member is
    eligible (role, agency and region). Empty when the ownership invariant holds."""
    found: list[Stranded] = []
    cases = _with_steps(
        Application.objects.exclude(status__in=FINAL).select_related(
            "region", "escalated_to", "region__parent"
        )
    ).order_by("pk")
    eligible: dict[tuple[Any, ...], bool] = {}
    for case in cases:
        rows = {s.task_id: s for s in case.open_steps.all()}
        for name, lane, task_id, _ in case.ready:
            if lane == "applicant":
                continue
            step = rows.get(task_id)
            holder = step.assignee if step is not None else None
            reason = ""
            if step is None:
                reason = "no_step_row"
            elif holder is not None:
                if not may_act(holder, case, lane):
                    reason = "holder_cannot_act"
            else:
                key = (case.region_id, case.escalated_to_id, lane)
                if key not in eligible:
                    eligible[key] = bool(eligible_staff(case, lane))
                if not eligible[key]:
                    reason = "nobody_eligible"
            if reason:
                found.append(
                    Stranded(
                        number=case.number,
                        region=(case.escalated_to or case.region).code,
                        task=name,
                        lane=lane,
                        holder=holder.get_username() if holder is not None else "",
                        reason=reason,
                    )
                )
    return found


def application_for(*, actor: Any, number: str) -> Application:
    """A case its applicant, or staff who may see the applicant or the case's region, may
    open."""
    case = (
        _with_steps(
            Application.objects.select_related("applicant__region", "region", "escalated_to")
        )
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound()
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is not None and person.pk == case.applicant_id:
        return case
    # Staff who may see the applicant, or the region handling the case (a survivor's claim is
    # handled where the deceased was insured).
    if policy.is_staff_member(actor) and (
        policy.allows(actor, policy.VIEW_PERSON, case.applicant)
        or policy.allows(actor, policy.VIEW_PERSON, case.region)
        or _acts_on(actor, case)
    ):
        return case
    raise NotFound()


def _acts_on(actor: Any, case: Application) -> bool:
    """Whether a staff member holds no person records (another department's officer) but
    acts on the case: one of its open steps is theirs, or they did one of its steps."""
    profile = policy.staff_profile(actor)
    if profile is None or not policy.in_scope(profile, case.region):
        return False
    if any(may_act(actor, case, step.lane) for step in case.open_steps.all()):
        return True
    return case.steps.filter(actor_label=actor.get_username()).exists()


#: Timeline events of the staff's own work organisation (who holds which step), not of the
#: case's progress: the applicant and the public status query do not see them.
INTERNAL_ACTIONS = frozenset({"claimed", "released", "reassigned", "transferred"})

#: Events whose note is the staff's own (the escalation's reason): shown to staff only.
INTERNAL_NOTES = frozenset({"escalated"})


def timeline_for(*, actor: Any, case: Application) -> list[Step]:
    """The case's timeline as ``actor`` may read it: staff, every event; anyone else, what
    was done to the case, without the staff's internal events and notes."""
    steps = list(case.steps.all())
    if policy.is_staff_member(actor):
        return steps
    shown = [s for s in steps if s.action not in INTERNAL_ACTIONS]
    for step in shown:
        if step.action in INTERNAL_NOTES:
            step.note = ""
    return shown


def comments_for(*, actor: Any, case: Application) -> list[Comment]:
    """Internal comments: staff only (the applicant sees none)."""
    if not policy.is_staff_member(actor):
        return []
    return list(case.comments.select_related("author"))


def materials_of(*, case: Application) -> QuerySet[Material]:
    return case.materials.all()


def material_for(*, actor: Any, number: str, material_id: int) -> Material:
    case = application_for(actor=actor, number=number)
    found = case.materials.filter(pk=material_id).first()
    if found is None:
        raise NotFound()
    return found


def handover_candidates(*, case: Application, lane: str | None = None) -> list[User]:
    """Staff who may act on the case's open steps (or on the steps of ``lane``), for
    transfer and reassignment."""
    lanes = dict.fromkeys(
        ln for _, ln, _, _ in case.ready if ln != "applicant" and lane in (None, ln)
    )
    found: dict[int, User] = {}
    for lane in lanes:
        for user in eligible_staff(case, lane):
            found.setdefault(user.pk, user)
    return list(found.values())


def assignable_staff(*, actor: Any) -> list[User]:
    """Active case workers and reviewers within a supervisor's scope (of every department),
    for bulk assignment; each case still checks that the person may act on its step."""
    from onestop.applications.services.cases import STAFF_ROLES
    from onestop.identity.models import StaffProfile

    profile = policy.staff_profile(actor)
    if profile is None or not policy.allows(actor, policy.REASSIGN_CASES):
        return []
    return [
        p.user
        for p in StaffProfile.objects.select_related("user")
        .filter(
            role__in=STAFF_ROLES,
            user__is_active=True,
            region__code__startswith=profile.region.scope_prefix,
        )
        .order_by("user__username")
    ]


def status_public(*, number: str, code: str) -> Application:
    """The public status query by case number and verification code."""
    case = Application.objects.filter(number=(number or "").strip().upper()[:24]).first()
    if case is None or not secrets.compare_digest(case.code_hash, code_hash(code or "")):
        raise NotFound(
            "未找到该办件，请核对办件编号和查询码。",
            "No such case: check the case number and the code.",
        )
    return case


def on_clock(case: Application) -> bool:
    """Whether the case's clock is running: open, not paused, a staff step open."""
    return (
        case.status not in FINAL
        and case.paused_since is None
        and any(lane != "applicant" for _, lane, _, _ in case.ready)
    )


def cases_on_clock() -> list[Application]:
    """Open cases whose clock is running, for the clock job."""
    cases = (
        Application.objects.exclude(status__in=FINAL)
        .filter(paused_since__isnull=True)
        .select_related("region__parent", "escalated_to__parent", "applicant")
        .order_by("pk")
    )
    return [c for c in _with_steps(cases) if on_clock(c)]


def steps_only_for(*, user: User) -> list[str]:
    """The open steps (``"<case number> <task>"``) that ``user`` alone may act on among the
    active staff: deactivating them would leave the steps with nobody."""
    profile = policy.staff_profile(user)
    if profile is None:
        return []
    found = []
    cases = _with_steps(
        Application.objects.exclude(status__in=FINAL).filter(
            region__code__startswith=profile.region.scope_prefix, open_steps__isnull=False
        )
    ).distinct()
    for case in cases.select_related("region", "escalated_to"):
        for step in case.open_steps.all():
            if not may_act(user, case, step.lane):
                continue
            if [u.pk for u in eligible_staff(case, step.lane)] == [user.pk]:
                found.append(f"{case.number} {step.name}")
    return found


#: Longest accepted search input (case number, applicant name or resident ID).
SEARCH_MAX = 40


def cases_search(
    *,
    actor: Any,
    number: str = "",
    applicant: str = "",
    person_id: int | None = None,
    item_code: str = "",
    status: str = "",
    channel: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Application]:
    """Cases handled in the staff member's region scope, newest first, narrowed by case
    number (prefix), applicant (resident ID through the blind index, or a name prefix),
    the applicant's person id (their record), item, status, channel and filing dates (inclusive,
    Asia/Shanghai). Staff only; each search is journaled (what was searched by, never the
    values)."""
    profile = policy.staff_profile(actor)
    if profile is None or not policy.allows(actor, policy.VIEW_PERSON):
        return Application.objects.none()
    found = Application.objects.filter(
        region__code__startswith=profile.region.scope_prefix
    ).select_related("applicant", "region", "escalated_to")
    number = (number or "").strip().upper()[:SEARCH_MAX]
    applicant = (applicant or "").strip()[:SEARCH_MAX]
    if number:
        found = found.filter(number__startswith=number)
    if applicant:
        key = identity.resident_id_key(applicant)
        found = (
            found.filter(applicant__resident_id_index=key)
            if key
            else found.filter(applicant__name_index=name_index(applicant))  # the whole name
        )
    if person_id is not None:
        found = found.filter(applicant_id=person_id)
    if item_code:
        found = found.filter(item_code=item_code[:SEARCH_MAX])
    if status:
        found = found.filter(status=status[:SEARCH_MAX])
    if channel:
        found = found.filter(channel=channel[:SEARCH_MAX])
    if since is not None:
        found = found.filter(submitted_at__date__gte=since)
    if until is not None:
        found = found.filter(submitted_at__date__lte=until)
    with transaction.atomic():
        record(
            actor=actor,
            action="applications.searched",
            target_type="applications.application",
            changes={
                "by": sorted(
                    k
                    for k, v in {
                        "number": number,
                        "applicant": applicant,
                        "person": person_id,
                        "item": item_code,
                        "status": status,
                        "channel": channel,
                        "since": since,
                        "until": until,
                    }.items()
                    if v
                ),
                "scope": profile.region.code,
            },
        )
    return found.order_by("-submitted_at", "-pk")


def supplements_waiting(*, actor: Any) -> int:
    """Cases in the staff member's scope waiting for the applicant's supplement."""
    profile = policy.staff_profile(actor)
    if profile is None:
        return 0
    return Application.objects.filter(
        region__code__startswith=profile.region.scope_prefix, status="supplement"
    ).count()


def work_counts(
    *, actor: Any, supervising: bool = False, queue: list[Application] | None = None
) -> dict[str, int]:
    """A staff member's work at a glance: open steps they may take (``todo``: unclaimed or
    theirs), ``mine`` (claimed by them), ``yellow`` (due soon) and ``red`` (overdue) among
    their queue, and ``supplements`` waiting for applicants in their scope. ``supervising``
    (a supervisor): the same over every open staff step in their scope (``todo``: cases
    with a step nobody has claimed). ``queue``: the unfiltered ``queue_for`` of the same
    actor and ``supervising``, when the caller has just read it (the queue page)."""
    today = timezone.localdate()
    if queue is None:
        queue = queue_for(actor=actor, supervising=supervising)
    steps = [(c, c.my_steps) for c in queue]  # type: ignore[attr-defined]
    colours = [clock_of(c, today).colour for c in queue]
    return {
        "todo": sum(1 for _, s in steps if any(x.assignee_id in (None, actor.pk) for x in s)),
        "mine": sum(1 for _, s in steps if any(x.assignee_id == actor.pk for x in s)),
        "yellow": colours.count("yellow"),
        "red": colours.count("red"),
        "supplements": supplements_waiting(actor=actor),
    }


def open_cases_with_answer(
    *, item_code: str, key: str, value: str, except_applicant_id: int
) -> list[str]:
    """Numbers of the open cases of ``item_code`` of other applicants whose answer ``key`` is
    ``value``. Answers are encrypted at rest, so the open cases' answers are read in one
    query and compared decrypted (no plain copy is stored)."""
    rows = (
        Application.objects.filter(item_code=item_code)
        .exclude(status__in=FINAL)
        .exclude(applicant_id=except_applicant_id)
        .values_list("number", "answers")
    )
    wanted = "".join(value.split())
    return [
        number
        for number, answers in rows.iterator(chunk_size=500)
        if "".join(str((answers or {}).get(key, "")).split()) == wanted
    ]
