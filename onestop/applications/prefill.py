"""Pre-filling a form from what the platform already knows (tell us once).

Two sources: the person's own earlier answers to a field of the same name (the latest wins),
and facts the rules derive from the record (the statutory retirement month from the birth
month, the sex on the ID and, for women, the post held at the latest employer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

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


def prefill(*, person: Person, item: ServiceItem) -> dict[str, Any]:
    # A field marked ``"x-prefill": false`` is about someone else each time (the employee
    # an employer enrols): an earlier answer is never carried over to it.
    fields = {
        name
        for name, spec in item.form_schema.get("properties", {}).items()
        if spec.get("x-prefill", True) is not False
    }
    values: dict[str, Any] = {}
    earlier = Application.objects.filter(applicant=person).order_by("-submitted_at")[:20]
    for answers in earlier.values_list("answers", flat=True):
        for key, value in (answers or {}).items():
            if key in fields and key not in values:
                values[key] = value
    if "retirement_month" in fields and "retirement_month" not in values:
        category = retirement_category(person)
        if category is not None:
            birth = YearMonth(person.birth_date.year, person.birth_date.month)
            statutory = statutory_retirement(birth=birth, category=category)
            # Past the statutory month and not retired: the next month (a late retirement)
            # while the flexible window is open.
            today = timezone.localdate()
            this_month = YearMonth(today.year, today.month)
            month = statutory.retirement_month
            if month < this_month and this_month.plus(1) <= statutory.latest_month:
                month = this_month.plus(1)
            values["retirement_month"] = str(month)
    for hook in PREFILLS.get(item.code, []):
        values.update({k: v for k, v in hook(person).items() if k in fields})
    return values
