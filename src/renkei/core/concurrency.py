"""No lost edits: every editable record carries a `version`, and a write based on an old one is refused.

The check is one conditional UPDATE (`... SET version = version + 1 WHERE pk = … AND version = …`),
run by `Versioned.save()` (core.models) inside the save's transaction before the row is written. The
database decides which of two concurrent writers wins, on SQLite and PostgreSQL alike; nobody reads
the version and then decides in Python. The loser gets `StaleEdit` (409) carrying the row as it is
now, and its transaction, with whatever its service wrote before, rolls back.

Who sets the expected version: the generic edit views (from the form's hidden `version` field), the
API (`If-Match` or the body's `version`) and the portal's answer autosave (`base_version`). They call
`expect_version(instance, n)` before handing the instance to the app's service, so services need no
change; `save_if_current()` does both steps for code that saves itself.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.db import models, router, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError

# Not `version`: a software release and a framework already have a version of their own (its number).
VERSION_FIELD = "edit_version"
_EXPECTED = "_renkei_expected_version"

M = TypeVar("M", bound=models.Model)


class StaleEdit(RenkeiError):
    """Somebody saved the record after the editor loaded it; `current` is the record as saved now."""

    def __init__(self, current: Any, message: str | None = None) -> None:
        super().__init__(
            message=message
            or _("Someone else saved this record while you were editing it. Nothing of yours was saved."),
            field_name=VERSION_FIELD,
            status=409,
        )
        self.current = current


def field_of(model: Any) -> str:
    """The model's version column (`edit_version`; the portal's answers keep their `version`)."""
    return str(getattr(model, "version_field", VERSION_FIELD))


def current_version(instance: models.Model) -> int:
    return int(getattr(instance, field_of(instance)))


def expect_version(instance: models.Model, version: int | None) -> None:
    """The next save of `instance` must find `version` stored, else it raises `StaleEdit`.
    `None` clears the expectation (the save then overwrites whatever is stored)."""
    if version is None:
        instance.__dict__.pop(_EXPECTED, None)
    else:
        instance.__dict__[_EXPECTED] = int(version)


def check_current(instance: models.Model, version: int | None) -> None:
    """Fail early, before a service runs, when the stored version already differs (a cheap read for a
    clear answer; the race-free check is still the conditional UPDATE at save time). A version
    named for a record not (or no longer) stored is stale too: the record it was read from is gone."""
    if version is None:
        return
    if instance.pk is None:
        raise StaleEdit(None)
    stored = type(instance)._base_manager.filter(pk=instance.pk).values_list(field_of(instance), flat=True).first()
    if stored is not None and stored != version:
        raise stale_edit_for(instance)


def stale_edit_for(instance: models.Model) -> StaleEdit:
    """The conflict for `instance`, carrying the row as it is stored now (the model may say how)."""
    current = type(instance)._base_manager.filter(pk=instance.pk).first()
    make = getattr(type(instance), "stale_edit", None)
    return make(current) if make is not None else StaleEdit(current)


def claim_version(instance: models.Model, *, using: str | None = None) -> None:
    """Move the stored version on by one for the save about to happen (called by `Versioned.save`).

    With an expected version the UPDATE matches only that version, so of two writers who loaded the
    same version exactly one matches; the other raises `StaleEdit` and writes nothing. Without one
    the version still moves on, so forms opened before this write see it as a change.
    """
    expected = instance.__dict__.pop(_EXPECTED, None)
    db = using or router.db_for_write(type(instance), instance=instance)
    rows = type(instance)._base_manager.using(db).filter(pk=instance.pk)
    name = field_of(instance)
    if expected is not None:
        if not rows.filter(**{name: expected}).update(**{name: F(name) + 1}):
            raise stale_edit_for(instance)
        setattr(instance, name, expected + 1)
        return
    if rows.update(**{name: F(name) + 1}):
        # Our UPDATE holds the row (PostgreSQL) or the database (SQLite) until commit: this read is ours.
        setattr(instance, name, rows.values_list(name, flat=True).get())


def save_if_current(instance: M, expected_version: int | None, *, update_fields: Any = None) -> M:
    """Save `instance` only if its stored version is still `expected_version` (`StaleEdit` otherwise)."""
    with transaction.atomic(using=router.db_for_write(type(instance), instance=instance)):
        expect_version(instance, expected_version)
        instance.save(update_fields=update_fields)
    return instance


# --- HTTP: the version as an ETag --------------------------------------------------------------------

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def etag(version: int) -> str:
    """A weak entity tag: it names the record's version, not a byte-exact representation."""
    return f'W/"{version}"'


def version_from_if_match(header: str | None) -> int | None:
    """The version an `If-Match` header names (`W/"3"`, `"3"` or `3`); `None` for none or `*`.

    A header that names no version of ours is refused rather than ignored, so a client that meant to
    check never overwrites silently."""
    if header is None or not header.strip() or header.strip() == "*":
        return None
    first = header.split(",")[0]
    match = _ETAG.match(first)
    if match is None:
        raise RenkeiError(_("The If-Match header does not name a version of this record."), field_name="If-Match", status=400)
    return int(match.group(1))
