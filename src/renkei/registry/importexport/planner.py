"""The planner's shared part: the index of organisations, scope, and finding an organisation that a
row names by corporate number or name (including one the same import creates)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from renkei.core.tenancy import allowed_company_ids
from renkei.registry.importexport import values as cells
from renkei.registry.importexport.reading import ParsedSheet, ParsedUpload
from renkei.registry.importexport.rows import OrgRef, PendingOrg, RowPlan, not_permitted
from renkei.registry.importexport.schema import SCHEMAS
from renkei.registry.models import Organisation
from renkei.registry.validators import normalise_corporate_number

CHUNK = 500


class PlannerBase:
    """State shared by every kind of row: who imports, the organisations, and the rows so far."""

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

    def start_row(self, sheet: ParsedSheet, number: int) -> RowPlan:
        plan = RowPlan(kind=sheet.kind, row=number, index=len(self.rows))
        for problem_row, message in sheet.problems:
            if problem_row == number:
                plan.fail(message)
        self.rows.append(plan)
        return plan

