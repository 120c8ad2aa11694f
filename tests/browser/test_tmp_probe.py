import pytest
from renkei.registry.models import Organisation, OrganisationKind
from tests.browser.helpers import demo_login, login, wait_for_map

def test_probe(page, demo):
    from tests.chain.test_map import bulk_graph
    bulk_graph(Organisation.objects.get(kind=OrganisationKind.OWN), parties=2000, edges=6000)
    login(page, *demo_login(demo))
    page.goto("/chain/map/")
    wait_for_map(page)
    print(page.evaluate("""() => {
      const m = window.renkeiMap;
      const T = [];
      let t = performance.now();
      const mark = (n) => { const x = performance.now(); T.push([n, Math.round(x - t)]); t = x; };
      const els = m.cy.elements().jsons();
      mark('jsons');
      const div = document.createElement('div'); div.style.width='800px'; div.style.height='600px'; document.body.appendChild(div);
      const cy2 = cytoscape({container: div, elements: els, layout: {name:'preset', fit:false}, style: m.cy.style().json(), hideEdgesOnViewport: true, pixelRatio: 1});
      mark('construct');
      const bb = cy2.nodes().boundingBox({includeLabels: false, includeOverlays: false, includeEdges: false}); mark('bb');
      const w = cy2.width(), h = cy2.height();
      const z = Math.min((w - 60) / bb.w, (h - 60) / bb.h);
      cy2.viewport({zoom: z, pan: {x: (w - z * (bb.x1 + bb.x2)) / 2, y: (h - z * (bb.y1 + bb.y2)) / 2}}); mark('viewport');
      return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => { mark('2 frames'); cy2.fit(undefined, 30); mark('fit'); r(T); })));
      const cy3 = cytoscape({container: null, headless: true, elements: els, layout: {name:'preset', fit:false}}); mark('headless construct');
      m.applyFilters(); mark('filters');
      m.applyColours(); mark('colours');
      m.fillControls(); mark('controls');
      return T;
    }"""))
