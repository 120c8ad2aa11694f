"""The supply-chain map in a real browser, on the demo data set."""

from __future__ import annotations

import time
from typing import Any

import pytest

from renkei.registry.models import Organisation, OrganisationKind
from tests.browser.helpers import demo_login, login, wait_for_map

pytestmark = pytest.mark.browser


def _open_map(page: Any, demo: Any, query: str = "") -> None:
    login(page, *demo_login(demo))
    page.goto("/chain/map/" + query)
    wait_for_map(page)


def _panel_name(page: Any) -> str:
    page.wait_for_selector("#map-panel-body:not([hidden])")
    return page.text_content("#map-panel-name") or ""


def test_map_draws_every_party_of_the_demo(page, demo):
    _open_map(page, demo)

    expected = Organisation.objects.count()
    assert page.get_attribute("#map", "data-node-count") == str(expected)
    assert page.get_attribute("#map", "data-visible-count") == str(expected)
    assert page.locator("#map canvas").count() >= 1
    # The own company comes first: left of every other party.
    xs = page.evaluate(
        "() => window.renkeiMap.parties.map(n => [n.data('kind'), n.position('x')])"
    )
    own_x = next(x for kind, x in xs if kind == OrganisationKind.OWN)
    assert all(own_x <= x for _kind, x in xs)
    # A legend entry per kind, and the parties not connected to us in their own labelled box.
    assert page.locator("#map-legend span").count() == len(OrganisationKind.choices) + 1
    inside = page.evaluate(
        """() => {
            const box = window.renkeiMap.cy.getElementById('group-unconnected');
            const b = {x: box.position('x'), y: box.position('y'), w: box.data('w'), h: box.data('h')};
            return window.renkeiMap.parties.filter(n => n.data('tier') === null).map(n => {
                const p = n.position();
                return Math.abs(p.x - b.x) < b.w / 2 && Math.abs(p.y - b.y) < b.h / 2;
            });
        }"""
    )
    assert inside == [True] * len(demo.UNCONNECTED_NAMES)
    assert page.evaluate("() => window.renkeiMap.cy.getElementById('group-unconnected').data('label')") == (
        page.evaluate("() => window.renkeiMap.labels.notConnected")
    )


def test_search_a_party_shows_it_in_the_side_panel(page, demo):
    _open_map(page, demo)

    page.fill("#map-search", demo.SUBCONTRACTOR_NAME)
    page.press("#map-search", "Enter")

    assert _panel_name(page) == demo.SUBCONTRACTOR_NAME
    assert page.text_content("#map-panel-tier") == "2"
    party = Organisation.objects.get(name=demo.SUBCONTRACTOR_NAME)
    assert page.get_attribute("#map-panel-detail", "href") == party.get_absolute_url()
    assert page.get_attribute("#map-panel-blast", "href") == f"/chain/blast-radius/{party.pk}/"
    assert demo.CLOUD_CONTRACTOR_NAME in (page.text_content("#map-panel-clients") or "")
    assert demo.SUB_SUBCONTRACTOR_NAME in (page.text_content("#map-panel-providers") or "")


def test_search_ignores_width_and_case_and_reports_no_match(page, demo):
    _open_map(page, demo)

    page.fill("#map-search", "gale harbor")  # lower case finds "Gale Harbor Analytics Ltd."
    page.press("#map-search", "Enter")
    assert _panel_name(page) == demo.UNCONNECTED_NAMES[1]
    assert page.text_content("#map-panel-tier") == page.evaluate("() => window.renkeiMap.labels.notConnected")

    page.fill("#map-search", "存在しない会社")
    page.press("#map-search", "Enter")
    assert page.get_attribute("#map", "data-search-result") == "none"
    assert "存在しない会社" in (page.text_content("#map-status") or "")


def test_clicking_a_party_on_the_canvas_opens_the_panel(page, demo):
    _open_map(page, demo)

    # Where cytoscape drew the own company, in page coordinates: a real mouse click on the canvas.
    point = page.evaluate(
        """() => {
            const node = window.renkeiMap.parties.filter(n => n.data('kind') === 'own')[0];
            const box = document.getElementById('map').getBoundingClientRect();
            const p = node.renderedPosition();
            return {x: box.left + p.x, y: box.top + p.y};
        }"""
    )
    page.mouse.click(point["x"], point["y"])

    assert _panel_name(page) == demo.OWN_COMPANY_NAME


def test_focus_parameter_highlights_and_centres_the_party(page, demo):
    party = Organisation.objects.get(name=demo.SUB_SUBCONTRACTOR_NAME)
    _open_map(page, demo, f"?focus={party.pk}")

    assert _panel_name(page) == demo.SUB_SUBCONTRACTOR_NAME
    state = page.evaluate(
        """(id) => {
            const cy = window.renkeiMap.cy, node = cy.getElementById(String(id));
            const p = node.renderedPosition();
            return {focused: node.hasClass('focused'), x: p.x, y: p.y, w: cy.width(), h: cy.height()};
        }""",
        party.pk,
    )
    assert state["focused"]
    # Centred (cytoscape centres the node with its label, so allow a few pixels).
    assert abs(state["x"] - state["w"] / 2) < 30 and abs(state["y"] - state["h"] / 2) < 30


def test_filters_by_tier_and_kind(page, demo):
    _open_map(page, demo)
    total = Organisation.objects.count()

    page.select_option("#map-max-tier", "1")
    upto_one = Organisation.objects.filter(tier__lte=1).count()
    assert page.get_attribute("#map", "data-visible-count") == str(upto_one + len(demo.UNCONNECTED_NAMES))

    page.uncheck("#map-show-unconnected")
    assert page.get_attribute("#map", "data-visible-count") == str(upto_one)

    page.select_option("#map-max-tier", "")
    page.check("#map-show-unconnected")
    page.uncheck(f'#map-kinds input[value="{OrganisationKind.CONTRACTOR}"]')
    contractors = Organisation.objects.filter(kind=OrganisationKind.CONTRACTOR).count()
    assert contractors > 0
    assert page.get_attribute("#map", "data-visible-count") == str(total - contractors)

    # Finding a hidden party brings it back instead of answering "not found".
    page.fill("#map-search", demo.SUB_SUBCONTRACTOR_NAME)
    page.press("#map-search", "Enter")
    assert _panel_name(page) == demo.SUB_SUBCONTRACTOR_NAME
    assert page.is_checked(f'#map-kinds input[value="{OrganisationKind.CONTRACTOR}"]')

    page.click("#map-fit")


def test_colour_toggle_switches_the_legend(page, demo):
    _open_map(page, demo)
    assert page.get_attribute("#map-legend span:first-child", "data-value") == OrganisationKind.OWN

    page.select_option("#map-colour-by", "criticality")

    assert page.get_attribute("#map-legend span:first-child", "data-value") == "low"
    colour = page.evaluate(
        "() => window.renkeiMap.parties.filter(n => n.data('criticality') === 'critical')[0].data('colour')"
    )
    assert colour == "#b3261e"


def test_names_are_shown_as_text_never_as_html(page, demo):
    evil = '<img src=x onerror="window.__renkeiXss=1">悪意ある名前'
    own = Organisation.objects.get(kind=OrganisationKind.OWN)
    Organisation.objects.create(name=evil, kind=OrganisationKind.PARTNER, group_company=own)
    _open_map(page, demo)

    page.fill("#map-search", "悪意ある名前")
    page.press("#map-search", "Enter")

    assert _panel_name(page) == evil
    assert page.locator("#map-panel img").count() == 0
    assert page.evaluate("() => window.__renkeiXss") is None


def test_map_with_2000_parties_and_6000_relationships_stays_usable(page, demo):
    from tests.chain.test_map import bulk_graph

    bulk_graph(Organisation.objects.get(kind=OrganisationKind.OWN), parties=2000, edges=6000)
    login(page, *demo_login(demo))

    started = time.monotonic()
    page.goto("/chain/map/")
    wait_for_map(page)
    # Ready means drawn: wait for two animation frames after the script has finished.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    seconds = time.monotonic() - started

    assert int(page.get_attribute("#map", "data-node-count") or 0) >= 2000
    assert int(page.get_attribute("#map", "data-edge-count") or 0) >= 6000
    layout_ms = int(page.get_attribute("#map", "data-layout-ms") or 0)
    print(f"2,000-party map: ready in {seconds:.2f} s, layout and first draw {layout_ms} ms")
    assert seconds < 20

    started = time.monotonic()
    page.fill("#map-search", "委託先01999")
    page.press("#map-search", "Enter")
    assert _panel_name(page) == "委託先01999株式会社"
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    search_seconds = time.monotonic() - started
    print(f"2,000-party map: search, focus and redraw in {search_seconds:.2f} s")
    assert search_seconds < 10
