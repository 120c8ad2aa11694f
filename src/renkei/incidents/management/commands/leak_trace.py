"""`renkei leak trace FILE [--json]`: whose copy of our data a leaked file is, or that it is not ours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.core.errors import RenkeiError
from renkei.incidents.leaks.services import leak_trace, max_leak_bytes


class Command(BaseCommand):
    help = "Trace a leaked file (CSV, .xlsx or text) against the ledger of datasets we shared."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the leaked file")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a text report")
        parser.add_argument("--encoding", default="auto", help="text encoding: auto (default), utf-8 or cp932")
        parser.add_argument("--workers", type=int, help="processes that fingerprint a large file (default: CPUs)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            if path.stat().st_size > max_leak_bytes():
                raise CommandError(f"{path} is larger than RENKEI_MAX_LEAK_BYTES ({max_leak_bytes():,} bytes).")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        try:
            # The command runs as the system: it traces against every dataset in the ledger.
            result = leak_trace(
                user=None, data=data, filename=path.name, encoding=options["encoding"], workers=options["workers"]
            )
        except RenkeiError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
            return
        self.report(result)

    def report(self, r: dict[str, Any]) -> None:
        w = self.stdout.write
        mode = {"csv": "CSV", "xlsx": "Excel", "text": "text (e-mails and phone numbers)"}[r["mode"]]
        rows = "1 row" if r["rows_total"] == 1 else f"{r['rows_total']:,} rows"
        w(f"{r['filename']}: {rows}, read as {mode}; compared with {r['datasets_compared']:,} datasets")
        if r["skipped_datasets"]:
            w(f"  {r['skipped_datasets']} datasets were fingerprinted with another key and not compared.")
        if r["canary_recipients"]:
            names = ", ".join(x["recipient"] for x in r["canary_recipients"])
            w(f"CONCLUSIVE: canary rows of {names} found; this copy came from what we sent them.")
        elif r["tie"]:
            names = ", ".join(x["recipient"] for x in r["recipients"] if x["recipient_id"] in r["tie"])
            w(f"INCONCLUSIVE: a tie between {names}, {r['recipients'][0]['rows']:,} rows each.")
        elif r["recipients"]:
            top = r["recipients"][0]
            w(f"No canary rows found. Most rows match what we sent to {top['recipient']} ({top['rows']:,} rows).")
        else:
            w("Nothing in this file matches what we shared.")
        for point in r["conclusion"]["points"]["en"]:
            w(f"  {point}")
        for c in r["canaries"]:
            kind = ("conclusive: " if c["conclusive"] else "one field only: ") + ", ".join(c["kinds"])
            w(f"  canary at row {c['row']}: {c['value']} ({kind}) — {c['recipient']}, {c['dataset']} ({c['shared_on']})")
        if r["recipients"]:
            w("Recipients ranked by matching rows:")
        for rec in r["recipients"]:
            kinds = ", ".join(f"{k} {n:,}" for k, n in rec["rows_by_kind"].items() if n)
            w(f"  {rec['rank']}. {rec['recipient']}: {rec['rows']:,} rows ({kinds}); only they were sent {rec['exclusive_rows']:,}")
            for d in rec["datasets"]:
                method = f", {d['method']}" if d.get("method") else ""
                w(f"       {d.get('name', '')} ({d.get('shared_on', '')}{method}): {d['rows']:,} rows")
            for e in rec["examples"][:3]:
                w(f"       row {e['row']} [{'+'.join(e['matched'])}]: {' | '.join(e['values'])}")
        w(f"Rows that match nothing we shared: {r['unmatched_count']:,}")
        for e in r["unmatched_rows"][:5]:
            w(f"  row {e['row']}: {' | '.join(e['values'])}")
