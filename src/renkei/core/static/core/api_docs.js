// Starts Swagger UI on the API documentation page (a file, not an inline script: the site's
// Content-Security-Policy allows scripts from our own origin only).
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrfToken = document.body.dataset.csrfToken;
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis];
  // "Try it out" runs in the logged-in session; unsafe methods need Django's CSRF token.
  settings.requestInterceptor = function (request) {
    if (csrfToken) {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  };
  window.SwaggerUIBundle(settings);
})();
