"""Planning organisation rows: the upsert key (corporate number, else exact name), scope, group
companies, and what changes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from renkei.core.permissions import Action, can
from renkei.core.tenancy import default_group_company_id
from renkei.registry.importexport import values as cells
from renkei.registry.importexport.planner import CHUNK, PlannerBase
from renkei.registry.importexport.reading import ParsedSheet, ParsedUpload
from renkei.registry.importexport.rows import (
    ERROR,
    OrgRef,
    PendingOrg,
    RowPlan,
    choice_display,
    not_permitted,
)
from renkei.registry.models import (
    OUR_KINDS,
    Criticality,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)


class OrganisationPlanner(PlannerBase):
    def __init__(self, user: Any, upload: ParsedUpload) -> None:
        super().__init__(user, upload)
        # The kind each organisation row gives, by row index, for rows that name a new group company.
        self.given_kind: dict[int, str | None] = {}
        self.row_for_pk: dict[int, int] = {}
        self._default_company: list[int | None] = []

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
                show: Callable[[Any], str] = str if choices is None else functools.partial(choice_display, choices)
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

