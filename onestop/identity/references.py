"""Parameter references (``610000/2026/v1``, as results record the data they used) in words
people read: "陕西省 2026 年参数（第 1 版）" / "Shaanxi 2026 parameters, version 1".

The reference's shape is ``onestop.parameters.contracts.ProvinceYear.reference``: the
province's GB/T 2260 code, the year and the version. The province's name comes from the
regions (``identity.Region``); an unknown code is shown as it is.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, override

from onestop.identity.models import Region, _shown

#: Province code, year, version.
REFERENCE = re.compile(r"\b(\d{6})/(\d{4})/v(\d+)\b")


def parameters_label(code: str, year: str, version: str) -> str:
    """The label in the active language."""
    region = Region.objects.filter(code=code).values_list("name", "name_en").first()
    province = _shown(*region) if region else code
    return gettext("%(province)s %(year)s parameters, version %(version)s") % {
        "province": province,
        "year": year,
        "version": version,
    }


def labelled(text: object) -> str:
    """``text`` with each parameter reference in it replaced by its label (active language)."""
    return REFERENCE.sub(lambda m: parameters_label(*m.groups()), str(text or ""))


def labelled_pair(text: object) -> tuple[str, str]:
    """``labelled(text)`` in Chinese and in English, for the two halves of a refusal."""
    with override("zh-hans"):
        zh = labelled(text)
    with override("en"):
        en = labelled(text)
    return zh, en
