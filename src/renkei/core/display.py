"""How the UI, e-mails and documents show a day, a moment and a count (one place for all of them).

Times are stored in UTC and shown in Japan time; `localtime()` comes first so a page never shows
`+00:00` or an ISO `T`. The formats themselves are per language in `core/formats/`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime


def _local(value: dt.date | str) -> dt.date:
    if isinstance(value, str):
        # Results kept as JSON hold days and moments as ISO text ("2026-04-01", "…T05:05:00+00:00").
        parsed = parse_datetime(value) if "T" in value or " " in value else parse_date(value)
        if parsed is None:
            raise ValueError(value)
        value = parsed
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _format(value: dt.date | str, format_name: str) -> str:
    try:
        return str(formats.date_format(_local(value), format_name))
    except ValueError:  # text that is no date: shown as it is rather than failing the page
        return str(value)


def show_date(value: dt.date | str | None) -> str:
    """A day in prose and on detail pages: 2026年12月7日 / 7 Dec 2026 (a datetime: its Japan day)."""
    if value is None or value == "":
        return ""
    return _format(value, "DATE_FORMAT")


def show_date_short(value: dt.date | str | None) -> str:
    """A day in a dense table: 2026/12/07 / 2026-12-07."""
    if value is None or value == "":
        return ""
    return _format(value, "SHORT_DATE_FORMAT")


def show_datetime(value: dt.date | str | None) -> str:
    """A moment in Japan time: 2026/12/07 14:05 / 2026-12-07 14:05 (a plain date: the day alone)."""
    if value is None or value == "":
        return ""
    try:
        local = _local(value)
    except ValueError:
        return str(value)
    return _format(local, "SHORT_DATETIME_FORMAT" if isinstance(local, dt.datetime) else "SHORT_DATE_FORMAT")


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
