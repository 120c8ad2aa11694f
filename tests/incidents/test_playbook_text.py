"""Issue 13 §1: the default response flow reads in English on English pages; edited texts stay as written."""

from __future__ import annotations

from django.urls import reverse

from renkei.incidents.response.setup_services import playbook_ensure_default


def _page(client, user, language, playbook):  # type: ignore[no-untyped-def]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client.get(reverse("incidents:playbook_detail", args=[playbook.pk])).content.decode()


def test_default_flow_in_the_readers_language(client, admin_user, own):  # type: ignore[no-untyped-def]
    playbook = playbook_ensure_default(group_company=own)
    step = playbook.steps.order_by("order").first()
    step.description = "当社独自の説明"
    step.save()
    english = _page(client, admin_user, "en", playbook)
    assert "Standard incident response flow" in english and "First report" in english and "発見報告" not in english
    assert "当社独自の説明" in english  # edited by the company: shown as written
    japanese = _page(client, admin_user, "ja", playbook)
    assert "標準インシデント対応フロー" in japanese and "発見報告" in japanese and "First report" not in japanese
