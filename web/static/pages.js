/* toc pages: live filtering of the findings table, focusing the map, confirming deletes.
 * The pages work without this script; it only saves round trips. No user text is parsed as HTML. */
(function () {
  "use strict";

  var filter = document.querySelector("[data-findings-filter]");
  var rows = Array.prototype.slice.call(document.querySelectorAll(".findings-table tbody tr"));
  var count = document.querySelector("[data-findings-count]");

  function applyFilter() {
    if (!filter) {
      return;
    }
    var severity = filter.elements.severity.value;
    var code = filter.elements.code.value;
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (!severity || row.dataset.severity === severity) && (!code || row.dataset.code === code);
      row.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    if (count) {
      count.textContent = shown + " of " + rows.length + " shown";
    }
  }

  if (filter && filter.hasAttribute("data-partial")) {
    // The table holds only some of the findings: the server filters.
    filter.addEventListener("change", function () {
      filter.submit();
    });
  } else if (filter) {
    filter.addEventListener("change", applyFilter);
    filter.addEventListener("submit", function (event) {
      event.preventDefault();
      applyFilter();
    });
    applyFilter();
  }

  // A click on a subject focuses the map on it (map.js reacts to #focus=ID) and brings the map into view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.focus-link") : null;
    if (!link) {
      return;
    }
    var map = document.getElementById("toc-network");
    if (map) {
      event.preventDefault();
      var hash = link.getAttribute("href");
      if (window.location.hash === hash && window.tocMap) {
        window.tocMap.focus(decodeURIComponent(hash.slice("#focus=".length)));
      } else {
        window.location.hash = hash;
      }
      map.scrollIntoView({ behavior: "smooth", block: "center" });
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  // The node form's search of other models' nodes: a chosen MODEL:NODE is added to `realizes`.
  Array.prototype.forEach.call(document.querySelectorAll("input[data-append-to]"), function (input) {
    var target = document.getElementById(input.getAttribute("data-append-to"));
    var list = input.list;
    input.addEventListener("change", function () {
      var value = input.value.trim();
      var known = list && Array.prototype.some.call(list.options, function (option) {
        return option.value === value;
      });
      if (!target || !known) {
        return;
      }
      var lines = target.value.split("\n").filter(function (line) { return line.trim(); });
      if (lines.indexOf(value) < 0) {
        lines.push(value);
        target.value = lines.join("\n");
      }
      input.value = "";
    });
  });
})();
