// Phones: a table wider than the screen scrolls in its own box (site.css). While it scrolls,
// the keyboard can reach it to scroll it (WCAG 2.1.1): it takes tabindex="0".
(function () {
  function mark() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
