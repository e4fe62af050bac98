/* toc map: draws a theory of change with vis-network from the JSON block #toc-map-data.
 *
 * Every piece of user text reaches the page through textContent, never as markup: vis-network
 * gets no `title` (it would render it as HTML), and tooltips and panels are built here.
 * The Network is kept in the global `network`, and `tocMap` lets scripts and tests drive it.
 */
(function () {
  "use strict";

  var dataElement = document.getElementById("toc-map-data");
  var container = document.getElementById("toc-network");
  if (!dataElement || !container || typeof vis === "undefined") {
    return;
  }
  performance.mark("toc-map-start");
  var data = JSON.parse(dataElement.textContent);
  performance.mark("toc-map-parsed");
  var root = container.closest(".toc-map") || document.body;
  var tip = root.querySelector(".toc-tip");
  var statusLine = root.querySelector(".toc-map-status-text");
  var chainSelect = root.querySelector(".toc-chain-select");
  var detailsPanel = root.querySelector(".toc-details");
  var defaultStatus = statusLine ? statusLine.textContent : "";
  var nodeDetails = data.details.nodes;
  var linkDetails = data.details.links;
  var big = data.nodes.length > 400;

  // The map's shape on screen, for print: the printed map keeps it (toc.css, @media print).
  var printing = window.matchMedia ? window.matchMedia("print") : null;
  function keepScreenAspect() {
    var box = container.getBoundingClientRect();
    if ((printing && printing.matches) || !box.width || !box.height) {
      return;
    }
    container.style.setProperty("--toc-screen-aspect", String(box.width / box.height));
  }
  keepScreenAspect();
  window.addEventListener("resize", keepScreenAspect);

  var VEIL = "rgba(255, 255, 255, 0.8)";
  var CHAIN_COLOUR = "#0b3d91";
  var MINUS_COLOUR = "#c2185b";
  var conflictNodes = data.conflicts || [];

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var options = {
    autoResize: true,
    physics: { enabled: false },
    layout: { improvedLayout: false, hierarchical: { enabled: false } },
    interaction: {
      hover: true,
      tooltipDelay: 120,
      hideEdgesOnDrag: big,
      hideEdgesOnZoom: big,
      navigationButtons: false,
      keyboard: { enabled: true, bindToWindow: false },
      multiselect: false
    },
    nodes: { shadow: false },
    groups: data.groups,
    edges: data.edgeDefaults
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.network = network;
  performance.mark("toc-map-built");

  // vis-network focuses its frame when the pointer enters it (for its keyboard controls); on a
  // map only partly in view the browser would scroll it, and a click would land off its node.
  var frame = container.querySelector(".vis-network");
  if (frame) {
    frame.focus = function () {
      HTMLElement.prototype.focus.call(frame, { preventScroll: true });
    };
  }

  // -- a highlighted initiative: its chains drawn again over a veil on everything else -------
  // Drawing the highlight costs one redraw of the chains; restyling every node through the
  // DataSet would re-measure every label (over a second on a 2,000-node map).
  // A filter (actor, tag, level, search) draws its matches the same way; `active` says either.
  var state = { highlighted: null, nodes: [], links: [], active: false };
  network.on("afterDrawing", function (ctx) {
    if (!state.active) {
      return;
    }
    var body = network.body;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = VEIL;
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    // The chains' steps are underlaid thick and blue; a weakening step stays magenta and
    // dashed beneath, so that a highlighted chain still shows where it works against itself.
    ctx.save();
    ctx.lineWidth = 7;
    ctx.lineCap = "round";
    state.links.forEach(function (id) {
      var edge = body.edges[id];
      if (state.highlighted !== null && edge && edge.from && edge.to) {
        var minus = linkDetails[id] && linkDetails[id].polarity === "-";
        ctx.strokeStyle = minus ? MINUS_COLOUR : CHAIN_COLOUR;
        ctx.setLineDash(minus ? [14, 8] : []);
        ctx.beginPath();
        ctx.moveTo(edge.from.x, edge.from.y);
        ctx.lineTo(edge.to.x, edge.to.y);
        ctx.stroke();
      }
    });
    ctx.restore();
    state.links.forEach(function (id) {
      var edge = body.edges[id];
      if (edge && edge.connected) {
        edge.draw(ctx);
      }
    });
    state.nodes.forEach(function (id) {
      var node = body.nodes[id];
      if (node) {
        node.draw(ctx);
      }
    });
    var own = state.highlighted !== null ? body.nodes[state.highlighted] : null;
    if (own) {
      var box = network.getBoundingBox(state.highlighted);
      if (box) {
        ctx.save();
        ctx.strokeStyle = CHAIN_COLOUR;
        ctx.lineWidth = 5;
        ctx.strokeRect(box.left - 6, box.top - 6, box.right - box.left + 12, box.bottom - box.top + 12);
        ctx.restore();
      }
      own.draw(ctx);
    }
  });

  // -- marks drawn over everything: "−" on weakening links, ⇅ on conflict nodes (TOC501) -------
  var minusLinks = Object.keys(linkDetails).filter(function (key) {
    return linkDetails[key].polarity === "-";
  });

  function badge(ctx, x, y, text, radius) {
    var r = radius || BADGE_RADIUS;
    ctx.save();
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = "#ffffff";
    ctx.fill();
    ctx.lineWidth = Math.max(2, r / 4);
    ctx.strokeStyle = MINUS_COLOUR;
    ctx.stroke();
    ctx.fillStyle = MINUS_COLOUR;
    ctx.font = "bold " + Math.round(r * 1.5) + "px DejaVu Sans, Arial, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(text, x, y + 1);
    ctx.restore();
  }

  // Where a link's "−" goes: on the link as drawn (curved or straight), at the first of these
  // fractions of its length where the badge covers no node's box, so that it never reads as a
  // mark of another node (or hides its own ends); the middle when every place touches one.
  var BADGE_RADIUS = 16;
  var BADGE_PLACES = [0.4, 0.5, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65, 0.25, 0.75, 0.2, 0.8];
  var minusBadgeAt = {};

  function pointOn(edge, t) {
    if (edge.edgeType && typeof edge.edgeType.getPoint === "function") {
      return edge.edgeType.getPoint(t);
    }
    return { x: edge.from.x + (edge.to.x - edge.from.x) * t, y: edge.from.y + (edge.to.y - edge.from.y) * t };
  }

  function nodeDistance(point) {
    // How far `point` is from the nearest node's box (0 inside one).
    var nearest = Infinity;
    var ids = Object.keys(network.body.nodes);
    for (var i = 0; i < ids.length; i += 1) {
      var node = network.body.nodes[ids[i]];
      var shape = node.shape;
      if (!shape || shape.width === undefined || node.options.hidden) {
        continue;
      }
      var nearestX = Math.max(shape.left, Math.min(point.x, shape.left + shape.width));
      var nearestY = Math.max(shape.top, Math.min(point.y, shape.top + shape.height));
      nearest = Math.min(nearest, Math.hypot(point.x - nearestX, point.y - nearestY));
    }
    return nearest;
  }

  function freeBadgePoint(edge) {
    for (var i = 0; i < BADGE_PLACES.length; i += 1) {
      var point = pointOn(edge, BADGE_PLACES[i]);
      if (nodeDistance(point) >= outer(BADGE_RADIUS)) {
        return { x: point.x, y: point.y, r: BADGE_RADIUS };
      }
    }
    // A short link between close nodes: the freest point of its visible part, the badge made
    // small enough to fit there (never smaller than a legible 7).
    var best = pointOn(edge, 0.5), room = nodeDistance(best);
    for (var t = 0.02; t < 1; t += 0.02) {
      var candidate = pointOn(edge, t), free = nodeDistance(candidate);
      if (free > room) {
        best = candidate;
        room = free;
      }
    }
    return { x: best.x, y: best.y, r: Math.max(7, Math.min(BADGE_RADIUS, Math.floor(room * 8 / 9))) };
  }

  function outer(radius) {
    // The badge's radius with its ring drawn: the ring is a quarter of the radius wide.
    return radius + Math.max(2, radius / 4) / 2;
  }

  var badgeCache = {};  // a link's badge place, kept while its ends stay where they are

  function minusBadgePoint(edge) {
    var key = [edge.from.x, edge.from.y, edge.to.x, edge.to.y].join(",");
    var cached = badgeCache[edge.id];
    if (cached && cached.key === key) {
      return cached.point;
    }
    var point = freeBadgePoint(edge);
    badgeCache[edge.id] = { key: key, point: point };
    return point;
  }

  network.on("afterDrawing", function (ctx) {
    var shownLinks = state.active ? new Set(state.links) : null;
    minusBadgeAt = {};
    minusLinks.forEach(function (id) {
      var edge = network.body.edges[id];
      if (!edge || !edge.from || !edge.to || (shownLinks && !shownLinks.has(id))) {
        return;
      }
      var point = minusBadgePoint(edge);
      minusBadgeAt[id] = { x: point.x, y: point.y, r: outer(point.r) };
      badge(ctx, point.x, point.y, "\u2212", point.r);
    });
  });

  network.on("afterDrawing", function (ctx) {
    var shown = state.active ? new Set(state.nodes) : null;
    conflictNodes.forEach(function (id) {
      var node = network.body.nodes[id];
      if (!node || (shown && !shown.has(id))) {
        return;
      }
      badge(ctx, node.shape.left + node.shape.width, node.shape.top, "\u21c5");
    });
  });

  // -- the three bands: drawn under the graph, labelled at the left edge of the view ----------
  var bandFills = { system: "#f3f6fb", teacher: "#f1f8f4", student: "#fff8ea" };
  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    data.bands.forEach(function (band) {
      ctx.fillStyle = bandFills[band.level] || "#f7f7f7";
      ctx.fillRect(-1e6, band.top, 2e6, band.bottom - band.top);
    });
    ctx.restore();
  });
  // Band names are drawn under the nodes: a node at the left edge covers its band's name.
  network.on("beforeDrawing", function (ctx) {
    var ratio = ctx.canvas.width / Math.max(1, ctx.canvas.clientWidth);
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = "bold 18px DejaVu Sans, Arial, sans-serif";
    ctx.textBaseline = "top";
    data.bands.forEach(function (band) {
      var top = network.canvasToDOM({ x: 0, y: band.top }).y;
      var bottom = network.canvasToDOM({ x: 0, y: band.bottom }).y;
      if (bottom < 0 || top > ctx.canvas.clientHeight) {
        return;
      }
      var y = Math.min(Math.max(top + 6, 6), bottom - 30);
      var width = ctx.measureText(band.label).width + 16;
      ctx.fillStyle = "rgba(255, 255, 255, 0.88)";
      ctx.fillRect(6, y, width, 26);
      ctx.fillStyle = "#263238";
      ctx.fillText(band.label, 14, y + 4);
    });
    ctx.restore();
  });

  var firstDraw = true;
  network.on("afterDrawing", function () {
    if (firstDraw) {
      firstDraw = false;
      window.tocMapFirstDrawn = performance.now();
      container.setAttribute("data-drawn", "true");
    }
  });

  // -- building text safely --------------------------------------------------------------------
  function el(tag, className, text) {
    var element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined && text !== null) {
      element.textContent = String(text);
    }
    return element;
  }

  function field(parent, label, value, missing) {
    if ((value === null || value === undefined || value === "") && !missing) {
      return;
    }
    var row = el("div", "tip-field");
    row.appendChild(el("span", "tip-label", label + ": "));
    if (value === null || value === undefined || value === "") {
      row.appendChild(el("span", "tip-missing", missing));
    } else {
      row.appendChild(el("span", "tip-value", value));
    }
    parent.appendChild(row);
  }

  function list(parent, label, items, render) {
    if (!items || !items.length) {
      return;
    }
    parent.appendChild(el("div", "tip-label", label + ":"));
    var ul = el("ul", "tip-list");
    items.forEach(function (item) {
      var li = el("li");
      render(li, item);
      ul.appendChild(li);
    });
    parent.appendChild(ul);
  }

  function findingsList(parent, indices) {
    var findings = (indices || []).map(function (i) { return data.findings[i]; });
    list(parent, "Findings", findings, function (li, finding) {
      li.appendChild(el("span", "sev sev-" + finding.severity, finding.severity));
      li.appendChild(document.createTextNode(
        " " + finding.code + " " + data.names[finding.code] + ": " + finding.message
      ));
      li.appendChild(el("div", "tip-meta", data.hints[finding.hint]));
    });
  }

  function titleOf(id) {
    var detail = nodeDetails[id];
    return detail ? detail.title : id;
  }

  // Who pushes a conflict node each way: the findings' `pushers` when given, else their words.
  function conflictNote(conflict) {
    var note = el("div", "tip-conflict");
    note.appendChild(el("div", "tip-label", "\u21c5 Conflict: initiatives pull this node in opposite directions"));
    var up = conflict.pushers["+"] || [];
    var down = conflict.pushers["-"] || [];
    if (up.length || down.length) {
      field(note, "Pushed up (+) by", up.map(titleOf).join("; "), "—");
      field(note, "Pushed down (\u2212) by", down.map(titleOf).join("; "), "—");
    } else {
      conflict.messages.forEach(function (message) {
        note.appendChild(el("div", "tip-value", message));
      });
    }
    return note;
  }

  function describeNode(id) {
    var d = nodeDetails[id];
    var box = el("div", "tip-body");
    box.appendChild(el("div", "tip-title", d.title));
    var meta = [d.level, d.kind];
    if (d.status !== "active") {
      meta.push(d.status);
    }
    if (d.actor) {
      meta.push(d.actor);
    }
    box.appendChild(el("div", "tip-meta", meta.join(" · ") + " · id " + d.id));
    field(box, "Description", d.description);
    var askFunction = d.kind !== "outcome" && d.form ? "not stated — what does it do for learning?" : null;
    field(box, "Form", d.form);
    field(box, "Function", d.function, askFunction);
    list(box, "Indicators", d.indicators, function (li, indicator) {
      li.appendChild(el("span", null, indicator.name));
      var measures = indicator.measures ? indicator.measures : "unknown";
      li.appendChild(el("span", "tip-meta", " — " + measures + (indicator.inferred ? " (inferred)" : "")));
      var more = [];
      ["baseline", "target", "source", "cadence"].forEach(function (key) {
        if (indicator[key]) {
          more.push(key + ": " + indicator[key]);
        }
      });
      if (more.length) {
        li.appendChild(el("div", "tip-meta", more.join(" · ")));
      }
    });
    field(box, "Tags", (d.tags || []).join(", "));
    if (d.conflict) {
      box.appendChild(conflictNote(d.conflict));
    }
    findingsList(box, d.findings);
    return box;
  }

  function describeLink(id) {
    var d = linkDetails[id];
    var box = el("div", "tip-body");
    box.appendChild(el("div", "tip-title", titleOf(d.from) + " \u2192 " + titleOf(d.to)));
    var meta = [d.type === "feedback" ? "feedback" : "leads to", d.polarity === "-" ? "weakens (\u2212)" : "strengthens (+)"];
    box.appendChild(el("div", "tip-meta", meta.join(" · ") + " · id " + d.id));
    field(box, "Because", d.because, "not stated — why should this step happen?");
    list(box, "Evidence", d.evidence, function (li, evidence) {
      li.appendChild(el("span", null, evidence.citation));
      var tier = evidence.tier ? "tier " + evidence.tier + " (" + data.tierNames[evidence.tier] + ")" : "unrated";
      li.appendChild(el("span", "tip-meta", " — " + tier));
      if (evidence.url) {
        li.appendChild(el("div", "tip-meta", evidence.url));
      }
      if (evidence.note) {
        li.appendChild(el("div", "tip-note", evidence.note));
      }
    });
    if (d.because && (!d.evidence || !d.evidence.length)) {
      field(box, "Evidence", null, "none cited");
    }
    list(box, "Assumptions", d.assumptions, function (li, assumption) {
      li.textContent = assumption;
    });
    findingsList(box, d.findings);
    return box;
  }

  // -- tooltip on hover ------------------------------------------------------------------------
  function showTip(content, pointer) {
    if (!tip) {
      return;
    }
    tip.replaceChildren(content);
    tip.hidden = false;
    var frame = tip.parentElement.getBoundingClientRect();
    var x = pointer.x + 16;
    var y = pointer.y + 16;
    var width = tip.offsetWidth;
    var height = tip.offsetHeight;
    if (x + width > frame.width) {
      x = Math.max(4, pointer.x - width - 16);
    }
    if (y + height > frame.height) {
      y = Math.max(4, pointer.y - height - 16);
    }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }

  function hideTip() {
    if (tip) {
      tip.hidden = true;
    }
  }

  network.on("hoverNode", function (params) {
    showTip(describeNode(params.node), params.pointer.DOM);
  });
  network.on("hoverEdge", function (params) {
    showTip(describeLink(params.edge), params.pointer.DOM);
  });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // For editors (the model's page says where it is), the details panel links to the forms.
  var editBase = root.getAttribute("data-edit-base");

  function editLinks(kind, id) {
    var links = el("p", "tip-actions");
    function add(text, href) {
      var a = el("a", "button secondary", text);
      a.href = href;
      links.appendChild(a);
      links.appendChild(document.createTextNode(" "));
    }
    var key = encodeURIComponent(id);
    if (kind === "node") {
      add("Edit this node", editBase + "/nodes/" + key + "/edit");
      add("Add a link from here", editBase + "/links/new?source=" + key);
    } else {
      add("Edit this link", editBase + "/links/" + key + "/edit");
    }
    return links;
  }

  function showDetails(content, kind, id) {
    if (!detailsPanel) {
      return;
    }
    if (content && editBase && kind) {
      content.appendChild(editLinks(kind, id));
    }
    if (content) {
      detailsPanel.replaceChildren(content);
      detailsPanel.hidden = false;
    } else {
      detailsPanel.replaceChildren();
      detailsPanel.hidden = true;
    }
  }

  // -- chains of an initiative: the same subgraph as ChainGraph.chains_of ----------------------
  var reachesOutcome = new Set(data.reachesOutcome);
  var successors = {};
  Object.keys(linkDetails).forEach(function (key) {
    var link = linkDetails[key];
    if (link.step) {
      (successors[link.from] = successors[link.from] || []).push(link.to);
    }
  });

  function chainsOf(initiative) {
    if (!reachesOutcome.has(initiative)) {
      return { initiative: initiative, nodes: [], links: [] };
    }
    var ahead = new Set([initiative]);
    var queue = [initiative];
    while (queue.length) {
      var next = successors[queue.pop()] || [];
      for (var i = 0; i < next.length; i++) {
        if (!ahead.has(next[i])) {
          ahead.add(next[i]);
          queue.push(next[i]);
        }
      }
    }
    var chainNodes = data.nodes
      .map(function (item) { return item.id; })
      .filter(function (id) { return ahead.has(id) && reachesOutcome.has(id); });
    var chainLinks = Object.keys(linkDetails).filter(function (key) {
      var link = linkDetails[key];
      return link.step && ahead.has(link.from) && reachesOutcome.has(link.to);
    });
    return { initiative: initiative, nodes: chainNodes, links: chainLinks };
  }

  // -- filters: actor, tag, level and a search, drawn over the veil like a chain --------------
  var filters = { actor: "", tag: "", level: "", search: "", model: "" };

  function filtering() {
    return Boolean(filters.actor || filters.tag || filters.level || filters.search || filters.model);
  }

  function matches(id) {
    var d = nodeDetails[id];
    if (filters.model && d.model !== filters.model) {
      return false;
    }
    if (filters.actor && d.actor !== filters.actor) {
      return false;
    }
    if (filters.tag && (d.tags || []).indexOf(filters.tag) < 0) {
      return false;
    }
    if (filters.level && d.level !== filters.level) {
      return false;
    }
    if (filters.search) {
      var needle = filters.search.toLowerCase();
      if (d.title.toLowerCase().indexOf(needle) < 0 && d.id.toLowerCase().indexOf(needle) < 0) {
        return false;
      }
    }
    return true;
  }

  // What is drawn over the veil: the highlighted initiative's chains, narrowed by the filters.
  function applyView(initiative, chains) {
    var ids = chains ? chains.nodes : data.nodes.map(function (item) { return item.id; });
    var shown = filtering() ? ids.filter(matches) : ids;
    var kept = new Set(shown);
    var links = chains ? chains.links : Object.keys(linkDetails);
    if (filtering()) {
      links = links.filter(function (key) {
        return kept.has(linkDetails[key].from) && kept.has(linkDetails[key].to);
      });
    }
    state = { highlighted: initiative, nodes: shown, links: links, active: initiative !== null || filtering() };
    if (initiative !== null) {
      container.setAttribute("data-highlighted", initiative);
    } else {
      container.removeAttribute("data-highlighted");
    }
    if (chainSelect) {
      chainSelect.value = initiative || "";
    }
    if (statusLine) {
      var text = defaultStatus;
      if (initiative !== null) {
        text = chains.nodes.length
          ? "Chains of \u201c" + titleOf(initiative) + "\u201d: " + chains.nodes.length + " nodes, " +
            chains.links.length + " links. Click the background to show everything."
          : "\u201c" + titleOf(initiative) + "\u201d has no chain to a student outcome. Click the background to show everything.";
      }
      if (filtering()) {
        text = shown.length + " node(s) match the filters" + (initiative !== null ? " on the chains of \u201c" + titleOf(initiative) + "\u201d" : "") + ". " + (initiative !== null ? text : "");
      }
      if (presenting && initiative !== null) {
        var order = initiativeOrder();
        text = "Initiative " + (order.indexOf(initiative) + 1) + " of " + order.length + ": " + text;
      }
      statusLine.textContent = text;
    }
    network.redraw();
  }

  function clear() {
    if (state.highlighted === null) {
      return;
    }
    applyView(null, null);
  }

  function highlight(initiative) {
    if (!nodeDetails[initiative]) {
      return null;
    }
    var chains = chainsOf(initiative);
    applyView(initiative, chains);
    return chains;
  }

  function setFilter(name, value) {
    filters[name] = value || "";
    var initiative = state.highlighted;
    applyView(initiative, initiative !== null ? chainsOf(initiative) : null);
    return state.nodes.slice();
  }

  function initiativeOrder() {
    return data.initiatives.slice().sort(function (a, b) { return titleOf(a).localeCompare(titleOf(b)); });
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      var id = params.nodes[0];
      showDetails(describeNode(id), "node", id);
      if (nodeDetails[id].kind === "initiative") {
        highlight(id);
      }
    } else if (params.edges.length) {
      showDetails(describeLink(params.edges[0]), "link", params.edges[0]);
    } else {
      clear();
      showDetails(null);
    }
  });

  // -- focusing on a subject (from the findings table) ----------------------------------------
  function focus(id) {
    hideTip();
    if (nodeDetails[id]) {
      network.selectNodes([id]);
      showDetails(describeNode(id), "node", id);
      var chains = nodeDetails[id].kind === "initiative" ? highlight(id) : null;
      if (chains && chains.nodes.length > 1) {
        network.fit({ nodes: chains.nodes, animation: { duration: 400 } });
      } else {
        network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 400 } });
      }
      return true;
    }
    if (linkDetails[id]) {
      var link = linkDetails[id];
      network.selectEdges([id]);
      network.fit({ nodes: [link.from, link.to], animation: { duration: 400 } });
      showDetails(describeLink(id), "link", id);
      return true;
    }
    return false;
  }

  // The same choice from a list, for the keyboard and for a room watching a projector.
  if (chainSelect) {
    initiativeOrder()
      .forEach(function (id) {
        var option = el("option", null, titleOf(id));
        option.value = id;
        chainSelect.appendChild(option);
      });
    chainSelect.addEventListener("change", function () {
      if (chainSelect.value) {
        focus(chainSelect.value);
      } else {
        clear();
        showDetails(null);
        network.fit({ animation: { duration: 400 } });
      }
    });
  }

  // -- the filter controls --------------------------------------------------------------------
  function fillChoices(select, values) {
    values.forEach(function (value) {
      var option = el("option", null, value);
      option.value = value;
      select.appendChild(option);
    });
  }

  var sets = { actor: new Set(), tag: new Set(), model: new Set() };
  Object.keys(nodeDetails).forEach(function (id) {
    var d = nodeDetails[id];
    if (d.model) {
      sets.model.add(d.model);  // a portfolio's map: each node's plan
    }
    if (d.actor) {
      sets.actor.add(d.actor);
    }
    (d.tags || []).forEach(function (tag) { sets.tag.add(tag); });
  });
  root.querySelectorAll(".toc-filter").forEach(function (select) {
    var name = select.getAttribute("data-filter");
    if (name === "level") {
      data.bands.forEach(function (band) {
        var option = el("option", null, band.label);
        option.value = band.level;
        select.appendChild(option);
      });
    } else {
      fillChoices(select, Array.from(sets[name]).sort());
      if (!sets[name].size) {
        select.disabled = true;
      }
    }
    select.addEventListener("change", function () {
      setFilter(name, select.value);
    });
  });
  var search = root.querySelector(".toc-search");
  if (search) {
    search.addEventListener("input", function () {
      setFilter("search", search.value.trim());
    });
    // Enter goes to the first match.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && state.nodes.length && filtering()) {
        event.preventDefault();
        network.fit({ nodes: state.nodes.slice(0, 50), animation: { duration: 300 } });
      }
    });
  }

  // -- a picture of the current view, made in the browser from the canvas ----------------------
  function downloadPng() {
    var canvas = container.querySelector("canvas");
    var picture = document.createElement("canvas");
    picture.width = canvas.width;
    picture.height = canvas.height;
    var context = picture.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, picture.width, picture.height);
    context.drawImage(canvas, 0, 0);
    picture.toBlob(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = (String(data.model.id).replace(/[^A-Za-z0-9._-]+/g, "-") || "map") + ".png";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
    }, "image/png");
  }
  var pngButton = root.querySelector(".toc-png");
  if (pngButton) {
    pngButton.addEventListener("click", downloadPng);
  }

  // -- presentation: full screen, the map alone, the initiatives one at a time ----------------
  var presenting = false;
  var legendBox = root.querySelector(".toc-legend");
  var presentHelp = root.querySelector(".toc-present-help");
  var presentButton = root.querySelector(".toc-present-button");

  function refit() {
    // The canvas changes size with the mode: fit again once the layout has settled.
    setTimeout(function () {
      // Without full screen the window keeps its size, so vis-network would notice only at its
      // next periodic check: size the canvas to its frame now.
      network.setSize("100%", "100%");
      network.redraw();
      if (state.highlighted !== null && state.nodes.length > 1) {
        network.fit({ nodes: state.nodes });
      } else {
        network.fit();
      }
    }, 60);
  }

  function enterPresentation() {
    if (presenting) {
      return;
    }
    presenting = true;
    root.classList.add("toc-presenting");
    document.body.classList.add("toc-presenting-page");
    container.setAttribute("data-presenting", "true");
    if (legendBox) {
      legendBox.open = false;
    }
    if (presentHelp) {
      presentHelp.hidden = false;
    }
    hideTip();
    showDetails(null);
    if (root.requestFullscreen && !document.fullscreenElement) {
      // Refused without a user's gesture (the URL parameter): the map still fills the window.
      root.requestFullscreen().catch(function () {});
    }
    if (state.highlighted !== null) {
      highlight(state.highlighted);
    }
    refit();
  }

  function leavePresentation() {
    if (!presenting) {
      return;
    }
    presenting = false;
    root.classList.remove("toc-presenting");
    document.body.classList.remove("toc-presenting-page");
    container.removeAttribute("data-presenting");
    if (presentHelp) {
      presentHelp.hidden = true;
    }
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(function () {});
    }
    if (state.highlighted !== null) {
      highlight(state.highlighted);
    }
    refit();
    if (presentButton) {
      presentButton.focus({ preventScroll: true });
    }
  }

  function step(by) {
    var order = initiativeOrder();
    if (!order.length) {
      return;
    }
    var at = order.indexOf(state.highlighted);
    var next = at < 0 ? (by > 0 ? 0 : order.length - 1) : (at + by + order.length) % order.length;
    focus(order[next]);
    showDetails(null);
  }

  if (presentButton) {
    presentButton.addEventListener("click", enterPresentation);
  }
  document.addEventListener("fullscreenchange", function () {
    // Esc in full screen is taken by the browser: leaving full screen leaves the mode too.
    if (!document.fullscreenElement && presenting) {
      leavePresentation();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (!presenting || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var key = event.key;
    if (key === "Escape") {
      leavePresentation();
    } else if (key === "ArrowRight" || key === "n" || key === "PageDown" || key === " ") {
      step(1);
    } else if (key === "ArrowLeft" || key === "p" || key === "PageUp") {
      step(-1);
    } else if (key === "0" || key === "Home") {
      clear();
      network.fit({ animation: { duration: 300 } });
    } else {
      return;
    }
    event.preventDefault();
  });

  window.tocMap = {
    network: network,
    chainsOf: chainsOf,
    highlight: highlight,
    clear: clear,
    focus: focus,
    filter: setFilter,
    present: enterPresentation,
    leave: leavePresentation,
    presenting: function () { return presenting; },
    downloadPng: downloadPng,
    minusLinks: function () { return minusLinks.slice(); },
    minusBadges: function () { return JSON.parse(JSON.stringify(minusBadgeAt)); },
    conflicts: function () { return conflictNodes.slice(); },
    state: function () {
      return { highlighted: state.highlighted, nodes: state.nodes.slice(), links: state.links.slice() };
    }
  };

  // A link such as #focus=NODE (the findings table uses it) focuses the map on load.
  function focusFromHash() {
    var match = /^#focus=(.+)$/.exec(window.location.hash);
    if (match) {
      focus(decodeURIComponent(match[1]));
    }
  }
  // A model above `focusAbove` nodes opens on the chains of its first initiative that has any,
  // not on everything at once.
  function openFocused() {
    if (data.nodes.length <= data.focusAbove || window.location.hash) {
      return;
    }
    var order = initiativeOrder();
    for (var i = 0; i < order.length; i++) {
      var chains = chainsOf(order[i]);
      if (chains.nodes.length > 1) {
        highlight(order[i]);
        network.fit({ nodes: chains.nodes });
        if (statusLine) {
          statusLine.textContent = "This map has " + data.nodes.length + " nodes, more than " + data.focusAbove +
            ": it opens on the chains of \u201c" + titleOf(order[i]) + "\u201d. Choose another initiative, filter, " +
            "or click the background to see everything.";
        }
        return;
      }
    }
  }

  network.once("afterDrawing", function () {
    focusFromHash();
    openFocused();
    var query = new URLSearchParams(window.location.search);
    if (query.get("present") === "1" || window.location.hash === "#present") {
      enterPresentation();
    }
  });
  window.addEventListener("hashchange", focusFromHash);
})();
