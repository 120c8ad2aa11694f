"""Issue 13 §1: one way to show days, moments and counts; the grouped menu, the help pages, the
favicon, readable audit values and delete confirmations without model codes."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation

from renkei.core import context_processors
from renkei.core.audit_views import _display_value
from renkei.core.display import show_date, show_date_short, show_datetime, show_number
from renkei.core.help import rendering
from renkei.registry.models import Organisation, Tag
from tests import factories

MOMENT = dt.datetime(2026, 12, 7, 5, 5, tzinfo=dt.UTC)  # 14:05 in Tokyo


@pytest.mark.parametrize(
    ("language", "prose", "table", "moment"),
    [("ja", "2026年12月7日", "2026/12/07", "2026/12/07 14:05"), ("en", "7 Dec 2026", "2026-12-07", "2026-12-07 14:05")],
)
def test_one_format_per_language_in_japan_time(language, prose, table, moment):  # type: ignore[no-untyped-def]
    with translation.override(language):
        assert show_date(dt.date(2026, 12, 7)) == prose
        assert show_date_short(dt.date(2026, 12, 7)) == table
        assert show_datetime(MOMENT) == moment
        # Late evening in UTC is already the next day in Japan.
        assert show_date_short(dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.UTC)) == table
        assert show_number(1_200_000) == "1,200,000"
        assert show_number(None) == "" and show_date(None) == ""


def test_filters_are_available_in_every_template_without_a_load():  # type: ignore[no-untyped-def]
    from django.template import engines

    template = engines["django"].from_string("{{ n|num }} 件 · {{ m|jdatetime }} · {{ d|jdate }}")
    with translation.override("ja"):
        assert template.render({"n": 1200000, "m": MOMENT, "d": dt.date(2026, 12, 7)}) == (
            "1,200,000 件 · 2026/12/07 14:05 · 2026年12月7日"
        )


def test_list_counts_have_separators(admin_client, own):  # type: ignore[no-untyped-def]
    body = admin_client.get(reverse("registry:organisation_list")).content.decode()
    assert "1 件" in body


@pytest.mark.parametrize(
    ("view_name", "group", "anchor"),
    [
        ("registry:organisation_list", "registry", "s3"),
        ("registry:holding_detail", "registry", "s4"),
        ("registry:import", "settings", "s5"),
        ("chain:map", "registry", "s6"),
        ("software:finding_list", "software", "s8"),
        ("incidents:incident_detail", "incidents", "s9"),
        ("assessments:campaign_list", "assessments", "s10"),
        ("core:audit_list", "settings", "s7"),
        ("accounts:user_list", "settings", "s2"),
        ("core:dashboard", "", ""),
    ],
)
def test_each_page_knows_its_menu_group_and_guide_section(view_name, group, anchor):  # type: ignore[no-untyped-def]
    namespace = view_name.split(":")[0]
    assert context_processors.nav_group(namespace, view_name) == group
    assert context_processors.help_anchor(namespace, view_name) == anchor


def test_menu_is_grouped_and_marks_the_current_group(admin_client):  # type: ignore[no-untyped-def]
    body = admin_client.get(reverse("registry:organisation_list")).content.decode()
    assert body.count('<details class="navgroup') == 5
    assert 'class="navgroup current" id="navgroup-registry"' in body
    assert 'href="/help/#s3"' in body and 'rel="icon"' in body
    assert "<script>" not in body  # the menu needs no inline script (CSP)


@pytest.mark.parametrize(("language", "heading"), [("ja", "利用ガイド"), ("en", "User guide")])
def test_user_guide_is_served_behind_login_in_both_languages(client, admin_user, language, heading):  # type: ignore[no-untyped-def]
    assert client.get(reverse("core:help")).status_code == 302
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    body = client.get(reverse("core:help")).content.decode()
    assert heading in body and 'id="s6"' in body and 'href="#s10"' in body


def test_user_guide_markdown_cannot_inject_html(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    guide = tmp_path / "user-guide.ja.md"
    guide.write_text('## 1. 見出し\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n')
    monkeypatch.setattr(rendering, "guide_path", lambda language: guide)
    rendering.render_guide.cache_clear()
    try:
        html, contents = rendering.render_guide("ja")
    finally:
        rendering.render_guide.cache_clear()
    assert contents == (("s1", "1. 見出し"),)
    assert "<script" not in html and "<img" not in html and "href=\"javascript" not in html
    assert "&lt;script&gt;" in html


def test_favicon_ico_is_answered(client):  # type: ignore[no-untyped-def]
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("renkei/favicon.svg")


def test_delete_confirmation_names_tag_links_not_the_model_code(admin_client, own):  # type: ignore[no-untyped-def]
    party = factories.OrganisationFactory(name="削除される取引先")
    party.tags.add(Tag.objects.create(name="重要委託先"))
    body = admin_client.get(reverse("registry:organisation_delete", args=[party.pk])).content.decode()
    assert "タグの関連付け" in body
    assert "organisation-tag" not in body.lower() and "organisation_tag" not in body.lower()


def test_audit_values_are_shown_as_the_pages_show_them(own):  # type: ignore[no-untyped-def]
    created = Organisation._meta.get_field("created_at")
    kind = Organisation._meta.get_field("kind")
    with translation.override("ja"):
        assert _display_value(created, "2026-12-07 05:05:00.123456") == "2026/12/07 14:05"
        assert _display_value(created, "2026-12-07 05:05:00+00:00") == "2026/12/07 14:05"
        assert _display_value(kind, kind.choices[0][0]) == str(kind.choices[0][1])
    assert LogEntry.objects.exists()


def test_section_codes_are_not_shown_but_numbers_are():  # type: ignore[no-untyped-def]
    from renkei.core.templatetags.renkei_tags import shown_ref

    assert [shown_ref(ref) for ref in ("basic", "staff", "org", "2", "A-1", None)] == ["", "", "", "2", "A-1", ""]


def test_iso_text_kept_in_json_results_is_shown_the_same_way():  # type: ignore[no-untyped-def]
    with translation.override("ja"):
        assert show_date_short("2026-04-01") == "2026/04/01"
        assert show_datetime("2026-12-07T05:05:00+00:00") == "2026/12/07 14:05"
    assert show_date("not a date") == "not a date"
