"""`renkei worker`: the task worker plus the periodic-job scheduler."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from renkei.core.scheduler import run_due_jobs, start_in_background


class Command(BaseCommand):
    help = "Run the background task worker and queue periodic jobs (reminders) when they are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="only run tasks, queue no periodic jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_scheduler"]:
            run_due_jobs()
            start_in_background()
        call_command("db_worker", queue_name="*")
