"""The one application error type.

Services raise `RenkeiError` for anything the user can correct; the API turns it into a JSON body
naming the field and the problem, and pages show the same message in the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


@dataclass
class ErrorItem:
    message: str
    field: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"message": self.message}
        if self.field:
            out["field"] = self.field
        if self.row is not None:
            out["row"] = self.row
        return out


@dataclass
class RenkeiError(Exception):
    """A problem the user can fix: bad input, a missing prerequisite, a forbidden change."""

    message: str
    field_name: str | None = None
    status: int = 400
    items: list[ErrorItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self.message))
        if not self.items:
            self.items = [ErrorItem(message=str(self.message), field=self.field_name)]

    def __str__(self) -> str:
        return str(self.message)

    def as_dict(self) -> dict[str, object]:
        return {"message": str(self.message), "errors": [i.as_dict() for i in self.items]}

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> RenkeiError:
        items: list[ErrorItem] = []
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                for msg in errors:
                    items.append(ErrorItem(message=msg, field=None if name == NON_FIELD_ERRORS else name))
        else:
            items = [ErrorItem(message=m) for m in exc.messages]
        first = items[0] if items else ErrorItem(message=str(exc))
        return cls(message=first.message, field_name=first.field, items=items)

    @classmethod
    def from_items(cls, message: str, items: Iterable[ErrorItem]) -> RenkeiError:
        return cls(message=message, items=list(items))


class NotFound(RenkeiError):
    """The object does not exist or the user may not see it (both answer 404)."""

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message=message, status=404)


def errors_to_form(form: object, error: RenkeiError, mapping: Mapping[str, str] | None = None) -> None:
    """Attach an application error to a Django form so the page shows it beside the field."""
    fields = getattr(form, "fields", {})
    for item in error.items:
        name = item.field if item.field in fields else None
        if mapping and item.field and item.field in mapping:
            name = mapping[item.field]
        form.add_error(name, item.message)  # type: ignore[attr-defined]
