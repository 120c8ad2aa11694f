"""Query counts of the incidents lists do not grow with rows (as tests/test_query_counts.py does for
the registry): each list is requested with a few rows of every kind and again with more, and both
requests must run the same number of queries. Each row has its own related objects (its own party,
group company, tasks, recipient, steps), so a missing `select_related`/`prefetch_related` shows up.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from renkei.incidents.intake import new_receipt_code, receipt_hash
from renkei.incidents.models import (
    CanaryRecord,
    IntakeAttachment,
    IntakeReport,
    Playbook,
    PlaybookStep,
    ReplyTemplate,
    ResponseRole,
    SharedDataset,
)
from tests import factories as f
from tests.incidents.incident_helpers import logged_in, open_incident
from tests.test_query_counts import count_queries

PAGES = [
    "incidents:incident_list",
    "incidents:intake_list",
    "incidents:dataset_list",
    "incidents:role_list",
    "incidents:reply_template_list",
    "incidents:playbook_list",
]
API_LISTS = ["/api/v1/incidents"]


def add_rows(own: Any, subsidiary: Any, start: int, count: int) -> None:
    """`count` rows of every incidents list, each with its own related objects."""
    for i in range(start, start + count):
        company = own if i % 2 else subsidiary
        party = f.OrganisationFactory(name=f"関係先{i:03d}", group_company=company)
        incident = open_incident(company, parties=[party], title=f"事案{i:03d}")
        code = new_receipt_code()
        report = IntakeReport.objects.create(
            group_company=company, kind="tip", message=f"通報{i}", receipt_prefix=code[:6], receipt_hash=receipt_hash(code),
            incident=incident if i % 3 == 0 else None,
        )
        attachment = IntakeAttachment(report=report, name=f"証拠{i}.pdf", size=9)
        attachment.file.save(f"evidence{i}.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
        dataset = SharedDataset.objects.create(
            group_company=company, recipient=party, asset=f.InformationAssetFactory(group_company=company),
            name=f"名簿{i}", shared_on=timezone.localdate(), row_count=1, canary_count=1,
        )
        CanaryRecord.objects.create(dataset=dataset, values={"メール": "x"}, email=f"c{i}@canary.renkei.example",
                                    phone=f"0900001{i:04d}")
        ResponseRole.objects.create(group_company=company, kind="csirt", name=f"担当{i}", escalation_level=i % 3)
        ReplyTemplate.objects.create(group_company=company, name=f"定型文{i}", body="本文")
        playbook = Playbook.objects.create(group_company=company, name=f"手順{i}")
        PlaybookStep.objects.create(playbook=playbook, order=1, name=f"段階{i}")


@pytest.mark.parametrize("url", PAGES + API_LISTS)
def test_incident_list_queries_do_not_grow_with_rows(url: str, csirt_user: Any, own: Any, subsidiary: Any) -> None:
    client = logged_in(csirt_user)
    path = url if url.startswith("/") else reverse(url)
    add_rows(own, subsidiary, 0, 3)
    with_3 = count_queries(client, path)
    add_rows(own, subsidiary, 3, 9)
    with_12 = count_queries(client, path)
    assert with_12 == with_3, f"{path}: {with_3} queries with 3 rows, {with_12} with 12"
