"""Leak attribution pages: ledger, sharing (the download), tracing inline and in the worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from renkei.incidents.leaks.models import SharedDataset
from tests import factories as f
from tests.incidents import leak_samples as s


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.RENKEI_LEAK_KEY = "view test key"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def csirt(client: Client, csirt_user: Any) -> Client:
    csirt_user.language = "en"  # the pages follow the user's language
    csirt_user.save(update_fields=["language"])
    client.force_login(csirt_user)
    return client


@pytest.fixture
def recipient(own: Any) -> Any:
    return f.OrganisationFactory(name="配送会社A", group_company=own)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def share(client: Client, recipient: Any, body: list[list[str]], **extra: Any) -> Any:
    return client.post(
        reverse("incidents:dataset_create"),
        {"file": upload("顧客.csv", s.csv_bytes(s.HEADER, body)), "recipient": recipient.pk, "shared_on": "2026-04-01",
         "method": "SFTP", "canary_count": 4, "encoding": "auto", **extra},
    )  # fmt: skip


def test_sharing_downloads_the_file_and_lists_the_dataset(csirt: Client, recipient: Any) -> None:
    assert csirt.get(reverse("incidents:dataset_create")).status_code == 200
    response = share(csirt, recipient, s.rows(0, 30))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and "filename" in response["Content-Disposition"]
    assert len(s.parse_csv(response.content)) == 1 + 30 + 4
    dataset = SharedDataset.objects.get()
    assert response["X-Renkei-Dataset"] == dataset.get_absolute_url()
    listing = csirt.get(reverse("incidents:dataset_list"))
    assert listing.status_code == 200 and dataset in listing.context["object_list"]
    detail = csirt.get(dataset.get_absolute_url())
    page = detail.content.decode()
    assert detail.status_code == 200 and "配送会社A" in page and "メールアドレス" in page
    assert page.count("@canary.renkei.example") >= 4 and detail.context["fingerprint_count"] == 170
    assert detail.context["key_current"]


def test_sharing_a_bad_file_shows_the_error_and_saves_nothing(csirt: Client, recipient: Any) -> None:
    response = csirt.post(
        reverse("incidents:dataset_create"),
        {"file": upload("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64)), "recipient": recipient.pk,
         "shared_on": "2026-04-01", "encoding": "auto"},
    )  # fmt: skip
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    assert not SharedDataset.objects.exists()


def test_oversized_upload_is_refused_by_its_length(csirt: Client, recipient: Any, settings: Any) -> None:
    settings.RENKEI_MAX_UPLOAD_BYTES = 1024
    response = share(csirt, recipient, s.rows(0, 2000))
    assert response.status_code == 413 and not SharedDataset.objects.exists()


def test_small_file_is_traced_in_the_request(csirt: Client, recipient: Any) -> None:
    shared = share(csirt, recipient, s.rows(0, 30))
    leaked = s.parse_csv(shared.content)
    response = csirt.post(reverse("incidents:leak_trace"), {"file": upload("leak.csv", shared.content), "encoding": "auto"})
    page = response.content.decode()
    assert response.status_code == 200
    result = response.context["result"]
    assert result["canary_recipients"][0]["recipient"] == "配送会社A"
    assert 'id="verdict"' in page and "Canary rows found" in page and "配送会社A" in page
    assert result["rows_total"] == len(leaked) - 1


def test_nothing_matching_is_shown_as_not_ours(csirt: Client, recipient: Any) -> None:
    share(csirt, recipient, s.rows(0, 30))
    data = s.csv_bytes(s.HEADER, s.rows(900, 12, domain="elsewhere.example"))
    response = csirt.post(reverse("incidents:leak_trace"), {"file": upload("x.csv", data), "encoding": "auto"})
    page = response.content.decode()
    assert "Nothing in this file matches what we shared" in page and 'id="trace-unmatched"' in page


def test_large_file_is_traced_in_the_worker_and_only_its_uploader_sees_it(
    csirt: Client, recipient: Any, settings: Any, csirt_user: Any
) -> None:
    share(csirt, recipient, s.rows(0, 50))
    settings.RENKEI_LEAK_INLINE_BYTES = 100
    data = s.csv_bytes(s.HEADER, s.rows(0, 20))
    response = csirt.post(reverse("incidents:leak_trace"), {"file": upload("big.csv", data), "encoding": "auto"})
    assert response.status_code == 302 and "?token=" in response.url
    # The test settings run tasks at once; in production the page polls until the worker is done.
    page = csirt.get(response.url)
    assert page.status_code == 200 and page.context["job"]["state"] == "done"
    assert page.context["result"]["recipients"][0]["rows"] == 20
    other = Client()
    other.force_login(f.UserFactory(role=csirt_user.role))
    assert other.get(response.url).status_code == 404
    assert csirt.get(reverse("incidents:leak_trace") + "?token=unknown").status_code == 404


def test_a_failed_worker_trace_says_why(csirt: Client, settings: Any) -> None:
    settings.RENKEI_LEAK_INLINE_BYTES = 10
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64)
    response = csirt.post(reverse("incidents:leak_trace"), {"file": upload("old.xls", data), "encoding": "auto"})
    page = csirt.get(response.url)
    assert page.context["job"]["state"] == "failed" and 'id="trace-failed"' in page.content.decode()


def test_running_trace_page_refreshes(csirt: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from renkei.incidents.leaks import tasks

    session = csirt.session
    session[tasks.SESSION_KEY] = ["tok"]
    session.save()
    monkeypatch.setattr(tasks, "load_status", lambda token: {"state": "running", "stage": "compare", "done": 3, "total": 9})
    page = csirt.get(reverse("incidents:leak_trace") + "?token=tok").content.decode()
    assert 'http-equiv="refresh"' in page and "3 of 9" in page


def test_oversized_leak_is_refused(csirt: Client, settings: Any) -> None:
    settings.RENKEI_MAX_LEAK_BYTES = 1024
    data = s.csv_bytes(s.HEADER, s.rows(0, 500))
    response = csirt.post(reverse("incidents:leak_trace"), {"file": upload("x.csv", data), "encoding": "auto"})
    assert response.status_code == 413


def test_delete_page(csirt: Client, recipient: Any) -> None:
    share(csirt, recipient, s.rows(0, 5))
    dataset = SharedDataset.objects.get()
    assert csirt.get(reverse("incidents:dataset_delete", args=[dataset.pk])).status_code == 200
    response = csirt.post(reverse("incidents:dataset_delete", args=[dataset.pk]))
    assert response.status_code == 302 and not SharedDataset.objects.exists()


@pytest.mark.parametrize("name", ["dataset_list", "dataset_create", "leak_trace"])
def test_viewers_and_analysts_are_refused(name: str, viewer: Any, analyst: Any) -> None:
    for user in (viewer, analyst):
        client = Client()
        client.force_login(user)
        assert client.get(reverse(f"incidents:{name}")).status_code == 403
