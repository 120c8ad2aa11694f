"""Export what a user may see in the import format, so that export → import changes nothing.

Text that a spreadsheet would run as a formula (=, +, -, @ …) is prefixed with a quote; the
reader strips that quote again, so the round trip is exact.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.utils import timezone, translation

from renkei.core.files.tabular import FORMULA_STARTS
from renkei.core.masking import OUT_OF_SCOPE_PARTY, party_in_scope, party_ordering
from renkei.core.permissions import visible
from renkei.registry.importexport.schema import (
    KINDS,
    ORGANISATIONS,
    RELATIONSHIPS,
    SCHEMAS,
    boolean_text,
    choice_label,
)
from renkei.registry.models import (
    Contact,
    ContactRole,
    Criticality,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Relationship,
    RelationshipType,
)

CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralise(value: Any) -> Any:
    """Stop a spreadsheet from reading exported text as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _scope(queryset: Any, user: Any) -> Any:
    # A command (user=None) is trusted with every record; a person sees what `visible` allows.
    return queryset if user is None else visible(queryset, user)


def headers(kind: str, language: str) -> list[str]:
    return [c.header(language) for c in SCHEMAS[kind].columns]


def rows(*, user: Any, kind: str, language: str) -> Iterator[list[Any]]:
    """The records of one kind the user may see, as cells in the schema's column order."""
    if kind == ORGANISATIONS:
        return _organisation_rows(user, language)
    if kind == RELATIONSHIPS:
        return _relationship_rows(user, language)
    return _contact_rows(user, language)


def _organisation_rows(user: Any, language: str) -> Iterator[list[Any]]:
    queryset = _scope(Organisation.objects.all(), user).select_related("group_company").prefetch_related("tags")
    for o in queryset.order_by("name", "pk").iterator(chunk_size=CHUNK):
        yield [
            o.name,
            o.name_reading,
            o.corporate_number,
            choice_label(OrganisationKind, o.kind, language),
            o.group_company.name if o.group_company_id and o.group_company_id != o.pk else "",
            o.country,
            o.address,
            o.web_domains,
            choice_label(Criticality, o.criticality, language),
            choice_label(OrganisationStatus, o.status, language),
            ", ".join(sorted(t.name for t in o.tags.all())),
            o.notes,
        ]


def _party_cells(user: Any, organisation: Organisation, language: str) -> list[str]:
    """Name and corporate number; for a party outside the user's scope 「範囲外の取引先」 and no number."""
    if party_in_scope(user, organisation):
        return [organisation.name, organisation.corporate_number]
    with translation.override(language):
        return [str(OUT_OF_SCOPE_PARTY), ""]


def _relationship_rows(user: Any, language: str) -> Iterator[list[Any]]:
    queryset = _scope(Relationship.objects.all(), user).select_related("client", "provider")
    order = party_ordering(user, Relationship, "client__name", "provider__name", "type", "pk")  # no order by a hidden name
    for r in queryset.order_by(*order).iterator(chunk_size=CHUNK):
        yield [
            *_party_cells(user, r.client, language),
            *_party_cells(user, r.provider, language),
            choice_label(RelationshipType, r.type, language),
            r.service,
            r.start_date,
            r.end_date,
            boolean_text(r.redelegation_approved, language),
        ]


def _contact_rows(user: Any, language: str) -> Iterator[list[Any]]:
    queryset = _scope(Contact.objects.all(), user).select_related("organisation")
    for c in queryset.order_by("organisation__name", "role", "name", "pk").iterator(chunk_size=CHUNK):
        yield [
            c.organisation.name,
            c.organisation.corporate_number,
            c.name,
            choice_label(ContactRole, c.role, language),
            c.email,
            c.phone,
            c.verified_on,
        ]


def write_csv(*, user: Any, kind: str, language: str) -> bytes:
    """One kind as CSV in UTF-8 with a BOM, which Excel needs to open Japanese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(kind, language))
    for cells in rows(user=user, kind=kind, language=language):
        writer.writerow(["" if v is None else neutralise(v.isoformat() if isinstance(v, dt.date) else v) for v in cells])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(*, user: Any, language: str, kinds: tuple[str, ...] = KINDS) -> bytes:
    """A workbook with one sheet per kind, named and headed as the import expects."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for kind in kinds:
        sheet = workbook.create_sheet(title=SCHEMAS[kind].sheet_name(language))
        sheet.freeze_panes = "A2"
        titles = headers(kind, language)
        for index in range(1, len(titles) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 22
        header_cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for values in rows(user=user, kind=kind, language=language):
            out: list[Any] = []
            for value in values:
                if isinstance(value, dt.date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    out.append(cell)
                elif isinstance(value, str):
                    out.append(neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
                else:
                    out.append(value)
            sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(kind: str | None, extension: str) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f"renkei-{kind or 'registry'}-{stamp}.{extension}"


__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "export_filename",
    "neutralise",
    "rows",
    "write_csv",
    "write_xlsx",
]
