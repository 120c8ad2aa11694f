// While the release's findings are being matched, ask the server every few seconds and reload
// the page when matching has finished, so the findings appear without a manual reload.
(function () {
  "use strict";
  var status = document.getElementById("matching-status");
  if (!status) { return; }
  var url = status.getAttribute("data-status-url");
  var delay = 2000;
  var tries = 0;
  function check() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.matching === false) {
          window.location.reload();
        } else if (tries < 450) {
          delay = Math.min(delay * 1.2, 10000);
          window.setTimeout(check, delay);
        }
      })
      .catch(function () { if (tries < 450) { window.setTimeout(check, 10000); } });
  }
  window.setTimeout(check, delay);
})();
