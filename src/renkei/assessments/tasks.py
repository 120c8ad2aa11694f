"""Worker task of the assessments app: reminders, a thin entry point that calls `reminders_send`.
The campaign launch task is in `campaigns/tasks.py`."""

from __future__ import annotations

from django_tasks import task

from renkei.core.audit import audit_context


@task()
def send_reminders() -> dict[str, int]:
    """Assessment, follow-up and certification reminders (queued periodically by the worker)."""
    from renkei.assessments.reminders import reminders_send

    with audit_context(actor=None, via="task: assessment reminders"):
        return reminders_send()
