"""Assessments end to end in Chromium, on the demo data set.

- A partner answers in the portal: the link from the e-mail, its name, answers saved as they are
  clicked, an answer changed while the connection is down and the tab closed (sent when the page is
  opened again), two colleagues changing the same answer (a conflict notice, not an overwrite),
  evidence attached, last cycle's answers confirmed, and the submission.
- An analyst reviews: asks for a change on one answer and returns the assessment (the party gets an
  e-mail with a portal link), the party corrects it through that link and submits again, the analyst
  accepts the assessment, turns the gaps into follow-up items and takes the declared subcontractor
  into the registry.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import timezone

from renkei.accounts.services import portal_link_issue
from renkei.assessments.demo import CAMPAIGN_NAME, RESPONDENTS
from renkei.assessments.models import Answer, Assignment, AssignmentStatus, FollowUp, ReviewState
from renkei.registry.models import Organisation, Relationship
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import demo_login, login, nav_click

pytestmark = pytest.mark.browser

PARTNER_NAME = "山田 太郎（情報システム部）"
COLLEAGUE_NAME = "佐藤 花子（総務部）"


def _wait_for(check: Callable[[], bool], what: str, timeout: float = TIMEOUT_MS / 1000) -> None:
    """Poll the database until the browser's work has landed (autosave runs in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {what}")


def _portal_path(party_name: str) -> str:
    party = Organisation.objects.get(name=party_name)
    _link, raw = portal_link_issue(user=None, organisation=party, expires_at=timezone.now() + dt.timedelta(days=30))
    from django.urls import reverse

    return reverse("portal:enter", args=[raw])


def _question(page: Any, ref: str) -> Any:
    return page.locator(f'article.q:has(.q-ref:text-is("{ref}"))')


def _enter_name(page: Any, name: str) -> None:
    page.fill("#q-name", name)
    page.locator("#q-name-form button[type=submit]").click()
    page.wait_for_selector("#q-name-form", state="detached")


def _answer(assignment: Assignment, ref: str) -> Answer | None:
    return Answer.objects.filter(assignment=assignment, question__ref=ref).first()


def test_partner_answers_in_the_portal(page, browser, live_server, demo):
    party_name = demo.CLOUD_CONTRACTOR_NAME
    assignment = Assignment.objects.get(campaign__name=CAMPAIGN_NAME, organisation__name=party_name)
    entry = _portal_path(party_name)

    # The link from the e-mail opens the party's page; the running questionnaire is there.
    page.goto(entry)
    page.wait_for_url(re.compile(r"/portal/$"))
    page.click(f'a.button[href$="/portal/a/{assignment.pk}/"]')
    page.wait_for_url(re.compile(rf"/portal/a/{assignment.pk}/$"))
    _enter_name(page, PARTNER_NAME)

    # A click saves at once, under the partner's name.
    sw03 = _question(page, "SW-03")
    sw03.locator('input[type=radio][value="no"]').check()
    sw03.locator(".q-status.q-status-saved").wait_for()
    saved = _answer(assignment, "SW-03")
    assert saved is not None and saved.value == "no" and saved.updated_by_name == PARTNER_NAME

    # The connection drops; the partner changes an answer and closes the tab. Nothing is lost: the
    # edit waits in the browser and is sent when the questionnaire is opened again.
    page.context.set_offline(True)
    _question(page, "SW-04").locator('input[type=radio][value="partly"]').check()
    page.locator("#q-global-status.q-status-offline").wait_for()
    assert _answer(assignment, "SW-04").value != "partly"
    page.close()
    page.context.set_offline(False)
    page = page.context.new_page()
    page.goto(f"/portal/a/{assignment.pk}/")
    _wait_for(lambda: _answer(assignment, "SW-04").value == "partly", "the offline edit to be sent")

    # A colleague of the partner, in another browser, changes the same answer meanwhile.
    colleague_context = browser.new_context(base_url=live_server.url, locale="ja-JP", timezone_id="Asia/Tokyo")
    colleague_context.set_default_timeout(TIMEOUT_MS)
    colleague = colleague_context.new_page()
    colleague.goto(entry)
    colleague.goto(f"/portal/a/{assignment.pk}/")
    _enter_name(colleague, COLLEAGUE_NAME)
    inc05 = _question(colleague, "INC-05")
    inc05.locator('input[type=radio][value="no"]').check()
    inc05.locator(".q-status.q-status-saved").wait_for()
    # The partner's page still shows the old version: its change is refused with a notice naming the
    # colleague and showing their answer; the partner decides to keep theirs.
    mine = _question(page, "INC-05")
    mine.locator('input[type=radio][value="partly"]').check()
    notice = mine.locator(".q-conflict")
    notice.wait_for()
    assert COLLEAGUE_NAME in notice.inner_text()
    assert _answer(assignment, "INC-05").value == "no"
    mine.locator(".q-keep-mine").click()
    mine.locator(".q-status.q-status-saved").wait_for()
    answer = _answer(assignment, "INC-05")
    assert answer.value == "partly" and answer.updated_by_name == PARTNER_NAME
    colleague_context.close()

    # Evidence for one answer.
    upload = _question(page, "SW-03").locator("form.q-upload")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "SBOM提供計画.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 plan"}]
    )
    upload.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert _question(page, "SW-03").locator(".evidence-list").inner_text().count("SBOM提供計画.pdf") == 1

    # Last cycle's answers confirmed, then submitted: from then on the answers are read only.
    page.locator("#q-confirm-all button").click()
    page.wait_for_load_state()
    page.goto(f"/portal/a/{assignment.pk}/submit/")
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"/portal/"))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED and assignment.submitted_by_name == PARTNER_NAME
    page.goto(f"/portal/a/{assignment.pk}/")
    assert page.locator("#q-readonly").count() == 1
    assert page.locator('article.q input[type=radio]').count() == 0


def test_analyst_reviews_returns_and_accepts(page, browser, live_server, demo):
    party_name = demo.SUBCONTRACTOR_NAME
    assignment = Assignment.objects.get(campaign__name=CAMPAIGN_NAME, organisation__name=party_name)
    assert assignment.status == AssignmentStatus.SUBMITTED
    login(page, *demo_login(demo))

    # From the campaign's progress table to the party's answers.
    page.goto("/assessments/campaigns/")
    page.click(f"text={CAMPAIGN_NAME}")
    page.click(f'a[href$="/assessments/assignments/{assignment.pk}/"] >> nth=-1')
    page.wait_for_url(re.compile(rf"/assessments/assignments/{assignment.pk}/$"))
    assert page.locator("#overall-score").inner_text().strip().endswith("%")

    # Ask for a change on one answer, with what is needed.
    dat06 = page.locator('article.rv-item[data-ref="DAT-06"]')
    dat06.locator("textarea[name=comment]").fill("再委託の承認手続を定めた規程を添付してください。")
    dat06.locator("button.request-change").click()
    page.locator('article.rv-item[data-ref="DAT-06"].review-change_requested').wait_for()
    assert _answer(assignment, "DAT-06").review_state == ReviewState.CHANGE_REQUESTED

    # Return it to the party: it is e-mailed the request with a new portal link.
    mail.outbox.clear()
    page.click("#return-assessment")
    page.fill("textarea[name=message]", "DAT-06 をご確認ください。")
    page.click("#confirm-button")
    page.wait_for_url(re.compile(rf"/assessments/assignments/{assignment.pk}/$"))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CHANGES_REQUESTED
    assert len(mail.outbox) == 1 and "再委託の承認手続" in mail.outbox[0].body
    link = re.search(r"https?://\S+/portal/t/\S+/", mail.outbox[0].body)
    assert link is not None

    # The party opens the link from that e-mail, sees the request, corrects the answer and submits.
    partner_context = browser.new_context(base_url=live_server.url, locale="ja-JP", timezone_id="Asia/Tokyo")
    partner_context.set_default_timeout(TIMEOUT_MS)
    partner = partner_context.new_page()
    partner.goto(urlparse(link.group(0)).path)
    partner.goto(f"/portal/a/{assignment.pk}/")
    assert "再委託の承認手続" in partner.locator("#q-change-requests").inner_text()
    _enter_name(partner, RESPONDENTS["hokuto"])
    fixed = _question(partner, "DAT-06")
    fixed.locator('input[type=radio][value="yes"]').check()
    fixed.locator(".q-status.q-status-saved").wait_for()
    partner.goto(f"/portal/a/{assignment.pk}/submit/")
    partner.click("#submit-button")
    partner.wait_for_url(re.compile(r"/portal/"))
    partner_context.close()

    # The analyst accepts the assessment and turns the remaining gaps into follow-up items.
    page.reload()
    page.click("#accept-assessment")
    page.click("#confirm-button")
    page.wait_for_url(re.compile(rf"/assessments/assignments/{assignment.pk}/$"))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED
    proposals = page.locator("#proposal-form input[type=checkbox]").count()
    assert proposals >= 3
    page.click("#create-followups")
    page.wait_for_load_state()
    assert FollowUp.objects.filter(assignment=assignment).count() == proposals

    # The subcontractor the party declared goes into the registry, under the party.
    page.locator("form.declaration-accept button[type=submit]").first.click()
    page.wait_for_load_state()
    sub = Organisation.objects.get(name="株式会社はまかぜ入力センター")
    assert Relationship.objects.filter(client__name=party_name, provider=sub, type="redelegates_work").exists()

    # Every party's follow-up items, in one list, from the main navigation.
    nav_click(page, "#nav-followups")
    page.wait_for_url(re.compile(r"/assessments/follow-ups/$"))
    assert page.locator("table").first.inner_text().count(party_name) >= proposals
