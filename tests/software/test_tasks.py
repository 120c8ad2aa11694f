"""Worker tasks: thin, attributed to the task in the audit trail, scheduled once per transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction

from renkei.software import tasks
from renkei.software.findings import services as findings_services
from renkei.software.models import Finding, OsvImport, Product
from renkei.software.vulndb import services as vulndb_services
from tests import factories as f
from tests.software.factories import ComponentFactory, osv_bytes, osv_record

pytestmark = pytest.mark.django_db


def test_recompute_task_runs_the_service_under_its_audit_context(monkeypatch: Any, own: Any) -> None:
    supplier = f.OrganisationFactory()

    def fake_recompute(*, release_ids: list[int] | None = None) -> dict[str, int]:
        # Any audited write the service makes is attributed to the task.
        Product.objects.create(supplier=supplier, name="監査", group_company=own)
        return {"releases": len(release_ids or [])}

    monkeypatch.setattr(findings_services, "findings_recompute", fake_recompute)
    result = tasks.recompute_findings.enqueue([1, 2])
    assert result.return_value == {"releases": 2}
    entry = LogEntry.objects.get_for_object(Product.objects.get())[0]
    assert entry.actor is None and entry.additional_data == {"via": "task: recompute_findings"}


def test_recompute_task_creates_findings(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(osv_bytes(osv_record("PYSEC-2099-1")))
    run = vulndb_services.osv_import_start(user=None, paths=[str(tmp_path)], enqueue=False)
    vulndb_services.osv_import_run(import_id=run.pk, recompute=False)
    f.own_company()
    component = ComponentFactory(name="requests", version="2.0.0")
    result = tasks.recompute_findings.enqueue(None)
    assert result.return_value["created"] == 1
    assert Finding.objects.get().component == component


def test_osv_import_task_runs_once(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(osv_bytes(osv_record("PYSEC-2099-1")))
    run = vulndb_services.osv_import_start(user=None, paths=[str(tmp_path)], enqueue=False)
    assert tasks.run_osv_import.enqueue(run.pk).return_value == {"created": 1, "updated": 0, "skipped": 0}
    # Delivered twice (or already run by the command): the second run changes nothing.
    assert tasks.run_osv_import.enqueue(run.pk).return_value == {"created": 1, "updated": 0, "skipped": 0}
    assert OsvImport.objects.get().status == "done"


def test_recompute_is_scheduled_once_per_transaction(monkeypatch: Any) -> None:
    calls: list[Any] = []

    class Recorder:
        def enqueue(self, ids: Any) -> None:
            calls.append(ids)

    monkeypatch.setattr(tasks, "recompute_findings", Recorder())
    with transaction.atomic():
        tasks.schedule_findings_recompute([3])
        tasks.schedule_findings_recompute([1, 3])
        pending = [func for _s, func, _r in connection.run_on_commit if isinstance(func, tasks._PendingRecompute)]
        assert len(pending) == 1
        pending[0]()
    assert calls == [[1, 3]]
    calls.clear()
    with transaction.atomic():
        tasks.schedule_findings_recompute([3])
        tasks.schedule_findings_recompute(None)  # everything wins
        pending = [func for _s, func, _r in connection.run_on_commit
                   if isinstance(func, tasks._PendingRecompute) and not func.sent]
        pending[0]()
    assert calls == [None]
