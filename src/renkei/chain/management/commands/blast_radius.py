"""`renkei blast-radius NAME_OR_ID [--json]`."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from renkei.chain.api import blast_radius_dict
from renkei.chain.selectors import blast_radius
from renkei.registry.models import Organisation


def _count(value: int | None, at_least: int) -> str:
    """A record count; an unknown one reads "unknown", never 0 (with what the known counts prove)."""
    if value is not None:
        return f"{value:,}"
    return f"unknown (at least {at_least:,})" if at_least else "unknown"


class Command(BaseCommand):
    help = "What of ours is exposed if a party is breached, and whom to tell."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("party", help="organisation id, corporate number or (part of) its name")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a text report")

    def find(self, key: str) -> Organisation:
        if key.isdigit():
            org = Organisation.objects.filter(Q(pk=int(key)) | Q(corporate_number=key)).first()
            if org:
                return org
        exact = list(Organisation.objects.filter(Q(name=key) | Q(name_reading=key))[:2])
        if len(exact) == 1:
            return exact[0]
        matches = list(Organisation.objects.filter(name__icontains=key).order_by("name")[:6])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise CommandError(f"No organisation matches '{key}'.")
        names = ", ".join(f"{m.pk}: {m.name}" for m in matches[:5])
        raise CommandError(f"'{key}' matches several organisations ({names}); give the id.")

    def handle(self, *args: Any, **options: Any) -> None:
        party = self.find(options["party"])
        data = blast_radius_dict(blast_radius(user=None, party=party))
        if options["json"]:
            self.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
            return
        w = self.stdout.write
        w(f"Blast radius of {party.name} (id {party.pk}, tier {data['party']['tier']})")
        w(f"Exposed records (each counted once): {_count(data['exposed_records'], data['exposed_records_at_least'])}")
        w("Information assets exposed:")
        for a in data["exposed_assets"]:
            holders = ", ".join(h["name"] for h in a["holders"])
            total = f" of {a['total_records']:,}" if a["total_records"] is not None else ""
            w(f"  - {a['name']}: {_count(a['exposed_records'], a['records_at_least'])}{total} records; held by {holders}")
        if not data["exposed_assets"]:
            w("  (none)")
        chain = " → ".join(o["name"] for o in data["notice_chain"]) or "(not connected to us)"
        w(f"Notice chain: {chain}")
        w("Downstream parties: " + (", ".join(o["name"] for o in data["downstream"]) or "(none)"))
        w("Group companies affected: " + (", ".join(o["name"] for o in data["affected_group_companies"]) or "(none)"))
        w("Access to our systems:")
        for row in data["access"]:
            w(f"  - {row['organisation']}: {row['system']} ({row['level_label']}, {row['accounts']} accounts)")
        if not data["access"]:
            w("  (none)")
