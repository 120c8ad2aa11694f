"""The worker side of a web import: committing thousands of rows through the services takes longer
than a web request may (about 6 ms a row on SQLite), so the page hands the commit to the worker and
shows its outcome when it is stored."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from renkei.core.audit import audit_context
from renkei.core.errors import RenkeiError
from renkei.registry.importexport import pending
from renkei.registry.importexport.apply import registry_import

VIA = "web: registry import"
MAX_REPORTED_ERRORS = 1000


@task()
def commit_import(*, token: str, path: str, user_id: int, language: str, remote_addr: str | None = None) -> bool:
    """Commit a previewed upload as the user who asked for it; store the outcome for the status page."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    with translation.override(language), audit_context(actor=user, via=VIA, remote_addr=remote_addr):
        try:
            outcome = _commit(user, path)
        except Exception:
            pending.save_result(token, {"ok": False, "message": _("An unexpected error occurred."), "errors": []})
            raise
        finally:
            pending.delete_upload(path)
    pending.save_result(token, outcome)
    return bool(outcome["ok"])


def _commit(user: Any, path: str) -> dict[str, Any]:
    upload = pending.load_upload(path)
    if upload is None or user is None:
        return {"ok": False, "message": _("This upload is no longer available; upload the file again."), "errors": []}
    try:
        result = registry_import(user=user, upload=upload)
    except RenkeiError as exc:
        return {
            "ok": False,
            "message": exc.message,
            "errors": [i.as_dict() for i in exc.items[:MAX_REPORTED_ERRORS]],
            "more_errors": max(0, len(exc.items) - MAX_REPORTED_ERRORS),
        }
    except PermissionDenied:
        return {"ok": False, "message": _("You do not have permission to do this."), "errors": []}
    return {"ok": True, "filename": upload.filename, "counts": result.counts}
