/* After leaving the portal: unsent answers kept in this browser belong to the visit that just ended
   (a file: the CSP allows no inline script). */
(function () {
  "use strict";
  if (!document.getElementById("portal-left")) { return; }
  try {
    Object.keys(localStorage).filter(function (k) { return k.indexOf("renkei:/portal/") === 0; })
      .forEach(function (k) { localStorage.removeItem(k); });
  } catch (e) { /* storage unavailable */ }
})();
