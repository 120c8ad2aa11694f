"""Follow-up item pages: the list across parties (open by default, overdue count), adding one by
hand (prefilled from a party or an assessment), editing, the thread with a status change, and
deleting; bad input and query counts; asking a software supplier to respond, tracked as an item."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from renkei.assessments.followups import services as followup_services
from renkei.assessments.models import FollowUp, FollowUpMessage
from renkei.core.errors import RenkeiError
from renkei.registry.models import ContactRole
from tests import factories as f
from tests.assessments.factories import assignment, party
from tests.assessments.test_views_helpers import count_queries, logged_in, page, url
from tests.software.factories import FindingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_c(analyst):  # type: ignore[no-untyped-def]
    return logged_in(analyst)


def item(org=None, days: int = 30, **kwargs) -> FollowUp:  # type: ignore[no-untyped-def]
    org = org or party()
    return followup_services.followup_save(
        user=None,
        follow_up=FollowUp(
            organisation=org, title=kwargs.pop("title", "パッチ適用の遅れ"), due_date=timezone.localdate() + dt.timedelta(days=days), **kwargs
        ),
    )


def test_list_defaults_to_open_and_counts_overdue(own, analyst, analyst_c):
    open_item = item(title="未対応の項目")
    late = item(title="期限切れの項目", days=-2, severity="high")
    closed = item(title="完了した項目", status="resolved")
    mine = item(title="自分の項目", owner="us", owner_user=analyst)
    response = analyst_c.get(url("followup_list"))
    body = response.content.decode()
    shown = {i.title for i in response.context["object_list"]}
    assert shown == {open_item.title, late.title, mine.title}
    assert response.context["overdue_count"] == 1 and 'id="overdue-count"' in body

    def titles(query: str) -> set[str]:
        response = analyst_c.get(url("followup_list") + query)
        assert response.status_code == 200
        return {i.title for i in response.context["object_list"]}

    assert titles("?status=overdue") == {late.title}
    assert titles("?status=closed") == {closed.title}
    assert titles("?status=all") == {open_item.title, late.title, closed.title, mine.title}
    assert titles("?severity=high") == {late.title}
    assert titles("?owner=mine") == {mine.title}
    assert titles("?owner=us") == {mine.title}
    assert titles(f"?party={late.organisation_id}") == {late.title}
    assert titles(f"?party={late.organisation.name[:4]}") >= {late.title}
    assert titles("?q=期限切れ") == {late.title}


def _items(start: int, count: int, user) -> None:  # type: ignore[no-untyped-def]
    for i in range(start, start + count):
        item(party(name=f"行{i:03d}"), days=(i % 3) - 1, owner_user=user if i % 2 else None, title=f"項目{i}")


def test_list_queries_do_not_grow_with_rows(own, analyst, analyst_c):
    _items(0, 3, analyst)
    with_3 = count_queries(analyst_c, url("followup_list"))
    _items(3, 12, analyst)
    assert count_queries(analyst_c, url("followup_list")) == with_3


def test_create_prefilled_from_an_assessment(own, analyst_c):
    a = assignment()
    body = page(analyst_c, "followup_create", query=f"?assignment={a.pk}")
    assert f'<option value="{a.organisation_id}" selected>' in body and f'<option value="{a.pk}" selected>' in body
    data = {
        "organisation": a.organisation_id,
        "assignment": a.pk,
        "title": "委託先の脆弱性対応",
        "description": "",
        "severity": "high",
        "owner": "party",
        "owner_user": "",
        "due_date": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "status": "open",
    }
    response = analyst_c.post(url("followup_create"), data)
    created = FollowUp.objects.get()
    assert response.status_code == 302 and response.url == created.get_absolute_url()
    assert created.group_company == own and created.assignment == a
    body = page(analyst_c, "followup_detail", created.pk)
    assert "委託先の脆弱性対応" in body and 'id="message-form"' in body


def test_create_bad_input(own, analyst_c):
    a = assignment()
    other = party()
    base = {"organisation": other.pk, "title": "x", "severity": "medium", "owner": "party", "due_date": "2030-01-01", "status": "open"}
    response = analyst_c.post(url("followup_create"), {**base, "title": ""})
    assert response.status_code == 400
    # The assessment of another party is refused.
    response = analyst_c.post(url("followup_create"), {**base, "assignment": a.pk})
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert not FollowUp.objects.exists()


def test_edit_message_with_status_and_delete(own, analyst, analyst_c):
    follow_up = item()
    response = analyst_c.post(
        url("followup_update", follow_up.pk),
        {"organisation": follow_up.organisation_id, "title": "改題", "severity": "low", "owner": "us",
         "owner_user": analyst.pk, "due_date": "2031-03-31", "status": "in_progress"},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.title == "改題" and follow_up.owner_user == analyst
    response = analyst_c.post(url("followup_message", follow_up.pk), {"body": "対応状況を教えてください", "status": "resolved"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == "resolved" and follow_up.resolved_at is not None
    message = FollowUpMessage.objects.get()
    assert "対応状況を教えてください" in message.body and message.author == analyst
    body = page(analyst_c, "followup_detail", follow_up.pk)
    assert "対応状況を教えてください" in body
    # An empty message is refused.
    analyst_c.post(url("followup_message", follow_up.pk), {"body": "  ", "status": ""})
    assert FollowUpMessage.objects.count() == 1
    assert 'id="confirm-delete"' in page(analyst_c, "followup_delete", follow_up.pk)
    assert analyst_c.post(url("followup_delete", follow_up.pk)).status_code == 302
    assert not FollowUp.objects.exists()


def test_party_message_shows_in_the_thread(own, analyst_c):
    follow_up = item()
    followup_services.followup_message_add(follow_up=follow_up, body="対応しました", party_name="委託先 佐藤", status="party_done")
    body = page(analyst_c, "followup_detail", follow_up.pk)
    assert "委託先 佐藤" in body and "対応しました" in body


def test_dashboard_card_counts_and_is_scoped(own, analyst, limited_analyst):
    from django.db import connection
    from django.template import Context, Template
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from renkei.assessments.models import Assignment
    from tests.assessments.test_views_helpers import submit

    late = assignment(days=5)
    Assignment.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    submit(assignment())
    item(days=-1)
    item(days=-1, status="resolved")
    template = Template("{% load reports_tags %}{% assessments_card %}")

    def render(user) -> str:  # type: ignore[no-untyped-def]
        request = RequestFactory().get("/")
        request.user = user
        with CaptureQueriesContext(connection) as queries:
            html = template.render(Context({"request": request}))
        assert len(queries) <= 7
        return html

    from renkei.assessments.campaigns.selectors import active_parties, overdue_party_ids

    html = render(analyst)
    # The overdue figure counts parties overdue for assessment, as the parties page does
    # (tests/reports/test_dashboard.py); the late assessment's party is one of them.
    overdue = overdue_party_ids(active_parties(analyst))
    assert late.organisation_id in overdue
    assert f'id="card-overdue-parties">{len(overdue)}<' in html and 'id="card-to-review">1<' in html
    assert 'id="card-overdue-followups">1<' in html
    assert f'id="card-overdue-parties">{len(overdue_party_ids(active_parties(limited_analyst)))}<' in render(limited_analyst)
    assert late.organisation_id not in overdue_party_ids(active_parties(limited_analyst))


# --- from a software finding: ask the supplier and track the response --------------------------


@pytest.fixture
def asked_finding():  # type: ignore[no-untyped-def]
    """A finding whose supplier has a security contact to ask."""
    finding = FindingFactory()
    f.ContactFactory(
        organisation=finding.release.product.supplier, role=ContactRole.SECURITY, email="psirt@vendor.example.jp"
    )
    return finding


def test_asking_the_supplier_adds_a_follow_up_and_mails_on_commit(
    analyst_c, asked_finding, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    confirm = analyst_c.get(reverse("software:finding_request_response", args=[asked_finding.pk]))
    target = reverse("assessments:followup_from_finding", args=[asked_finding.pk])
    assert f'action="{target}"' in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_c.post(target, {"next": asked_finding.get_absolute_url()}, follow=True)
    assert response.redirect_chain[-1][0] == asked_finding.get_absolute_url()
    follow_up = FollowUp.objects.get(software_finding=asked_finding)
    assert follow_up.organisation == asked_finding.release.product.supplier
    assert follow_up.title in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["psirt@vendor.example.jp"]
    asked_finding.refresh_from_db()
    assert asked_finding.response_requested_at is not None


def test_when_the_follow_up_fails_nothing_is_sent_or_saved(
    analyst, analyst_c, asked_finding, monkeypatch, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    def refuse(**kwargs):  # type: ignore[no-untyped-def]
        raise RenkeiError("期日が不正です", field_name="due_date")

    monkeypatch.setattr(followup_services, "followup_save", refuse)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = analyst_c.post(reverse("assessments:followup_from_finding", args=[asked_finding.pk]))
    assert response.status_code == 400
    assert 'id="request-error"' in response.content.decode() and "期日が不正です" in response.content.decode()
    assert not callbacks and not mail.outbox
    assert not FollowUp.objects.exists()
    asked_finding.refresh_from_db()
    assert asked_finding.response_requested_at is None
    # The service says the same, and leaves nothing behind either.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RenkeiError) as exc:
        followup_services.followup_request_software_response(user=analyst, finding=asked_finding)
    assert "期日が不正です" in str(exc.value) and not mail.outbox


def test_a_viewer_may_not_ask_the_supplier(viewer, asked_finding):  # type: ignore[no-untyped-def]
    response = logged_in(viewer).post(reverse("assessments:followup_from_finding", args=[asked_finding.pk]))
    assert response.status_code == 403
    assert not FollowUp.objects.exists() and not mail.outbox
