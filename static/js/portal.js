// Small behaviours every page shares (loaded by templates/base.html).
(function () {
  "use strict";
  var label = document.body.dataset.scrollLabel || "Table";

  // Tables scroll inside their own box, never the page (portal.css .table-scroll). A table a template left bare
  // (a new page, an htmx fragment) is put in one; a box that does scroll is made reachable by keyboard and named,
  // so it can be scrolled without a mouse (WCAG 2.1.1), and only then, so no empty tab stop is added.
  function tables(root) {
    root.querySelectorAll("table.table").forEach(function (table) {
      if (!table.closest(".table-scroll")) {
        var box = document.createElement("div");
        box.className = "table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
    });
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) { box.setAttribute("aria-label", label); }
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  tables(document);
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { tables(document); }, 100);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) { tables(event.target); });
})();
