"""Validate parsed rows against the database: what each row would create, change or leave alone.

Nothing here writes. The same plan is shown as the preview and rebuilt inside the commit's
transaction, so the commit acts on the database as it is then, not as it was at upload.

Upsert keys: an organisation by corporate number when the row has one, else by exact name; a
relationship by (client, provider, type); a contact by (organisation, name, role). Columns left out
of a file keep their values; an empty cell clears an optional value, except kind, criticality,
status, country, group company and corporate number, which an empty cell leaves as they are.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from renkei.core.errors import ErrorItem
from renkei.core.permissions import Action, allowed_company_ids, can, require
from renkei.registry.importexport import values as cells
from renkei.registry.importexport.reading import ParsedSheet, ParsedUpload
from renkei.registry.importexport.schema import CONTACTS, ORGANISATIONS, RELATIONSHIPS, SCHEMAS
from renkei.registry.models import (
    OUR_KINDS,
    Contact,
    ContactRole,
    Criticality,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Relationship,
    RelationshipType,
)
from renkei.registry.services import default_group_company_id
from renkei.registry.validators import normalise_corporate_number

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
CHUNK = 500


@dataclass(frozen=True)
class PendingOrg:
    """An organisation this import creates: the index of its row in `Plan.rows`."""

    index: int


OrgRef = int | PendingOrg


@dataclass
class RowPlan:
    """What one row does, or why it cannot."""

    kind: str
    row: int
    index: int = -1
    label: str = ""
    status: str = UNCHANGED
    errors: list[ErrorItem] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    instance: Any = None
    values: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, OrgRef] = field(default_factory=dict)
    tags: list[str] | None = None

    def fail(self, message: str, column: str | None = None) -> None:
        self.status = ERROR
        self.errors.append(ErrorItem(message=message, field=column, row=self.row))


@dataclass
class Plan:
    rows: list[RowPlan]

    @property
    def has_errors(self) -> bool:
        return any(r.status == ERROR for r in self.rows)

    def errors(self) -> list[ErrorItem]:
        return [e for r in self.rows for e in r.errors]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for row in self.rows:
            out.setdefault(row.kind, {NEW: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0})[row.status] += 1
        return out


def build_plan(*, user: Any, upload: ParsedUpload) -> Plan:
    """Check every row and say what it would do; `user=None` is a trusted command."""
    if user is not None:
        require(user, Action.CHANGE_REGISTRY)
    return _Planner(user, upload).run()


def not_permitted(value: str) -> str:
    # The same words whether the organisation is missing or outside the user's scope.
    return _("Organisation '{value}' not found or not permitted.").format(value=value)


class _Planner:
    def __init__(self, user: Any, upload: ParsedUpload) -> None:
        self.user = user
        self.upload = upload
        self.allowed = allowed_company_ids(user) if user is not None else None
        self.language = translation.get_language() or "ja"
        self.rows: list[RowPlan] = []
        self._index_organisations()
        # Organisations as they will be after this import, for rows that refer to them.
        self.planned_by_number: dict[str, OrgRef] = {}
        self.planned_by_name: dict[str, list[OrgRef]] = defaultdict(list)
        self.renamed: set[int] = set()
        # The kind each organisation row gives, by row index, for rows that name a new group company.
        self.given_kind: dict[int, str | None] = {}
        self._default_company: list[int | None] = []
        self.row_for_pk: dict[int, int] = {}

    # --- shared helpers -------------------------------------------------------------------------

    def _index_organisations(self) -> None:
        self.org_name: dict[int, str] = {}
        self.org_number: dict[int, str] = {}
        self.org_company: dict[int, int | None] = {}
        self.org_kind: dict[int, str] = {}
        self.by_number: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        rows = Organisation.objects.values_list("pk", "name", "corporate_number", "group_company_id", "kind")
        for pk, name, number, company, kind in rows.iterator(chunk_size=5000):
            self.org_name[pk], self.org_number[pk], self.org_company[pk], self.org_kind[pk] = name, number, company, kind
            if number:
                self.by_number[number] = pk
            self.by_name[name].append(pk)

    def permitted(self, pk: int) -> bool:
        return self.allowed is None or self.org_company.get(pk) in self.allowed

    def column(self, sheet: ParsedSheet, name: str) -> str:
        """The header a field had in the file, or its usual header when the file lacks the column."""
        return sheet.headers.get(name) or SCHEMAS[sheet.kind].column(name).header(self.language)

    def parse(
        self, plan: RowPlan, sheet: ParsedSheet, raw: dict[str, str], name: str, convert: Callable[[str], Any]
    ) -> Any:
        try:
            return convert(raw.get(name, ""))
        except cells.CellError as exc:
            plan.fail(exc.message, self.column(sheet, name))
            return None

    def ref_name(self, ref: OrgRef | None) -> str:
        if ref is None:
            return ""
        if isinstance(ref, PendingOrg):
            return self.rows[ref.index].label
        return self.org_name.get(ref, "")

    def resolve(self, name: str, number: str = "") -> tuple[OrgRef | None, str | None]:
        """An organisation the user may see (or one this import creates) by corporate number or name."""
        name = (name or "").strip()
        try:
            number = cells.corporate_number_value(number) if number.strip() else ""
        except cells.CellError as exc:
            return None, exc.message
        if not number and re.fullmatch(r"\d{13}", normalise_corporate_number(name)):
            number = normalise_corporate_number(name)
        shown = name or number
        if not shown:
            return None, _("This value is required.")
        if number:
            planned = self.planned_by_number.get(number)
            if planned is not None:
                return planned, None
            pk = self.by_number.get(number)
            if pk is not None and self.permitted(pk):
                return pk, None
            return None, not_permitted(shown)
        candidates: list[OrgRef] = list(self.planned_by_name.get(name, []))
        candidates += [
            pk for pk in self.by_name.get(name, []) if self.permitted(pk) and pk not in self.renamed and pk not in candidates
        ]
        if len(candidates) == 1:
            return candidates[0], None
        if len(candidates) > 1:
            return None, _("Several organisations are named '{name}'; give the corporate number.").format(name=name)
        return None, not_permitted(name)

    def diff(self, plan: RowPlan, sheet: ParsedSheet, name: str, old: Any, new: Any, show: Callable[[Any], str]) -> None:
        if old != new:
            plan.values[name] = new
            plan.changes.append((self.column(sheet, name), show(old), show(new)))

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

    def start_row(self, sheet: ParsedSheet, number: int) -> RowPlan:
        plan = RowPlan(kind=sheet.kind, row=number, index=len(self.rows))
        for problem_row, message in sheet.problems:
            if problem_row == number:
                plan.fail(message)
        self.rows.append(plan)
        return plan

    # --- organisations --------------------------------------------------------------------------

    def plan_organisations(self, sheet: ParsedSheet) -> None:
        present = set(sheet.headers)
        drafts: list[tuple[RowPlan, dict[str, Any], dict[str, str]]] = []
        seen: dict[tuple[str, Any], int] = {}
        for number, raw in sheet.rows:
            plan = self.start_row(sheet, number)
            given: dict[str, Any] = {
                "name": self.parse(plan, sheet, raw, "name", lambda v: cells.required_text(v, limit=200)),
            }
            converters: dict[str, Callable[[str], Any]] = {
                "name_reading": lambda v: cells.text(v, limit=200),
                "corporate_number": cells.corporate_number_value,
                "kind": lambda v: cells.choice_value(OrganisationKind, v),
                "country": cells.country_value,
                "address": lambda v: cells.text(v, limit=300),
                "web_domains": cells.domains_value,
                "criticality": lambda v: cells.choice_value(Criticality, v),
                "status": lambda v: cells.choice_value(OrganisationStatus, v),
                "tags": cells.tags_value,
                "notes": cells.text,
            }
            for name, convert in converters.items():
                if name in present:
                    given[name] = self.parse(plan, sheet, raw, name, convert)
            plan.label = given["name"] or raw.get("name", "")
            if plan.status != ERROR:
                self._match_organisation(plan, sheet, given, seen)
            drafts.append((plan, given, raw))
            self.given_kind[plan.index] = given.get("kind")
            self._register_planned(plan, given)
        self._fetch_instances([p for p, _g, _r in drafts])
        for plan, given, raw in drafts:
            if plan.status != ERROR:
                self._organisation_values(plan, sheet, given, raw)

    def _match_organisation(
        self, plan: RowPlan, sheet: ParsedSheet, given: dict[str, Any], seen: dict[tuple[str, Any], int]
    ) -> None:
        name, number = given["name"], given.get("corporate_number") or ""
        candidates: list[int]
        if number and number in self.by_number:
            candidates = [self.by_number[number]]
        elif number:
            candidates = [pk for pk in self.by_name.get(name, []) if not self.org_number[pk]]
        else:
            candidates = list(self.by_name.get(name, []))
        allowed = [pk for pk in candidates if self.permitted(pk)]
        target: int | None = None
        if len(allowed) == 1:
            target = allowed[0]
        elif len(allowed) > 1:
            plan.fail(_("Several organisations are named '{name}'; give the corporate number.").format(name=name),
                      self.column(sheet, "name"))
            return
        elif candidates:
            plan.fail(not_permitted(number or name), self.column(sheet, "corporate_number" if number else "name"))
            return
        identities: list[tuple[str, Any]]
        if target is not None:
            identities = [("pk", target)]
        elif number:
            identities = [("number", number)]
        else:
            identities = [("name", name)]
        for identity in identities:
            if identity in seen:
                plan.fail(_("Duplicate of row {row}.").format(row=seen[identity]))
                return
        if target is None and not number and ("new-name", name) in seen:
            plan.fail(_("Duplicate of row {row}.").format(row=seen[("new-name", name)]))
            return
        for identity in identities:
            seen[identity] = plan.row
        if target is None:
            seen.setdefault(("new-name", name), plan.row)
        plan.instance = target  # replaced by the object in _fetch_instances

    def _register_planned(self, plan: RowPlan, given: dict[str, Any]) -> None:
        name, number = given.get("name"), given.get("corporate_number") or ""
        if not name:
            return
        if plan.status == ERROR and (number in self.by_number or name in self.by_name):
            # Other rows find the registered organisation directly; a second candidate would only
            # add a misleading "several organisations" error next to this row's real one.
            return
        ref: OrgRef = plan.instance if isinstance(plan.instance, int) else PendingOrg(plan.index)
        if isinstance(ref, int):
            self.row_for_pk[ref] = plan.index
            if self.org_name.get(ref) != name:
                self.renamed.add(ref)
        if ref not in self.planned_by_name[name]:
            self.planned_by_name[name].append(ref)
        if number:
            self.planned_by_number.setdefault(number, ref)

    def _fetch_instances(self, plans: list[RowPlan]) -> None:
        ids = [p.instance for p in plans if isinstance(p.instance, int)]
        found: dict[int, Organisation] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = Organisation.objects.filter(pk__in=ids[start : start + CHUNK]).prefetch_related("tags")
            found.update({o.pk: o for o in chunk})
        for plan in plans:
            if isinstance(plan.instance, int):
                plan.instance = found[plan.instance]

    def _resolve_company(self, value: str) -> tuple[OrgRef | None, str | None]:
        """One of our group companies by corporate number or name, within the user's scope."""
        ref, error = self.resolve(value)
        if error is not None or ref is None:
            return None, error
        if isinstance(ref, PendingOrg):
            kind = self.given_kind.get(ref.index)
        else:
            kind = self.given_kind.get(self._row_of(ref)) or self.org_kind.get(ref)
        if kind not in OUR_KINDS:
            return None, _("'{value}' is not one of our group companies.").format(value=value)
        if isinstance(ref, PendingOrg) and self.allowed is not None:
            return None, not_permitted(value)
        return ref, None

    def _organisation_values(self, plan: RowPlan, sheet: ParsedSheet, given: dict[str, Any], raw: dict[str, str]) -> None:
        instance: Organisation | None = plan.instance
        kind = given.get("kind") or (instance.kind if instance is not None else None)
        company_ref: OrgRef | None = None
        company_text = raw.get("group_company", "").strip() if "group_company" in sheet.headers else ""
        if company_text and kind not in OUR_KINDS:
            company_ref, error = self._resolve_company(company_text)
            if error is not None:
                plan.fail(error, self.column(sheet, "group_company"))
                return
        if instance is None:
            self._new_organisation(plan, sheet, given, kind, company_ref)
        else:
            self._changed_organisation(plan, sheet, given, instance, kind, company_ref)

    def _new_organisation(
        self, plan: RowPlan, sheet: ParsedSheet, given: dict[str, Any], kind: str | None, company: OrgRef | None
    ) -> None:
        if not kind:
            plan.fail(_("Give the kind of a new organisation."), self.column(sheet, "kind"))
            return
        if kind in OUR_KINDS and self.user is not None and not can(self.user, Action.ADMINISTER):
            plan.fail(_("Only an administrator can add our own group companies."), self.column(sheet, "kind"))
            return
        if kind == OrganisationKind.OWN:
            other = self._own_name(before=plan.index)
            if other is not None:
                plan.fail(_("The own company is already registered: {name}").format(name=other), self.column(sheet, "kind"))
                return
        elif company is None and self._default_company_id() is None and self._own_name(before=None) is None:
            plan.fail(_("Register the own company first."), self.column(sheet, "group_company"))
            return
        plan.values = {k: v for k, v in given.items() if k != "tags" and v not in (None, "")}
        plan.values["kind"] = kind
        if company is not None:
            plan.refs["group_company"] = company
        if given.get("tags"):
            plan.tags = given["tags"]

    def _own_name(self, *, before: int | None) -> str | None:
        """The own company registered already, or added by an earlier row of this import."""
        for pk, kind in self.org_kind.items():
            if kind == OrganisationKind.OWN:
                return self.org_name[pk]
        for index, given_kind in self.given_kind.items():
            row = self.rows[index]
            if given_kind == OrganisationKind.OWN and row.instance is None and (before is None or index < before):
                return row.label
        return None

    def _default_company_id(self) -> int | None:
        if not self._default_company:
            self._default_company.append(default_group_company_id(self.user))
        return self._default_company[0]

    def _row_of(self, pk: int) -> int:
        """The index of the row that updates an existing organisation, or -1."""
        return self.row_for_pk.get(pk, -1)

    def _changed_organisation(
        self,
        plan: RowPlan,
        sheet: ParsedSheet,
        given: dict[str, Any],
        instance: Organisation,
        kind: str | None,
        company: OrgRef | None,
    ) -> None:
        labels: dict[str, type[models.TextChoices]] = {
            "kind": OrganisationKind,
            "criticality": Criticality,
            "status": OrganisationStatus,
        }
        for name in ("name", "name_reading", "address", "web_domains", "notes"):
            if name in given and given[name] is not None:
                self.diff(plan, sheet, name, getattr(instance, name), given[name], str)
        for name in ("corporate_number", "country", "kind", "criticality", "status"):
            if given.get(name):
                choices = labels.get(name)
                show: Callable[[Any], str] = str if choices is None else functools.partial(_label, choices)
                self.diff(plan, sheet, name, getattr(instance, name), given[name], show)
        if kind in OUR_KINDS and instance.kind not in OUR_KINDS and self.user is not None and not can(
            self.user, Action.ADMINISTER
        ):
            plan.fail(_("Only an administrator can add our own group companies."), self.column(sheet, "kind"))
        if instance.kind in OUR_KINDS and kind not in OUR_KINDS and Organisation.objects.filter(
            group_company_id=instance.pk
        ).exclude(pk=instance.pk).exists():
            plan.fail(_("This group company still manages other records; move them first."), self.column(sheet, "kind"))
        if kind == OrganisationKind.OWN and instance.kind != OrganisationKind.OWN:
            other = self._own_name(before=plan.index)
            if other is not None:
                plan.fail(_("The own company is already registered: {name}").format(name=other), self.column(sheet, "kind"))
        if company is not None and company != instance.group_company_id:
            plan.refs["group_company"] = company
            plan.values["group_company"] = company
            plan.changes.append(
                (self.column(sheet, "group_company"), self.ref_name(instance.group_company_id), self.ref_name(company))
            )
        if "tags" in given and given["tags"] is not None:
            current = sorted(t.name for t in instance.tags.all())
            if current != given["tags"]:
                plan.tags = given["tags"]
                plan.changes.append((self.column(sheet, "tags"), ", ".join(current), ", ".join(given["tags"])))

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
                type=_label(RelationshipType, given["type"]) if given["type"] else raw.get("type", ""),
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
                    self.diff(plan, sheet, name, getattr(instance, name), given[name], _show)
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
                        self.diff(plan, sheet, name, getattr(instance, name), given[name], _show)


def _label(choices: type[models.TextChoices], value: Any) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
