"""Leak traces kept on an incident as evidence.

A sample received with a report (an intake attachment carried into the incident, or a file attached
to it) is traced from the incident; the result is stored with the sample's name, size and SHA-256,
who traced it and when, so that the conclusion can be cited later exactly as it was reached. The
sample itself stays attached and can no longer be removed (the evidence protects it).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import read_limited
from renkei.incidents.leaks.models import TraceEvidence
from renkei.incidents.leaks.selectors import conclusion_text
from renkei.incidents.leaks.services import leak_trace, max_leak_bytes
from renkei.incidents.response.models import Attachment
from renkei.incidents.response.timeline import author, check_incident, timeline_system


def read_sample(attachment: Attachment) -> bytes:
    """The attachment's bytes, within the leak-sample limit."""
    with attachment.file.open("rb") as handle:
        return read_limited(handle, max_leak_bytes())


def evidence_record(*, user: Any, attachment: Attachment, data: bytes, result: dict[str, Any]) -> TraceEvidence:
    """Keep a finished trace of `attachment` on its incident, with the hash of the bytes traced."""
    incident = attachment.incident
    check_incident(user, incident)
    digest = hashlib.sha256(data).hexdigest()
    if attachment.sha256 and attachment.sha256 != digest:
        # The stored file changed since it was attached: refuse to certify a trace of other bytes.
        raise RenkeiError(_("The attached file no longer matches the hash recorded when it was attached."), status=409)
    with transaction.atomic():
        evidence = TraceEvidence.objects.create(
            incident=incident,
            attachment=attachment,
            sample_name=attachment.name,
            sample_size=len(data),
            sample_sha256=digest,
            result=result,
            traced_by=author(user),
            traced_at=timezone.now(),
        )
        timeline_system(
            incident=incident,
            user=user,
            text=_("Leak trace of {name} kept as evidence (SHA-256 {digest}): {conclusion}").format(
                name=attachment.name, digest=digest[:16] + "…", conclusion=conclusion_text(result)
            ),
        )
    return evidence


def evidence_trace(*, user: Any, attachment: Attachment, encoding: str = "auto") -> TraceEvidence:
    """Trace an attachment now and keep the result on its incident (the page uses the worker for
    large files; this is the same work in one step)."""
    check_incident(user, attachment.incident)
    data = read_sample(attachment)
    result = leak_trace(user=user, data=data, filename=attachment.name, encoding=encoding)
    return evidence_record(user=user, attachment=attachment, data=data, result=result)
