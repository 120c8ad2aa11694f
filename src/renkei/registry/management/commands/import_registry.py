"""`renkei import FILE [--kind …] [--encoding auto] [--commit]`: preview, then commit all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.core.audit import audit_context
from renkei.core.errors import RenkeiError
from renkei.core.files.tabular import ENCODINGS
from renkei.core.files.uploads import check_size
from renkei.registry.importexport.apply import registry_import
from renkei.registry.importexport.plan import build_plan
from renkei.registry.importexport.reading import parse_upload
from renkei.registry.importexport.rows import ERROR, NEW, UNCHANGED, UPDATE, Plan
from renkei.registry.importexport.schema import KIND_LABELS, KINDS

VIA = "command: renkei import"
# Exit status when the file or a row is wrong: the data needs fixing, not the command line.
BAD_INPUT = 2


class Command(BaseCommand):
    help = "Import organisations, relationships and contacts from CSV or Excel (preview unless --commit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--kind", choices=KINDS, help="what a CSV file holds (detected from the headers if omitted)")
        parser.add_argument("--encoding", default="auto", choices=sorted(ENCODINGS), help="text encoding of a CSV file")
        parser.add_argument("--commit", action="store_true", help="save the changes (otherwise only preview them)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=BAD_INPUT)
        try:
            check_size(path.stat().st_size)
        except RenkeiError as exc:
            raise CommandError(str(exc.message), returncode=BAD_INPUT) from exc
        with audit_context(actor=None, via=VIA):
            try:
                upload = parse_upload(
                    path.read_bytes(), filename=path.name, kind=options["kind"], encoding=options["encoding"]
                )
            except RenkeiError as exc:
                self._write_error(exc)
                raise CommandError(str(exc.message), returncode=BAD_INPUT) from exc
            plan = build_plan(user=None, upload=upload)
            self._write_plan(plan, verbose=options["verbosity"] >= 2)
            if plan.has_errors:
                bad = sum(1 for r in plan.rows if r.status == ERROR)
                raise CommandError(f"{bad} rows have errors; nothing was saved.", returncode=BAD_INPUT)
            if not options["commit"]:
                self.stdout.write("Preview only: nothing was saved. Run again with --commit to save.")
                return
            try:
                result = registry_import(user=None, upload=upload)
            except RenkeiError as exc:
                self._write_error(exc)
                raise CommandError(str(exc.message), returncode=BAD_INPUT) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name}: {result.total(NEW)} new, {result.total(UPDATE)} updated, "
                f"{result.total(UNCHANGED)} unchanged."
            )
        )

    def _write_error(self, exc: RenkeiError) -> None:
        for item in exc.items:
            where = f"row {item.row}: " if item.row is not None else ""
            self.stderr.write(f"  {where}{item.message}")

    def _write_plan(self, plan: Plan, *, verbose: bool) -> None:
        for kind, counts in plan.counts().items():
            self.stdout.write(
                f"{KIND_LABELS[kind]}: {counts[NEW]} new, {counts[UPDATE]} to update, "
                f"{counts[UNCHANGED]} unchanged, {counts[ERROR]} with errors"
            )
        for row in plan.rows:
            if row.status == ERROR:
                for error in row.errors:
                    column = f" [{error.field}]" if error.field else ""
                    self.stdout.write(f"  {row.kind} row {row.row}{column}: {error.message}")
            elif verbose and row.status != UNCHANGED:
                changes = "; ".join(f"{c}: {a} → {b}" for c, a, b in row.changes)
                self.stdout.write(f"  {row.kind} row {row.row} {row.status}: {row.label}" + (f" ({changes})" if changes else ""))
