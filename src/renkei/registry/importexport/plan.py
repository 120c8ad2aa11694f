"""Validate parsed rows against the database: what each row would create, change or leave alone.

Nothing here writes. The same plan is shown as the preview and rebuilt inside the commit's
transaction, so the commit acts on the database as it is then, not as it was at upload.

Upsert keys: an organisation by corporate number when the row has one, else by exact name; a
relationship by (client, provider, type); a contact by (organisation, name, role). Columns left out
of a file keep their values; an empty cell clears an optional value, except kind, criticality,
status, country, group company and corporate number, which an empty cell leaves as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from renkei.core.permissions import require
from renkei.registry.importexport import values as cells
from renkei.registry.importexport.plan_organisations import OrganisationPlanner
from renkei.registry.importexport.planner import CHUNK
from renkei.registry.importexport.reading import ParsedSheet, ParsedUpload
from renkei.registry.importexport.rows import (
    ERROR,
    NEW,
    UPDATE,
    OrgRef,
    Plan,
    RowPlan,
    choice_display,
    value_display,
)
from renkei.registry.importexport.schema import CONTACTS, ORGANISATIONS, RELATIONSHIPS
from renkei.registry.models import (
    Contact,
    ContactRole,
    Relationship,
    RelationshipType,
)
from renkei.registry.permissions import CHANGE_REGISTRY


class _Planner(OrganisationPlanner):
    """Organisations first, so that relationship and contact rows may name the ones this file adds."""

    def run(self) -> Plan:
        sheets = {s.kind: s for s in self.upload.sheets}
        if ORGANISATIONS in sheets:
            self.plan_organisations(sheets[ORGANISATIONS])
        if RELATIONSHIPS in sheets:
            self.plan_relationships(sheets[RELATIONSHIPS])
        if CONTACTS in sheets:
            self.plan_contacts(sheets[CONTACTS])
        for row in self.rows:
            if row.status != ERROR and row.instance is None:
                row.status = NEW
            elif row.status != ERROR and (row.values or row.tags is not None):
                row.status = UPDATE
        return Plan(rows=self.rows)

    # --- relationships --------------------------------------------------------------------------

    def _party(self, plan: RowPlan, sheet: ParsedSheet, raw: dict[str, str], name: str) -> OrgRef | None:
        ref, error = self.resolve(raw.get(name, ""), raw.get(f"{name}_corporate_number", ""))
        if error is not None:
            plan.fail(error, self.column(sheet, name))
        return ref

    def plan_relationships(self, sheet: ParsedSheet) -> None:
        present = set(sheet.headers)
        parsed: list[tuple[RowPlan, dict[str, Any]]] = []
        for number, raw in sheet.rows:
            plan = self.start_row(sheet, number)
            given: dict[str, Any] = {
                "client": self._party(plan, sheet, raw, "client"),
                "provider": self._party(plan, sheet, raw, "provider"),
                "type": self.parse(plan, sheet, raw, "type", lambda v: cells.choice_value(RelationshipType, v)),
            }
            if plan.status != ERROR and given["type"] is None:
                plan.fail(_("This value is required."), self.column(sheet, "type"))
            for name, convert in (
                ("service", lambda v: cells.text(v, limit=200)),
                ("start_date", cells.date_value),
                ("end_date", cells.date_value),
                ("redelegation_approved", cells.boolean_value),
            ):
                if name in present:
                    given[name] = self.parse(plan, sheet, raw, name, convert)
            plan.label = "{client} → {provider} ({type})".format(
                client=self.ref_name(given["client"]) or raw.get("client", ""),
                provider=self.ref_name(given["provider"]) or raw.get("provider", ""),
                type=choice_display(RelationshipType, given["type"]) if given["type"] else raw.get("type", ""),
            )
            parsed.append((plan, given))
        existing = self._existing(
            Relationship.objects.select_related("client", "provider"),
            "client_id",
            [g["client"] for _p, g in parsed],
            lambda r: (r.client_id, r.provider_id, r.type),
        )
        seen: dict[tuple[Any, ...], int] = {}
        for plan, given in parsed:
            if plan.status == ERROR:
                continue
            key = (given["client"], given["provider"], given["type"])
            if given["client"] == given["provider"]:
                plan.fail(_("A relationship must connect two different organisations."), self.column(sheet, "provider"))
                continue
            if key in seen:
                plan.fail(_("Duplicate of row {row}.").format(row=seen[key]))
                continue
            seen[key] = plan.row
            self._relationship_values(plan, sheet, given, existing.get(key))

    def _relationship_values(
        self, plan: RowPlan, sheet: ParsedSheet, given: dict[str, Any], instance: Relationship | None
    ) -> None:
        plan.refs = {"client": given["client"], "provider": given["provider"]}
        if instance is not None and not self._record_permitted(instance):
            plan.fail(_("This relationship cannot be changed: not found or not permitted."))
            return
        plan.instance = instance
        fields = ("service", "start_date", "end_date", "redelegation_approved")
        if instance is None:
            plan.values = {"type": given["type"], **{k: given[k] for k in fields if k in given}}
        else:
            for name in fields:
                if name in given:
                    self.diff(plan, sheet, name, getattr(instance, name), given[name], value_display)
        start = plan.values.get("start_date", getattr(instance, "start_date", None))
        end = plan.values.get("end_date", getattr(instance, "end_date", None))
        if start and end and end < start:
            plan.fail(_("The end date is before the start date."), self.column(sheet, "end_date"))

    def _record_permitted(self, record: models.Model) -> bool:
        return self.allowed is None or record.group_company_id in self.allowed  # type: ignore[attr-defined]

    def _existing(
        self,
        queryset: models.QuerySet[Any],
        lookup: str,
        refs: Iterable[OrgRef | None],
        key: Callable[[Any], tuple[Any, ...]],
    ) -> dict[tuple[Any, ...], Any]:
        """Existing records of the organisations a sheet names, keyed as the upsert key."""
        ids = sorted({r for r in refs if isinstance(r, int)})
        found: dict[tuple[Any, ...], Any] = {}
        for start in range(0, len(ids), CHUNK):
            for record in queryset.filter(**{f"{lookup}__in": ids[start : start + CHUNK]}).order_by("pk"):
                found.setdefault(key(record), record)
        return found

    # --- contacts -------------------------------------------------------------------------------

    def plan_contacts(self, sheet: ParsedSheet) -> None:
        present = set(sheet.headers)
        parsed: list[tuple[RowPlan, dict[str, Any]]] = []
        for number, raw in sheet.rows:
            plan = self.start_row(sheet, number)
            given: dict[str, Any] = {
                "organisation": self._party(plan, sheet, raw, "organisation"),
                "name": self.parse(plan, sheet, raw, "name", lambda v: cells.required_text(v, limit=100)),
                "role": self.parse(plan, sheet, raw, "role", lambda v: cells.choice_value(ContactRole, v)),
            }
            if plan.status != ERROR and given["role"] is None:
                plan.fail(_("This value is required."), self.column(sheet, "role"))
            for name, convert in (
                ("email", cells.email_value),
                ("phone", lambda v: cells.text(v, limit=40)),
                ("verified_on", cells.date_value),
            ):
                if name in present:
                    given[name] = self.parse(plan, sheet, raw, name, convert)
            plan.label = "{name} ({organisation})".format(
                name=given["name"] or raw.get("name", ""),
                organisation=self.ref_name(given["organisation"]) or raw.get("organisation", ""),
            )
            parsed.append((plan, given))
        existing = self._existing(
            Contact.objects.all(), "organisation_id", [g["organisation"] for _p, g in parsed],
            lambda c: (c.organisation_id, c.name, c.role),
        )
        seen: dict[tuple[Any, ...], int] = {}
        for plan, given in parsed:
            if plan.status == ERROR:
                continue
            key = (given["organisation"], given["name"], given["role"])
            if key in seen:
                plan.fail(_("Duplicate of row {row}.").format(row=seen[key]))
                continue
            seen[key] = plan.row
            instance = existing.get(key)
            plan.refs = {"organisation": given["organisation"]}
            if instance is not None and not self._record_permitted(instance):
                plan.fail(_("This contact cannot be changed: not found or not permitted."))
                continue
            plan.instance = instance
            fields = ("email", "phone", "verified_on")
            if instance is None:
                plan.values = {"name": given["name"], "role": given["role"], **{k: given[k] for k in fields if k in given}}
            else:
                for name in fields:
                    if name in given:
                        self.diff(plan, sheet, name, getattr(instance, name), given[name], value_display)


def build_plan(*, user: Any, upload: ParsedUpload) -> Plan:
    """Check every row and say what it would do; `user=None` is a trusted command."""
    if user is not None:
        require(user, CHANGE_REGISTRY)
    return _Planner(user, upload).run()

