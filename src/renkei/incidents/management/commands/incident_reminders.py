"""`renkei manage incident_reminders`: send due-task and deadline reminders now (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from renkei.core.audit import audit_context
from renkei.incidents.response.notification_services import reminders_send


class Command(BaseCommand):
    help = "E-mail owners of due incident tasks and the CSIRT of approaching notification deadlines."

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(actor=None, via="command: incident_reminders"):
            sent = reminders_send()
        self.stdout.write(f"tasks: {sent['tasks']}, notifications: {sent['notifications']}")
