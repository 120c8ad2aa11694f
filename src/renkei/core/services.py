"""Generic audited writes shared by every app's services.

`user=None` means a trusted system context (a management command or a worker task): the caller
has already decided it may act, and the audit context names the command or task instead of a user.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import require
from renkei.core.tenancy import may_use_company

M = TypeVar("M", bound=models.Model)


def check_write(*, user: Any, action: str, company_id: int | None) -> None:
    """The role must grant the action and the record's group company must be within the user's scope."""
    if user is None:
        return
    require(user, action)
    if company_id is not None and not may_use_company(user, company_id):
        raise RenkeiError(
            _("You may only manage records of your own group companies."), field_name="group_company", status=403
        )


def validate(instance: models.Model, *, exclude: Iterable[str] | None = None) -> None:
    """Run model validation, turning Django's ValidationError into the application error."""
    try:
        instance.full_clean(exclude=list(exclude or []))
    except ValidationError as exc:
        raise RenkeiError.from_validation_error(exc) from exc


def record_save(
    *,
    user: Any,
    instance: M,
    action: str,
    m2m: Mapping[str, Iterable[Any]] | None = None,
    company_id: int | None = None,
) -> M:
    """Validate and save one record (and its many-to-many values) in one transaction."""
    check_write(user=user, action=action, company_id=company_id or getattr(instance, "group_company_id", None))
    validate(instance)
    try:
        with transaction.atomic():
            instance.save()
            for name, values in (m2m or {}).items():
                getattr(instance, name).set(list(values))
    except IntegrityError as exc:
        raise RenkeiError(_("This record conflicts with an existing one.")) from exc
    return instance


def record_delete(*, user: Any, instance: models.Model, action: str) -> None:
    """Delete one record; refuse with a clear message when other records still depend on it."""
    check_write(user=user, action=action, company_id=getattr(instance, "group_company_id", None))
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        names = ", ".join(sorted({str(o) for o in list(exc.protected_objects if hasattr(exc, 'protected_objects') else exc.restricted_objects)[:5]}))
        raise RenkeiError(_("It is still used by: {names}").format(names=names), status=409) from exc
