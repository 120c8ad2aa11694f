"""The audit trail pages: readable changes, scope for limited administrators."""

from django.urls import reverse

from renkei.core.audit import audit_context
from renkei.core.permissions import Role
from renkei.registry import services
from renkei.registry.models import Organisation
from tests import factories as f


def test_object_history_is_readable(client, admin_user, own):
    client.force_login(admin_user)
    with audit_context(actor=admin_user, via="web"):
        org = services.organisation_save(
            user=admin_user, organisation=Organisation(name="履歴株式会社", kind="contractor"), tags=["重要"]
        )
        org.criticality = "critical"
        services.organisation_save(user=admin_user, organisation=org, tags=["重要"])
    body = client.get(reverse("core:audit_object", args=["organisation", org.pk])).content.decode()
    assert "重要度" in body and "最重要" in body or "Critical" in body
    assert "registry.Contact.None" not in body
    assert "重要" in body  # the tag added


def test_limited_administrator_sees_only_their_companies_history(client, own, subsidiary):
    limited_admin = f.UserFactory(role=Role.ADMIN, companies=[subsidiary])
    with audit_context(actor=None, via="command: test"):
        services.organisation_save(user=None, organisation=Organisation(name="本社の委託先X", kind="contractor"))
        services.organisation_save(
            user=None, organisation=Organisation(name="子会社の委託先Y", kind="contractor", group_company=subsidiary)
        )
    client.force_login(limited_admin)
    body = client.get(reverse("core:audit_list")).content.decode()
    assert "子会社の委託先Y" in body
    assert "本社の委託先X" not in body


def test_audit_list_is_for_administrators(analyst_client, own):
    assert analyst_client.get(reverse("core:audit_list")).status_code == 403
