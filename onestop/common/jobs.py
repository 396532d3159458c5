"""Background jobs by task name: Celery in production, a thread of this process otherwise.

A service enqueues a task by its name (``enqueue("contributions.declaration_upload",
upload.pk)``) and never imports the task, so the arrow points one way (tasks call services).
The job starts once the caller's transaction has committed, so it reads what the caller
wrote. With a broker (``CELERY_BROKER_URL``) the task goes to its queue
(``CELERY_TASK_ROUTES``); without one (the embedded default: ``onestop demo``, tests) it runs
in a daemon thread of this process, with its own database connection. Tasks take ids and are
idempotent: a task run twice does its work once.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connections, transaction

log = logging.getLogger("onestop.jobs")

_threads: dict[threading.Thread, tuple[str, tuple[Any, ...]]] = {}
_lock = threading.Lock()
_tasks_lock = threading.Lock()
_tasks_imported = False


def _import_tasks(app: Any) -> None:
    """Import the contexts' tasks modules, once per process. One thread at a time: Celery's
    discovery returns nothing to a second thread while a first is at it (its race guard),
    and a job started then found its task missing (two jobs enqueued by one commit)."""
    global _tasks_imported
    with _tasks_lock:
        if not _tasks_imported:
            app.loader.import_default_modules()
            _tasks_imported = True


def _run(name: str, args: tuple[Any, ...]) -> None:
    from celery import current_app

    try:
        _import_tasks(current_app)
        current_app.tasks[name].apply(args=args, throw=True)
    except Exception:  # a failing job must not take the server down; it logs its own story
        log.exception("background job %s%r failed", name, args)
    finally:
        connections.close_all()  # this thread's connections
        with _lock:
            _threads.pop(threading.current_thread(), None)


def _start(name: str, args: tuple[Any, ...]) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        thread = threading.Thread(
            target=_run, args=(name, args), name=f"onestop-job-{name}", daemon=True
        )
        with _lock:
            _threads[thread] = (name, args)
        thread.start()
        return
    from celery import current_app

    current_app.send_task(name, args=list(args))


def enqueue(name: str, *args: Any) -> None:
    """Run the task ``name`` with ``args`` in the background after the current transaction
    commits (at once outside a transaction)."""
    transaction.on_commit(lambda: _start(name, args))


def in_process() -> bool:
    """Jobs run in this process's threads (no broker): a job that is not running here after
    a restart is lost, and may be enqueued again (tasks are idempotent)."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def running(name: str, *args: Any) -> bool:
    """Is the job ``name(*args)`` running in a thread of this process?"""
    with _lock:
        return (name, args) in _threads.values()


def wait(timeout: float | None = None) -> bool:
    """Wait for this process's job threads (a server stopping, a test); True when none is
    left running."""
    with _lock:
        running = list(_threads)
    for thread in running:
        thread.join(timeout)
    with _lock:
        return not any(t.is_alive() for t in _threads)
