"""Template context: the signed-in user's role, for navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix

from onestop.identity import policy


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = policy.role_of(user)
    perms = policy.permissions_of(policy.staff_profile(user))
    can = {
        "persons": policy.VIEW_PERSON in perms,
        "cases": policy.may_search_cases(user),
        "staff": policy.MANAGE_STAFF in perms,
        "journal": policy.SEARCH_JOURNAL in perms,
        "admin": policy.USE_ADMIN in perms,
        "supervise": policy.SUPERVISE in perms,
        "payroll": policy.RUN_PAYROLL in perms,
        "transfers": role in ("case_worker", "reviewer", "supervisor"),
        "rectifications": role in ("case_worker", "reviewer", "supervisor"),
        "content": bool({policy.EDIT_CONTENT, policy.PUBLISH_CONTENT} & perms),
        "visits": role == "case_worker",
        "quality": role in ("case_worker", "reviewer", "supervisor"),
    }
    return {
        "onestop_role": role,
        "onestop_can": can,
        # What the base template's navigation depends on besides the language: its links
        # (the script prefix), the role and the permissions (the fragment's cache key).
        "onestop_nav": "|".join(
            [get_script_prefix(), role, *sorted(k for k, v in can.items() if v)]
        ),
    }
