"""`renkei nvd import PATH...` and `renkei jvn import PATH...` (`renkei manage nvd_jvn_import nvd|jvn PATH...`): load NVD CVE JSON 2.0 feeds or JVN iPedia / MyJVN XML."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.core.audit import audit_context
from renkei.core.errors import RenkeiError
from renkei.software.enrichment.models_nvd_jvn import NvdJvnImport
from renkei.software.enrichment.services_nvd_jvn import nvd_jvn_import_run, nvd_jvn_import_start
from renkei.software.findings.services import findings_recompute

VIA = "command: renkei nvd|jvn import"
BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Import offline enrichment data: 'nvd' reads NVD CVE JSON 2.0 feed files (nvdcve-2.0-*.json[.gz]: "
        "CVSS ratings and CWE ids), 'jvn' reads JVN iPedia / MyJVN XML (Japanese titles and summaries). "
        "Idempotent and incremental; an invalid file fails the import and nothing is saved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["nvd", "jvn"], help="nvd or jvn")
        parser.add_argument("paths", nargs="+", help="files or directories of feed files")
        parser.add_argument(
            "--no-recompute", action="store_true", help="do not recompute the findings of every release afterwards"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with audit_context(actor=None, via=VIA):
            try:
                run = nvd_jvn_import_start(user=None, kind=options["kind"], paths=options["paths"], enqueue=False)
            except RenkeiError as exc:
                raise CommandError(str(exc.message), returncode=BAD_INPUT) from exc
            self.stdout.write("Reading and checking the files …")
            run = nvd_jvn_import_run(import_id=run.pk, progress=self._progress, recompute=False)
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
            if options["no_recompute"] or options["kind"] != "nvd" or not (run.created_count or run.updated_count):
                return
            counts = findings_recompute()
        self.stdout.write(
            f"Findings recomputed for {counts['releases']} releases: {counts['updated']} updated."
        )

    def _progress(self, run: NvdJvnImport) -> None:
        line = f"{run.processed}/{run.total} records ({run.created_count} new, {run.updated_count} updated, " \
               f"{run.skipped_count} unchanged)"
        if self.stdout.isatty():
            self.stdout.write(f"\r{line}", ending="")
        else:
            self.stdout.write(line)
