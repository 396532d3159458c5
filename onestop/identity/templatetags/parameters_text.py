"""Parameter references (``610000/2026/v1``, as results record the data they used) shown as
people read them: "陕西省 2026 年参数（第 1 版）" / "Shaanxi 2026 parameters, version 1"."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext

from onestop.identity.models import Region, _shown

register = template.Library()

#: ``onestop.parameters.contracts.ProvinceYear.reference``: province code, year, version.
REFERENCE = re.compile(r"\b(\d{6})/(\d{4})/v(\d+)\b")


def parameters_label(code: str, year: str, version: str) -> str:
    region = Region.objects.filter(code=code).values_list("name", "name_en").first()
    province = _shown(*region) if region else code
    return gettext("%(province)s %(year)s parameters, version %(version)s") % {
        "province": province,
        "year": year,
        "version": version,
    }


@register.filter
def parameters_ref(text: object) -> str:
    """``text`` with each parameter reference in it replaced by its label."""
    return REFERENCE.sub(lambda m: parameters_label(*m.groups()), str(text or ""))
