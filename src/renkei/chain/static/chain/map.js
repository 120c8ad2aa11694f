/* Renkei supply-chain map.
 *
 * Draws the parties the user may see with cytoscape (served from static/vendor/, installed by npm),
 * laid out in tier columns: the own company on the left, each tier one column to the right, and the
 * parties not connected to us in a separate box at the end. Positions are computed here in O(N + E)
 * (no force layout), so 2,000 parties and 6,000 relationships still open in well under a second.
 *
 * Every text comes from the page (json_script, translated by Django); party names reach the DOM only
 * through textContent, and cytoscape draws labels on a canvas, so no name is ever parsed as HTML.
 */
(function () {
  "use strict";

  var KIND_COLOURS = {
    own: "#12284a",
    group: "#4f7cc4",
    partner: "#2a9d8f",
    contractor: "#e07a1f",
    vendor: "#8e5bb5",
    msp: "#c0392b",
    cloud: "#17a2c8",
    other: "#8d99ae",
  };
  var CRITICALITY_COLOURS = { low: "#7fb77e", medium: "#e9c46a", high: "#f08c3a", critical: "#b3261e" };
  var FALLBACK_COLOUR = "#8d99ae";

  // Layout grid (model units; the user zooms). A column is wide enough for a short name.
  var COL_W = 180;
  var ROW_H = 48;
  var TIER_GAP = 240;
  var SINGLE_COLUMN_MAX = 12;
  var UNCONNECTED_ID = "group-unconnected";
  var PANEL_LIST_MAX = 8;

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : {};
  }

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function normalise(text) {
    // NFKC folds full-width and half-width forms, so "ＡＢＣ" finds "ABC" and "ｶﾌﾞ" finds "カブ".
    return String(text || "").normalize("NFKC").toLowerCase().trim();
  }

  function byKindThenName(a, b) {
    if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
    return a.name.localeCompare(b.name, "ja");
  }

  /* Party tier as drawn: the own company is always 0; null means not connected to us. */
  function drawnTier(node) {
    if (node.kind === "own") return 0;
    return typeof node.tier === "number" ? node.tier : null;
  }

  /* Place one block of nodes (already ordered) in a grid whose left edge is x0, centred on y = 0.
   * Returns the block's size. Small blocks are one column; large ones roughly square. */
  function placeBlock(ordered, x0, positions) {
    var n = ordered.length;
    if (n === 0) return { width: 0, height: 0 };
    var rows = n <= SINGLE_COLUMN_MAX ? n : Math.ceil(Math.sqrt((n * COL_W) / ROW_H));
    var cols = Math.ceil(n / rows);
    rows = Math.ceil(n / cols);
    for (var i = 0; i < n; i++) {
      // Row-major: the order (by parents' positions) runs top to bottom, like the column before.
      var row = cols === 1 ? i : Math.floor(i / cols);
      var col = cols === 1 ? 0 : i % cols;
      positions[ordered[i].id] = { x: x0 + col * COL_W, y: (row - (rows - 1) / 2) * ROW_H };
    }
    return { width: (cols - 1) * COL_W, height: (rows - 1) * ROW_H };
  }

  /* Tier columns, each ordered by the mean position of its parents in the previous tier (one
   * barycentre pass: cheap, and it removes most edge crossings between neighbouring columns). */
  function computeLayout(nodes, edges) {
    var byId = {};
    var tiers = {};
    var unconnected = [];
    var maxTier = 0;
    nodes.forEach(function (node) {
      byId[node.id] = node;
      var tier = drawnTier(node);
      if (tier === null) {
        unconnected.push(node);
      } else {
        (tiers[tier] = tiers[tier] || []).push(node);
        if (tier > maxTier) maxTier = tier;
      }
    });
    var parents = {};
    edges.forEach(function (edge) {
      var source = byId[edge.source];
      var target = byId[edge.target];
      if (!source || !target) return;
      var ts = drawnTier(source);
      var tt = drawnTier(target);
      if (ts !== null && tt === ts + 1) (parents[target.id] = parents[target.id] || []).push(source.id);
    });

    var positions = {};
    var rank = {};
    var columns = [];
    var x = 0;
    for (var tier = 0; tier <= maxTier; tier++) {
      var members = tiers[tier] || [];
      if (members.length === 0) continue;
      var key = {};
      members.forEach(function (node) {
        var ps = parents[node.id] || [];
        var sum = 0;
        var count = 0;
        ps.forEach(function (p) {
          if (p in rank) {
            sum += rank[p];
            count++;
          }
        });
        key[node.id] = count ? sum / count : 2; // no known parent: after the others
      });
      members.sort(function (a, b) {
        return key[a.id] - key[b.id] || byKindThenName(a, b);
      });
      members.forEach(function (node, index) {
        rank[node.id] = members.length > 1 ? index / (members.length - 1) : 0.5;
      });
      var size = placeBlock(members, x, positions);
      columns.push({ tier: tier, x: x + size.width / 2, top: -size.height / 2 });
      x += size.width + TIER_GAP;
    }
    unconnected.sort(byKindThenName);
    var box = null;
    if (unconnected.length) {
      var left = x + TIER_GAP / 2;
      var block = placeBlock(unconnected, left, positions);
      // The "not connected" group is one plain background node sized around the block: a
      // compound parent would do the same but costs seconds of bounds updates on big graphs.
      box = { x: left + block.width / 2, y: 0, w: block.width + COL_W, h: block.height + ROW_H * 2 };
    }
    return { positions: positions, columns: columns, unconnected: unconnected, box: box, maxTier: maxTier };
  }

  function buildElements(payload, layout, labels) {
    var elements = [];
    layout.columns.forEach(function (column) {
      if (column.tier === 0) return; // the own company is its own heading
      elements.push({
        group: "nodes",
        data: { id: "heading-" + column.tier, label: format(labels.tier, { tier: column.tier }) },
        position: { x: column.x, y: column.top - ROW_H * 1.4 },
        classes: "heading",
        selectable: false,
        grabbable: false,
      });
    });
    if (layout.box) {
      elements.push({
        group: "nodes",
        data: { id: UNCONNECTED_ID, label: labels.notConnected, w: layout.box.w, h: layout.box.h },
        position: { x: layout.box.x, y: layout.box.y },
        classes: "group",
        selectable: false,
        grabbable: false,
      });
    }
    payload.nodes.forEach(function (node) {
      var data = {
        id: String(node.id),
        pk: node.id,
        name: node.name,
        kind: node.kind,
        kind_label: node.kind_label,
        criticality: node.criticality,
        tier: drawnTier(node),
        status: node.status,
        url: node.url,
      };
      elements.push({
        group: "nodes",
        data: data,
        position: layout.positions[node.id],
        classes: "party" + (node.kind === "own" ? " own" : "") + (node.status === "offboarded" ? " offboarded" : ""),
      });
    });
    payload.edges.forEach(function (edge, index) {
      elements.push({
        group: "edges",
        data: {
          id: "e" + (edge.id !== undefined ? edge.id : index),
          source: String(edge.source),
          target: String(edge.target),
          type: edge.type,
        },
      });
    });
    return elements;
  }

  /* `big`: edges as haystack lines without arrows (the columns already show the direction), which
   * halves the first draw of a 6,000-edge map; a selected party's edges get their arrows back. */
  function stylesheet(big) {
    return [
      {
        selector: "node.party",
        style: {
          "background-color": "data(colour)",
          label: "data(name)",
          width: 18,
          height: 18,
          "font-size": 11,
          color: "#1d2330",
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-wrap": "ellipsis",
          "text-max-width": COL_W - 20,
          // Labels vanish when zoomed out far enough to be unreadable: keeps big maps fast.
          "min-zoomed-font-size": 7,
          "border-width": 1,
          "border-color": "#ffffff",
        },
      },
      {
        selector: "node.own",
        style: { width: 34, height: 34, "font-size": 13, "font-weight": "bold", shape: "round-rectangle", "text-max-width": 260 },
      },
      { selector: "node.offboarded", style: { opacity: 0.45, "border-style": "dashed", "border-color": "#5b6475" } },
      {
        selector: "node.heading",
        style: {
          label: "data(label)",
          "background-opacity": 0,
          "border-width": 0,
          width: 1,
          height: 1,
          "font-size": 16,
          "font-weight": "bold",
          color: "#5b6475",
          "text-valign": "center",
          events: "no",
        },
      },
      {
        selector: "node.group",
        style: {
          label: "data(label)",
          width: "data(w)",
          height: "data(h)",
          "background-opacity": 0.6,
          "z-index-compare": "manual",
          "z-index": -1,
          "text-valign": "top",
          "text-halign": "center",
          "text-margin-y": -8,
          "font-size": 16,
          "font-weight": "bold",
          color: "#5b6475",
          "background-color": "#f3f4f7",
          "border-color": "#b8c0cc",
          "border-style": "dashed",
          "border-width": 2,
          shape: "round-rectangle",
          events: "no",
        },
      },
      {
        selector: "edge",
        style: {
          width: 1,
          "line-color": "#b8c0cc",
          "curve-style": big ? "haystack" : "straight",
          "target-arrow-shape": big ? "none" : "triangle",
          "target-arrow-color": "#b8c0cc",
          "arrow-scale": 0.7,
        },
      },
      { selector: "edge.dim", style: { opacity: 0.25 } },
      { selector: 'edge[type = "redelegates_work"]', style: { "line-style": "dashed", "line-color": "#e07a1f", "target-arrow-color": "#e07a1f" } },
      {
        selector: "edge.highlighted",
        style: {
          width: 3,
          "line-color": "#1f5fbf",
          "target-arrow-color": "#1f5fbf",
          "curve-style": "straight",
          "target-arrow-shape": "triangle",
          "z-index": 10,
        },
      },
      { selector: "node.party:selected", style: { "border-width": 4, "border-color": "#1f5fbf" } },
      {
        selector: "node.focused",
        style: {
          "border-width": 6,
          "border-color": "#ffbf00",
          width: 30,
          height: 30,
          "font-size": 14,
          "font-weight": "bold",
          "text-max-width": 320,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.9,
          "text-background-padding": 2,
          "z-index": 20,
        },
      },
      { selector: ".hidden", style: { display: "none" } },
    ];
  }

  function RenkeiMap(config, labels) {
    this.config = config;
    this.labels = labels;
    this.container = document.getElementById("map");
    this.status = document.getElementById("map-status");
    this.colourBy = "kind";
    this.lastQuery = "";
    this.lastMatchIndex = -1;
    this.kindLabels = {};
    this.criticalityLabels = {};
    var self = this;
    (config.kinds || []).forEach(function (pair) {
      self.kindLabels[pair[0]] = pair[1];
    });
    (config.criticalities || []).forEach(function (pair) {
      self.criticalityLabels[pair[0]] = pair[1];
    });
  }

  RenkeiMap.prototype.setStatus = function (text) {
    if (this.status) this.status.textContent = text;
  };

  RenkeiMap.prototype.load = function () {
    var self = this;
    this.setStatus(this.labels.loading);
    return fetch(this.config.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (payload) {
        self.render(payload);
      })
      .catch(function (error) {
        self.container.dataset.ready = "error";
        self.setStatus(self.labels.loadFailed);
        if (window.console) window.console.error(error);
      });
  };

  RenkeiMap.prototype.render = function (payload) {
    var started = window.performance ? window.performance.now() : 0;
    var layout = computeLayout(payload.nodes, payload.edges);
    var big = payload.nodes.length > 500 || payload.edges.length > 1500;
    this.payload = payload;
    this.layout = layout;
    this.cy = window.cytoscape({
      container: this.container,
      elements: buildElements(payload, layout, this.labels),
      layout: { name: "preset", fit: false },
      style: stylesheet(big),
      minZoom: 0.02,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: "single",
      // Large graphs: draw edges only when the view is still, and skip high-DPI rendering.
      hideEdgesOnViewport: big,
      pixelRatio: big ? 1 : "auto",
    });
    this.parties = this.cy.nodes(".party");
    this.applyColours();
    this.fillControls();
    this.bindEvents();
    this.applyFilters();
    var focusNode = this.config.focus !== null && this.config.focus !== undefined ? this.cy.getElementById(String(this.config.focus)) : null;
    if (focusNode && focusNode.nonempty() && focusNode.hasClass("party")) {
      this.selectParty(focusNode, { centre: true, focus: true });
    } else {
      this.fit();
    }
    this.container.dataset.nodeCount = String(payload.nodes.length);
    this.container.dataset.edgeCount = String(payload.edges.length);
    this.container.dataset.layoutMs = String(Math.round((window.performance ? window.performance.now() : 0) - started));
    this.container.dataset.ready = "true";
    if (payload.nodes.length === 0) this.setStatus(this.labels.empty);
  };

  RenkeiMap.prototype.applyColours = function () {
    var mode = this.colourBy;
    var palette = mode === "criticality" ? CRITICALITY_COLOURS : KIND_COLOURS;
    this.cy.batch(function () {
      this.parties.forEach(function (node) {
        node.data("colour", palette[node.data(mode)] || FALLBACK_COLOUR);
      });
    }.bind(this));
    this.renderLegend();
  };

  RenkeiMap.prototype.renderLegend = function () {
    var legend = document.getElementById("map-legend");
    if (!legend) return;
    legend.replaceChildren();
    var palette = this.colourBy === "criticality" ? CRITICALITY_COLOURS : KIND_COLOURS;
    var entries = this.colourBy === "criticality" ? this.config.criticalities : this.config.kinds;
    (entries || []).forEach(function (pair) {
      var item = document.createElement("span");
      var swatch = document.createElement("i");
      swatch.style.background = palette[pair[0]] || FALLBACK_COLOUR;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(pair[1]));
      item.dataset.value = pair[0];
      legend.appendChild(item);
    });
    var dashed = document.createElement("span");
    var line = document.createElement("i");
    line.className = "legend-line";
    dashed.appendChild(line);
    dashed.appendChild(document.createTextNode(this.labels.redelegation || ""));
    legend.appendChild(dashed);
  };

  RenkeiMap.prototype.fillControls = function () {
    var select = document.getElementById("map-max-tier");
    if (select) {
      while (select.options.length > 1) select.remove(1);
      for (var tier = 0; tier <= this.layout.maxTier; tier++) {
        var option = document.createElement("option");
        option.value = String(tier);
        option.textContent = format(this.labels.tier, { tier: tier });
        select.appendChild(option);
      }
    }
    var list = document.getElementById("map-search-names");
    if (list) {
      list.replaceChildren();
      var seen = {};
      this.payload.nodes.forEach(function (node) {
        if (seen[node.name]) return;
        seen[node.name] = true;
        var option = document.createElement("option");
        option.value = node.name;
        list.appendChild(option);
      });
    }
  };

  RenkeiMap.prototype.bindEvents = function () {
    var self = this;
    this.cy.on("tap", "node.party", function (event) {
      self.selectParty(event.target, { centre: false, focus: false });
    });
    this.cy.on("tap", function (event) {
      if (event.target === self.cy) self.clearHighlight();
    });
    var form = document.getElementById("map-controls");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        self.search(document.getElementById("map-search").value);
      });
      form.addEventListener("change", function (event) {
        if (event.target.id === "map-colour-by") {
          self.colourBy = event.target.value;
          self.applyColours();
        } else if (event.target.id !== "map-search") {
          self.applyFilters();
        }
      });
    }
    var fit = document.getElementById("map-fit");
    if (fit) fit.addEventListener("click", function () { self.fit(); });
    var panel = document.getElementById("map-panel");
    if (panel) {
      panel.addEventListener("click", function (event) {
        var target = event.target.closest("button[data-party]");
        if (!target) return;
        var node = self.cy.getElementById(target.dataset.party);
        if (node.nonempty()) self.selectParty(node, { centre: true, focus: true });
      });
    }
  };

  RenkeiMap.prototype.readFilters = function () {
    var select = document.getElementById("map-max-tier");
    var unconnected = document.getElementById("map-show-unconnected");
    var kinds = {};
    document.querySelectorAll('#map-kinds input[name="kind"]').forEach(function (box) {
      if (box.checked) kinds[box.value] = true;
    });
    return {
      maxTier: select && select.value !== "" ? parseInt(select.value, 10) : null,
      showUnconnected: unconnected ? unconnected.checked : true,
      kinds: kinds,
    };
  };

  RenkeiMap.prototype.isShown = function (node, filters) {
    if (!filters.kinds[node.data("kind")]) return false;
    var tier = node.data("tier");
    if (tier === null || tier === undefined) return filters.showUnconnected;
    return filters.maxTier === null || tier <= filters.maxTier;
  };

  RenkeiMap.prototype.applyFilters = function () {
    var self = this;
    var filters = this.readFilters();
    var shown = 0;
    var shownUnconnected = 0;
    this.cy.batch(function () {
      self.parties.forEach(function (node) {
        var visible = self.isShown(node, filters);
        node.toggleClass("hidden", !visible);
        if (visible) {
          shown++;
          if (node.data("tier") === null) shownUnconnected++;
        }
      });
      self.cy.nodes(".heading").forEach(function (heading) {
        var tier = parseInt(heading.id().slice("heading-".length), 10);
        heading.toggleClass("hidden", filters.maxTier !== null && tier > filters.maxTier);
      });
      // An empty compound box would be drawn as a lone grey square: hide it with its last child.
      self.cy.getElementById(UNCONNECTED_ID).toggleClass("hidden", shownUnconnected === 0);
    });
    this.container.dataset.visibleCount = String(shown);
    this.setStatus(format(this.labels.shown, { shown: shown, total: this.parties.length }));
  };

  /* Make sure a party the user asked for is not hidden by the filters. */
  RenkeiMap.prototype.reveal = function (node) {
    if (!node.hasClass("hidden")) return;
    var box = document.querySelector('#map-kinds input[name="kind"][value="' + CSS.escape(node.data("kind")) + '"]');
    if (box) box.checked = true;
    var tier = node.data("tier");
    if (tier === null) {
      document.getElementById("map-show-unconnected").checked = true;
    } else {
      var select = document.getElementById("map-max-tier");
      if (select.value !== "" && parseInt(select.value, 10) < tier) select.value = "";
    }
    this.applyFilters();
  };

  RenkeiMap.prototype.clearHighlight = function () {
    var cy = this.cy;
    cy.batch(function () {
      cy.elements(".focused").removeClass("focused");
      cy.elements(".highlighted").removeClass("highlighted");
      cy.elements(".dim").removeClass("dim");
    });
  };

  RenkeiMap.prototype.selectParty = function (node, options) {
    var cy = this.cy;
    options = options || {};
    this.reveal(node);
    cy.batch(function () {
      cy.elements(".focused").removeClass("focused");
      cy.elements(".highlighted").removeClass("highlighted");
      cy.elements(":selected").unselect();
      node.select();
      // Fade the other relationships so the party's own links stand out in a dense map.
      cy.edges().addClass("dim");
      node.connectedEdges().removeClass("dim").addClass("highlighted");
      if (options.focus) node.addClass("focused");
    });
    if (options.centre) {
      cy.zoom({ level: Math.max(cy.zoom(), 1.1), renderedPosition: node.renderedPosition() });
      cy.center(node);
    }
    this.showPanel(node);
  };

  RenkeiMap.prototype.search = function (query) {
    var wanted = normalise(query);
    if (!wanted) return null;
    var exact = [];
    var starts = [];
    var contains = [];
    this.parties.forEach(function (node) {
      var name = normalise(node.data("name"));
      if (name === wanted) exact.push(node);
      else if (name.indexOf(wanted) === 0) starts.push(node);
      else if (name.indexOf(wanted) > 0) contains.push(node);
    });
    var matches = exact.concat(starts, contains);
    if (matches.length === 0) {
      this.setStatus(format(this.labels.noMatch, { query: query }));
      this.container.dataset.searchResult = "none";
      return null;
    }
    // Searching the same text again steps to the next match.
    this.lastMatchIndex = wanted === this.lastQuery ? (this.lastMatchIndex + 1) % matches.length : 0;
    this.lastQuery = wanted;
    var node = matches[this.lastMatchIndex];
    this.selectParty(node, { centre: true, focus: true });
    if (matches.length > 1) this.setStatus(format(this.labels.matches, { count: matches.length }));
    this.container.dataset.searchResult = node.id();
    return node;
  };

  /* Fit the shown parties from their positions: cy.fit() would measure every label first, which
   * takes seconds on a 2,000-party map before the first draw. */
  RenkeiMap.prototype.fit = function () {
    var x1 = Infinity;
    var y1 = Infinity;
    var x2 = -Infinity;
    var y2 = -Infinity;
    this.cy.nodes().forEach(function (node) {
      if (node.hasClass("hidden")) return;
      var p = node.position();
      var halfW = node.hasClass("group") ? node.data("w") / 2 : COL_W / 2;
      var halfH = node.hasClass("group") ? node.data("h") / 2 + ROW_H / 2 : ROW_H / 2;
      x1 = Math.min(x1, p.x - halfW);
      x2 = Math.max(x2, p.x + halfW);
      y1 = Math.min(y1, p.y - halfH);
      y2 = Math.max(y2, p.y + halfH);
    });
    if (!isFinite(x1)) return;
    var padding = 20;
    var width = this.cy.width();
    var height = this.cy.height();
    var zoom = Math.min((width - 2 * padding) / (x2 - x1), (height - 2 * padding) / (y2 - y1), 1.5);
    zoom = Math.max(this.cy.minZoom(), Math.min(this.cy.maxZoom(), zoom));
    this.cy.viewport({
      zoom: zoom,
      pan: { x: (width - zoom * (x1 + x2)) / 2, y: (height - zoom * (y1 + y2)) / 2 },
    });
  };

  function partyList(cell, nodes, labels) {
    cell.replaceChildren();
    if (nodes.length === 0) {
      cell.textContent = "—";
      return;
    }
    var sorted = nodes.toArray().sort(function (a, b) {
      return a.data("name").localeCompare(b.data("name"), "ja");
    });
    sorted.slice(0, PANEL_LIST_MAX).forEach(function (other) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link party-link";
      button.dataset.party = other.id();
      button.textContent = other.data("name");
      cell.appendChild(button);
    });
    if (sorted.length > PANEL_LIST_MAX) {
      var more = document.createElement("span");
      more.className = "muted";
      more.textContent = format(labels.more, { count: sorted.length - PANEL_LIST_MAX });
      cell.appendChild(more);
    }
  }

  RenkeiMap.prototype.showPanel = function (node) {
    var data = node.data();
    var labels = this.labels;
    document.getElementById("map-panel-empty").hidden = true;
    document.getElementById("map-panel-body").hidden = false;
    document.getElementById("map-panel-name").textContent = data.name;
    document.getElementById("map-panel-kind").textContent = data.kind_label || this.kindLabels[data.kind] || data.kind;
    document.getElementById("map-panel-criticality").textContent = this.criticalityLabels[data.criticality] || data.criticality;
    document.getElementById("map-panel-tier").textContent = data.tier === null ? labels.notConnected : String(data.tier);
    document.getElementById("map-panel-status").textContent = labels[data.status] || data.status;
    partyList(document.getElementById("map-panel-clients"), node.incomers("node.party"), labels);
    partyList(document.getElementById("map-panel-providers"), node.outgoers("node.party"), labels);
    document.getElementById("map-panel-detail").href = data.url;
    document.getElementById("map-panel-blast").href = this.config.blastRadiusUrl.replace(/\/0\/$/, "/" + encodeURIComponent(data.pk) + "/");
    document.getElementById("map-panel").dataset.party = node.id();
  };

  function start() {
    var container = document.getElementById("map");
    if (!container) return;
    var labels = readJson("map-labels");
    if (typeof window.cytoscape !== "function") {
      container.dataset.ready = "error";
      var status = document.getElementById("map-status");
      if (status) status.textContent = labels.loadFailed || "";
      return;
    }
    var map = new RenkeiMap(readJson("map-config"), labels);
    window.renkeiMap = map; // for the browser tests and for debugging from the console
    map.load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  window.RenkeiMapLayout = { computeLayout: computeLayout };
})();
