"""Periodic jobs for the worker (reminders and other time-driven work).

django-tasks has no scheduler, so `renkei worker` runs a small loop beside the task worker that
queues each job when its interval has passed. A conditional UPDATE claims each run, so several
worker processes on one database queue a job once per interval.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str  # dotted path of a django-tasks task
    every: dt.timedelta


JOBS: tuple[Job, ...] = (
    Job("incident_reminders", "renkei.incidents.tasks.send_reminders", dt.timedelta(minutes=15)),
    Job("assessment_reminders", "renkei.assessments.tasks.send_reminders", dt.timedelta(hours=1)),
)


def claim(job: Job, *, now: dt.datetime | None = None) -> bool:
    """Whether this process won the right to queue `job` now."""
    from renkei.core.models import PeriodicJob

    now = now or timezone.now()
    PeriodicJob.objects.get_or_create(name=job.name)
    due = Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=now - job.every)
    return PeriodicJob.objects.filter(due, name=job.name).update(last_enqueued_at=now) == 1


def run_due_jobs(*, jobs: tuple[Job, ...] = JOBS, enqueue: Callable[[str], object] | None = None) -> list[str]:
    """Queue every job whose interval has passed; returns the names queued."""
    queued = []
    for job in jobs:
        if claim(job):
            (enqueue or (lambda path: import_string(path).enqueue()))(job.task_path)
            queued.append(job.name)
    return queued


def start_in_background(*, poll_seconds: int = 60) -> threading.Thread:
    """Run `run_due_jobs` every `poll_seconds` in a daemon thread of the worker process."""

    def loop() -> None:
        stop = threading.Event()
        while not stop.wait(poll_seconds):
            try:
                run_due_jobs()
            except Exception:  # noqa: BLE001 - a failed round must not stop the scheduler
                logger.exception("periodic jobs failed")
            finally:
                close_old_connections()

    thread = threading.Thread(target=loop, name="renkei-scheduler", daemon=True)
    thread.start()
    return thread
