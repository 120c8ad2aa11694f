"""Writes of licence policies (allowed and denied SPDX identifiers per group company)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.services import record_save
from renkei.core.tenancy import default_group_company_id
from renkei.software.models import LicencePolicy
from renkei.software.services import ACTION


def _identifier_lines(text: str) -> str:
    lines = [line.strip() for line in re.split(r"[\r\n,]+", text or "") if line.strip()]
    return "\n".join(dict.fromkeys(lines))


def licence_policy_save(*, user: Any, policy: LicencePolicy) -> LicencePolicy:
    """Save a group company's allow/deny lists (SPDX identifiers, one per line, de-duplicated).
    An identifier may not be both allowed and denied."""
    if policy.group_company_id is None:
        policy.group_company_id = default_group_company_id(user)
    policy.allowed = _identifier_lines(policy.allowed)
    policy.denied = _identifier_lines(policy.denied)
    both = sorted({a.lower() for a in policy.allowed.splitlines()} & {d.lower() for d in policy.denied.splitlines()})
    if both:
        raise RenkeiError(
            _("Both allowed and denied: {names}").format(names=", ".join(both)), field_name="denied"
        )
    return record_save(user=user, instance=policy, action=ACTION)
