"""`renkei sbom search NAME [--ecosystem E] [--range R] [--json]`: which suppliers delivered it?"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.core.errors import RenkeiError
from renkei.software.portfolio.selectors import portfolio_search, portfolio_summary

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Which releases, products and suppliers contain a package (current SBOMs only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="package name (compared as its ecosystem does) or package URL")
        parser.add_argument("--ecosystem", help="OSV ecosystem name: PyPI, npm, Maven, Go, crates.io …")
        parser.add_argument("--range", dest="version_range", help="version range, e.g. '>=1.0,<2.0'")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            # The command runs with the whole group's view (user=None), like every other command.
            hits = portfolio_search(
                user=None,
                name=options["name"],
                ecosystem=options["ecosystem"],
                version_range=options["version_range"],
            )
        except RenkeiError as exc:
            raise CommandError(str(exc.message), returncode=BAD_INPUT) from exc
        summary = portfolio_summary(hits)
        if options["json"]:
            data = {**summary, "items": [h.as_dict() for h in hits]}
            self.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
            return
        if not hits:
            self.stdout.write(f"No current SBOM contains {options['name']}.")
            return
        rows = [
            (h.supplier_name, h.product_name, h.release_version, h.ecosystem or "-", f"{h.name} {h.version}".strip(),
             "?" if h.in_range is None else "")
            for h in hits
        ]
        headers = ("Supplier", "Product", "Release", "Ecosystem", "Component", "")
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
        for row in [headers, *rows]:
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write(
            f"{summary['components']} components in {summary['releases']} releases of {summary['products']} "
            f"products from {summary['suppliers']} suppliers."
        )
        if any(h.in_range is None for h in hits):
            self.stdout.write("?: the version could not be compared with the range (check it by hand).")
