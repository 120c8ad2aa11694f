"""No lost edits (core.concurrency): a stale form gets the conflict page, a stale API write 409, and of
two writes based on the same version exactly one is saved."""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from renkei.core.concurrency import StaleEdit, etag, save_if_current, version_from_if_match
from renkei.core.errors import RenkeiError
from renkei.core.models import Versioned
from renkei.core.views.objects import ObjectEditView
from renkei.registry.models import Organisation
from tests import factories as f

API = "/api/v1/registry"


class _FormFields(HTMLParser):
    """The values a browser would post from the page's edit form (inputs, selects, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("class", "").startswith("edit"):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in {"submit", "file"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data.append((self._textarea or "", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.data[-1]
            self.data[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_data(html: str, **changes: str) -> dict[str, Any]:
    parser = _FormFields()
    parser.feed(html)
    data: dict[str, Any] = {}
    for name, value in parser.data:
        if name in data:
            data[name] = [*([data[name]] if isinstance(data[name], str) else data[name]), value]
        else:
            data[name] = value
    data.pop("csrfmiddlewaretoken", None)
    data.update(changes)
    return data


@pytest.fixture
def two_analysts(own: Any) -> tuple[Client, Client, Any, Any]:
    first, second = f.UserFactory(role="analyst", last_name="佐藤", first_name="花子"), f.UserFactory(role="analyst")
    a, b = Client(), Client()
    a.force_login(first)
    b.force_login(second)
    return a, b, first, second


# --- the web form ----------------------------------------------------------------------------------


def test_the_second_of_two_editors_gets_the_conflict_page_and_nothing_of_theirs_is_saved(two_analysts: Any, own: Any) -> None:
    a, b, first, _second = two_analysts
    org = f.OrganisationFactory(name="旧社名株式会社", criticality="medium")
    url = reverse("registry:organisation_update", args=[org.pk])
    form_a = form_data(a.get(url).content.decode(), name="佐藤が直した株式会社")
    form_b = form_data(b.get(url).content.decode(), name="鈴木が直した株式会社", criticality="critical")
    assert form_a["edit_version"] == form_b["edit_version"] == str(org.edit_version)

    assert a.post(url, form_a).status_code == 302
    response = b.post(url, form_b)

    assert response.status_code == 409
    html = response.content.decode()
    assert "編集中に他の人がこの記録を保存しました" in html
    assert "鈴木が直した株式会社" in html and "佐藤が直した株式会社" in html  # mine vs the saved one
    table = html[html.index('<table class="conflict">') : html.index("</table>")]
    assert "最重要" in table and "critical" not in table  # the choice's label, not its code
    assert str(first) in html  # who saved it
    org.refresh_from_db()
    assert (org.name, org.criticality) == ("佐藤が直した株式会社", "medium")


def test_apply_mine_after_the_conflict_saves_my_version(two_analysts: Any, own: Any) -> None:
    a, b, _first, _second = two_analysts
    org = f.OrganisationFactory(name="旧社名株式会社")
    url = reverse("registry:organisation_update", args=[org.pk])
    form_a = form_data(a.get(url).content.decode(), name="佐藤が直した株式会社")
    form_b = form_data(b.get(url).content.decode(), name="鈴木が直した株式会社")
    a.post(url, form_a)
    conflict = b.post(url, form_b).content.decode()

    resubmit = form_data(conflict.replace('class="inline"', 'class="edit"'))
    assert resubmit["edit_version"] == str(org.edit_version + 1)
    assert b.post(url, resubmit).status_code == 302
    org.refresh_from_db()
    assert org.name == "鈴木が直した株式会社"
    assert org.edit_version == int(form_a["edit_version"]) + 2


def test_the_conflict_page_is_english_for_an_english_user(two_analysts: Any, own: Any) -> None:
    a, b, _first, second = two_analysts
    second.language = "en"
    second.save()
    org = f.OrganisationFactory()
    url = reverse("registry:organisation_update", args=[org.pk])
    form_a = form_data(a.get(url).content.decode(), notes="A")
    form_b = form_data(b.get(url).content.decode(), notes="B")
    a.post(url, form_a)
    html = b.post(url, form_b).content.decode()
    assert "Someone else saved this record while you were editing it" in html
    assert "Apply mine over it" in html and "Reload the current version (discard mine)" in html


def test_a_stale_submit_equal_to_the_saved_values_just_saves(two_analysts: Any, own: Any) -> None:
    a, b, _first, _second = two_analysts
    org = f.OrganisationFactory(name="旧社名株式会社")
    org.tags.create(name="重要委託先")
    url = reverse("registry:organisation_update", args=[org.pk])
    form_a = form_data(a.get(url).content.decode(), name="同じ名前株式会社")
    form_b = form_data(b.get(url).content.decode(), name="同じ名前株式会社")
    a.post(url, form_a)
    assert b.post(url, form_b).status_code == 302


def test_the_audit_trail_shows_the_change_not_the_version(analyst_client: Client, own: Any) -> None:
    org = f.OrganisationFactory(name="旧社名株式会社")
    url = reverse("registry:organisation_update", args=[org.pk])
    analyst_client.post(url, form_data(analyst_client.get(url).content.decode(), name="新社名株式会社"))
    entry = LogEntry.objects.get_for_object(org).latest("pk")
    assert "name" in entry.changes_dict and "edit_version" not in entry.changes_dict


# --- the API -------------------------------------------------------------------------------------------


def test_api_get_gives_the_version_and_an_etag(analyst_client: Client, own: Any) -> None:
    org = f.OrganisationFactory()
    response = analyst_client.get(f"{API}/organisations/{org.pk}")
    assert response.json()["edit_version"] == org.edit_version
    assert response["ETag"] == f'W/"{org.edit_version}"'


def test_api_put_with_a_stale_if_match_answers_409_with_the_current_record(analyst_client: Client, own: Any) -> None:
    org = f.OrganisationFactory(name="旧社名株式会社", kind="vendor")
    loaded = org.edit_version
    org.name = "誰かが直した株式会社"
    org.save()
    response = analyst_client.put(
        f"{API}/organisations/{org.pk}", {"name": "古い版から株式会社", "kind": "vendor"},
        content_type="application/json", HTTP_IF_MATCH=etag(loaded),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current"]["name"] == "誰かが直した株式会社" and body["current"]["edit_version"] == loaded + 1
    assert response["ETag"] == etag(loaded + 1)
    org.refresh_from_db()
    assert org.name == "誰かが直した株式会社"


def test_api_patch_with_the_current_version_saves_and_moves_it_on(analyst_client: Client, own: Any) -> None:
    org = f.OrganisationFactory()
    response = analyst_client.patch(
        f"{API}/organisations/{org.pk}", {"notes": "確認済み", "edit_version": org.edit_version}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["edit_version"] == org.edit_version + 1
    assert response["ETag"] == etag(org.edit_version + 1)
    stale = analyst_client.patch(
        f"{API}/organisations/{org.pk}", {"notes": "古い", "edit_version": org.edit_version}, content_type="application/json"
    )
    assert stale.status_code == 409
    org.refresh_from_db()
    assert org.notes == "確認済み"


def test_api_write_without_a_version_is_still_accepted(analyst_client: Client, own: Any) -> None:
    org = f.OrganisationFactory()
    response = analyst_client.patch(f"{API}/organisations/{org.pk}", {"notes": "旧クライアント"}, content_type="application/json")
    assert response.status_code == 200


def test_an_unreadable_if_match_is_refused_not_ignored(analyst_client: Client, own: Any) -> None:
    org = f.OrganisationFactory()
    response = analyst_client.patch(
        f"{API}/organisations/{org.pk}", {"notes": "x"}, content_type="application/json", HTTP_IF_MATCH='"abc"'
    )
    assert response.status_code == 400
    org.refresh_from_db()
    assert org.notes == ""


@pytest.mark.parametrize(("header", "version"), [('W/"3"', 3), ('"3"', 3), ("3", 3), ("*", None), (None, None)])
def test_if_match_forms(header: str | None, version: int | None) -> None:
    assert version_from_if_match(header) == version
    with pytest.raises(RenkeiError):
        version_from_if_match("W/abc")


# --- the helper ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_of_two_saves_based_on_the_same_version_exactly_one_wins(own: Any) -> None:
    org = f.OrganisationFactory(name="旧")
    first, second = Organisation.objects.get(pk=org.pk), Organisation.objects.get(pk=org.pk)
    first.name, second.name = "一人目", "二人目"
    save_if_current(first, org.edit_version)
    with pytest.raises(StaleEdit) as caught:
        save_if_current(second, org.edit_version)
    assert caught.value.status == 409 and caught.value.current.name == "一人目"
    org.refresh_from_db()
    assert (org.name, org.edit_version) == ("一人目", 2)


@pytest.mark.django_db
def test_every_save_moves_the_version_on_but_bookkeeping_does_not(own: Any) -> None:
    org = f.OrganisationFactory()
    org.notes = "a"
    org.save()
    assert org.edit_version == 2
    org.tier = 3
    org.save(update_fields=["tier"])
    org.refresh_from_db()
    assert org.edit_version == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_race_and_exactly_one_wins() -> None:
    """Two threads, two connections, the same expected version, released together."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the sequential test above covers it")
    own = f.own_company()
    org = f.OrganisationFactory(name="旧", group_company=own)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def edit(name: str) -> None:
        try:
            with transaction.atomic():
                mine = Organisation.objects.get(pk=org.pk)
                mine.name = name
                barrier.wait(timeout=10)
                save_if_current(mine, org.edit_version)
            results.append("saved")
        except StaleEdit:
            results.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("一人目", "二人目")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["saved", "stale"]
    org.refresh_from_db()
    assert org.edit_version == 2 and org.name in {"一人目", "二人目"}


# --- every edit form carries the version ------------------------------------------------------------


def _edit_views(patterns: Any, prefix: str = "") -> list[tuple[str, type]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _edit_views(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            view = getattr(p.callback, "view_class", None)
            if view is not None and issubclass(view, ObjectEditView) and "<int:pk>" in prefix + str(p.pattern):
                found.append((prefix + str(p.pattern), view))
    return found


def test_every_edit_view_edits_a_versioned_record_in_a_form_that_carries_the_version() -> None:
    views = _edit_views(get_resolver().url_patterns)
    assert len(views) >= 20
    for route, view in views:
        assert issubclass(view.model, Versioned), f"{route}: {view.model.__name__} has no version"
        assert _renders_hidden_fields(view.template_name), f"{route}: {view.template_name} does not render the hidden version field"


def _renders_hidden_fields(name: str) -> bool:
    """The template, or one it extends, renders `form.hidden_fields`."""
    import re

    from django.template.loader import get_template

    source = get_template(name).template.source
    if "hidden_fields" in source:
        return True
    parent = re.search(r"""{%\s*extends\s+["']([^"']+)["']""", source)
    return parent is not None and _renders_hidden_fields(parent.group(1))


# --- endpoints of their own shape: incidents and campaigns -------------------------------------------


def test_incident_patch_with_a_stale_if_match_answers_409_and_changes_nothing(client: Client, csirt_user: Any, own: Any) -> None:
    import datetime as dt

    from renkei.incidents.response.models import Incident

    client.force_login(csirt_user)
    pk = Incident.objects.create(
        group_company=own, title="委託先での漏えい", learned_at=dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC),
        source="partner_report", category="leak",
    ).pk
    got = client.get(f"/api/v1/incidents/{pk}")
    tag = got["ETag"]
    assert client.patch(f"/api/v1/incidents/{pk}", {"title": "一人目"}, content_type="application/json",
                        HTTP_IF_MATCH=tag).status_code == 200
    stale = client.patch(f"/api/v1/incidents/{pk}", {"title": "二人目"}, content_type="application/json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 409
    incident = Incident.objects.get(pk=pk)
    assert stale.json()["current"]["edit_version"] == incident.edit_version
    assert stale["ETag"] == etag(incident.edit_version)
    assert incident.title == "一人目"


def test_the_licence_policy_page_refuses_a_stale_save(analyst_client: Client, own: Any) -> None:
    """A settings page of its own shape (not ObjectEditView) carries the version too."""
    from renkei.software.models import LicencePolicy

    policy = LicencePolicy.objects.create(group_company=own, allowed="MIT")
    url = f"{reverse('software:licence_policy')}?company={own.pk}"
    data = form_data(analyst_client.get(url).content.decode(), allowed="Apache-2.0")
    assert data["edit_version"] == str(policy.edit_version)
    policy.allowed = "BSD-3-Clause"
    policy.save()
    response = analyst_client.post(url, data)
    assert response.status_code == 409
    assert "BSD-3-Clause" in response.content.decode() and "Apache-2.0" in response.content.decode()
    policy.refresh_from_db()
    assert policy.allowed == "BSD-3-Clause"
