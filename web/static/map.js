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

  var VEIL = "rgba(255, 255, 255, 0.8)";
  var CHAIN_COLOUR = "#0b3d91";

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
  var state = { highlighted: null, nodes: [], links: [] };
  network.on("afterDrawing", function (ctx) {
    if (state.highlighted === null) {
      return;
    }
    var body = network.body;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = VEIL;
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    ctx.save();
    ctx.strokeStyle = CHAIN_COLOUR;
    ctx.lineWidth = 7;
    ctx.lineCap = "round";
    state.links.forEach(function (id) {
      var edge = body.edges[id];
      if (edge && edge.from && edge.to) {
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
    var own = body.nodes[state.highlighted];
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
  network.on("afterDrawing", function (ctx) {
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

  function clear() {
    if (state.highlighted === null) {
      return;
    }
    state = { highlighted: null, nodes: [], links: [] };
    container.removeAttribute("data-highlighted");
    if (chainSelect) {
      chainSelect.value = "";
    }
    if (statusLine) {
      statusLine.textContent = defaultStatus;
    }
    network.redraw();
  }

  function highlight(initiative) {
    if (!nodeDetails[initiative]) {
      return null;
    }
    var chains = chainsOf(initiative);
    state = { highlighted: initiative, nodes: chains.nodes, links: chains.links };
    container.setAttribute("data-highlighted", initiative);
    if (chainSelect) {
      chainSelect.value = initiative;
    }
    if (statusLine) {
      statusLine.textContent = chains.nodes.length
        ? "Chains of \u201c" + titleOf(initiative) + "\u201d: " + chains.nodes.length + " nodes, " +
          chains.links.length + " links. Click the background to show everything."
        : "\u201c" + titleOf(initiative) + "\u201d has no chain to a student outcome. Click the background to show everything.";
    }
    network.redraw();
    return chains;
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
    data.initiatives
      .slice()
      .sort(function (a, b) { return titleOf(a).localeCompare(titleOf(b)); })
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

  window.tocMap = {
    network: network,
    chainsOf: chainsOf,
    highlight: highlight,
    clear: clear,
    focus: focus,
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
  network.once("afterDrawing", focusFromHash);
  window.addEventListener("hashchange", focusFromHash);
})();
