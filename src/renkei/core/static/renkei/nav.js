// The main menu's groups are <details> elements: they open and close without this file.
// It only makes them behave like menus: one open at a time, closed by Escape or a click elsewhere.
(function () {
  "use strict";
  function groups() { return document.querySelectorAll("nav.mainnav details.navgroup"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details.navgroup") || !opened.open) { return; }
    groups().forEach(function (other) { if (other !== opened) { other.open = false; } });
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("nav.mainnav")) { return; }
    groups().forEach(function (group) { group.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    groups().forEach(function (group) {
      if (group.open) { group.open = false; group.querySelector("summary").focus(); }
    });
  });
})();
