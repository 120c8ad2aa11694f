"""`renkei osv import PATH...`: load OSV records (directories, all.zip files, JSON/YAML files)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.core.audit import audit_context
from renkei.core.errors import RenkeiError
from renkei.software.findings.services import findings_recompute
from renkei.software.models import OsvImport
from renkei.software.vulndb.services import osv_import_run, osv_import_start

VIA = "command: renkei osv import"
# Exit status when the data is wrong: the files need fixing, not the command line.
BAD_INPUT = 2


class Command(BaseCommand):
    help = "Import OSV vulnerability records into the offline database (incremental by `modified`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="directories, osv.dev all.zip files or single .json/.yaml files")
        parser.add_argument(
            "--no-recompute", action="store_true", help="do not recompute the findings of every release afterwards"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with audit_context(actor=None, via=VIA):
            try:
                run = osv_import_start(user=None, paths=options["paths"], enqueue=False)
            except RenkeiError as exc:
                raise CommandError(str(exc.message), returncode=BAD_INPUT) from exc
            # The command does the work itself: no worker needed.
            run = osv_import_run(import_id=run.pk, progress=self._progress, recompute=False)
            if self.stdout.isatty():
                self.stdout.write("")
            if run.status != "done":
                for line in run.error.splitlines():
                    self.stderr.write(f"  {line}")
                raise CommandError("The import failed; nothing was saved.", returncode=BAD_INPUT)
            seconds = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {run.total} records in {seconds:.1f} s: {run.created_count} new, "
                    f"{run.updated_count} updated, {run.skipped_count} unchanged."
                )
            )
            if options["no_recompute"] or not (run.created_count or run.updated_count):
                return
            counts = findings_recompute()
        self.stdout.write(
            f"Findings recomputed for {counts['releases']} releases: {counts['created']} new, "
            f"{counts['resolved']} no longer matched."
        )

    def _progress(self, run: OsvImport) -> None:
        # One line rewritten in place on a terminal; plain lines in a log.
        line = f"{run.processed}/{run.total} records ({run.created_count} new, {run.updated_count} updated, " \
               f"{run.skipped_count} unchanged)"
        if self.stdout.isatty():
            self.stdout.write(f"\r{line}", ending="")
        else:
            self.stdout.write(line)
