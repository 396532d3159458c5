"""Running BPMN processes: start, list the ready user tasks, complete one, serialise.

Processes are standard BPMN 2.0 files in ``processes/`` (any modeller can draw them). Lanes
name who acts on a user task (``applicant``, ``case_worker``, ``reviewer``, or a department
such as ``civil_affairs``); gateway conditions use the safe expression language of
``expressions.py``; script tasks are refused. State is JSON, stamped with the serializer
version, so a running case can be stored and resumed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, ScriptTask, ServiceTask, UserTask

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
        raise WorkflowError("Service tasks call registered services only.")


#: Registered services that BPMN service tasks may call, by name. A service takes the
#: case's data (a copy) and returns a dict of JSON values merged into it.
SERVICES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def register_service(name: str, function: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    SERVICES[name] = function


class RegisteredServiceTask(ServiceTask):  # type: ignore[misc]
    """A ``bpmn:serviceTask`` whose ``implementation`` attribute names a registered service."""

    def __init__(self, wf_spec: Any, bpmn_id: str, operation: str = "", **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.operation = operation

    def _execute(self, task: Any) -> bool:
        function = SERVICES.get(self.operation)
        if function is None:
            raise WorkflowError(f"No registered service {self.operation!r}.")
        result = function(dict(task.data))
        task.data.update(json.loads(json.dumps(result, default=str)))
        return True


class RegisteredServiceTaskParser(TaskParser):  # type: ignore[misc]
    def create_task(self) -> RegisteredServiceTask:
        operation = self.node.get("implementation") or ""
        if operation not in SERVICES:
            raise WorkflowError(
                f"Service task {self.bpmn_id!r} names {operation!r}, which is not a registered "
                f"service (registered: {', '.join(sorted(SERVICES)) or 'none'})."
            )
        return RegisteredServiceTask(
            self.spec, self.bpmn_id, operation=operation, **self.bpmn_attributes
        )


class RegisteredServiceTaskConverter(BpmnTaskSpecConverter):  # type: ignore[misc]
    def to_dict(self, spec: RegisteredServiceTask) -> dict[str, Any]:
        found: dict[str, Any] = self.get_default_attributes(spec)
        found["operation"] = spec.operation
        return found


class Parser(BpmnParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES = {
        **BpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (RegisteredServiceTaskParser, RegisteredServiceTask),
    }


ENGINE = PythonScriptEngine(environment=SafeEnvironment())
SERIALIZER = BpmnWorkflowSerializer(
    BpmnWorkflowSerializer.configure(
        {**DEFAULT_CONFIG, RegisteredServiceTask: RegisteredServiceTaskConverter}
    ),
    version=SERIALIZER_VERSION,
)
#: No entities, no network, no DTDs: an uploaded file is data, never instructions.
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def digest(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()


@lru_cache(maxsize=64)
def _parse(xml: bytes, file_name: str, process_id: str) -> Any:
    parser = Parser()
    try:
        parser.add_bpmn_xml(etree.fromstring(xml, XML_PARSER), filename=file_name)
        spec = parser.get_spec(process_id)
    except WorkflowError:
        raise
    except Exception as exc:  # the parser raises many kinds for a bad file
        raise WorkflowError(f"{file_name}: {exc}") from exc
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, ScriptTask):
            raise WorkflowError(f"{file_name}: script tasks are not allowed ({task_spec.name}).")
    return spec


def process_id_of(file_name: str) -> str:
    return file_name.removesuffix(".bpmn")


def shipped_xml(file_name: str) -> bytes:
    path = (PROCESSES / file_name).resolve()
    if path.parent != PROCESSES or not path.is_file():
        raise WorkflowError(f"No process file {file_name!r}.")
    return path.read_bytes()


def validate(*, file_name: str, xml: bytes) -> list[str]:
    """Check a process file before it is loaded: it parses, holds the process
    ``<name without .bpmn>``, runs no scripts, calls registered services only, and each user
    task sits in a lane. Returns the user tasks' ids."""
    spec = _parse(xml, file_name, process_id_of(file_name))
    tasks = [t for t in spec.task_specs.values() if isinstance(t, UserTask)]
    unlaned = [t.bpmn_id for t in tasks if not t.lane]
    if unlaned:
        raise WorkflowError(f"{file_name}: user tasks without a lane: {', '.join(unlaned)}.")
    return sorted(t.bpmn_id for t in tasks)


def user_task_names(file_name: str) -> dict[str, str]:
    """The shipped process's user tasks: BPMN id -> name (as written, English); empty for a
    process that does not ship with the platform."""
    path = (PROCESSES / file_name).resolve()
    if not file_name or path.parent != PROCESSES or not path.is_file():
        return {}
    spec = _parse(path.read_bytes(), file_name, process_id_of(file_name))
    return {
        t.bpmn_id: t.bpmn_name or t.name
        for t in spec.task_specs.values()
        if isinstance(t, UserTask) and t.bpmn_id
    }


@dataclass(frozen=True)
class ReadyTask:
    id: str
    name: str  # the BPMN id of the task, e.g. "accept"
    title: str  # the BPMN name, shown to staff
    lane: str  # who acts


@dataclass(frozen=True)
class Instance:
    state: str  # serialised workflow, JSON (it carries its own process definition)
    ready: tuple[ReadyTask, ...]
    completed: bool
    data: dict[str, Any]
    version: int = 0  # the process version it started on; 0 is the file shipped
    ended: tuple[str, ...] = ()  # BPMN ids of the end events reached, e.g. ("approved",)


def _snapshot(workflow: BpmnWorkflow, version: int = 0) -> Instance:
    workflow.do_engine_steps()
    tasks = [
        t for t in workflow.get_tasks(state=TaskState.READY) if isinstance(t.task_spec, UserTask)
    ]
    ready = tuple(
        ReadyTask(
            str(t.id),
            t.task_spec.bpmn_id or t.task_spec.name,
            t.task_spec.bpmn_name or t.task_spec.name,
            t.task_spec.lane or "",
        )
        for t in tasks
    )
    # What the process knows now: the open tasks' data, or the workflow's once it has ended.
    data: dict[str, Any] = {}
    for task in tasks:
        data.update(task.data)
    data.update(workflow.data)
    state = json.dumps({"serializer": SERIALIZER_VERSION, "workflow": SERIALIZER.to_dict(workflow)})
    ended = tuple(
        t.task_spec.bpmn_id
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if isinstance(t.task_spec, EndEvent) and t.task_spec.bpmn_id
    )
    return Instance(state, ready, workflow.is_completed(), data, version, ended)


def start(*, process: str, data: dict[str, Any] | None = None) -> Instance:
    """Start the latest version of ``process`` (a loaded version, else the file shipped).

    A running instance keeps the definition it started with: its state carries it.
    """
    from onestop.workflow.selectors import latest_version

    loaded = latest_version(name=process)
    xml, version = (
        (loaded.bpmn_xml.encode(), loaded.version) if loaded else (shipped_xml(process), 0)
    )
    spec = _parse(xml, process, process_id_of(process))
    workflow = BpmnWorkflow(spec, script_engine=ENGINE)
    workflow.data.update(data or {})
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data or {})
    return _snapshot(workflow, version)


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
    """Whether a process of that name ships with the platform or has been loaded."""
    from onestop.workflow.selectors import latest_version

    path = (PROCESSES / file_name).resolve()
    if bool(file_name) and path.parent == PROCESSES and path.is_file():
        return True
    return bool(file_name) and latest_version(name=file_name) is not None
