"""Bulk triage: one VEX state and justification for many findings at once, and its undo.

The findings are chosen by the caller (selected rows, or every open finding of one advisory the
user may see: `selectors.advisory_findings`). Each finding is saved on its own so the audit trail
(django-auditlog, through signals) records every change with its before and after; all in one
transaction, so a refused finding leaves none changed.

Undo goes through the same path: `bulk_triage` returns a signed token holding the previous state,
justification and comment of every changed finding; `bulk_undo(token)` puts them back (again
audited), only for findings the user may still change and only while no one changed them since.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import visible
from renkei.core.services import check_write
from renkei.software.findings.services import finding_triage
from renkei.software.models import Finding
from renkei.software.services import ACTION

MAX_BULK = 5000
_SALT = "renkei.software.findings.bulk"
UNDO_MAX_AGE = 24 * 3600


def bulk_triage(*, user: Any, findings: Any, state: str, justification: str = "", comment: str = "") -> tuple[int, str]:
    """Set the VEX analysis of every finding in `findings` (a queryset or ids); a blank `comment`
    keeps each finding's own. Returns (changed
    count, undo token). Raises `RenkeiError` when none is chosen, too many are, or one is refused."""
    rows = list(_visible(user, findings).select_related("release")[: MAX_BULK + 1])
    if not isinstance(findings, QuerySet) and len(rows) < len(set(findings)):
        # A finding the user may not see is not there for them (as for one finding: 404).
        raise RenkeiError(_("Finding not found."), field_name="ids", status=404)
    if not rows:
        raise RenkeiError(_("Choose at least one finding."), field_name="ids")
    if len(rows) > MAX_BULK:
        raise RenkeiError(
            _("At most {count} findings can be changed at once.").format(count=f"{MAX_BULK:,}"), field_name="ids"
        )
    before = []
    with transaction.atomic():
        for finding in rows:
            check_write(user=user, action=ACTION, company_id=finding.group_company_id)
            previous = (finding.pk, finding.state, finding.justification, finding.comment)
            # A blank comment keeps each finding's own comment.
            finding_triage(user=user, finding=finding, state=state, justification=justification,
                           comment=comment.strip() or finding.comment)
            if previous[1:] != (finding.state, finding.justification, finding.comment):
                before.append([*previous, finding.state, finding.justification, finding.comment])
    token = signing.dumps({"u": getattr(user, "pk", None), "b": before}, salt=_SALT, compress=True)
    return len(before), token


def bulk_undo(*, user: Any, token: str) -> int:
    """Put back what one `bulk_triage` changed; findings changed since are left alone. Returns the count."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=UNDO_MAX_AGE)
    except signing.BadSignature as exc:
        raise RenkeiError(_("This undo has expired or is not valid."), field_name="undo") from exc
    if data.get("u") != getattr(user, "pk", None):
        raise RenkeiError(_("Only the person who made the change can undo it."), field_name="undo", status=403)
    entries = {row[0]: row for row in data.get("b", [])}
    restored = 0
    with transaction.atomic():
        for finding in _visible(user, list(entries)).select_for_update(of=("self",)):
            _pk, state, justification, comment, new_state, new_justification, new_comment = entries[finding.pk]
            if (finding.state, finding.justification, finding.comment) != (new_state, new_justification, new_comment):
                continue  # changed by someone since: theirs wins
            check_write(user=user, action=ACTION, company_id=finding.group_company_id)
            finding_triage(user=user, finding=finding, state=state, justification=justification, comment=comment)
            restored += 1
    return restored


def _visible(user: Any, findings: Any) -> QuerySet[Finding]:
    pks = findings.values("pk") if isinstance(findings, QuerySet) else [int(pk) for pk in findings]
    qs = Finding.objects.filter(pk__in=pks)
    return (qs if user is None else visible(qs, user)).order_by("pk")
