"""Tracing a large leaked sample in the worker, with a status the trace page polls.

The upload is kept as a pending upload of `core.files.pending` (storage shared by web and worker
processes, under a random token); the session lists the tokens it started, so nobody else can open
a result. The worker writes the status
(stage and progress, then the result or the error) next to it. The sample itself is deleted as soon
as it has been read; statuses older than a day are removed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from renkei.core.errors import RenkeiError
from renkei.core.files import pending
from renkei.incidents.leaks import evidence
from renkei.incidents.leaks.services import leak_trace
from renkei.incidents.response.models import Attachment

UPLOADS = "leaks/pending"
STATUS = "leaks/traces"
SESSION_KEY = "leak_traces"
MAX_REMEMBERED = 20


def start(session: Any, upload: File[Any]) -> tuple[str, str]:
    """Store the sample for the worker (streamed, not read into memory) and remember the token in the
    session; returns (token, path)."""
    pending.remove_stale(UPLOADS, STATUS)
    token = pending.new_token()
    path = pending.store(f"{UPLOADS}/{token}.bin", upload)
    save_status(token, {"state": "queued"})
    tokens = [t for t in session.get(SESSION_KEY, []) if isinstance(t, str)][-(MAX_REMEMBERED - 1) :]
    session[SESSION_KEY] = [*tokens, token]
    return token, path


def queue_trace(
    session: Any, upload: File[Any], *, filename: str, encoding: str, user_id: int, language: str,
    attachment_id: int | None = None,
) -> str:
    """Store the sample and queue its trace in the worker as the user who asked; returns the token
    the trace page shows the progress of (`?token=`)."""
    token, path = start(session, upload)
    trace_leak.enqueue(
        token=token, path=path, filename=filename, encoding=encoding, user_id=user_id, language=language,
        attachment_id=attachment_id,
    )  # fmt: skip
    return token


def owns(session: Any, token: str) -> bool:
    return any(pending.same_token(t, token) for t in session.get(SESSION_KEY, []))


def save_status(token: str, status: dict[str, Any]) -> None:
    pending.replace(f"{STATUS}/{token}.json", orjson.dumps(status))


def load_status(token: str) -> dict[str, Any] | None:
    return pending.load_json(f"{STATUS}/{token}.json")


@task()
def trace_leak(
    *, token: str, path: str, filename: str, encoding: str, user_id: int, language: str, attachment_id: int | None = None
) -> bool:
    """Trace the stored sample as the user who asked (their ledger scope) and store the outcome; a
    sample that is an incident's attachment is kept on the incident as evidence (`evidence.py`)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    last = [timezone.now()]

    def progress(stage: str, done: int, total: int) -> None:
        # Writing the status is cheap, but not after every one of thousands of datasets.
        now = timezone.now()
        if stage == "read" or done == total or now - last[0] > dt.timedelta(seconds=1):
            last[0] = now
            save_status(token, {"state": "running", "stage": stage, "done": done, "total": total})

    with translation.override(language):
        data = pending.load_bytes(path)
        pending.delete(path)
        if data is None:
            save_status(token, {"state": "failed", "message": _("The uploaded file is no longer available.")})
            return False
        save_status(token, {"state": "running", "stage": "read", "done": 0, "total": 0})
        try:
            if user is None:
                raise PermissionDenied
            result = leak_trace(user=user, data=data, filename=filename, encoding=encoding, progress=progress)
            if attachment_id is not None:
                attachment = Attachment.objects.select_related("incident").get(pk=attachment_id)
                result["evidence_url"] = evidence.evidence_record(
                    user=user, attachment=attachment, data=data, result=result
                ).get_absolute_url()
        except Attachment.DoesNotExist:
            save_status(token, {"state": "failed", "message": _("The attached file is no longer available.")})
            return False
        except RenkeiError as exc:
            save_status(token, {"state": "failed", "message": str(exc.message)})
            return False
        except PermissionDenied:
            save_status(token, {"state": "failed", "message": _("You do not have permission to do this.")})
            return False
        except Exception:
            save_status(token, {"state": "failed", "message": _("An unexpected error occurred.")})
            raise
    save_status(token, {"state": "done", "result": result})
    return True

