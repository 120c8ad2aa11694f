"""Worker tasks of the incidents app: thin entry points that call services.

`send_reminders` is meant to run periodically (e.g. every 15 minutes): enqueue it from the
scheduler, or run `renkei manage incident_reminders` from cron.
"""

from __future__ import annotations

from django_tasks import task

from renkei.core.audit import audit_context


@task()
def send_reminders() -> dict[str, int]:
    """E-mail the owners of due incident tasks and the CSIRT of approaching notification deadlines."""
    from renkei.incidents.response.notification_services import reminders_send

    with audit_context(actor=None, via="task: incident reminders"):
        return reminders_send()
