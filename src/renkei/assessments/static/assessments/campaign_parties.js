// Search as you type on the campaign's parties page (no inline scripts: CSP).
// The page works without this file (the search box is a GET form rendered by the server); with
// it, results come from the JSON endpoint while typing. Each "Add" is a small POST form (CSRF
// token copied from the page), so adding keeps working exactly as without the script.
(function () {
  "use strict";
  var box = document.getElementById("party-search");
  var list = document.getElementById("party-search-results");
  if (!box || !list) return;
  var tokenInput = document.querySelector("#party-search-form input[name=csrfmiddlewaretoken]");
  var csrf = tokenInput ? tokenInput.value : "";
  var timer = null;
  var sequence = 0;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function hidden(name, value) {
    var input = element("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  function addForm(party, query) {
    var form = element("form", "inline");
    form.method = "post";
    form.action = box.dataset.addUrl;
    form.appendChild(hidden("csrfmiddlewaretoken", csrf));
    form.appendChild(hidden("party", String(party.id)));
    form.appendChild(hidden("q", query));
    var button = element("button", "link add-party", box.dataset.addLabel);
    button.type = "submit";
    form.appendChild(button);
    return form;
  }

  function render(data) {
    var items = [];
    data.results.forEach(function (party) {
      var li = element("li");
      li.dataset.party = String(party.id);
      li.appendChild(element("span", "name", party.name));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(element("small", "muted", party.kind));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(party.chosen ? element("span", "badge", box.dataset.chosenLabel) : addForm(party, data.query));
      items.push(li);
    });
    if (!data.results.length && data.query) items.push(element("li", "empty", box.dataset.noneLabel));
    if (data.more) items.push(element("li", "muted", box.dataset.moreLabel));
    list.replaceChildren.apply(list, items);
  }

  function search() {
    var query = box.value.trim();
    var mine = ++sequence;
    if (!query) {
      list.replaceChildren();
      return;
    }
    fetch(box.dataset.url + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && mine === sequence) render(data);
      })
      .catch(function () {
        /* keep the last results; the form still works without the script */
      });
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  document.getElementById("party-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
})();
