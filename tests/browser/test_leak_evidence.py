"""Issue 11 §4 end to end, the product's origin story: an outside tip arrives with a sample of our
members' delivery list (names, postal codes, addresses; columns renamed, rows shuffled). The CSIRT
opens an incident from it, traces the sample from the incident, reads that it derives from the copy
sent to the logistics affiliate (its canary rows), and downloads the evidence report (PDF)."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from renkei.incidents.intake.models import IntakeReport
from renkei.incidents.leaks.models import TraceEvidence
from tests.browser.helpers import demo_login, login
from tests.browser.helpers import text as _text  # shared by the browser tests

pytestmark = pytest.mark.browser


def test_a_reported_sample_is_traced_to_the_logistics_affiliate(page: Any, demo: Any) -> None:
    from renkei.incidents import demo_leaks

    report = IntakeReport.objects.get(kind="tip", message=demo_leaks.LEAK_TIP)
    sample = report.attachments.get().file.read()

    login(page, *demo_login(demo, "csirt"))
    page.goto(f"/incidents/intake/{report.pk}/")
    page.click("#create-incident")
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    # The reporter's file is the incident's attachment, with its hash.
    assert demo_leaks.SAMPLE_NAME in _text(page, "#attachments")
    assert hashlib.sha256(sample).hexdigest()[:16] in page.inner_html("#attachments")

    page.click("#attachments button.trace-attachment")
    page.wait_for_url(re.compile(r"/incidents/leaks/evidence/\d+/$"))
    conclusion = _text(page, "#evidence-conclusion")
    assert demo.LOGISTICS_COMPANY_NAME in conclusion, conclusion
    assert "あけぼの印刷" not in conclusion, conclusion  # the DM printer got most rows too, but no canary of it
    assert _text(page, "#evidence-sha256") == hashlib.sha256(sample).hexdigest()

    with page.expect_download() as info:
        page.click("#evidence-pdf")
    download = info.value
    assert download.failure() is None and download.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert demo.LOGISTICS_COMPANY_NAME in text and "漏えい元追跡報告書" in text
    for pdf_page in reader.pages:
        for ref in pdf_page["/Resources"]["/Font"].values():
            assert "/FontFile2" in ref.get_object()["/FontDescriptor"].get_object()

    evidence = TraceEvidence.objects.get()
    page.goto(evidence.incident.get_absolute_url())
    assert evidence.get_absolute_url() in page.inner_html("#evidence-list")
    # The traced sample is evidence now: it has no remove link any more.
    assert page.locator("#attachments a:text-is('削除')").count() == 0
