"""Parameter references as people read them (``parameters_ref``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from onestop.identity.templatetags.parameters_text import parameters_ref

pytestmark = pytest.mark.django_db


def test_a_reference_reads_as_the_provinces_parameters(world: Any) -> None:
    """Every reference in a text is replaced, in the reader's language; a province not on
    record keeps its code; other text is left as it is."""
    text = "610000/2026/v1: benefit base; 990000/2025/v3; 2026-01/v2"
    with translation.override("zh-hans"):
        assert parameters_ref(text) == (
            "陕西省 2026 年参数（第 1 版）: benefit base; 990000 2025 年参数（第 3 版）; 2026-01/v2"
        )
    with translation.override("en"):
        assert parameters_ref("610000/2026/v12") == "Shaanxi 2026 parameters, version 12"
    assert parameters_ref(None) == ""
