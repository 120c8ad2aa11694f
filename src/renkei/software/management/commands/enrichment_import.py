"""`renkei kev import FILE` / `renkei epss import FILE`: load the CISA KEV catalogue (JSON or CSV)
or FIRST EPSS scores (CSV, gzipped or not), replacing what that source had loaded."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.core.audit import audit_context
from renkei.core.errors import RenkeiError
from renkei.software.enrichment.models_kev_epss import EnrichmentImport
from renkei.software.enrichment.services_kev_epss import enrichment_import_run, enrichment_import_start

# Exit status when the data is wrong: the file needs fixing, not the command line.
BAD_INPUT = 2


class Command(BaseCommand):
    help = "Import the CISA KEV catalogue or FIRST EPSS scores (offline files) into the vulnerability database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["kev", "epss"])
        parser.add_argument("path", help="known_exploited_vulnerabilities.json/.csv, or epss_scores-….csv(.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with audit_context(actor=None, via=f"command: renkei {options['kind']} import"):
            try:
                run = enrichment_import_start(user=None, kind=options["kind"], path=options["path"], enqueue=False)
            except RenkeiError as exc:
                raise CommandError(str(exc.message), returncode=BAD_INPUT) from exc
            run = enrichment_import_run(import_id=run.pk, progress=self._progress)
        if self.stdout.isatty():
            self.stdout.write("")
        if run.status != "done":
            for line in run.error.splitlines():
                self.stderr.write(f"  {line}")
            raise CommandError("The import failed; nothing was changed.", returncode=BAD_INPUT)
        seconds = time.monotonic() - started
        dated = f", file date {run.file_date:%Y-%m-%d}" if run.file_date else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {run.records:,} records in {seconds:.1f} s{dated}: "
                f"{run.matched:,} vulnerabilities in the database updated."
            )
        )

    def _progress(self, run: EnrichmentImport) -> None:
        line = f"{run.processed:,}/{run.total:,} records"
        if self.stdout.isatty():
            self.stdout.write(f"\r{line}", ending="")
        else:
            self.stdout.write(line)
