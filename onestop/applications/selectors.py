"""Reading cases: one's own, a staff member's queue, a case, the public status query, and
the cases the time-limit clock watches."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, overload

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
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
from onestop.applications.services.cases import (
    HRSS_AGENCIES,
    STAFF_ROLES,
    clock_level,
    yellow_share,
)
from onestop.audit.services import record
from onestop.common.digests import code_hash
from onestop.common.errors import NotFound
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity.fields import name_index
from onestop.identity.models import RegionLevel, User

#: A case's encrypted columns (answers, process state, facts, licences used): lists and the
#: public status query show none of them, and each costs a decryption a row to load; read
#: when a caller touches one (Django loads a deferred field on access).
SEALED = ("answers", "workflow_state", "facts", "licences")


def applications_of(*, actor: Any) -> QuerySet[Application]:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return Application.objects.none()
    return Application.objects.filter(applicant=person).defer(*SEALED).order_by("-submitted_at")


def drafts_of(*, actor: Any) -> QuerySet[Draft]:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return Draft.objects.none()
    # The answers (encrypted) are read when the draft is opened, not to list it.
    return Draft.objects.filter(applicant=person).defer("answers")


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


def _eligible_steps(actor: Any, *, supervising: bool, mine: bool) -> Q | None:
    """``may_act`` (or, supervising, any staff lane) as a filter on ``OpenStep`` rows: the
    lane, role, agency and escalation rules, so that the database keeps the steps the actor
    may take; ``mine``: only those the actor holds. None when no step can qualify."""
    profile = policy.staff_profile(actor)
    if profile is None:
        return None
    prefix = profile.region.scope_prefix
    # in_scope(profile, case.region): the case's region under the actor's.
    scoped = Q(application__region__code__startswith=prefix)
    lanes = Q(pk__in=[])  # nothing, unless one of the lanes below applies
    if profile.role in STAFF_ROLES:
        if profile.agency.kind in HRSS_AGENCIES:
            # Not escalated: the actor's role is the lane. Escalated (提级办理): the higher
            # level's HRSS staff, at that level or above it, handle both HRSS lanes.
            # "At that level or above": the escalation region's own scope prefix (2 for a
            # province, 4 for a city, its code below) no shorter than the actor's; a code
            # under the actor's prefix is never shorter than it, so only the province and
            # city levels can fall short.
            short = [
                level
                for level, length in ((RegionLevel.PROVINCE, 2), (RegionLevel.CITY, 4))
                if length < len(prefix)
            ]
            lanes |= Q(lane__in=HRSS_LANES) & (
                Q(application__escalated_to__isnull=True, lane=profile.role)
                | (
                    Q(application__escalated_to__code__startswith=prefix)
                    & ~Q(application__escalated_to__level__in=short)
                )
            )
        # Another department's branch (joint review): its own staff.
        lanes |= Q(lane=profile.agency.kind) & ~Q(lane__in=(*HRSS_LANES, "applicant"))
    eligible = scoped & lanes
    person = getattr(actor, "person", None)
    if person is not None:  # the applicant's own lane, wherever the case is handled
        eligible |= Q(lane="applicant", application__applicant_id=person.pk)
    if supervising:
        eligible = eligible | ~Q(lane="applicant")
    if mine:
        eligible &= Q(assignee=actor)
    return eligible


HRSS_LANES = ("case_worker", "reviewer")


def _steps(eligible: Q) -> QuerySet[OpenStep]:
    return OpenStep.objects.filter(eligible)


def _colour(row: tuple[Any, ...], today: dt.date, share: float) -> str:
    """``clock_of(case, today).colour`` from (paused_since, step_deadline, deadline,
    step_started, submitted_at) of an open case with an open staff step."""
    paused, step_deadline, deadline, step_started, submitted_at = row
    if paused is not None:
        return ""
    due = step_deadline or deadline
    started = step_started or timezone.localtime(submitted_at).date()
    return clock_level(started=started, due=due, today=today, share=share) or "green"


CLOCK_FIELDS = ("paused_since", "step_deadline", "deadline", "step_started", "submitted_at")


class Queue:
    """The cases of a queue, read a page at a time: ``count()`` and slicing go to the
    database (a ``Paginator`` reads one page and the count), and only the cases of the slice
    are loaded, each with ``my_steps`` (the open steps the actor may act on; supervising:
    all of them) and ``clock``. Iterating reads them all (the API)."""

    def __init__(
        self,
        cases: Callable[[], QuerySet[Application]],
        eligible: Q,
        today: dt.date,
        colour: str,
        *,
        actor_id: int,
        may_take: Callable[[Application, OpenStep], bool],
        scope: Q | None = None,
    ):
        self._build_cases = cases
        self._eligible = eligible
        self._today = today
        self._colour = colour
        self._pks: list[int] | None = None
        self._actor_id = actor_id
        self._may_take = may_take
        # The open cases in scope as a filter on their steps, when no other filter narrows
        # the queue (``summary`` then covers every case of it).
        self._scope = scope
        self._summary: dict[int, tuple[bool, bool, str]] | None = None
        self._ordered: list[int] | None = None

    @functools.cached_property
    def _cases(self) -> QuerySet[Application]:
        return self._build_cases()

    @property
    def unfiltered(self) -> bool:
        return self._scope is not None

    def summary(self) -> dict[int, tuple[bool, bool, str]]:
        """Each case of an unfiltered queue: whether one of its steps is unclaimed or the
        actor's, whether one is the actor's, and its clock colour. One query over the
        eligible steps with their case's five clock fields; no case loaded. The same query
        orders the queue (deadline, filed, id: the cases' own order), so a page of an
        unfiltered queue is read by its ids and the eligibility filter is compiled once."""
        assert self._scope is not None  # the caller checks ``unfiltered``
        if self._summary is None:
            share = yellow_share()
            found: dict[int, tuple[bool, bool, str]] = {}
            order: dict[int, tuple[Any, ...]] = {}
            for case_id, holder, *clock in (
                _steps(self._eligible)
                .filter(self._scope)
                .order_by()
                .values_list(
                    "application_id", "assignee_id", *(f"application__{f}" for f in CLOCK_FIELDS)
                )
            ):
                todo, mine, colour = found.get(case_id, (False, False, ""))
                found[case_id] = (
                    todo or holder in (None, self._actor_id),
                    mine or holder == self._actor_id,
                    colour or _colour(tuple(clock), self._today, share),
                )
                # CLOCK_FIELDS: deadline and submitted_at, the queue's order (both required).
                order[case_id] = (clock[2], clock[4], case_id)
            self._ordered = sorted(order, key=order.__getitem__)
            self._summary = found
        return self._summary

    def _colour_pks(self) -> list[int]:
        # Yellow or green: working days decide, so the clock fields of the cases not
        # overdue are read (five values a case, no steps) and the colour computed here.
        if self._pks is None:
            share = yellow_share()
            self._pks = [
                pk
                for pk, *row in self._cases.values_list("pk", *CLOCK_FIELDS)
                if _colour(tuple(row), self._today, share) == self._colour
            ]
        return self._pks

    def count(self) -> int:
        if self._scope is not None:  # the summary orders the page as well
            return len(self.summary())
        if self._colour in ("yellow", "green"):
            return len(self._colour_pks())
        return self._cases.count()

    def __len__(self) -> int:
        return self.count()

    def __bool__(self) -> bool:
        return self.count() > 0

    def __eq__(self, other: object) -> bool:
        """Equal to a list (or queue) of the same cases, in order: a queue is a list read a
        page at a time."""
        if isinstance(other, (list, Queue)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def _load(self, cases: QuerySet[Application] | list[int]) -> list[Application]:
        if isinstance(cases, list):
            found = {
                c.pk: c
                for c in Application.objects.filter(pk__in=cases).select_related(
                    "applicant", "region", "escalated_to"
                )
            }
            loaded = [found[pk] for pk in cases]
        else:
            loaded = list(cases.select_related("applicant", "region", "escalated_to"))
        steps: dict[int, list[OpenStep]] = {}
        by_pk = {c.pk: c for c in loaded}
        # The page's cases are few: their steps are sorted by ``may_take`` (``may_act``
        # itself) rather than by the eligibility filter the cases were found by.
        for step in (
            OpenStep.objects.filter(application_id__in=list(by_pk))
            .select_related("assignee")
            .order_by("pk")
        ):
            if self._may_take(by_pk[step.application_id], step):
                steps.setdefault(step.application_id, []).append(step)
        for case in loaded:
            case.my_steps = steps.get(case.pk, [])  # type: ignore[attr-defined]
            case.clock = clock_of(case, self._today)  # type: ignore[attr-defined]
        return loaded

    @overload
    def __getitem__(self, index: int) -> Application: ...

    @overload
    def __getitem__(self, index: slice) -> list[Application]: ...

    def __getitem__(self, index: int | slice) -> Application | list[Application]:
        if isinstance(index, int):
            found = self[index : index + 1] if index >= 0 else list(self)[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        if self._colour in ("yellow", "green"):
            return self._load(self._colour_pks()[index])
        if self._scope is not None:
            self.summary()
            assert self._ordered is not None
            return self._load(self._ordered[index])
        return self._load(self._cases[index])

    def __iter__(self) -> Iterator[Application]:
        return iter(
            self[0 : self.count()]
            if self._colour in ("yellow", "green")
            else self._load(self._cases)
        )


def queue_for(
    *,
    actor: Any,
    mine: bool = False,
    supervising: bool = False,
    filters: QueueFilter | None = None,
) -> Queue | list[Application]:
    """Open cases with a ready step this staff member may do, oldest deadline first;
    ``mine``: only those with a step they have claimed; ``supervising`` (a supervisor): every
    open staff step in their scope, to assign. ``filters`` narrow it (``QueueFilter``). Each
    case carries ``my_steps``, the open steps (``OpenStep``) the actor may act on (or, when
    supervising, all of them), and ``clock``.

    The lane, role, agency, escalation and colour rules are filters in SQL (``may_act`` and
    ``clock_of`` as queries), so a page of the queue reads that page and a count (``Queue``),
    not every open case in the actor's scope."""
    profile = policy.staff_profile(actor)
    if profile is None:
        return []
    filters = filters or QueueFilter()
    today = timezone.localdate()
    eligible = _eligible_steps(actor, supervising=supervising, mine=mine or filters.mine)
    assert eligible is not None

    def cases() -> QuerySet[Application]:
        # Built when asked: an unfiltered queue's page comes from its summary instead.
        found_cases = Application.objects.exclude(status__in=FINAL).filter(
            region__code__startswith=profile.region.scope_prefix,
            pk__in=_steps(eligible).values("application_id"),
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
        if filters.colour:
            # Every case here has an open staff step: its clock runs unless paused. Red: past
            # its due date; yellow and green: not past it (working days decide, ``Queue``).
            due = Coalesce("step_deadline", "deadline")
            running = found_cases.filter(paused_since__isnull=True).alias(due=due)
            found_cases = (
                running.filter(due__lt=today)
                if filters.colour == "red"
                else running.filter(due__gte=today)
                if filters.colour in ("yellow", "green")
                else found_cases.none()
            )
        return found_cases.order_by("deadline", "submitted_at", "pk")

    unfiltered = not mine and filters == QueueFilter()
    scope = ~Q(application__status__in=FINAL) & Q(
        application__region__code__startswith=profile.region.scope_prefix
    )
    held_only = mine or filters.mine

    def may_take(case: Application, step: OpenStep) -> bool:
        if held_only and step.assignee_id != actor.pk:
            return False
        return (supervising and step.lane != "applicant") or may_act(actor, case, step.lane)

    return Queue(
        cases,
        eligible,
        today,
        filters.colour,
        actor_id=actor.pk,
        may_take=may_take,
        scope=scope if unfiltered else None,
    )


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


#: The answer to a case number or query code that does not match: one for both, so that
#: a caller cannot tell an unknown case from a wrong code.
NO_SUCH_CASE = (
    "未找到该办件，请核对办件编号和查询码。",
    "No such case: check the case number and the code.",
)


def case_number_known(*, number: str) -> bool:
    """Whether a case of this number exists (a public page that asks for its code next)."""
    return Application.objects.filter(number=(number or "").strip().upper()[:24]).exists()


def status_public(*, number: str, code: str) -> Application:
    """The public status query by case number and verification code."""
    case = (
        Application.objects.filter(number=(number or "").strip().upper()[:24])
        .defer(*SEALED)
        .first()
    )
    if case is None or not secrets.compare_digest(case.code_hash, code_hash(code or "")):
        raise NotFound(*NO_SUCH_CASE)
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
    *, actor: Any, supervising: bool = False, queue: Queue | list[Application] | None = None
) -> dict[str, int]:
    """A staff member's work at a glance: open steps they may take (``todo``: unclaimed or
    theirs), ``mine`` (claimed by them), ``yellow`` (due soon) and ``red`` (overdue) among
    their queue, and ``supplements`` waiting for applicants in their scope. ``supervising``
    (a supervisor): the same over every open staff step in their scope (``todo``: cases
    with a step nobody has claimed). ``queue``: the unfiltered ``queue_for`` of the same
    actor and ``supervising``, when the caller has just made it (the queue page): its
    ``summary``, one query over the eligible steps, also gives the page its count."""
    if not isinstance(queue, Queue) or not queue.unfiltered:
        queue = queue_for(actor=actor, supervising=supervising)
    if not isinstance(queue, Queue):
        return {"todo": 0, "mine": 0, "yellow": 0, "red": 0, "supplements": 0}
    cases = queue.summary().values()
    colours = [colour for _, _, colour in cases]
    return {
        "todo": sum(1 for todo, _, _ in cases if todo),
        "mine": sum(1 for _, mine, _ in cases if mine),
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
