"""The main flow of the issue, as a person does it: register a contractor and its subcontractor, link
them, record where our customer data goes, see them on the map, read the subcontractor's blast
radius, and switch the interface from Japanese to English."""

from __future__ import annotations

import re
from typing import Any

import pytest

from renkei.registry.models import InformationAsset, Organisation, OrganisationKind, RelationshipType
from tests.browser.helpers import demo_login, login, nav_click, wait_for_map

pytestmark = pytest.mark.browser

CONTRACTOR = "テスト委託先株式会社"
SUBCONTRACTOR = "テスト再委託先有限会社"
ASSET = "顧客情報"


def _save(page: Any, expect_url: str) -> int:
    """Submit the edit form; it must land on the new record's page. Returns the record's id."""
    page.click("#save-button")
    page.wait_for_load_state()
    errors = page.locator(".error, .errorlist").all_text_contents()
    assert not errors, f"the form was refused: {errors}"
    match = re.search(expect_url + r"(\d+)/$", page.url)
    assert match, f"expected a redirect to {expect_url}<id>/, got {page.url}"
    return int(match.group(1))


def _add_organisation(page: Any, name: str, kind: str) -> int:
    page.goto("/registry/organisations/new/")
    page.fill("#id_name", name)
    page.select_option("#id_kind", kind)
    page.select_option("#id_criticality", "high")
    return _save(page, "/registry/organisations/")


def _add_relationship(page: Any, client: int, provider: int, kind: str) -> int:
    page.goto("/registry/relationships/new/")
    page.select_option("#id_client", str(client))
    page.select_option("#id_provider", str(provider))
    page.select_option("#id_type", kind)
    return _save(page, "/registry/relationships/")


def _add_holding(page: Any, asset: int, holder: int, sender: int, records: int) -> int:
    page.goto("/registry/holdings/new/")
    page.select_option("#id_asset", str(asset))
    page.select_option("#id_holder", str(holder))
    page.select_option("#id_received_from", str(sender))
    page.fill("#id_record_count", str(records))
    return _save(page, "/registry/holdings/")


def test_register_a_chain_map_it_and_read_its_blast_radius(page, demo):
    own = Organisation.objects.get(kind=OrganisationKind.OWN)

    # Log in: the interface starts in Japanese.
    login(page, *demo_login(demo))
    assert page.get_attribute("html", "lang") == "ja"
    assert page.text_content("#switch-language") == "English"

    # A contractor and its subcontractor, through the organisation form.
    contractor = _add_organisation(page, CONTRACTOR, OrganisationKind.CONTRACTOR)
    subcontractor = _add_organisation(page, SUBCONTRACTOR, OrganisationKind.CONTRACTOR)
    assert page.locator("h1", has_text=SUBCONTRACTOR).count() == 1

    # Own company → contractor (委託), contractor → subcontractor (再委託).
    _add_relationship(page, own.pk, contractor, RelationshipType.CONTRACTS_WORK)
    _add_relationship(page, contractor, subcontractor, RelationshipType.REDELEGATES_WORK)

    # Our customer data, passed along the chain.
    page.goto("/registry/assets/new/")
    page.fill("#id_name", ASSET)
    page.check("#id_has_personal_info")
    page.fill("#id_record_count", "50000")
    asset = _save(page, "/registry/assets/")
    assert InformationAsset.objects.get(pk=asset).name == ASSET
    _add_holding(page, asset, contractor, own.pk, 50000)
    _add_holding(page, asset, subcontractor, contractor, 20000)

    # The map: everything the user sees is drawn; the subcontractor sits in tier 2.
    nav_click(page, "a[href='/chain/map/']")
    wait_for_map(page)
    assert page.get_attribute("#map", "data-node-count") == str(Organisation.objects.count())
    assert page.locator("#map canvas").count() >= 1
    page.fill("#map-search", SUBCONTRACTOR)
    page.press("#map-search", "Enter")
    page.wait_for_selector("#map-panel-body:not([hidden])")
    assert page.text_content("#map-panel-name") == SUBCONTRACTOR
    assert page.text_content("#map-panel-tier") == "2"
    assert CONTRACTOR in (page.text_content("#map-panel-clients") or "")

    # Its blast radius, from the side panel: the asset and the chain of parties up to us.
    page.click("#map-panel-blast")
    page.wait_for_url(f"**/chain/blast-radius/{subcontractor}/")
    assert ASSET in (page.text_content("#exposed-assets") or "")
    chain = page.text_content("#notice-chain") or ""
    positions = [chain.find(name) for name in (own.name, CONTRACTOR, SUBCONTRACTOR)]
    assert -1 not in positions, chain
    assert positions == sorted(positions), "the chain runs from us through the contractor to the subcontractor"
    assert SUBCONTRACTOR in (page.text_content("h1") or "")

    # Switch to English: the same page, now in English.
    page.click("#switch-language")
    page.wait_for_url(f"**/chain/blast-radius/{subcontractor}/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("#switch-language") == "日本語"
    assert (page.text_content("h1") or "").startswith("Blast radius")
    assert page.locator("nav.mainnav", has_text="Organisations").count() == 1

    # And the map's own texts follow the language.
    page.goto("/chain/map/")
    wait_for_map(page)
    assert "Contractor" in (page.text_content("#map-legend") or "")
    assert page.text_content("#map-status") == f"{Organisation.objects.count()} of {Organisation.objects.count()} parties shown"
