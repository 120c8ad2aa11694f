"""Validators for registry fields."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$")


def corporate_number_check_digit(base12: str) -> int:
    """The check digit of a 法人番号 for its 12-digit base number (National Tax Agency rule).

    Weights 1 and 2 alternate from the lowest digit; check digit = 9 - (sum mod 9).
    """
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(base12)))
    return 9 - total % 9


def normalise_corporate_number(value: str) -> str:
    """Strip spaces and hyphens and fold full-width digits, as people type and Excel exports them."""
    folded = value.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return re.sub(r"[\s\-－ー]", "", folded)


def validate_corporate_number(value: str) -> None:
    """A corporate number has 13 digits and a valid leading check digit."""
    if not value:
        return
    if not re.fullmatch(r"\d{13}", value):
        raise ValidationError(_("A corporate number has exactly 13 digits."), code="format")
    if int(value[0]) != corporate_number_check_digit(value[1:]):
        raise ValidationError(
            _("The check digit of corporate number {number} is wrong.").format(number=value), code="check_digit"
        )


def normalise_domains(value: str) -> str:
    """Comma-, space- or newline-separated domains, lower-cased and de-duplicated in order."""
    parts = [p.strip().lower().rstrip(".") for p in re.split(r"[\s,;、]+", value or "") if p.strip()]
    seen: dict[str, None] = {}
    for p in parts:
        p = re.sub(r"^https?://", "", p).split("/")[0]
        seen.setdefault(p, None)
    return ", ".join(seen)


def validate_domains(value: str) -> None:
    for domain in [d.strip() for d in (value or "").split(",") if d.strip()]:
        if not _DOMAIN_RE.match(domain):
            raise ValidationError(_("'{domain}' is not a valid domain name.").format(domain=domain), code="domain")
