// The findings list: the header checkbox ticks or clears every finding on the page (bulk triage).
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  all.hidden = false;
  all.addEventListener("change", function () {
    var boxes = document.querySelectorAll("#finding-table input[name='ids']");
    for (var i = 0; i < boxes.length; i += 1) { boxes[i].checked = all.checked; }
  });
})();
