"""`renkei export FILE.xlsx|FILE.csv [--kind …] [--language ja|en]`: the registry in the import format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.registry.importexport import writing
from renkei.registry.importexport.schema import KINDS


class Command(BaseCommand):
    help = "Export organisations, relationships and contacts to Excel (all sheets) or CSV (one kind)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="FILE.xlsx or FILE.csv")
        parser.add_argument("--kind", choices=KINDS, help="one kind only (required for CSV)")
        parser.add_argument("--language", choices=["ja", "en"], default="ja", help="language of headers and labels")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        kind, language = options["kind"], options["language"]
        suffix = path.suffix.lower()
        if suffix == ".csv":
            if kind is None:
                raise CommandError("Name the kind of records for a CSV file: --kind " + "|".join(KINDS))
            content = writing.write_csv(user=None, kind=kind, language=language)
        elif suffix == ".xlsx":
            content = writing.write_xlsx(user=None, language=language, kinds=(kind,) if kind else KINDS)
        else:
            raise CommandError("The file name must end in .xlsx or .csv.")
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Exported to {path}"))
