"""Pre-filling a form from what the platform already knows (tell us once).

Sources: the person's own earlier answers to a field of the same name (the latest wins): a
recorded fact (``RECORD_FIELDS``) from any service, a choice or formatted value only from the
same service, free text never;
facts the rules derive from the record (the statutory retirement month from the birth
month, the sex on the ID and, for women, the post held at the latest employer; the province
of the ID's address code), and other contexts' hooks. A value the item's pre-check would
refuse is never offered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from onestop.applications import prechecks
from onestop.applications.models import Application
from onestop.catalogue.models import ServiceItem
from onestop.contributions import selectors as contributions
from onestop.identity.models import Person
from onestop.rules.retirement import Category, statutory_retirement
from onestop.rules.values import YearMonth

#: A woman's retirement category by the post she holds (D1); a general post says nothing.
POST_CATEGORY = {"cadre": Category.FEMALE_55, "worker": Category.FEMALE_50}


#: Other contexts' pre-fill for an item, ``person -> {field: value}``; what they know from the
#: record wins over an earlier answer.
PREFILLS: dict[str, list[Callable[[Person], dict[str, Any]]]] = {}


def on_prefill(item_code: str, hook: Callable[[Person], dict[str, Any]]) -> None:
    PREFILLS.setdefault(item_code, []).append(hook)


def retirement_category(person: Person) -> Category | None:
    if person.sex == "male":
        return Category.MALE
    post = contributions.latest_post_category(person=person)
    return POST_CATEGORY.get(post or "")


def _home_province(person: Person, spec: dict[str, Any]) -> str | None:
    """The province of the resident ID's address code, when the field offers it (where a
    relation transferred in most often comes from; the person changes it if not)."""
    code = person.resident_id[:2] + "0000"
    return code if code in spec.get("enum", []) else None


#: Earlier answers that record a fact about the person, whatever service they were given
#: on: the account benefits are paid into, the employer they act for, how to reach them.
RECORD_FIELDS = frozenset({"bank_account", "employer_credit_code", "credit_code", "contact_phone"})


def _free_text(spec: dict[str, Any]) -> bool:
    """A field the person writes in their own words (a note, a reason, correction lines):
    a string with no list of options, no pattern and no format."""
    return spec.get("type", "string") == "string" and not (
        spec.get("enum") or spec.get("pattern") or spec.get("format")
    )


def _carried(key: str, spec: dict[str, Any], code: str, item: ServiceItem) -> bool:
    """Whether an earlier answer to ``key`` (given on a case of item ``code``) is offered
    again on ``item``'s form: a recorded fact (``RECORD_FIELDS``) always; a choice or a
    formatted value (a month, a yes/no) only from an earlier case of the same service; free
    text never (a note written for one service says nothing about another)."""
    if key in RECORD_FIELDS:
        return True
    return code == item.code and not _free_text(spec)


def prefill(*, person: Person, item: ServiceItem) -> dict[str, Any]:
    properties = item.form_schema.get("properties", {})
    # A field marked ``"x-prefill": false`` is about someone else each time (the employee
    # an employer enrols): an earlier answer is never carried over to it.
    fields = {name for name, spec in properties.items() if spec.get("x-prefill", True) is not False}
    values: dict[str, Any] = {}
    earlier = Application.objects.filter(applicant=person).order_by("-submitted_at")[:20]
    for code, answers in earlier.values_list("item_code", "answers"):
        for key, value in (answers or {}).items():
            if key in fields and key not in values and _carried(key, properties[key], code, item):
                values[key] = value
    today = timezone.localdate()
    proposed_month = None
    if "retirement_month" in fields:
        category = retirement_category(person)
        if category is not None:
            birth = YearMonth(person.birth_date.year, person.birth_date.month)
            statutory = statutory_retirement(birth=birth, category=category)
            # Past the statutory month and not retired: the next month (a late retirement)
            # while the flexible window is open.
            this_month = YearMonth(today.year, today.month)
            month = statutory.retirement_month
            if month < this_month and this_month.plus(1) <= statutory.latest_month:
                month = this_month.plus(1)
            proposed_month = month
            values.setdefault("retirement_month", str(month))
    if "from_province" in fields and "from_province" not in values:
        home = _home_province(person, properties["from_province"])
        if home is not None:
            values["from_province"] = home
    for hook in PREFILLS.get(item.code, []):
        values.update({k: v for k, v in hook(person).items() if k in fields})
    # Never offer what the item's pre-check would refuse: an allowed value instead (the
    # allowed month nearest to the one proposed above: the statutory month, or next month
    # for a late retirement; past the published parameters that is the last computable one).
    allowed = prechecks.precheck(person=person, item_code=item.code, today=today).choices
    for name, choices in allowed.items():
        if name in values and str(values[name]) in choices:
            continue
        values.pop(name, None)
        if choices and name == "retirement_month" and proposed_month is not None:
            target = proposed_month
            values[name] = min(choices, key=lambda v: abs(target.months_until(YearMonth.parse(v))))
    return values
