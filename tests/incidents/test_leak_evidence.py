"""A leaked sample received with a report becomes the incident's attachment, is traced from the
incident, and the trace is kept there as evidence with the sample's SHA-256."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from renkei.incidents.intake import services as intake_services
from renkei.incidents.leaks.models import TraceEvidence
from renkei.incidents.response.models import Attachment
from tests import factories as f
from tests.incidents import leak_samples as s
from tests.incidents.incident_helpers import open_incident


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.RENKEI_LEAK_KEY = "evidence test key"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def csirt(client: Client, csirt_user: Any) -> Client:
    csirt_user.language = "en"
    csirt_user.save(update_fields=["language"])
    client.force_login(csirt_user)
    return client


@pytest.fixture
def leaked(csirt: Client, own: Any) -> bytes:
    """A copy of what we sent to a delivery company (with its canary rows), as it turns up online."""
    recipient = f.OrganisationFactory(name="配送会社A", group_company=own)
    shared = csirt.post(
        reverse("incidents:dataset_create"),
        {"file": SimpleUploadedFile("顧客.csv", s.csv_bytes(s.HEADER, s.rows(0, 30))), "recipient": recipient.pk,
         "shared_on": "2026-04-01", "method": "SFTP", "canary_count": 4, "encoding": "auto"},
    )  # fmt: skip
    assert shared.status_code == 200
    return bytes(shared.content)


def test_the_reporters_sample_is_carried_into_the_incident_with_its_hash(csirt_user: Any, leaked: bytes) -> None:
    report, _code = intake_services.intake_submit(
        kind="tip", message="貴社の顧客データが掲示板に出ています", anonymous=False, reporter_name="通報 花子",
        reporter_email="hanako@example.jp", files=[SimpleUploadedFile("sample.csv", leaked, content_type="text/csv")],
    )  # fmt: skip
    incident = intake_services.intake_create_incident(user=csirt_user, report=report)
    attachment = incident.attachments.get()
    assert attachment.name == "sample.csv" and attachment.size == len(leaked)
    assert attachment.sha256 == hashlib.sha256(leaked).hexdigest()
    assert attachment.file.read() == leaked
    assert incident.timeline.filter(text__contains="sample.csv").exists()


def test_tracing_an_attachment_keeps_the_result_as_evidence(csirt: Client, csirt_user: Any, leaked: bytes) -> None:
    incident = open_incident(user=csirt_user)
    csirt.post(reverse("incidents:attachment_create", args=[incident.pk]), {"file": SimpleUploadedFile("leak.csv", leaked)})
    attachment = Attachment.objects.get(incident=incident)

    response = csirt.post(reverse("incidents:attachment_trace", args=[attachment.pk]))

    evidence = TraceEvidence.objects.get()
    assert response.status_code == 302 and response.url == evidence.get_absolute_url()
    assert evidence.incident == incident and evidence.attachment == attachment
    assert evidence.sample_sha256 == hashlib.sha256(leaked).hexdigest() == attachment.sha256
    assert evidence.traced_by == csirt_user and evidence.sample_size == len(leaked)
    assert evidence.result["canary_recipients"][0]["recipient"] == "配送会社A"
    page = csirt.get(evidence.get_absolute_url()).content.decode()
    assert evidence.sample_sha256 in page and "配送会社A" in page and 'id="evidence-conclusion"' in page
    incident_page = csirt.get(incident.get_absolute_url()).content.decode()
    assert 'id="evidence-list"' in incident_page and evidence.get_absolute_url() in incident_page
    assert incident.timeline.filter(text__contains="leak.csv").filter(text__contains="配送会社A").exists()


def test_a_traced_sample_cannot_be_removed(csirt: Client, csirt_user: Any, leaked: bytes) -> None:
    incident = open_incident(user=csirt_user)
    csirt.post(reverse("incidents:attachment_create", args=[incident.pk]), {"file": SimpleUploadedFile("leak.csv", leaked)})
    attachment = Attachment.objects.get(incident=incident)
    csirt.post(reverse("incidents:attachment_trace", args=[attachment.pk]))
    response = csirt.post(reverse("incidents:attachment_delete", args=[attachment.pk]), follow=True)
    assert "cannot be removed" in response.content.decode()
    assert Attachment.objects.filter(pk=attachment.pk).exists() and TraceEvidence.objects.count() == 1


def test_a_large_sample_is_traced_in_the_worker_and_kept_too(
    csirt: Client, csirt_user: Any, leaked: bytes, settings: Any
) -> None:
    incident = open_incident(user=csirt_user)
    csirt.post(reverse("incidents:attachment_create", args=[incident.pk]), {"file": SimpleUploadedFile("big.csv", leaked)})
    attachment = Attachment.objects.get(incident=incident)
    settings.RENKEI_LEAK_INLINE_BYTES = 100
    response = csirt.post(reverse("incidents:attachment_trace", args=[attachment.pk]))
    assert response.status_code == 302 and "?token=" in response.url
    # The test settings run tasks at once; in production the trace page polls until the worker is done.
    page = csirt.get(response.url)
    evidence = TraceEvidence.objects.get()
    assert page.context["job"]["state"] == "done" and 'id="evidence-link"' in page.content.decode()
    assert page.context["result"]["evidence_url"] == evidence.get_absolute_url()
    assert evidence.sample_sha256 == hashlib.sha256(leaked).hexdigest()


def test_a_sample_changed_on_disk_is_not_certified(csirt: Client, csirt_user: Any, leaked: bytes) -> None:
    incident = open_incident(user=csirt_user)
    csirt.post(reverse("incidents:attachment_create", args=[incident.pk]), {"file": SimpleUploadedFile("leak.csv", leaked)})
    attachment = Attachment.objects.get(incident=incident)
    with open(attachment.file.path, "ab") as handle:
        handle.write(b"tampered\r\n")
    attachment.size += 10
    attachment.save(update_fields=["size"])
    response = csirt.post(reverse("incidents:attachment_trace", args=[attachment.pk]), follow=True)
    assert "no longer matches the hash" in response.content.decode()
    assert not TraceEvidence.objects.exists()
