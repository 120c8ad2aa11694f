/* The "Copy" button beside a newly issued portal link (a file: the CSP allows no inline script). */
(function () {
  "use strict";
  var button = document.getElementById("copy-link");
  var field = document.getElementById("new-link");
  if (!button || !field) { return; }
  button.addEventListener("click", function () {
    field.select();
    var done = function () { button.textContent = button.dataset.copied; };
    if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(done); } else { document.execCommand("copy"); done(); }
  });
})();
