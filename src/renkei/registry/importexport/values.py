"""Turn the text of one cell into a field value, or say in one sentence what is wrong with it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext as _

from renkei.registry.importexport.schema import (
    FALSE_WORDS,
    TRUE_WORDS,
    UNKNOWN_WORDS,
    choice_examples,
    normalise_key,
    resolve_choice,
)
from renkei.registry.validators import (
    normalise_corporate_number,
    normalise_domains,
    validate_corporate_number,
    validate_domains,
)

_DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SERIAL_RE = re.compile(r"\d{5}(?:\.0+)?")
# Excel counts days from 1899-12-30 (its 1900 leap-year bug included); accept 1954–2119 only,
# so that an ordinary number is not silently read as a date.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_RANGE = range(20_000, 80_001)
_COUNTRY_WORDS = {"日本": "JP", "japan": "JP", "日本国": "JP"}


class CellError(ValueError):
    """The cell's text cannot become the field's value; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def text(value: str, *, limit: int | None = None) -> str:
    value = (value or "").strip()
    if limit is not None and len(value) > limit:
        raise CellError(_("At most {limit} characters (this has {length}).").format(limit=limit, length=len(value)))
    return value


def required_text(value: str, *, limit: int | None = None) -> str:
    value = text(value, limit=limit)
    if not value:
        raise CellError(_("This value is required."))
    return value


def date_value(value: str) -> dt.date | None:
    """ISO dates, 2026/4/1, 2026年4月1日, or an Excel date serial number."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    if not value:
        return None
    match = _DATE_RE.fullmatch(value)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if _SERIAL_RE.fullmatch(value) and int(float(value)) in _SERIAL_RANGE:
            return _EXCEL_EPOCH + dt.timedelta(days=int(float(value)))
    except ValueError:
        pass
    raise CellError(_("'{value}' is not a date; write it as 2026-04-01 or 2026/4/1.").format(value=value))


def boolean_value(value: str) -> bool | None:
    key = normalise_key(value or "")
    if key in UNKNOWN_WORDS:
        return None
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise CellError(_("'{value}' is not yes or no.").format(value=value))


def choice_value(choices: type[models.TextChoices], value: str) -> str | None:
    """The code of a choice from its code or label in either language; None for a blank cell."""
    value = (value or "").strip()
    if not value:
        return None
    code = resolve_choice(choices, value)
    if code is None:
        raise CellError(
            _("Unknown value '{value}'. Use one of: {choices}.").format(value=value, choices=choice_examples(choices))
        )
    return code


def corporate_number_value(value: str) -> str:
    number = normalise_corporate_number(value or "")
    try:
        validate_corporate_number(number)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from exc
    return number


def domains_value(value: str) -> str:
    domains = normalise_domains(value or "")
    try:
        validate_domains(domains)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from exc
    if len(domains) > 500:
        raise CellError(_("At most {limit} characters (this has {length}).").format(limit=500, length=len(domains)))
    return domains


def email_value(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError as exc:
        raise CellError(_("'{value}' is not an e-mail address.").format(value=value)) from exc
    return value


def country_value(value: str) -> str | None:
    value = unicodedata.normalize("NFKC", value or "").strip()
    if not value:
        return None
    value = _COUNTRY_WORDS.get(value.casefold(), value).upper()
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise CellError(_("Write the country as a two-letter code such as JP."))
    return value


def tags_value(value: str) -> list[str]:
    """Comma-separated tag names, cut to the 50 characters a tag may have, in a stable order."""
    names = {t.strip()[:50] for t in re.split(r"[,、，]", value or "") if t.strip()}
    return sorted(names)
