"""Running BPMN processes: start, list the ready user tasks, complete one, serialise.

Processes are standard BPMN 2.0 files in ``processes/`` (any modeller can draw them). Lanes
name who acts on a user task (``applicant``, ``case_worker``, ``reviewer``, or a department
such as ``civil_affairs``); gateway conditions use the safe expression language of
``expressions.py``; script tasks are refused. State is JSON, stamped with the serializer
version, so a running case can be stored and resumed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import ScriptTask, UserTask

from onestop.workflow.expressions import evaluate

PROCESSES = Path(__file__).resolve().parent / "processes"
SERIALIZER_VERSION = "1.5"


class WorkflowError(RuntimeError):
    """A process file or a task operation that cannot be carried out."""


class SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Conditions through the safe evaluator; no scripts, no service calls by name."""

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        return evaluate(expression, {**(external_context or {}), **context})

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        raise WorkflowError("Script tasks are not allowed; use a registered service.")

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise WorkflowError("Service tasks are not wired in this version.")


ENGINE = PythonScriptEngine(environment=SafeEnvironment())
SERIALIZER = BpmnWorkflowSerializer(version=SERIALIZER_VERSION)


@lru_cache(maxsize=32)
def _spec(file_name: str, process_id: str) -> Any:
    path = (PROCESSES / file_name).resolve()
    if path.parent != PROCESSES or not path.is_file():
        raise WorkflowError(f"No process file {file_name!r}.")
    parser = BpmnParser()
    parser.add_bpmn_file(str(path))
    spec = parser.get_spec(process_id)
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, ScriptTask):
            raise WorkflowError(f"{file_name}: script tasks are not allowed ({task_spec.name}).")
    return spec


@dataclass(frozen=True)
class ReadyTask:
    id: str
    name: str  # the BPMN id of the task, e.g. "accept"
    title: str  # the BPMN name, shown to staff
    lane: str  # who acts


@dataclass(frozen=True)
class Instance:
    state: str  # serialised workflow, JSON
    ready: tuple[ReadyTask, ...]
    completed: bool
    data: dict[str, Any]


def _snapshot(workflow: BpmnWorkflow) -> Instance:
    workflow.do_engine_steps()
    ready = tuple(
        ReadyTask(
            str(t.id),
            t.task_spec.bpmn_id or t.task_spec.name,
            t.task_spec.bpmn_name or t.task_spec.name,
            t.task_spec.lane or "",
        )
        for t in workflow.get_tasks(state=TaskState.READY)
        if isinstance(t.task_spec, UserTask)
    )
    state = json.dumps({"serializer": SERIALIZER_VERSION, "workflow": SERIALIZER.to_dict(workflow)})
    return Instance(state, ready, workflow.is_completed(), dict(workflow.data))


def start(*, file_name: str, process_id: str, data: dict[str, Any] | None = None) -> Instance:
    workflow = BpmnWorkflow(_spec(file_name, process_id), script_engine=ENGINE)
    workflow.data.update(data or {})
    start_task = workflow.get_tasks(state=TaskState.READY)
    for task in start_task:
        task.data.update(data or {})
    return _snapshot(workflow)


def _load(state: str) -> BpmnWorkflow:
    stored = json.loads(state)
    if stored.get("serializer") != SERIALIZER_VERSION:
        raise WorkflowError(
            f"State written by serializer {stored.get('serializer')!r}; "
            f"this engine reads {SERIALIZER_VERSION!r}."
        )
    workflow = SERIALIZER.from_dict(stored["workflow"])
    workflow.script_engine = ENGINE
    return workflow


def resume(state: str) -> Instance:
    return _snapshot(_load(state))


def complete(*, state: str, task_id: str, data: dict[str, Any] | None = None) -> Instance:
    """Complete a ready user task with its outcome (for example ``{"decision": "approve"}``)."""
    workflow = _load(state)
    task = next(
        (
            t
            for t in workflow.get_tasks(state=TaskState.READY)
            if str(t.id) == task_id and isinstance(t.task_spec, UserTask)
        ),
        None,
    )
    if task is None:
        raise WorkflowError("That task is not ready (already done, or not this case's).")
    task.data.update(data or {})
    task.run()
    return _snapshot(workflow)


def has_process(file_name: str) -> bool:
    """Whether a process file of that name ships with the platform."""
    path = (PROCESSES / file_name).resolve()
    return bool(file_name) and path.parent == PROCESSES and path.is_file()
