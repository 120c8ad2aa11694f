"""Commit an import: every row through the registry services in one transaction, or nothing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from renkei.core.errors import ErrorItem, RenkeiError
from renkei.registry.importexport.plan import build_plan
from renkei.registry.importexport.reading import ParsedUpload
from renkei.registry.importexport.rows import ERROR, NEW, UPDATE, OrgRef, PendingOrg, Plan, RowPlan
from renkei.registry.importexport.schema import CONTACTS, KIND_LABELS, ORGANISATIONS, RELATIONSHIPS
from renkei.registry.models import OUR_KINDS, Contact, Organisation, Relationship
from renkei.registry.services import contact_save, organisation_save, relationship_save


@dataclass
class ImportResult:
    counts: dict[str, dict[str, int]]

    def total(self, status: str) -> int:
        return sum(c.get(status, 0) for c in self.counts.values())


def plan_error(plan: Plan) -> RenkeiError:
    """One error listing every row's problems, for a plan that cannot be committed."""
    bad_rows = sum(1 for r in plan.rows if r.status == ERROR)
    return RenkeiError.from_items(
        _("{count} rows have errors; nothing was saved.").format(count=bad_rows), plan.errors()
    )


def registry_import(*, user: Any, upload: ParsedUpload) -> ImportResult:
    """Create and update organisations, relationships and contacts from a parsed file, all or nothing.

    The plan is rebuilt inside the transaction, so the commit acts on the database as it is now.
    Rows that change nothing are not written and leave no audit entry. `user=None` is a trusted
    command; run it inside `audit_context` so the audit trail names the command.
    """
    with transaction.atomic():
        plan = build_plan(user=user, upload=upload)
        if plan.has_errors:
            raise plan_error(plan)
        created: dict[int, Organisation] = {}
        organisations = [r for r in plan.rows if r.kind == ORGANISATIONS and r.status in (NEW, UPDATE)]
        # Our group companies first: other rows of the same file may be filed under them.
        organisations.sort(key=lambda r: (_kind_after(r) not in OUR_KINDS, r.row))
        for row in organisations:
            _run(row, functools.partial(_save_organisation, user, row, created))
        for row in plan.rows:
            if row.status not in (NEW, UPDATE):
                continue
            if row.kind == RELATIONSHIPS:
                _run(row, functools.partial(_save_relationship, user, row, created))
            elif row.kind == CONTACTS:
                _run(row, functools.partial(_save_contact, user, row, created))
    return ImportResult(counts=plan.counts())


def _kind_after(row: RowPlan) -> str | None:
    return row.values.get("kind") or getattr(row.instance, "kind", None)


def _run(row: RowPlan, save: Callable[[], Any]) -> None:
    # A service may still refuse a row (e.g. a race with another user); name the row and roll back.
    try:
        save()
    except RenkeiError as exc:
        items = [ErrorItem(message=i.message, field=i.field, row=row.row) for i in exc.items]
        message = _("{sheet}, row {row}: {message}").format(
            sheet=KIND_LABELS[row.kind], row=row.row, message=exc.message
        )
        raise RenkeiError(message=message, status=exc.status, items=items) from exc


def _pk(ref: OrgRef, created: dict[int, Organisation]) -> int:
    return created[ref.index].pk if isinstance(ref, PendingOrg) else ref


def _save_organisation(user: Any, row: RowPlan, created: dict[int, Organisation]) -> None:
    fields = {k: v for k, v in row.values.items() if k != "group_company"}
    organisation = row.instance if row.instance is not None else Organisation()
    for name, value in fields.items():
        setattr(organisation, name, value)
    company = row.refs.get("group_company")
    if company is not None:
        organisation.group_company_id = _pk(company, created)
    saved = organisation_save(user=user, organisation=organisation, tags=row.tags)
    if row.instance is None:
        created[row.index] = saved


def _save_relationship(user: Any, row: RowPlan, created: dict[int, Organisation]) -> None:
    relationship = row.instance if row.instance is not None else Relationship()
    relationship.client_id = _pk(row.refs["client"], created)
    relationship.provider_id = _pk(row.refs["provider"], created)
    for name, value in row.values.items():
        setattr(relationship, name, value)
    relationship_save(user=user, relationship=relationship)


def _save_contact(user: Any, row: RowPlan, created: dict[int, Organisation]) -> None:
    contact = row.instance if row.instance is not None else Contact()
    contact.organisation_id = _pk(row.refs["organisation"], created)
    for name, value in row.values.items():
        setattr(contact, name, value)
    contact_save(user=user, contact=contact)
