"""How the UI, e-mails and documents show a day, a moment and a count (one place for all of them).

Times are stored in UTC and shown in Japan time; `localtime()` comes first so a page never shows
`+00:00` or an ISO `T`. The formats themselves are per language in `core/formats/`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, timezone


def _local(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def show_date(value: dt.date | None) -> str:
    """A day in prose and on detail pages: 2026年12月7日 / 7 Dec 2026 (a datetime: its Japan day)."""
    if value is None or value == "":
        return ""
    return str(formats.date_format(_local(value), "DATE_FORMAT"))


def show_date_short(value: dt.date | None) -> str:
    """A day in a dense table: 2026/12/07 / 2026-12-07."""
    if value is None or value == "":
        return ""
    return str(formats.date_format(_local(value), "SHORT_DATE_FORMAT"))


def show_datetime(value: dt.date | None) -> str:
    """A moment in Japan time: 2026/12/07 14:05 / 2026-12-07 14:05 (a plain date: the day alone)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return show_date_short(value)
    return str(formats.date_format(_local(value), "SHORT_DATETIME_FORMAT"))


def show_number(value: int | float | Decimal | str | None) -> str:
    """A count or an amount with thousands separators: 1,200,000 (other values unchanged)."""
    if value is None or value == "" or isinstance(value, bool):
        return "" if value is None else str(value)
    number: int | float | Decimal
    if isinstance(value, str):
        try:
            number = Decimal(value) if "." in value else int(value)
        except (ArithmeticError, ValueError):
            return value
    else:
        number = value
    return str(formats.number_format(number, use_l10n=True, force_grouping=True))
