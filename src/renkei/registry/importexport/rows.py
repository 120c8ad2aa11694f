"""What an import would do, row by row: the plain data the planner produces and the pages show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from renkei.core.errors import ErrorItem

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"


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


def not_permitted(value: str) -> str:
    # The same words whether the organisation is missing or outside the user's scope.
    return _("Organisation '{value}' not found or not permitted.").format(value=value)



def choice_display(choices: type[models.TextChoices], value: Any) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def value_display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
