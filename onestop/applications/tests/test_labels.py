"""Facts a service task stores are read in one language, with a label, never as a key."""

from __future__ import annotations

from django.utils import translation

from onestop.applications.labels import FACTS, fact_label, fact_value


def test_every_fact_the_service_tasks_store_has_a_label_in_each_language() -> None:
    keys = ("alive", "identity_matched", "newly_insured", "employed_with_pension", "refusal")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for key in keys:
                assert key in FACTS and fact_label(key) != key


def test_a_bilingual_refusal_reads_in_one_language() -> None:
    stored = "姓名与公民身份号码在户籍登记中不一致。 The name does not match the register."
    with translation.override("zh-hans"):
        assert fact_value("refusal", stored) == "姓名与公民身份号码在户籍登记中不一致。"
        assert fact_value("alive", True) == "是"
    with translation.override("en"):
        assert fact_value("refusal", stored) == "The name does not match the register."
        assert "household register" in fact_value("identity_source", "public_security.household")
