"""The incident list search ignores width, case, kana and spaces, like every list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renkei.incidents.response.models import Incident
from tests.incidents.incident_helpers import logged_in, open_incident

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["ランサムウェア", "らんさむうぇあ", "ﾗﾝｻﾑｳｪｱ", "ＶＰＮ", "vpn 機器"])
def test_incident_search(own, csirt_user, typed):  # type: ignore[no-untyped-def]
    open_incident(title="VPN機器からのランサムウェア感染")
    open_incident(title="委託先からの漏えい報告")
    page = logged_in(csirt_user).get(reverse("incidents:incident_list"), {"q": typed})
    assert [i.title for i in page.context["object_list"]] == ["VPN機器からのランサムウェア感染"]


def test_search_column_follows_edits(own):  # type: ignore[no-untyped-def]
    incident = open_incident(title="初報")
    incident.description = "ＥＣサイト改ざん"
    incident.save(update_fields=["description"])
    assert "ecさいと改ざん" in Incident.objects.get(pk=incident.pk).search_text
