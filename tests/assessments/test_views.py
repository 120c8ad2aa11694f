"""Staff pages of the assessments app: parties and required levels, the party page (override,
history, portal links, starting an assessment), the policy, the framework library, the registry
page's assurance section, and the follow-up item a vulnerability finding creates."""

import datetime as dt

import pytest
import yaml
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from renkei.accounts.models import PortalLink
from renkei.accounts.services import portal_link_issue
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.frameworks import loading as framework_loading
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.frameworks import spec as frameworks
from renkei.assessments.frameworks.views import framework_yaml
from renkei.assessments.models import (
    AssessmentPolicy,
    Assignment,
    AssuranceOverride,
    FollowUp,
    Framework,
)
from renkei.assessments.review import services as review_services
from renkei.assessments.review.views import radar
from renkei.registry.models import Criticality
from tests import factories as f
from tests.assessments.factories import SMALL_FRAMEWORK, assignment, party, small_framework
from tests.assessments.test_views_helpers import count_queries, logged_in, page, submit, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_c(analyst):  # type: ignore[no-untyped-def]
    return logged_in(analyst)


def accept(a: Assignment, user) -> Assignment:  # type: ignore[no-untyped-def]
    submit(a)
    return review_services.assignment_accept(user=user, assignment=a)


# --- parties and required levels ------------------------------------------------------------------


def test_party_list_shows_levels_due_dates_and_filters(own, analyst, analyst_c):
    confidential = party(name="機密を預かる委託先", criticality=Criticality.MEDIUM)
    asset = f.InformationAssetFactory(classification="confidential")
    f.DataHoldingFactory(asset=asset, holder=confidential, received_from=own)
    plain = party(name="一般の取引先", criticality=Criticality.LOW)
    assessed = party(name="点検済みの委託先", criticality=Criticality.HIGH)
    accept(assignment(assessed), analyst)
    overridden = party(name="判断で★4の委託先")
    campaign_services.assurance_override_set(user=analyst, organisation=overridden, level="scs4", reason="重要システムの保守")
    group = f.group_company(name="連携グループ会社")

    body = page(analyst_c, "party_list")
    for org in (confidential, plain, assessed, overridden):
        assert org.name in body
    assert group.name not in body and own.name not in body  # our companies are not parties
    assert "overridden" in body or "変更済み" in body
    rows = {row.organisation.pk: row for row in analyst_c.get(url("party_list")).context["rows"]}
    assert rows[confidential.pk].level == "scs4" and rows[plain.pk].level == "scs3"
    assert rows[overridden.pk].is_overridden and rows[overridden.pk].level == "scs4"
    assert rows[plain.pk].overdue and not rows[assessed.pk].overdue
    assert rows[assessed.pk].next_due is not None

    def names(query: str) -> set[str]:
        response = analyst_c.get(url("party_list") + query)
        assert response.status_code == 200
        return {row.organisation.name for row in response.context["rows"]}

    assert names("?level=scs4") == {confidential.name, overridden.name}
    assert names("?overdue=on") == {confidential.name, plain.name, overridden.name}
    assert names("?level=scs3&overdue=on") == {plain.name}
    assert names("?criticality=high") == {assessed.name}
    assert names("?q=機密") == {confidential.name}
    assert names("?kind=vendor") == set()
    ordered = [row.organisation.name for row in analyst_c.get(url("party_list") + "?sort=-criticality").context["rows"]]
    assert ordered[0] == assessed.name and ordered[-1] == plain.name


def test_party_list_paginates_the_level_filter(own, analyst_c):
    for i in range(30):
        party(name=f"委託先{i:02d}")
    first = analyst_c.get(url("party_list") + "?overdue=on")
    assert first.context["paginator"].count == 30 and len(first.context["rows"]) == 25
    second = analyst_c.get(url("party_list") + "?overdue=on&page=2")
    assert len(second.context["rows"]) == 5
    assert second.context["rows"][0].organisation.name == "委託先25"


def _parties(own, start: int, count: int, framework: Framework) -> None:  # type: ignore[no-untyped-def]
    for i in range(start, start + count):
        org = party(name=f"行{i:03d}", criticality=["low", "medium", "high", "critical"][i % 4])
        f.DataHoldingFactory(asset=f.InformationAssetFactory(classification="confidential"), holder=org, received_from=own)
        f.SystemAccessFactory(organisation=org)
        AssuranceOverride.objects.create(organisation=org, group_company=own, level="scs3", reason="理由")
        a = assignment(org, framework)
        Assignment.objects.filter(pk=a.pk).update(status="accepted", accepted_at=timezone.now())


@pytest.mark.parametrize("query", ["", "?overdue=on&level=scs3", "?sort=-criticality"])
def test_party_list_queries_do_not_grow_with_rows(own, analyst_c, query):
    framework = small_framework()
    path = url("party_list") + query
    _parties(own, 0, 3, framework)
    with_3 = count_queries(analyst_c, path)
    _parties(own, 3, 12, framework)
    with_15 = count_queries(analyst_c, path)
    assert with_3 == with_15


def test_party_page_shows_proposal_history_follow_ups_and_links(own, analyst, analyst_c):
    org = party(name="株式会社みなと物流", criticality=Criticality.CRITICAL)
    framework = small_framework()
    old = accept(assignment(org, framework), analyst)
    FollowUp.objects.create(
        organisation=org, group_company=own, assignment=old, title="多要素認証の導入", due_date=timezone.localdate()
    )
    portal_link_issue(user=analyst, organisation=org, expires_at=timezone.now() + dt.timedelta(days=5), sent_to="a@x.jp")
    body = page(analyst_c, "party_assurance", org.pk)
    assert org.name in body and 'id="proposal-reasons"' in body
    assert "critical" in body or "重要" in body
    assert old.get_absolute_url() in body and "100%" in body  # the accepted cycle with its overall score
    assert "多要素認証の導入" in body and "a@x.jp" in body
    assert 'id="start-assessment"' in body and 'id="override-form"' in body


def test_override_with_reason_and_clear(own, analyst_c):
    org = party()
    response = analyst_c.post(url("party_override", org.pk), {"level": "scs4", "reason": "基幹システムの運用を委託"})
    assert response.status_code == 302 and response.url == url("party_assurance", org.pk)
    override = AssuranceOverride.objects.get(organisation=org)
    assert override.level == "scs4" and override.reason == "基幹システムの運用を委託"
    body = page(analyst_c, "party_assurance", org.pk)
    assert 'id="override-reason"' in body and "基幹システムの運用を委託" in body
    assert analyst_c.post(url("party_override_clear", org.pk)).status_code == 302
    assert not AssuranceOverride.objects.filter(organisation=org).exists()


def test_override_without_reason_is_refused(own, analyst_c):
    org = party()
    response = analyst_c.post(url("party_override", org.pk), {"level": "scs4", "reason": "  "})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not AssuranceOverride.objects.exists()
    assert analyst_c.post(url("party_override", org.pk), {"level": "scs9", "reason": "x"}).status_code == 400
    assert not AssuranceOverride.objects.exists()


def test_issue_a_link_shows_it_once_and_revoke(own, analyst_c):
    org = party()
    body = page(analyst_c, "party_links", org.pk)
    assert 'id="issue-link-form"' in body
    response = analyst_c.post(url("party_link_issue", org.pk), {"days": "14", "purpose": "再送", "sent_to": "電話で伝達"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    link = PortalLink.objects.get(organisation=org)
    raw_url = response.context["url"]
    assert "/portal/t/" in raw_url and raw_url in response.content.decode() and 'id="copy-link"' in response.content.decode()
    assert 13 <= (link.expires_at - timezone.now()).days <= 14 and link.sent_to == "電話で伝達"
    # Not shown again: the list has the prefix only.
    listing = page(analyst_c, "party_links", org.pk)
    assert raw_url not in listing and link.prefix in listing
    # Follow the link: it opens the portal.
    token = raw_url.rsplit("/t/", 1)[1].strip("/")
    assert logged_in_anonymous_enter(token).status_code == 302
    confirm = page(analyst_c, "link_revoke", link.pk)
    assert 'id="confirm-button"' in confirm
    assert analyst_c.post(url("link_revoke", link.pk)).status_code == 302
    link.refresh_from_db()
    assert link.state == "revoked"


def logged_in_anonymous_enter(token: str):  # type: ignore[no-untyped-def]
    from django.test import Client

    return Client().get(reverse("portal:enter", args=[token]))


@pytest.mark.parametrize("days", ["0", "401", "x"])
def test_link_expiry_must_be_1_to_400_days(own, analyst_c, days):
    org = party()
    response = analyst_c.post(url("party_link_issue", org.pk), {"days": days})
    assert response.status_code == 400 and not PortalLink.objects.exists()


def test_start_an_assessment_invites_the_party(own, analyst_c):
    org = party(name="招待先株式会社")
    framework = small_framework()
    body = page(analyst_c, "assignment_create", org.pk)
    assert str(framework) in body and 'name="invite"' in body
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = analyst_c.post(
        url("assignment_create", org.pk), {"framework": framework.pk, "due_date": due, "language": "en", "invite": "on"}
    )
    a = Assignment.objects.get(organisation=org)
    assert response.status_code == 302 and response.url == a.get_absolute_url()
    assert a.language == "en" and a.due_date.isoformat() == due
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [f"security@{org.pk}.example.jp"]
    # A second open assessment with the same framework is refused, on the form.
    again = analyst_c.post(url("assignment_create", org.pk), {"framework": framework.pk, "due_date": due, "language": "ja"})
    assert again.status_code == 400 and Assignment.objects.count() == 1


def test_start_an_assessment_bad_input(own, analyst_c):
    org = f.OrganisationFactory()  # no contact
    framework = small_framework()
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = analyst_c.post(url("assignment_create", org.pk), {"framework": framework.pk, "due_date": past, "language": "ja"})
    assert response.status_code == 400 and not Assignment.objects.exists()
    retired = small_framework(key="retired-one")
    framework_services.framework_set_active(user=None, framework=retired, active=False)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = analyst_c.post(url("assignment_create", org.pk), {"framework": retired.pk, "due_date": due, "language": "ja"})
    assert response.status_code == 400 and not Assignment.objects.exists()
    # No contact e-mail: created, and the page says to issue a link instead.
    response = analyst_c.post(
        url("assignment_create", org.pk), {"framework": framework.pk, "due_date": due, "language": "ja", "invite": "on"},
        follow=True,
    )
    assert Assignment.objects.count() == 1 and not mail.outbox
    assert url("party_links", org.pk) in response.content.decode()


def test_self_assessment_of_our_company(own, analyst_c):
    framework = small_framework()
    body = page(analyst_c, "assignment_create", own.pk)
    assert 'name="invite"' not in body
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = analyst_c.post(url("assignment_create", own.pk), {"framework": framework.pk, "due_date": due, "language": "ja"})
    assert response.status_code == 302 and Assignment.objects.get().organisation == own and not mail.outbox
    assert own.name in page(analyst_c, "party_assurance", own.pk)


# --- policy -------------------------------------------------------------------------------------


def test_policy_per_group_company(own, subsidiary, analyst_c):
    body = page(analyst_c, "policy")
    assert 'id="policy-company"' in body and 'name="months_critical"' in body
    data = {"company": subsidiary.pk, "months_critical": 6, "months_high": 12, "months_medium": 24, "months_low": 36,
            "reminder_days_before": 3, "overdue_reminder_days": 7}
    response = analyst_c.post(url("policy"), data)
    assert response.status_code == 302
    policy = AssessmentPolicy.objects.get(group_company=subsidiary)
    assert policy.months_critical == 6 and policy.reminder_days_before == 3
    assert not AssessmentPolicy.objects.filter(group_company=own).exists()
    body = page(analyst_c, "policy", query=f"?company={subsidiary.pk}")
    assert 'value="6"' in body
    # Bad input: nothing saved.
    response = analyst_c.post(url("policy"), {**data, "months_critical": 0})
    assert response.status_code == 400
    policy.refresh_from_db()
    assert policy.months_critical == 6


def test_policy_changes_the_due_dates(own, analyst, analyst_c):
    org = party(criticality=Criticality.LOW)
    accept(assignment(org), analyst)
    campaign_services.policy_save(user=analyst, policy=AssessmentPolicy(group_company=own, months_low=1))
    row = analyst_c.get(url("party_list")).context["rows"][0]
    assert row.interval_months == 1


# --- frameworks ---------------------------------------------------------------------------------


def test_framework_list_and_detail(own, analyst_c):
    framework = small_framework()
    body = page(analyst_c, "framework_list")
    assert framework.name in body and 'id="upload-button"' in body
    names = {fw.pk for fw in analyst_c.get(url("framework_list") + "?origin=builtin").context["object_list"]}
    assert framework.pk not in names and len(names) >= 4
    assert framework.pk in {fw.pk for fw in analyst_c.get(url("framework_list") + "?q=test-small").context["object_list"]}
    body = page(analyst_c, "framework_detail", framework.pk)
    for text in ("A-1", "B-3", "責任者を決めていますか", "★4", "設定画面"):
        assert text in body
    assert 'id="retire-button"' in body and 'id="delete-button"' in body


def test_builtin_frameworks_render_and_download(own, analyst_c):
    for framework in Framework.objects.filter(origin="builtin"):
        body = page(analyst_c, "framework_detail", framework.pk)
        assert framework.key in body
        response = analyst_c.get(url("framework_download", framework.pk))
        assert response.status_code == 200 and response["Content-Type"].startswith("application/yaml")
        # The download loads back to the same content.
        spec = framework_loading.load_yaml(response.content, filename="download.yaml")
        assert spec.content_hash() == framework.content_hash, framework.key


def test_download_round_trip_of_an_uploaded_framework(own):
    framework = small_framework()
    text = framework_yaml(framework)
    assert "&id" not in text and "*id" not in text  # no YAML aliases (the loader refuses them)
    assert framework_loading.load_yaml(text.encode(), filename="x.yaml").content_hash() == framework.content_hash
    assert yaml.safe_load(text)["name"] == {"ja": "小さな確認", "en": "Small check"}


def test_upload_a_framework(own, analyst_c):
    body = page(analyst_c, "framework_upload")
    assert 'name="file"' in body
    upload = SimpleUploadedFile("small.yaml", SMALL_FRAMEWORK.encode(), content_type="application/yaml")
    response = analyst_c.post(url("framework_upload"), {"file": upload, "group_company": ""})
    framework = Framework.objects.get(key="test-small")
    assert response.status_code == 302 and response.url == framework.get_absolute_url()
    assert framework.group_company is None and framework.question_count == 5 and framework.origin == "uploaded"


def test_upload_with_schema_errors_lists_every_problem(own, analyst_c):
    broken = SMALL_FRAMEWORK.replace("type: number", "type: slider").replace('levels: ["★4"]', 'levels: ["★5"]')
    broken = broken.replace("schema: renkei-framework/1", "schema: other/2")
    upload = SimpleUploadedFile("broken.yaml", broken.encode())
    response = analyst_c.post(url("framework_upload"), {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="upload-errors"' in body and "broken.yaml" in body
    assert "slider" in body and "★5" in body and "schema" in body
    assert body.count("<li>broken.yaml") >= 3
    assert not Framework.objects.filter(key="test-small").exists()


def test_upload_refuses_other_files(own, analyst_c):
    for name, data in (("a.yaml", b"\xff\xfe\x00"), ("b.yaml", b"key: [unclosed"), ("c.yaml", b"- &a x\n- *a\n")):
        response = analyst_c.post(url("framework_upload"), {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 400, name
        assert name in response.content.decode()
    huge = SimpleUploadedFile("big.yaml", b"#" * (frameworks.MAX_YAML_BYTES + 1))
    response = analyst_c.post(url("framework_upload"), {"file": huge})
    assert response.status_code == 413
    assert Framework.objects.filter(origin="uploaded").count() == 0


def test_limited_user_uploads_for_its_company_only(own, subsidiary, limited_analyst):
    client = logged_in(limited_analyst)
    body = page(client, "framework_upload")
    assert str(subsidiary.name) in body and own.name not in body
    upload = SimpleUploadedFile("small.yaml", SMALL_FRAMEWORK.encode())
    response = client.post(url("framework_upload"), {"file": upload, "group_company": ""})
    assert response.status_code == 400 and not Framework.objects.filter(key="test-small").exists()
    upload = SimpleUploadedFile("small.yaml", SMALL_FRAMEWORK.encode())
    response = client.post(url("framework_upload"), {"file": upload, "group_company": subsidiary.pk})
    assert response.status_code == 302
    assert Framework.objects.get(key="test-small").group_company == subsidiary


def test_retire_activate_and_delete(own, analyst_c):
    framework = small_framework()
    assert analyst_c.post(url("framework_active", framework.pk), {"active": "0"}).status_code == 302
    framework.refresh_from_db()
    assert not framework.is_active
    assert framework.pk not in {fw.pk for fw in analyst_c.get(url("framework_list") + "?active=yes").context["object_list"]}
    analyst_c.post(url("framework_active", framework.pk), {"active": "1"})
    framework.refresh_from_db()
    assert framework.is_active
    assert 'id="confirm-delete"' in page(analyst_c, "framework_delete", framework.pk)
    assert analyst_c.post(url("framework_delete", framework.pk)).status_code == 302
    assert not Framework.objects.filter(pk=framework.pk).exists()


def test_delete_refused_when_used(own, analyst_c):
    a = assignment()
    response = analyst_c.post(url("framework_delete", a.framework_id))
    assert response.status_code == 409 and Framework.objects.filter(pk=a.framework_id).exists()
    assert 'id="delete-button"' not in page(analyst_c, "framework_detail", a.framework_id)


def test_limited_user_cannot_change_group_frameworks(own, subsidiary, limited_analyst):
    builtin = Framework.objects.filter(origin="builtin").first()
    client = logged_in(limited_analyst)
    body = page(client, "framework_detail", builtin.pk)  # visible: the whole group's
    assert 'id="retire-button"' not in body
    client.post(url("framework_active", builtin.pk), {"active": "0"})
    builtin.refresh_from_db()
    assert builtin.is_active


def test_excel_import_link_only_when_the_page_exists(own, analyst_c):
    response = analyst_c.get(url("framework_list"))
    from renkei.assessments.views import optional_url

    expected = optional_url("assessments:framework_excel_import")
    assert response.context["excel_import_url"] == expected
    assert ('id="excel-import"' in response.content.decode()) == (expected is not None)


# --- the registry page and the software finding ---------------------------------------------------


def test_registry_page_shows_the_assurance_section(own, analyst, analyst_c):
    org = party(name="登録簿の委託先", criticality=Criticality.CRITICAL)
    body = analyst_c.get(org.get_absolute_url()).content.decode()
    assert 'id="assurance-summary"' in body and url("party_assurance", org.pk) in body
    assert "★4" in body
    own_body = analyst_c.get(own.get_absolute_url()).content.decode()
    assert 'id="assurance-summary"' in own_body


def test_asking_the_supplier_creates_a_follow_up(own, analyst_c):
    from tests.software import factories as sw

    supplier = f.OrganisationFactory(name="ソフト会社")
    f.ContactFactory(organisation=supplier, email="psirt@vendor.example.jp")
    release = sw.ReleaseFactory(product=sw.ProductFactory(supplier=supplier, group_company=own))
    component = sw.ComponentFactory(sbom=sw.SbomFactory(release=release))
    vulnerability = sw.VulnerabilityFactory()
    finding = sw.FindingFactory(release=release, component=component, vulnerability=vulnerability, group_company=own)
    # The finding's confirmation page posts to the follow-ups side, which asks and tracks in one step.
    page = analyst_c.get(reverse("software:finding_request_response", args=[finding.pk]))
    action = reverse("assessments:followup_from_finding", args=[finding.pk])
    assert f'action="{action}"' in page.content.decode()
    response = analyst_c.post(action, follow=True)
    assert response.status_code == 200
    item = FollowUp.objects.get(software_finding=finding)
    assert item.organisation == supplier and item.title in response.content.decode()
    # Asking again keeps the one item.
    analyst_c.post(action)
    assert FollowUp.objects.filter(software_finding=finding).count() == 1


def test_radar_needs_three_axes():
    from renkei.assessments.scoring import Score

    assert radar([Score(ref="A", title="a"), Score(ref="B", title="b")]) is None
    chart = radar([Score(ref=str(i), title="t", average=float(i)) for i in range(5)])
    assert chart is not None and len(chart.axes) == 5 and len(chart.rings) == 5
    assert chart.axes[0].x == chart.centre  # the first axis points straight up
