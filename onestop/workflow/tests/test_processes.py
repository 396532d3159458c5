"""Each process walks its happy path and a rejection; the engine refuses unsafe things."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.workflow import engine
from onestop.workflow.engine import Instance, WorkflowError
from onestop.workflow.expressions import ExpressionRefused, evaluate

pytestmark = pytest.mark.django_db


def do(instance: Instance, name: str, **data: str) -> Instance:
    task = next(t for t in instance.ready if t.name == name)
    return engine.complete(state=instance.state, task_id=task.id, data=data)


def ready(instance: Instance) -> list[tuple[str, str]]:
    return sorted((t.name, t.lane) for t in instance.ready)


def test_retirement_with_a_supplement_then_approval() -> None:
    case = engine.start(process="retirement.bpmn")
    assert ready(case) == [("accept", "case_worker")]
    case = do(case, "accept", decision="supplement")
    assert ready(case) == [("supplement", "applicant")]
    case = do(case, "supplement")
    case = do(case, "accept", decision="accept")
    assert ready(case) == [("review", "reviewer")]
    case = do(case, "review", decision="approve")
    assert case.completed and case.ready == ()
    assert case.data["decision"] == "approve"


@pytest.mark.parametrize(
    ("steps", "last"),
    [
        ([("accept", "not_accept")], "not_accept"),
        ([("accept", "accept"), ("review", "reject")], "reject"),
    ],
)
def test_retirement_rejections(steps: list[tuple[str, str]], last: str) -> None:
    case = engine.start(process="retirement.bpmn")
    for name, decision in steps:
        case = do(case, name, decision=decision)
    assert case.completed and case.data["decision"] == last


JOINT = ("civil_affairs_review", "hrss_review", "medical_insurance_review")


def review(instance: Instance, name: str, decision: str = "confirm") -> Instance:
    """A department's branch, as the platform completes it (its decision under its name)."""
    return do(instance, name, decision=decision, **{f"{name}_decision": decision})


@pytest.mark.parametrize("order", list(itertools.permutations(JOINT)))
def test_death_case_joint_review_in_every_order(order: tuple[str, ...]) -> None:
    """The three branches open together, each completes on its own in any order, and the
    join waits for the last before the decision opens."""
    case = engine.start(process="death_benefits.bpmn")
    case = do(case, "accept")
    assert ready(case) == [
        ("civil_affairs_review", "civil_affairs"),
        ("hrss_review", "case_worker"),
        ("medical_insurance_review", "medical_insurance"),
    ]
    ids = {t.name: t.id for t in case.ready}
    for done, name in enumerate(order, start=1):
        case = review(case, name)
        if done < 3:  # the join waits; the other branches keep their tasks
            assert sorted(t.name for t in case.ready) == sorted(order[done:])
            assert all(ids[t.name] == t.id for t in case.ready)
    assert ready(case) == [("decide", "reviewer")]
    case = do(case, "decide", decision="approve")
    assert case.completed and case.ended == ("approved",)


@pytest.mark.parametrize("refuser", JOINT)
def test_a_departments_refusal_waits_for_the_join_then_rejects(refuser: str) -> None:
    """A refusal does not cut the other branches short; after the join the reviewer records
    the rejection (reject_refused) instead of deciding."""
    case = engine.start(process="death_benefits.bpmn")
    case = do(case, "accept")
    case = review(case, refuser, "refuse")
    assert sorted(t.name for t in case.ready) == sorted(n for n in JOINT if n != refuser)
    for name in JOINT:
        if name != refuser:
            case = review(case, name)
    assert ready(case) == [("reject_refused", "reviewer")]
    case = do(case, "reject_refused", decision="reject")
    assert case.completed and case.ended == ("rejected",)


def test_death_case_rejection() -> None:
    case = engine.start(process="death_benefits.bpmn")
    case = do(case, "accept")
    for name in JOINT:
        case = review(case, name)
    case = do(case, "decide", decision="reject")
    assert case.completed and case.data["decision"] == "reject"
    assert case.ended == ("rejected",)


def test_state_resumes_and_carries_its_serializer_version() -> None:
    case = engine.start(process="retirement.bpmn", data={"case_number": "SX2026-000001"})
    assert json.loads(case.state)["serializer"] == engine.SERIALIZER_VERSION
    again = engine.resume(case.state)
    assert ready(again) == ready(case)
    stale = json.dumps({**json.loads(case.state), "serializer": "0.9"})
    with pytest.raises(WorkflowError, match="serializer"):
        engine.resume(stale)


def test_a_task_is_completed_once() -> None:
    case = engine.start(process="retirement.bpmn")
    task = case.ready[0]
    engine.complete(state=case.state, task_id=task.id, data={"decision": "accept"})
    later = engine.complete(state=case.state, task_id=task.id, data={"decision": "accept"})
    with pytest.raises(WorkflowError):
        engine.complete(state=later.state, task_id=task.id, data={"decision": "accept"})


def test_unknown_files_and_script_tasks_are_refused() -> None:
    with pytest.raises(WorkflowError):
        engine.start(process="../settings.py")
    assert not engine.has_process("../settings.py") and not engine.has_process("nope.bpmn")
    script = RETIREMENT.replace(
        '<bpmn:userTask id="review" name="Review and decide" />',
        '<bpmn:scriptTask id="review" name="Run code"><bpmn:script>import os'
        "</bpmn:script></bpmn:scriptTask>",
    )
    with pytest.raises(WorkflowError, match="script tasks"):
        engine.validate(file_name="retirement.bpmn", xml=script.encode())


RETIREMENT = (Path(engine.PROCESSES) / "retirement.bpmn").read_text()


def test_service_tasks_call_registered_services_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The retirement process gathers the record through a registered service; a file naming
    an unregistered one, or an external entity, is refused when it is loaded."""
    seen: list[dict[str, object]] = []

    def record(data: dict[str, object]) -> dict[str, object]:
        seen.append(data)
        return {"contribution_months": 190}

    monkeypatch.setitem(engine.SERVICES, "insurance_record", record)
    case = engine.start(process="retirement.bpmn", data={"applicant_id": 7})
    assert seen == [{"applicant_id": 7}]
    assert case.data["contribution_months"] == 190 and ready(case) == [("accept", "case_worker")]
    unknown = RETIREMENT.replace('implementation="insurance_record"', 'implementation="os.system"')
    with pytest.raises(WorkflowError, match="not a registered service"):
        engine.validate(file_name="retirement.bpmn", xml=unknown.encode())
    entity = RETIREMENT.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ).replace('name="Review and decide"', 'name="&x;"')
    with pytest.raises(WorkflowError):
        engine.validate(file_name="retirement.bpmn", xml=entity.encode())


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('true')",
        "decision.upper() == 'X'",
        "open('/etc/passwd')",
        "[x for x in ()]",
        "lambda: 1",
        "decision[0] == 'a'",
        "unknown == 1",
        "a = 1",
    ],
)
def test_conditions_refuse_anything_but_plain_comparisons(expression: str) -> None:
    with pytest.raises(ExpressionRefused):
        evaluate(expression, {"decision": "accept"})


@given(st.sampled_from(["accept", "reject", "supplement"]), st.integers(-5, 5))
def test_conditions_compute_what_they_say(decision: str, n: int) -> None:
    data = {"decision": decision, "n": n}
    assert evaluate('decision == "accept" and n >= 0', data) == (decision == "accept" and n >= 0)
    assert evaluate('not (decision in ("reject", "supplement")) or n < -3', data) == (
        decision == "accept" or n < -3
    )


def test_signs_apply_to_numbers_only() -> None:
    assert evaluate("n > -3", {"n": -1}) is True
    with pytest.raises(ExpressionRefused):
        evaluate('-decision == "x"', {"decision": "accept"})


def test_proof_of_insurance_ends_by_itself() -> None:
    """No human step: with no applicant on record the service task finds nothing to prove
    and the process ends refused, with the reason."""
    case = engine.start(process="proof_of_insurance.bpmn", data={"applicant_id": None})
    assert case.completed and case.ready == ()
    assert case.ended == ("rejected",)
    # Kept in each language apart, never as one text of both.
    assert "no contribution record" in case.data["refusal"]["en"]
    assert case.data["refusal"]["zh"] == "本省没有您的缴费记录，无法出具参保缴费证明。"
